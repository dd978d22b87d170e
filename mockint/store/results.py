"""Results of a session: per-thread and per-topic summaries, rebuilt from the session's state (pure)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..models import DIMENSIONS, Summary, Thread, ThreadSummary, TopicScore

if TYPE_CHECKING:
    from .sessions import SessionState


def _avg(values: Iterable[float | int | None]) -> float | None:
    # a plain float mean: statistics.mean computes exactly with fractions, which is 20x slower and cost a
    # 100,000-event session half a second; the result is rounded to 0.1 anyway
    vals = [v for v in values if v is not None]
    return round(sum(vals) / len(vals), 1) if vals else None


def topic_scores(threads: Iterable[Thread], names: dict[str, str] | None = None) -> list[TopicScore]:
    """Mean of each dimension per topic over scored threads, weakest first."""
    by_topic: dict[str, list[Thread]] = {}
    for t in threads:
        by_topic.setdefault(t.topic, []).append(t)
    out = []
    for topic, ths in by_topic.items():
        scored = [t.score for t in ths if t.score is not None]
        missed = [m for s in scored for m in s.missed_points]
        out.append(TopicScore(
            topic=topic, name=(names or {}).get(topic, topic), threads=len(ths), scored=len(scored),
            missed_points=list(dict.fromkeys(missed)),
            **{d: _avg(getattr(s, d) for s in scored) for d in DIMENSIONS},
        ))
    return sorted(out, key=lambda ts: (ts.overall is None, ts.overall if ts.overall is not None else 0, ts.topic))


def overall(state: SessionState) -> float | None:
    """The session's overall score (mean of its scored threads) without building a whole Summary."""
    return _avg(t.score.overall for t in state.threads if t.score is not None)


def summarize(state: SessionState, prompts: dict[str, str], names: dict[str, str] | None = None) -> Summary:
    """Build the Summary of a session from its rebuilt state (`store.sessions.SessionState`)."""
    threads = []
    for th in state.threads:
        metrics = [t.metrics for t in th.turns if t.metrics and t.metrics.duration > 0]
        spoken = [m for m in metrics if m.wpm > 0]
        threads.append(ThreadSummary(
            question_id=th.question_id, topic=th.topic, prompt=prompts.get(th.question_id, th.turns[0].text if th.turns else ""),
            score=th.score, score_status=th.score_status, skipped=th.skipped,
            follow_ups=sum(1 for t in th.turns if t.kind == "follow_up"),
            speaking_seconds=round(th.speaking_seconds, 1),
            wpm=_avg(m.wpm for m in spoken), fillers_per_min=_avg(m.fillers_per_min for m in spoken),
            fillers=sorted({f for m in metrics for f in m.fillers}),
            long_pauses=sum(len(m.long_pauses) for m in metrics),
        ))
    all_metrics = [t.metrics for th in state.threads for t in th.turns if t.metrics and t.metrics.wpm > 0]
    return Summary(
        session_id=state.id, status=state.status, finished_reason=state.finished_reason,
        created=state.meta.created, backend=state.meta.backend,
        overall=overall(state),
        threads=threads, topics=topic_scores(state.threads, names),
        speaking_seconds=round(sum(t.speaking_seconds for t in threads), 1),
        wpm=_avg(m.wpm for m in all_metrics), fillers_per_min=_avg(m.fillers_per_min for m in all_metrics),
    )
