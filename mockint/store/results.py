"""Results of a session: per-thread and per-topic summaries, rebuilt from the session's state (pure)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..models import DIMENSIONS, AttemptResult, AttemptsCompared, Summary, Thread, ThreadSummary, TopicScore

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
    """The session's overall score (mean of its scored first attempts: the round as an interviewer saw it; retries
    are practice) without building a whole Summary."""
    return _avg(t.score.overall for t in state.threads if t.score is not None and t.attempt == 1)


def summarize(state: SessionState, prompts: dict[str, str], names: dict[str, str] | None = None) -> Summary:
    """Build the Summary of a session from its rebuilt state (`store.sessions.SessionState`)."""
    threads = []
    for th in state.threads:
        metrics = [t.metrics for t in th.turns if t.metrics and t.metrics.duration > 0]
        spoken = [m for m in metrics if m.wpm > 0]
        threads.append(ThreadSummary(
            question_id=th.question_id, topic=th.topic,
            prompt=prompts.get(th.question_id, th.turns[0].text if th.turns else ""),
            attempt=th.attempt, score=th.score, score_status=th.score_status, skipped=th.skipped,
            follow_ups=sum(1 for t in th.turns if t.kind == "follow_up"),
            speaking_seconds=round(th.speaking_seconds, 1),
            wpm=_avg(m.wpm for m in spoken), fillers_per_min=_avg(m.fillers_per_min for m in spoken),
            fillers=sorted({f for m in metrics for f in m.fillers}),
            long_pauses=sum(len(m.long_pauses) for m in metrics),
        ))
    all_metrics = [t.metrics for th in state.threads for t in th.turns if t.metrics and t.metrics.wpm > 0]
    firsts = [t for t in state.threads if t.attempt == 1]  # the round as an interviewer saw it; retries are practice
    return Summary(
        session_id=state.id, status=state.status, finished_reason=state.finished_reason,
        created=state.meta.created, backend=state.meta.backend,
        overall=overall(state),
        threads=threads, topics=topic_scores(firsts, names),
        speaking_seconds=round(sum(t.speaking_seconds for t in threads), 1),
        wpm=_avg(m.wpm for m in all_metrics), fillers_per_min=_avg(m.fillers_per_min for m in all_metrics),
        attempts=compare_attempts(state.threads, prompts),
    )


def _claims(th: Thread) -> list[tuple[str, str]]:
    """(quote, what it is): a wrong claim is the same mistake again when it matches the same misconception, or, for
    one outside the bank, has the same words."""
    return [(w.quote, w.misconception or w.quote) for w in th.score.wrong_claims] if th.score else []


def _attempt(th: Thread, before: AttemptResult | None, before_claims: list[tuple[str, str]]) -> AttemptResult:
    s = th.score
    metrics = [t.metrics for t in th.turns if t.metrics and t.metrics.wpm > 0]
    points = [h.id for h in s.key_points_hit] if s else []
    r = AttemptResult(attempt=th.attempt, score_status=th.score_status, key_points=points,
                      wrong_claims=[q for q, _ in _claims(th)],
                      words=sum(t.metrics.word_count for t in th.turns if t.metrics),
                      wpm=_avg(m.wpm for m in metrics), fillers_per_min=_avg(m.fillers_per_min for m in metrics),
                      speaking_seconds=round(th.speaking_seconds, 1),
                      **({d: getattr(s, d) for d in DIMENSIONS} if s else {}))
    if before is not None and s is not None:
        now = {key for _, key in _claims(th)}
        r.new_points = [p for p in points if p not in before.key_points]
        r.lost_points = [p for p in before.key_points if p not in points]
        r.fixed_claims = [quote for quote, key in before_claims if key not in now]
    return r


def compare_attempts(threads: Iterable[Thread], prompts: dict[str, str] | None = None) -> list[AttemptsCompared]:
    """Questions tried more than once, each attempt against the last scored one before it: score per dimension, key
    points newly shown, wrong claims fixed, delivery."""
    by_q: dict[str, list[Thread]] = {}
    for th in threads:
        by_q.setdefault(th.question_id, []).append(th)
    out = []
    for qid, ths in by_q.items():
        rows: list[AttemptResult] = []
        prev: AttemptResult | None = None
        prev_claims: list[tuple[str, str]] = []
        for th in sorted(ths, key=lambda t: t.attempt):
            if not any(t.answered for t in th.turns):
                continue  # skipped, or asked and never answered
            row = _attempt(th, prev, prev_claims)
            rows.append(row)
            if th.score is not None:
                prev, prev_claims = row, _claims(th)
        if len(rows) >= 2:
            out.append(AttemptsCompared(question_id=qid, topic=ths[0].topic, prompt=(prompts or {}).get(qid, ""),
                                        attempts=rows))
    return out
