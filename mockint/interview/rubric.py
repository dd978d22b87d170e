"""Read an answer against a question's rubric: key points shown (with quotes), specificity, reasoning, STAR+T."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..models import STAR_T, KeyPointHit, Question
from ..text import Tokens, find_phrase, normalize, stem, tokenize

STOPWORDS = set("""
a about above after again against all also am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers him his
how i if in into is it its itself just let lets like me more most my no nor not now of off on once only or other our
ours out over own really same she should so some such than that the their theirs them then there these they this those
through to too under until up us very was we well were what when where which while who whom why will with would you
your yours yeah okay um uh er erm hmm actually basically thing things something stuff lot lots get got make made use
used using kind sort know mean think going want one two way ways good great sure right mostly maybe probably able
""".split())
# words that sound senior but show nothing on their own
BUZZWORDS = {stem(w) for w in """
scalable scalability robust robustness synergy leverage leveraging cutting edge best practices seamless seamlessly
innovative enterprise grade world class holistic paradigm empower optimize optimise optimal efficient efficiently
performant modern powerful flexible agile streamline streamlined future proof next generation industry standard
""".split()}
REASONING = ["because", "so that", "trade off", "tradeoff", "however", "whereas", "instead", "on the other hand",
             "for example", "for instance", "the reason", "which means", "otherwise", "downside", "upside", "cost",
             "depends", "unless", "compared", "versus", "rather than", "first", "second", "finally", "then"]
STAR_MARKERS = {
    "situation": ["at the time", "we had", "the situation", "our team", "i was working", "the company", "our system",
                  "a project", "our platform", "in my last", "in my previous", "last year"],
    "task": ["my task", "i was responsible", "the goal", "needed to", "we needed", "the challenge", "my job",
             "i was asked", "i owned", "my role", "the problem was"],
    "action": ["i decided", "i implemented", "i built", "i introduced", "i proposed", "i led", "i added",
               "i wrote", "i designed", "i moved", "i set up", "we implemented", "we introduced", "i started",
               "i ran", "i profiled", "i rewrote", "i migrated"],
    "result": ["as a result", "reduced", "improved", "dropped", "increased", "went from", "percent", "saved",
               "cut", "faster", "the outcome", "in the end", "down to", "up to"],
    "technical": ["under the hood", "specifically", "the reason", "internally", "the way it works", "because"],
}
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:%|percent|ms|milliseconds|seconds|s|x|times|k|m|gb|mb|rps|qps|"
                     r"requests|users|minutes|hours|days|weeks|months|million|thousand)?\b", re.IGNORECASE)
_NUMBER_WORDS = re.compile(r"\b(?:ten|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|"
                           r"million|half|double|twice|triple|percent)\b", re.IGNORECASE)


@dataclass
class Analysis:
    """What an answer shows, measured against one question."""

    words: int
    hits: dict[str, KeyPointHit] = field(default_factory=dict)
    depth: dict[str, int] = field(default_factory=dict)  # phrases matched per key point
    coverage: float = 0.0  # weight share of key points shown
    core_coverage: float = 0.0  # share of the weight-3 points shown
    terms: list[str] = field(default_factory=list)  # glossary / domain terms used
    numbers: int = 0
    reasoning: list[str] = field(default_factory=list)
    buzzwords: int = 0
    relevance: float = 0.0  # share of the answer's content words that belong to this question
    star: dict[str, bool] = field(default_factory=dict)


def question_vocabulary(q: Question, glossary: tuple[str, ...] | list[str] = ()) -> set[str]:
    text = " ".join([q.prompt, q.reference_answer, *(k.point for k in q.key_points),
                     *(p for k in q.key_points for p in k.phrases), *(f.text for f in q.follow_ups),
                     *q.glossary, *glossary])
    return {t for t in (stem(w) for w in normalize(text).split()) if t not in STOPWORDS and len(t) > 2}


def _content(tokens: Tokens) -> list[str]:
    return [t for t in tokens.stems if t not in STOPWORDS and len(t) > 2 and not t.isdigit()]


def count_numbers(text: str) -> int:
    return len(_NUMBER.findall(text)) + len(_NUMBER_WORDS.findall(text))


def analyze(q: Question, answer: str, glossary: tuple[str, ...] | list[str] = ()) -> Analysis:
    tokens = tokenize(answer)
    a = Analysis(words=len(normalize(answer).split()))
    if not tokens.stems:
        a.star = {k: False for k in STAR_T} if q.kind == "story" else {}
        return a
    for kp in q.key_points:
        matches = [m for m in (find_phrase(tokens, p) for p in kp.phrases) if m is not None]
        if matches:
            best = min(matches, key=lambda m: m.first)
            a.hits[kp.id] = KeyPointHit(id=kp.id, quote=tokens.quote(best.first, best.last))
            a.depth[kp.id] = len(matches)
    total = sum(k.weight for k in q.key_points) or 1
    a.coverage = sum(k.weight for k in q.key_points if k.id in a.hits) / total
    core = [k for k in q.key_points if k.weight == 3] or q.key_points
    a.core_coverage = sum(1 for k in core if k.id in a.hits) / len(core)
    a.terms = [t for t in dict.fromkeys([*q.glossary, *glossary]) if find_phrase(tokens, t.lower(), slack=0)]
    a.numbers = count_numbers(answer)
    a.reasoning = [r for r in REASONING if find_phrase(tokens, r, slack=0)]
    content = _content(tokens)
    a.buzzwords = sum(1 for t in content if t in BUZZWORDS)
    vocab = question_vocabulary(q, glossary)
    a.relevance = (sum(1 for t in content if t in vocab) / len(content)) if content else 0.0
    if q.kind == "story":
        a.star = star_elements(q, tokens, a)
    return a


def star_elements(q: Question, tokens: Tokens, a: Analysis) -> dict[str, bool]:
    """Which STAR+T parts a story shows: the rubric's own STAR points, or the usual spoken markers."""
    out = {}
    for part in STAR_T:
        found = part in a.hits or any(find_phrase(tokens, m, slack=0) for m in STAR_MARKERS[part])
        if part == "result":
            found = found and a.numbers > 0  # a result without a number is not a result
        if part == "technical":
            found = found and (len(a.terms) >= 2 or sum(a.depth.values()) >= 4)
        out[part] = bool(found)
    return out
