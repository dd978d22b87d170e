"""Per-topic and per-question history across sessions, for the progress view and drill rounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import mean
from typing import Iterable

from .sessions import SessionState


@dataclass
class TopicHistory:
    """One topic's mean overall score in each session that touched it (each question's latest attempt there),
    oldest first."""

    topic: str
    name: str
    points: list[tuple[str, float]] = field(default_factory=list)

    @property
    def latest(self) -> float | None:
        return self.points[-1][1] if self.points else None

    @property
    def average(self) -> float | None:
        return round(mean(v for _, v in self.points), 1) if self.points else None

    @property
    def trend(self) -> float | None:
        """Latest minus the mean of the earlier sessions (positive = improving)."""
        if len(self.points) < 2:
            return None
        return round(self.points[-1][1] - mean(v for _, v in self.points[:-1]), 1)


def topic_history(sessions: Iterable[SessionState], names: dict[str, str] | None = None) -> list[TopicHistory]:
    """Weakest topics first (by latest score); topics with no score last."""
    hist: dict[str, TopicHistory] = {}
    for s in sorted(sessions, key=lambda s: s.id):
        latest: dict[str, tuple[str, int]] = {}  # per question, its latest scored attempt in this session
        for th in sorted(s.threads, key=lambda t: t.attempt):
            if th.score is not None:
                latest[th.question_id] = (th.topic, th.score.overall)
        per: dict[str, list[int]] = {}
        for topic, overall in latest.values():
            per.setdefault(topic, []).append(overall)
        for topic, vals in per.items():
            h = hist.setdefault(topic, TopicHistory(topic, (names or {}).get(topic, topic)))
            h.points.append((s.id, round(mean(vals), 1)))
    return sorted(hist.values(), key=lambda h: (h.latest is None, h.latest or 0, h.topic))


def question_lows(sessions: Iterable[SessionState]) -> list[tuple[str, int]]:
    """Each question's most recent overall score, lowest first (the drill list)."""
    last: dict[str, int] = {}
    for s in sorted(sessions, key=lambda s: s.id):
        for th in sorted(s.threads, key=lambda t: t.attempt):
            if th.score is not None:
                last[th.question_id] = th.score.overall
    return sorted(last.items(), key=lambda kv: (kv[1], kv[0]))


def sparkline(values: list[float], lo: float = 0, hi: float = 10) -> str:
    bars = "▁▂▃▄▅▆▇█"
    out = []
    for v in values:
        frac = 0 if hi == lo else (min(max(v, lo), hi) - lo) / (hi - lo)
        out.append(bars[min(len(bars) - 1, int(frac * (len(bars) - 1) + 0.5))])
    return "".join(out)
