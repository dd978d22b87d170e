"""Read an answer against a question's rubric: points shown (by meaning, with quotes), wrong claims, depth, STAR+T."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..models import STAR_T, KeyPointHit, Question, StarT, WrongClaim
from ..text import find_phrase, normalize, stem, tokenize

if TYPE_CHECKING:
    from .claims import Claim
    from .evidence import BankIndex

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
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:%|percent|ms|milliseconds|seconds|s|x|times|k|m|gb|mb|rps|qps|"
                     r"requests|users|minutes|hours|days|weeks|months|million|thousand)?\b", re.IGNORECASE)
_NUMBER_WORDS = re.compile(r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
                           r"forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|half|double|twice|"
                           r"triple|percent)\b", re.IGNORECASE)

# STAR+T, read from what each sentence does (a story is the candidate's own, so it cannot match the reference story)
_SITUATION = re.compile(r"\b(?:at my (?:last|previous|current|old) (?:job|company|role|team|employer)|"
                        r"in my (?:last|previous|current) (?:job|role|team|company)|we had|we were|"
                        r"our (?:team|service|system|platform|api|app|company|product|database|checkout|backend)|"
                        r"the (?:team|company|service|system) (?:was|had)|i was working|i worked|a few years ago|"
                        r"last year|at the time|back then|there was|it was a|"
                        r"the (?:hardest|worst|trickiest|biggest|most interesting) (?:one|bug|problem|issue|incident) "
                        r"(?:was|i)|one time|there was a time|we (?:were|kept) (?:seeing|getting|losing)|customers "
                        r"(?:were|kept|started)|users (?:were|kept|started)|(?:only|just) in production|in production "
                        r"(?:we|the|our)|every (?:evening|night|morning|monday|day) (?:at|the|our|we))\b")
_TASK = re.compile(r"\b(?:i was (?:responsible|asked|the (?:tech )?lead|on call|tasked|leading|in charge|the one)|"
                   r"my (?:job|task|role|goal|responsibility) was|i owned|i had to|i needed to|we needed to|"
                   r"the goal was|the task was|my part|it was on me|it fell to me|"
                   r"i took (?:it|ownership|the lead|charge|on)|i volunteered|"
                   r"i picked (?:it|this) up|(?:escalated|assigned|handed) (?:it )?to me|i was given)\b")
_ACTION = re.compile(r"\b(?:i|we) (?:then |first |also |eventually |finally )?(?:added|built|wrote|rewrote|replaced|"
                     r"introduced|designed|proposed|profiled|measured|ran|moved|migrated|set up|implemented|changed|"
                     r"split|created|used|took|started|decided|refactored|deployed|rolled out|shipped|put|cached|"
                     r"indexed|traced|reproduced|bisected|found|fixed|removed|swapped|switched|capped|batched|tuned|"
                     r"raised|lowered|paired|drove|led|ran|benchmarked|load tested|instrumented|checked|compared|"
                     r"pulled|dug|wrapped|isolated|narrowed|turned)\b")
_RESULT_WORDS = re.compile(r"\b(?:dropped|fell|went (?:from|down|up)|down to|up to|from .{1,30} to|reduced|cut|"
                           r"improved|increased|decreased|halved|doubled|tripled|saved|zero|no more|never (?:again|came"
                           r" back|recurred)|disappeared|faster|slower|less|fewer|more|as a result|in the end|the "
                           r"outcome|afterwards|after that|since then|p\d\d|latency|throughput|errors?|incidents?)\b")
_CHANGE = re.compile(r"\b(?:went (?:from|down|up)|from .{1,40} to|dropped|fell|reduced|halved|doubled|tripled|"
                     r"down to|to zero|no more|never (?:again|came back|recurred)|(?:cut|improved|increased|decreased) "
                     r"(?:it |them )?(?:by|to|from))\b")
_TECH = re.compile(r"\b(?:because|the reason|under the hood|which meant|that meant|so that|the way|internally|"
                   r"it turned out|root cause|turns out|caused by|was caused|the problem was|the issue was|"
                   r"(?:underlying|real|actual) (?:cause|problem|issue)|the cause was|pointed (?:at|to)|"
                   r"that is why|thats why|which is why|the mechanism|what was happening)\b")


@dataclass
class Analysis:
    """What an answer shows, measured against one question."""

    words: int
    hits: dict[str, KeyPointHit] = field(default_factory=dict)   # points shown, with the words that show them
    mentioned: dict[str, str] = field(default_factory=dict)      # points only touched on (or named in a list)
    explained: set[str] = field(default_factory=set)             # shown with a mechanism, reason or consequence
    depth: dict[str, float] = field(default_factory=dict)         # 0.6 in passing .. 1.0 explained and backed
    coverage: float = 0.0       # weight share of points shown (a mention counts a quarter)
    core_coverage: float = 0.0  # share of the weight-3 points shown
    wrong: list[WrongClaim] = field(default_factory=list)
    wrong_points: set[str] = field(default_factory=set)
    doubtful: list[tuple[str, str, bool]] = field(default_factory=list)  # (quote, misconception, same polarity)
    accuracy: float = 1.0       # share of the on-topic statements that fall on the right side
    statements: int = 0         # ... out of this many statements about the question
    terms: list[str] = field(default_factory=list)  # glossary terms used in real statements
    numbers: int = 0
    reasoning: list[str] = field(default_factory=list)
    buzzwords: int = 0
    relevance: float = 0.0      # similarity of the answer to this question
    off_topic_to: str | None = None
    on_question: float = 0.0    # share of the claims that make a point of this question (shown)
    list_share: float = 0.0     # share of words spent on bare lists of terms
    explained_claims: int = 0
    claims: int = 0
    star: StarT | None = None


def count_numbers(text: str) -> int:
    return len(_NUMBER.findall(text)) + len(_NUMBER_WORDS.findall(text))


def analyze(q: Question, answer: str, index: "BankIndex", glossary: tuple[str, ...] | list[str] = ()) -> Analysis:
    """Read `answer` (already without injection attempts) against `q`."""
    from .evidence import read

    reading = read(q, answer, index)
    a = Analysis(words=len(normalize(answer).split()))
    a.claims = len(reading.claims)
    if not reading.claims:
        a.star = StarT() if q.kind == "story" else None
        return a
    weight = {k.id: k.weight for k in q.key_points}
    for kid, ev in reading.points.items():
        if ev.level == "shown":
            a.hits[kid] = KeyPointHit(id=kid, quote=ev.quote)
            if ev.explained:
                a.explained.add(kid)
        elif ev.level == "mentioned":
            a.mentioned[kid] = ev.quote
    total = sum(weight.values()) or 1
    # depth: a point made once in passing is worth less than one explained or backed by a second sentence
    depth = {k: (1.0 if len(ev.claims) >= 2 else 0.8 if ev.explained else 0.6)
             for k, ev in reading.points.items() if ev.level == "shown"}
    a.depth = depth
    a.coverage = (sum(weight[k] * depth[k] for k in a.hits) + 0.25 * sum(weight[k] for k in a.mentioned)) / total
    core = [k.id for k in q.key_points if k.weight == 3] or [k.id for k in q.key_points]
    a.core_coverage = sum(1 for k in core if k in a.hits) / len(core)
    a.wrong, a.wrong_points, a.doubtful = reading.wrong, reading.wrong_points, reading.doubtful
    # share of the answer's statements about the question that fall on the wrong side of it
    a.accuracy = max(0.0, 1 - (len(a.wrong) + len(a.doubtful)) / max(reading.on_topic, 1))
    a.statements = reading.on_topic
    statements = " ".join(c.text for c in reading.claims if not c.is_list)
    tokens = tokenize(statements)
    a.terms = [t for t in dict.fromkeys([*q.glossary, *glossary]) if find_phrase(tokens, t.lower(), slack=0)]
    a.numbers = count_numbers(statements)
    a.reasoning = [r for r in REASONING if find_phrase(tokens, r, slack=0)]
    a.buzzwords = sum(1 for t in tokens.stems if t in BUZZWORDS)
    a.relevance, a.off_topic_to = reading.relevance, reading.closest_other
    making_points = {i for ev in reading.points.values() if ev.level == "shown" for i in ev.claims}
    a.on_question = len(making_points) / len(reading.claims)
    a.list_share = reading.list_share
    a.explained_claims = reading.explained_claims
    if q.kind == "story":
        a.star, quotes = star_parts(reading.claims, a)
        # the story is the candidate's own, so its STAR+T parts are read from what each sentence does, not by
        # likeness to the bank's example story
        ids = {k.id for k in q.key_points}
        for part, quote in quotes.items():
            if part in ids and part not in a.hits:
                a.hits[part] = KeyPointHit(id=part, quote=quote)
                a.depth[part] = 0.8
        # one source for the STAR+T line and the key points: a part shown by meaning (its key point) is shown
        a.star = StarT(**{p: bool(getattr(a.star, p)) or p in a.hits for p in STAR_T})
        a.coverage = (sum(weight[k] * a.depth.get(k, 0.6) for k in a.hits)
                      + 0.25 * sum(weight[k] for k in a.mentioned if k not in a.hits)) / total
        a.core_coverage = sum(1 for k in core if k in a.hits) / len(core)
    return a


def star_parts(claims: list["Claim"], a: Analysis) -> tuple[StarT, dict[str, str]]:
    """Which STAR+T parts the story gives real content for.

    A part needs a sentence that does that job, not a marker word: the result must be a quantified outcome that
    comes after something the candidate did, and the technical part a mechanism explained with the domain's terms.
    """
    norm = [normalize(c.text) for c in claims]
    real = [i for i, c in enumerate(claims) if not c.is_list and c.words >= 5]
    found: dict[str, int] = {}
    for part, pattern in (("situation", _SITUATION), ("task", _TASK)):
        at = next((i for i in real if pattern.search(norm[i])), None)
        if at is not None:
            found[part] = at
    actions = [i for i in real if _ACTION.search(norm[i])]
    if len(actions) >= 2 or (len(actions) == 1 and claims[actions[0]].words >= 12):
        found["action"] = actions[0]
    first_action = actions[0] if actions else len(claims)
    results = [i for i in real if i > first_action and count_numbers(claims[i].text) and _RESULT_WORDS.search(norm[i])]
    # the sentence that states a change ("went from about 20 a day to zero") over one that only has a number and a
    # result-like word ("its idle timeout was 30 seconds, so it cut the connection", quoted as the result in a round)
    result = next((i for i in results if _CHANGE.search(norm[i])), results[0] if results else None)
    if result is not None:
        found["result"] = result
    tech = next((i for i in real if _TECH.search(norm[i]) and claims[i].explains), None)
    if tech is not None and (len(a.terms) >= 2 or len(a.explained) >= 2 or "technical" in a.hits):
        found["technical"] = tech
    star = StarT(**{part: part in found for part in STAR_T})
    return star, {part: claims[i].text for part, i in found.items()}
