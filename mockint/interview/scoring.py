"""Score invariants that hold whatever the backend said."""

from __future__ import annotations

import math
import re
from typing import Any, Callable

from pydantic import ValidationError

from ..models import DIMENSIONS, KeyPointHit, Question, Score
from ..text import contains_quote, normalize

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
