"""Split an answer into claims and read how each is said: asserted or negated, explained or just a list of terms.

A claim is a sentence, or a clause of a long sentence. The judge credits a key point only through a claim that
asserts it: what a candidate rejects ("I'd never bother with jitter") or merely names in a list of terms does not
show it. These readings are deliberately lexical and cheap; meaning comes from the sentence embeddings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import normalize

MAX_CLAIM_WORDS = 45

# negation words, compared between a claim and the sentence it resembles: a flip of polarity is not agreement
# "not just the slowest ones" / "not only X but Y" add to what is said rather than deny it
_NEGATION = re.compile(
    r"\b(?:not(?! (?:just|only|merely|simply|solely)\b)|no|never|none|nothing|neither|nor|without|cannot|cant|dont|"
    r"doesnt|didnt|wont|wouldnt|shouldnt|"
    r"isnt|arent|wasnt|werent|hasnt|havent|hadnt|mustnt|neednt|nobody|nowhere|hardly)\b")
# rejections of a practice: said of a technique, they assert that good practice is unnecessary or harmful. Only
# unambiguous phrasings: "don't need", "skip it" or "a myth" are as often right as wrong, so they are not here
_REJECTION = re.compile(
    r"\b(?:pointless|overkill|unnecessary|useless|overengineering|over engineering|overengineered|over engineered|"
    r"(?:a )?waste of (?:time|effort|money)|(?:dont|do not|wouldnt|would not|wont|will not|never) (?:even )?bother|"
    r"(?:id|i would|i will|ill|we would|wed|would) never (?:use|do|add|put|bother|tune|touch|need|recommend|want|"
    r"go with|implement|introduce)|"
    r"(?:arent|are not|isnt|is not|not) (?:really |even )?(?:necessary|needed|worth it|worth the|required)|"
    r"no (?:real )?need (?:to|for)|(?:doesnt|does not|dont|do not) (?:really )?matter|not worth (?:it|the)|"
    r"makes no difference|overrated|no point (?:in|to))\b")
_INSTEAD = re.compile(r"\b(?:instead of|rather than)\b", re.IGNORECASE)
# words that carry a line of reasoning: a mechanism, a cause, a consequence, a condition
_EXPLAINING = re.compile(
    r"\b(?:because|since|so that|so|which means|that means|meaning|therefore|thus|hence|otherwise|which|that way|"
    r"when|whenever|if|unless|until|while|then|by|to avoid|to prevent|to make|to keep|in order to|due to|"
    r"causes?|caused|leads? to|results? in|lets?|allows?|prevents?|ensures?|guarantees?|means|blocks?|waits?|"
    r"runs?|returns?|sends?|writes?|reads?|stores?|keeps?|makes?|checks?|retries|fails?|drops?|loses?|reuses?|"
    r"happens?|goes|gets?|takes?|moves?|triggers?|handles?|loads?|calls?|fetch(?:es)?|queues?|locks?|expires?)\b")
# a sentence about what the candidate said or would have said is not a statement of it: "assume I mentioned
# backpressure", "I would have covered retries too", "pretend we talked about idempotency"
_SAID_NOT_STATED = re.compile(
    r"\b(?:assume|assuming|pretend|imagine|suppose|act as if|as if|as though|take it that|consider it)\b[^.!?;]{0,20}"
    r"\b(?:i|we|id|wed)\b[^.!?;]{0,12}\b(?:mentioned|covered|explained|said|talked about|discussed|addressed|"
    r"went through|gone through|described)\b|"
    r"\b(?:i|we) (?:would|could|might|will|should) have (?:also )?(?:mentioned|covered|explained|said|talked about|"
    r"discussed|addressed|gone (?:into|through|over)|described|brought up)\b")
# a full stop ends a sentence only before a space or the end: "Node.js", "process.nextTick", "2.5 seconds" and
# "e.g." stay inside theirs (they used to cut "The p95 dropped from 2.5 seconds" into "The p95 dropped from 2" and "5
# seconds", quoted to the candidate as two claims)
_SENTENCE = re.compile(r"(?:[^.!?;\n]|[.!?](?=[^\s.!?;])|(?<=\be\.g)\.|(?<=\bi\.e)\.|(?<=\betc)\.(?=\s+[a-z])|"
                       r"(?<=\bvs)\.)+(?:[.!?;]+|\n|$)")
_CLAUSE = re.compile(r",\s+(?=(?:but|so|and then|whereas|although|though|which means|and that means)\b)|\s+[-–—]\s+")
_LIST_SPLIT = re.compile(r"\s*(?:,|/|;|\band\b|\bor\b|\bplus\b|\balso\b|\bthen there(?:s| is)\b)\s*")
_FILLER_START = re.compile(r"^(?:(?:um+|uh+|er+|erm|hmm+|so|well|like|okay|ok|right|yeah|and|you know|i mean|basically|"
                           r"actually|honestly|frankly|anyway|though(?=\s*,))\b[\s,]*)+", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """One sentence or clause of an answer, with how it is said."""

    text: str          # as written/transcribed, for quoting
    start: int         # character offsets in the answer
    end: int
    words: int
    negations: int     # negation words (polarity is compared with the sentence it resembles)
    rejects: bool      # rejects a practice ("no need for", "pointless", "never use")
    is_list: bool      # mostly names terms without saying anything about them
    explains: bool     # has a clause of mechanism, reason or consequence
    asserted: str      # the part the candidate stands behind (before "instead of" / "rather than")
    rejected: str      # the part after "instead of" / "rather than", if any
    only_said: bool = False  # about what was (or would have been) said, not a statement of it

    @property
    def terse(self) -> bool:
        """A list, or a fragment too short to say anything about what it names ("Single endpoint.")."""
        return self.is_list or (self.words < 6 and not self.explains)


def negation_count(text: str) -> int:
    return len(_NEGATION.findall(normalize(text)))


def flips(text: str, like: str, key: set[str] | frozenset[str] = frozenset()) -> bool:
    """Whether `text` says the opposite of `like` where it says it: the negations (mod 2) of the clause that shares
    most content words with `like` differ from those of `like`. "Kafka deletes a message once it is read, so you
    can't replay anything" says what "Kafka deletes messages once consumed" says (its second clause's "can't" is
    about something else); "deleting it at logout doesn't invalidate a stolen copy" flips "logout revokes it"."""
    target = negation_count(like) % 2
    clauses = [({w[:5] for w in normalize(p).split() if len(w) > 2}, negation_count(p) % 2)
               for p in _CLAUSE_EDGE.split(text.lower().replace("'", ""))]
    # the words that make it wrong (`key`, five-letter prefixes) find the clause best: in "each connection is a
    # separate process, not a thread" it is "not a thread" that speaks of "connections are lightweight threads"
    want = key if any(words & key for words, _ in clauses) else {w[:5] for w in normalize(like).split() if len(w) > 2}
    parts = [(len(words & want), neg) for words, neg in clauses]
    best = max((n for n, _ in parts), default=0)
    if best == 0:
        return negation_count(text) % 2 != target
    # two clauses that say as much of it: the candidate gets the benefit of the doubt if either flips it
    return any(neg != target for n, neg in parts if n == best)


def rejects(text: str) -> bool:
    return bool(_REJECTION.search(normalize(text)))


# where a rejection's object sits: after "never use / no need for / don't bother with", before "... is pointless"
_OBJECT_AFTER = re.compile(r"\b(?:never|need|bother|point)\b")
_REGARDLESS = re.compile(r"^\s*(?:if|whether|who|what|how|which|when)\b")
_USELESS = re.compile(r"\b(?:useless|worthless|no use)\b")
_CLAUSE_EDGE = re.compile(r"[,;:()\u2013\u2014]|\b(?:so|which|because|since|and|but|then|while|when|if)\b")
# said of what an attacker or a bad practice gets: "a stolen code is useless to them"
_TO_SOMEONE_ELSE = re.compile(r"^\s*(?:to|for) (?:them|him|her|an? attacker|the attacker|attackers|anyone else|"
                              r"whoever|someone else)\b")


def rejected_object(text: str) -> str | None:
    """The words a rejection is said of ("jitter" in "jitter is pointless", "a circuit breaker" in "I'd never bother
    with a circuit breaker"), within its clause; "" when that is only a pronoun's worth, None when the sentence
    rejects nothing or says what something is worth to someone else ("useless to an attacker")."""
    low = text.lower().replace("'", "")
    for m in _REJECTION.finditer(normalize(text)):
        words = m.group(0).split()
        # find the phrase in the raw text (normalize only drops punctuation and apostrophes)
        at = re.search(r"\W+".join(re.escape(w) for w in words), low)
        if at is None:
            continue
        if _TO_SOMEONE_ELSE.search(low[at.end():]):
            return None
        if "matter" in m.group(0) and _REGARDLESS.search(low[at.end():]):
            continue  # "it stays there, doesn't matter if anyone read it": regardless of, not a rejection
        if _OBJECT_AFTER.search(m.group(0)):
            rest = low[at.end():]
            edge = _CLAUSE_EDGE.search(rest)
            part = rest[: edge.start()] if edge else rest
        else:
            before = low[: at.start()]
            edges = list(_CLAUSE_EDGE.finditer(before))
            part = before[edges[-1].end():] if edges else before
            # "..., so rainbow tables are useless" says what the candidate's practice does to a threat, not that
            # a practice is not worth doing ("so mTLS is overkill" still is)
            if edges and edges[-1].group(0) == "so" and _USELESS.search(m.group(0)):
                return None
        kept = [w for w in normalize(part).split() if w not in _NOT_AN_OBJECT]
        return " ".join(kept)
    return None


# pronouns, fillers and linking verbs: "honestly that's overkill" says it of something named earlier
_NOT_AN_OBJECT = set("""it its itself this that thats these those they theyre them theirs he she we you i id ill im ive
is are was were be been being seems seem feels feel looks sounds just really honestly basically frankly totally
either too also even all both whole thing things stuff kind sort of the a an to for with on in about any some say
think guess mean same well
""".split())


def is_term_list(text: str) -> bool:
    """A run of short items ("event loop, libuv, phases, nextTick") with little said about any of them."""
    body = _FILLER_START.sub("", text.lower().replace("'", ""))
    items = [normalize(i) for i in _LIST_SPLIT.split(body)]
    items = [i for i in items if i]
    if len(items) < 3:
        return False
    short = sum(1 for i in items if len(i.split()) <= 3)
    explained = sum(1 for i in items if len(i.split()) > 3 and _EXPLAINING.search(i))
    return short / len(items) >= 0.7 and explained == 0


# a compound sentence ("I enforce the tenant boundary in every query, and I put the policy decisions in one place")
# makes one point per independent clause: past COMPOUND_WORDS words it is read clause by clause, split where a new
# subject starts after ", and", when both sides keep six words or more (a semicolon already ends a claim). On the
# tuning sets this raised key-point recall from 0.867 to 0.875 at the same precision, pair ordering 0.917 to 0.922
COMPOUND_WORDS = 20
_COMPOUND = re.compile(r",\s+and\s+(?=(?:i|we|you|they|it|then i|then we)\b)", re.IGNORECASE)


def _spans(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _SENTENCE.finditer(text):
        a, b = m.start(), m.end()
        chunk = text[a:b]
        if len(chunk.split()) > COMPOUND_WORDS and _COMPOUND.search(chunk):
            at = a
            for cm in _COMPOUND.finditer(chunk):
                if len(text[at:a + cm.start()].split()) >= 6 and len(text[a + cm.end():b].split()) >= 6:
                    out.append((at, a + cm.start()))
                    at = a + cm.end()
            out.append((at, b))
            continue
        if len(chunk.split()) <= MAX_CLAIM_WORDS or not _CLAUSE.search(chunk):
            out.append((a, b))
            continue
        at = a
        for cm in _CLAUSE.finditer(chunk):
            out.append((at, a + cm.start()))
            at = a + cm.end()
        out.append((at, b))
    return out


def claim_body(raw: str) -> str:
    """A sentence without its opening fillers and edge punctuation: the text a claim is read (embedded) as."""
    return _FILLER_START.sub("", raw.strip()).strip(" ,.;:!?-–—\"'")


def split_claims(answer: str) -> list[Claim]:
    """The answer's claims in order; empty pieces and pure fillers are left out."""
    claims = []
    for a, b in _spans(answer):
        raw = answer[a:b].strip()
        body = claim_body(raw)
        if len(normalize(body).split()) < 2:
            continue
        # quote from the first real word, so "um, so" does not open every quote
        offset = raw.find(body[:10]) if body else 0
        start = a + (answer[a:b].find(raw)) + max(offset, 0)
        text = answer[start:start + len(body)]
        parts = _INSTEAD.split(text, maxsplit=1)
        asserted, rejected = (parts[0], parts[1]) if len(parts) == 2 else (text, "")
        # what is rejected is the thing named right after "instead of", not the reason that may follow it
        rejected = re.split(r",|;|\b(?:because|since|so|which|as|to)\b", rejected, maxsplit=1)[0]
        claims.append(Claim(
            text=text, start=start, end=start + len(text), words=len(normalize(text).split()),
            negations=negation_count(asserted), rejects=rejects(text), is_list=is_term_list(text),
            explains=bool(_EXPLAINING.search(normalize(text))) and not is_term_list(text),
            asserted=asserted.strip(" ,"), rejected=rejected.strip(" ,"),
            only_said=bool(_SAID_NOT_STATED.search(normalize(text)))))
    return claims


def windows(claims: list[Claim], answer: str) -> list[tuple[int, int, str]]:
    """Neighbouring claim pairs (index of first, of second, joined text): a point is often made across two."""
    out = []
    for i in range(len(claims) - 1):
        a, b = claims[i], claims[i + 1]
        if a.words + b.words <= 2 * MAX_CLAIM_WORDS and not (a.terse or b.terse):
            out.append((i, i + 1, answer[a.start:b.end]))
    return out
