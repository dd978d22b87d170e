"""Score invariants (whatever the backend said) and pure per-topic aggregation within and across sessions."""

from __future__ import annotations

import math
import re
from statistics import mean
from typing import Any, Callable, Iterable

from pydantic import ValidationError

from ..models import KeyPointHit, Question, Score, Summary, Thread, ThreadSummary, TopicScore
from ..text import contains_quote, normalize

DIMENSIONS = ("overall", "technical", "coverage", "structure", "communication")

_IDK = re.compile(
    r"^(?:(?:um+|uh+|er+|hmm+|so|well|sorry|honestly|i think|i guess|pass|skip|next|no idea|"
    r"i (?:do not|dont|don t) know|i (?:do not|dont|don t) remember|(?:i have|ive|i ve) no idea|"
    r"(?:i am|im|i m) not sure|not sure|(?:i )?(?:can not|cannot|cant|can t) (?:answer|say|remember)|"
    r"(?:let s|lets) (?:skip|move on)|no clue|nothing|no|yeah|okay|ok|"
    r"(?:can|could) we (?:skip|come back to|move on from|move on|pass on|go to)(?: this| that| it| the next)?"
    r"(?: one| question)?(?: later)?|(?:id|i d|i would) (?:rather|like to) (?:skip|pass)(?: this| on this)?(?: one)?|"
    r"not really sure|(?:i am|im|i m) blanking|i have nothing|nothing comes to mind)\s*)*$"
)

_INJECTION = [
    r"ignore (?:all |any |the |your |my )?(?:previous|prior|above|earlier|preceding|former|other)? ?(?:instructions|instruction|rules|prompts?|directions)",
    r"disregard (?:all |any |the |your )?(?:previous|prior|above|earlier)? ?(?:instructions|rules|rubric|guidelines)",
    r"forget (?:all |any |the |your )?(?:previous|prior|above|earlier)? ?(?:instructions|rules|rubric)",
    r"(?:new|updated|override|overriding) (?:instructions|instruction|rules|rubric|system prompt)",
    r"system prompt", r"you are now (?:a|an|the|my)", r"act as (?:a|an|the) (?:grader|evaluator|examiner)",
    r"as (?:the|an|a|my) (?:grader|evaluator|examiner|scorer|ai|assistant|language model)",
    r"(?:give|grant|award|assign|rate|score|mark|grade) (?:me|this|this answer|my answer|it|the answer|the candidate)? ?(?:a |an |the )?(?:10|ten|perfect|full|maximum|max|top|highest)(?: out of 10| 10)?(?: score| marks| points| rating)?",
    r"(?:score|rating|grade|overall|mark) (?:is|should be|must be|of|equals|to|=) ?(?:10|ten|perfect|full)",
    r"(?:10|ten) out of (?:10|ten)", r"(?:full|perfect|maximum) (?:marks|score|points)",
    r"overall\W{0,4}\s*\d", r"\"(?:overall|technical|coverage|structure|communication)\"\s*:",
    r"</?\s*(?:system|answer|candidate_answer|instructions?|assistant|user|admin)\s*>",
    r"\[/?(?:inst|system)\]", r"(?:^|\n)\s*(?:system|assistant)\s*:", r"end of (?:the )?(?:answer|transcript)",
    r"(?:grader|evaluator|examiner|scorer|model|assistant|claude|ai)[, ]+(?:please )?(?:ignore|give|score|rate|mark|award)",
    r"mark (?:all|every) (?:key )?points? (?:as )?(?:hit|covered)",
    r"(?:this|the) (?:answer|candidate) (?:deserves|should (?:get|receive)) ",
]
_INJECTION_RE = re.compile("|".join(f"(?:{p})" for p in _INJECTION), re.IGNORECASE)


def is_empty_answer(text: str) -> bool:
    """No answer, silence, or only 'I don't know' and hedges."""
    norm = normalize(text)
    return not norm or len(norm.split()) < 3 or bool(_IDK.match(norm))


def injection_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of text that tries to instruct the grader (on the raw text, tags included)."""
    return [m.span() for m in _INJECTION_RE.finditer(text)]


def strip_injection(text: str) -> str:
    """The answer with every sentence that carries an injection attempt removed."""
    if not injection_spans(text):
        return text
    # drop whole sentences/lines around each attempt, and any tag or JSON-looking blob
    text = re.sub(r"<[^>]{0,80}>|\{[^{}]{0,800}\}|\[/?[A-Za-z]+\]", " ", text)
    pieces = re.split(r"(?<=[.!?\n])\s+", text)
    kept = [p for p in pieces if not _INJECTION_RE.search(p)]
    return " ".join(kept)


def parse_score(data: Any) -> Score | None:
    """A Score from any JSON-ish value the model could send, or None when it is not one."""
    if isinstance(data, Score):
        return data
    if not isinstance(data, dict):
        return None
    try:
        return Score.model_validate(data)
    except (ValidationError, TypeError, ValueError, RecursionError):
        return None


def enforce_invariants(
    score: Score,
    question: Question,
    answer: str,
    sanitized_score: Callable[[str], Score] | None = None,
) -> Score:
    """Hold the rules that no backend may break; returns a new Score."""
    s = score.model_copy(deep=True)
    flags = list(dict.fromkeys(s.flags))
    known = {k.id for k in question.key_points}
    hits: list[KeyPointHit] = []
    genuine = strip_injection(answer)  # a quote taken from an injection attempt is no evidence
    for h in s.key_points_hit:
        if h.id in known and h.id not in {x.id for x in hits} and contains_quote(genuine, h.quote):
            hits.append(h)
    s.key_points_hit = hits
    hit_ids = {h.id for h in hits}
    s.missed_points = [k.id for k in question.key_points if k.id not in hit_ids]
    total = sum(k.weight for k in question.key_points)
    got = sum(k.weight for k in question.key_points if k.id in hit_ids)
    s.coverage = min(s.coverage, math.ceil(10 * got / total) + 1 if got else 1)
    if injection_spans(answer):
        flags.append("injection_attempt")
        if sanitized_score is not None:
            base = sanitized_score(strip_injection(answer))
            for d in DIMENSIONS:
                setattr(s, d, min(getattr(s, d), getattr(base, d)))
    if is_empty_answer(strip_injection(answer)):
        flags.append("empty")
        for d in DIMENSIONS:
            setattr(s, d, min(getattr(s, d), 1))
        s.key_points_hit, s.missed_points = [], [k.id for k in question.key_points]
    s.overall = min(s.overall, max(s.technical, s.coverage) + 2)
    s.flags = list(dict.fromkeys(flags))
    return s


def _avg(values: Iterable[float | int | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return round(mean(vals), 1) if vals else None


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


def summarize(state: Any, prompts: dict[str, str], names: dict[str, str] | None = None) -> Summary:
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
        overall=_avg(t.score.overall for t in state.threads if t.score is not None),
        threads=threads, topics=topic_scores(state.threads, names),
        speaking_seconds=round(sum(t.speaking_seconds for t in threads), 1),
        wpm=_avg(m.wpm for m in all_metrics), fillers_per_min=_avg(m.fillers_per_min for m in all_metrics),
    )
