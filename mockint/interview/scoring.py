"""Score invariants that hold whatever the backend said."""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import ValidationError

from ..models import DIMENSIONS, KeyPointHit, Question, Score
from ..text import contains_quote, normalize
from .injection import injection_spans, strip_injection

__all__ = ["enforce_invariants", "injection_spans", "is_empty_answer", "parse_score", "strip_injection"]

_IDK = re.compile(
    r"^(?:(?:um+|uh+|er+|hmm+|so|well|sorry|honestly|i think|i guess|pass|skip|next|no idea|"
    r"i (?:do not|dont|don t) know|i (?:do not|dont|don t) remember|(?:i have|ive|i ve) no idea|"
    r"(?:i am|im|i m) not sure|not sure|(?:i )?(?:can not|cannot|cant|can t) (?:answer|say|remember)|"
    r"(?:let s|lets) (?:skip|move on)|no clue|nothing|no|yeah|okay|ok|"
    r"(?:can|could) we (?:skip|come back to|move on from|move on|pass on|go to)(?: this| that| it| the next)?"
    r"(?: one| question)?(?: later)?|(?:id|i d|i would) (?:rather|like to) (?:skip|pass)(?: this| on this)?(?: one)?|"
    r"not really sure|(?:i am|im|i m) blanking|i have nothing|nothing comes to mind)\s*)*$"
)

# a sentence that only says the candidate does not know ("I'd have to look that up", "not my area")
_HEDGE = re.compile(
    r"\b(?:i (?:do not|dont) (?:know|remember|recall|really know)|no idea|not sure|(?:havent|have not|never) "
    r"(?:really |actually )?(?:worked|used|done|touched|dealt|had|implemented|built|tried)|something to do with|"
    r"(?:id|i would|id need to|i would need to) (?:have to )?"
    r"(?:look (?:it|that|this) up|google|check|read up|guess)|not (?:my|really my) (?:area|strong suit|thing)|"
    r"(?:cant|cannot|can not) (?:remember|recall|say|answer)|(?:im|i am) (?:not (?:familiar|sure)|blanking|drawing a "
    r"blank)|no (?:real )?experience|(?:dont|do not) want to (?:make (?:something|stuff|it) up|guess)|"
    r"(?:could|can) we (?:skip|come back|move on)|(?:pass|skip)(?: on)? (?:this|that)|off the top of my head|"
    r"(?:be|im) guessing|something like that|rusty|(?:couldnt|could not|cant|cannot) (?:really )?"
    r"(?:tell you|think of|explain)|never (?:actually |really )?(?:implemented|looked|used|worked|built|done)|"
    r"(?:have|need) to (?:research|look (?:it|that|this) up|read up|think about it)|nothing (?:really )?stands out|"
    r"(?:dont|do not) really (?:know|remember)|(?:someone|somebody) else (?:did|handled|was)|not sure|"
    r"(?:cant|cannot|can not|couldnt) (?:really )?speak to|(?:only ever|never) (?:worked|used) with|"
    r"(?:dont|do not) (?:really )?have (?:much|any) experience|"
    # forgetting what something is, not "a forgotten await" or "oh, I forgot: the outbox..." (said, then the point)
    r"(?:i|ive|i ve|i have|i d|id) (?:kind of |totally |completely )?forg[eo]t(?:ten)? "
    r"(?:the|what|how|which|where|when|why|who|its|it|exactly|most|all|a lot|much|everything|details|name))\b")


def hedges(text: str) -> int:
    """How many times the candidate says they do not know (used to tell an admission from an answer)."""
    return len(_HEDGE.findall(normalize(text)))


def is_empty_answer(text: str) -> bool:
    """No answer, silence, or only 'I don't know' and hedges (every sentence an admission or a filler)."""
    norm = normalize(text)
    if not norm or len(norm.split()) < 3 or bool(_IDK.match(norm)):
        return True
    sentences = [normalize(x) for x in re.split(r"[.!?;\n]+|,\s+(?:but|and|so)\s+", text) if normalize(x)]
    return bool(sentences) and len(norm.split()) <= 60 and all(
        _HEDGE.search(x) or len(x.split()) <= 3 or _IDK.match(x) for x in sentences)


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


def enforce_invariants(score: Score, question: Question, answer: str, last_answer: str | None = None) -> Score:
    """Hold the rules that no backend may break; returns a new Score.

    An attempt to instruct the grader is flagged, and its sentences are never evidence; the grade itself comes
    from the rest of the answer (each backend grades the answer with those sentences removed), so a flag never
    lowers a genuine answer's score.
    """
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
    s.wrong_claims = [w for w in s.wrong_claims if contains_quote(genuine, w.quote)]
    # a mistake is taken back only in a later answer: one said in the thread's last answer (or its only one) is not,
    # whatever a backend says
    last = strip_injection(answer if last_answer is None else last_answer)
    s.wrong_claims = [w.model_copy(update={"taken_back": False}) if w.taken_back and contains_quote(last, w.quote)
                      else w for w in s.wrong_claims]
    if injection_spans(answer):
        flags.append("injection_attempt")
    if is_empty_answer(strip_injection(answer)):
        flags.append("empty")
        for d in DIMENSIONS:
            setattr(s, d, min(getattr(s, d), 1))
        s.key_points_hit, s.missed_points, s.wrong_claims = [], [k.id for k in question.key_points], []
    s.overall = min(s.overall, max(s.technical, s.coverage) + 2)
    s.flags = list(dict.fromkeys(flags))
    return s
