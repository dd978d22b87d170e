"""What the Progress charts plot, derived from the sessions on disk (pure: no Textual, no plotting)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..store.progress import TopicHistory


@dataclass(frozen=True)
class SessionPoint:
    """One session on the time axis: its overall score and its spoken delivery (None when not measured)."""

    session_id: str
    label: str  # 'Nov 20'
    overall: float | None
    wpm: float | None
    fillers_per_min: float | None


MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def day_label(session_id: str) -> str:
    """'20261120-090000-x' -> 'Nov 20' (the id starts with the local date the session began)."""
    try:
        return f"{MONTHS[int(session_id[4:6]) - 1]} {int(session_id[6:8])}"
    except (ValueError, IndexError):
        return session_id[:8]


def session_points(summaries: Iterable) -> list[SessionPoint]:
    """Oldest first; sessions with neither a score nor spoken answers are left out (nothing to plot)."""
    out = []
    for s in sorted(summaries, key=lambda s: s.session_id):
        if s.overall is None and s.wpm is None:
            continue
        out.append(SessionPoint(s.session_id, day_label(s.session_id), s.overall, s.wpm, s.fillers_per_min))
    return out


def topic_series(history: list[TopicHistory], points: list[SessionPoint], limit: int = 3):
    """(name, xs, ys) for the weakest `limit` topics, on the same x positions as `points` (1-based)."""
    where = {p.session_id: i + 1 for i, p in enumerate(points)}
    out = []
    for h in history[:limit]:
        xy = [(where[sid], v) for sid, v in h.points if sid in where]
        if xy:
            out.append((h.name, [x for x, _ in xy], [y for _, y in xy]))
    return out
