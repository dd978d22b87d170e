"""Evidence by meaning: which key points an answer's claims assert, which claims are wrong, what it is about.

Every question is turned once into labelled *anchors*: each key point's description, the reference-answer sentences
that make it, and the corrections of misconceptions that deny it (all positive for that point); each
misconception's claim and the ways a candidate might say it (negative). A claim of the answer is compared with
every anchor by sentence embedding. It shows a point when it is close to one of that point's anchors *with the same
polarity* (a negation flipped against the anchor is not agreement) and it is a real statement, not a list of terms
or a rejection. It is a wrong claim when it is closer to a misconception than to that misconception's correction.
The bank's phrase lists only add a small bonus: they are a cheap extra signal, never the judge.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..models import STAR_T, Question, WrongClaim
from ..text import find_phrase, stem, tokenize
from .rubric import STOPWORDS
from .claims import Claim, flips, negation_count, rejected_object, rejects, split_claims, windows

if TYPE_CHECKING:
    from ..bank import Bank
    from ..embeddings import Embedder, VectorCache


@dataclass(frozen=True)
class Thresholds:
    """Cosine similarities (all-MiniLM-L6-v2) that decide; tuned on tests/data/calibration/tune.json only."""

    show: float = 0.55          # a claim this close to a point's anchor shows the point
    mention: float = 0.42       # ... this close: the point is touched on, not shown
    phrase_bonus: float = 0.06  # a rubric phrase inside the claim
    wrong: float = 0.70         # a claim this close to a misconception (see the three conditions in `read`)
    wrong_margin: float = 0.10
    wrong_vs_truth: float = -0.05  # ... and not much closer to any correct anchor of the question
    wrong_words: int = 2        # ... and using this many of the words that make the misconception wrong,
    wrong_sure: float = 0.86    # ... or one of them when this close: one shared word is usually the topic ("rows",
    #                             "gateway", "DynamoDB"), and 11 of 20 wrong claims on the tuning sets were right
    wrong_bare: bool = True     # ... and a claim without its opening "I think" / "I'm pretty sure" (spoken answers
    #                             open with them, and "Honestly, I think Kafka deletes each message once a group
    #                             reads it" drifted from the mistake; no tuning answer changed)
    wrong_heads: bool = True    # a claim's head clause, before ", so" / ", because" / ";", is read for mistakes too
    #                             (tuning: 3 more wrong-facts answers with a wrong claim found, 25 of 72; none else)
    wrong_opposite: float = 0.05  # a correct anchor said with the claim's opposite polarity counts this much less
    #                             (0.05 on tuning: wrong claims in 23 of 72 wrong-facts answers, was 19, and one
    #                             in a correct answer more, 2 of 186; 0.1 told a strong answer it was wrong)
    swap_near: float = 0.55     # a claim this close to a swap mistake is read for which term it says things of
    reject: float = 0.25        # a rejecting claim this close to a core point rejects it
    assign: float = 0.40        # a reference sentence this close to a key point is one of its anchors
    off_topic_margin: float = 0.04
    truth_margin: float = 0.0   # a claim must be at least this much closer to the point than to a misconception
    tie: float = 0.03           # a claim also counts for a second point this close to its best one
    pair_seed: float = 0.40     # two neighbouring claims are read together only if one is this close to a missing point
    on_topic: float = 0.5       # a statement this close to any of the question's anchors is about the question
    doubt_margin: float = 0.03  # ... and this much nearer a misconception than to any correct anchor: doubtful
    #                             (0.0 with four misconceptions a question; with eight, many swaps of two terms
    #                             that sound like the truth, 0.0 doubted plain answers: gap 1.00 vs 0.68 on tuning)
    doubt_min: float = 0.6      # ... and at least this close to it (0.5 doubted correct plain answers on dev)


DEFAULT = Thresholds()
Level = Literal["shown", "mentioned", "missed"]


@dataclass(frozen=True)
class Anchor:
    text: str
    kind: Literal["point", "example", "reference", "correction", "misconception", "prompt"]
    point: str | None = None          # the key point it shows (positive anchors)
    misconception: str | None = None  # the misconception it states (negative anchors)
    negations: int = 0


@dataclass
class QuestionIndex:
    """A question's anchors and their vectors."""

    question: Question
    anchors: list[Anchor]
    vectors: np.ndarray
    centroid: np.ndarray
    signatures: dict[str, set[str]] = field(default_factory=dict)
    """Per misconception: the words that say it and that neither its correction nor the rubric uses."""
    swaps: dict[str, tuple[str, str, frozenset[str], frozenset[str]]] = field(default_factory=dict)
    """Per swap misconception: its two terms and the words the question's correct sentences say only of each."""

    def rows(self, pred) -> np.ndarray:
        return np.array([i for i, a in enumerate(self.anchors) if pred(a)], dtype=int)


@dataclass
class PointEvidence:
    """How one key point fared."""

    id: str
    level: Level = "missed"
    quote: str = ""
    similarity: float = 0.0
    claims: list[int] = field(default_factory=list)  # indexes of the claims that show it
    explained: bool = False  # at least one showing claim gives a mechanism, reason or consequence


@dataclass
class Reading:
    """What an answer shows against one question."""

    claims: list[Claim]
    points: dict[str, PointEvidence]
    wrong: list[WrongClaim]
    wrong_points: set[str]          # key points a wrong claim denies
    relevance: float                # similarity of the answer to this question
    closest_other: str | None       # another question the answer is clearly closer to
    list_share: float               # share of the answer's words that are bare lists of terms
    explained_claims: int           # claims that carry a mechanism, reason or consequence
    on_topic: int = 0               # statements close to something the question is about
    doubtful: list[tuple[str, str, bool]] = field(default_factory=list)
    """(quote, misconception id, same polarity): statements nearer a known misconception than any correct anchor,
    not sure enough to call wrong. They weigh on accuracy; those said with the misconception's own polarity are
    offered to the candidate to double-check (a flipped one may well be the candidate denying it)."""

    def shown(self) -> list[str]:
        return [k for k, e in self.points.items() if e.level == "shown"]


_STOP_STEMS = {stem(w) for w in STOPWORDS} | {stem(w) for w in (
    "since still another give gives done work works put puts come comes fine safe just always every each any ones "
    "enough whole place thing need needs case cases actually simply even").split()}


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry content (no stopwords, no short words)."""
    return {s for s in tokenize(text).stems if len(s) > 2 and s not in _STOP_STEMS and not s.isdigit()}


_NEG_WORDS = {"not", "no", "never", "without", "nor", "cannot", "dont", "doesnt", "isnt", "arent", "wont", "neither",
              "nothing", "none", "only"}


# "the highest total time, not just the slowest single ones": what follows "not just" is the lesser of two things
# said, not the criterion the candidate states, so its words do not make the sentence say a misconception
_OPINION = re.compile(r"^\s*(?:i (?:really |honestly )?(?:think|believe|guess|reckon)|i'?m (?:pretty |fairly )?sure|"
                      r"i am (?:pretty |fairly )?sure|i'?d say|i would say|as far as i know|afaik)\b[\s,]*(?:that\s+)?",
                      re.IGNORECASE)
_HEAD_EDGE = re.compile(r",\s*(?:so|because|since|which means)\b|;", re.IGNORECASE)
_ALSO = re.compile(r"\bnot (?:just|only|merely|simply|solely)\b[^,.;:!?]*", re.IGNORECASE)


def affirmed_and_denied(text: str) -> tuple[set[str], set[str]]:
    """Content stems a text states, and those it denies ("signed, not encrypted" denies "encrypted")."""
    affirmed: set[str] = set()
    denied: set[str] = set()
    for clause in re.split(r"[,.;:!?()]", text.lower().replace("'", "")):
        toks = tokenize(clause).stems
        scope = 0
        for tok in toks:
            if tok in _NEG_WORDS:
                scope = 3
                continue
            if len(tok) > 2 and tok not in _STOP_STEMS and not tok.isdigit():
                (denied if scope > 0 else affirmed).add(tok)
            scope = max(0, scope - 1)
    return affirmed, denied


# the halves of a contrast ("X does this, and Y does that"; "while", "but"); a comma alone separates the term from
# what is said of it ("When the breaker is closed, calls flow through")
_SWAP_EDGE = re.compile(r"[;:.!?()]|,\s*and\b|\b(?:while|whereas|but)\b", re.IGNORECASE)
# the bank's correct sentences are read finer: "At-most-once can lose messages, at-least-once can duplicate them"
_TRUTH_EDGE = re.compile(r"[,;:.!?()]|\b(?:while|whereas|but|and|so|because|which|then)\b", re.IGNORECASE)


def _term(t: str) -> "re.Pattern[str]":
    return re.compile(rf"(?<![\w-]){re.escape(t)}s?(?![\w-])", re.IGNORECASE)


def _said_of(clause: str, a: str, b: str) -> tuple[int, set[str]]:
    """Which of two terms a clause names (0 for a, 1 for b, -1 for neither or both) and the other words it affirms
    (five-letter prefixes)."""
    has_a, has_b = bool(_term(a).search(clause)), bool(_term(b).search(clause))
    if has_a == has_b:
        return -1, set()
    rest = _term(b).sub(" ", _term(a).sub(" ", clause))
    affirmed, _ = affirmed_and_denied(rest)
    return (0 if has_a else 1), {w[:5] for w in affirmed if w not in _STOP_STEMS}


def swap_words(truth: list[str], a: str, b: str) -> tuple[frozenset[str], frozenset[str]]:
    """The words correct sentences say only of `a` and only of `b`, clause by clause ("transaction pooling shares
    server connections" puts "shares" with transaction)."""
    of: tuple[set[str], set[str]] = (set(), set())
    for text in truth:
        for clause in _TRUTH_EDGE.split(text):
            which, words = _said_of(clause or "", a, b)
            if which >= 0:
                of[which].update(words)
    return frozenset(of[0] - of[1]), frozenset(of[1] - of[0])


def says_swapped(text: str, a: str, b: str, words_a: frozenset[str], words_b: frozenset[str]) -> bool:
    """A clause names one term with words the truth says only of the other, and none it says of its own: "session
    mode is the one that shares connections" when the truth says transaction mode shares them."""
    for clause in _SWAP_EDGE.split(text):
        which, words = _said_of(clause or "", a, b)
        if which < 0:
            continue
        own, other = (words_a, words_b) if which == 0 else (words_b, words_a)
        if words & other and not words & own:
            return True
    return False


def _sentences(text: str) -> list[str]:
    return [c.text for c in split_claims(text) if c.words >= 4]


class BankIndex:
    """Anchors of every question in a bank, embedded once (and cached on disk by the VectorCache)."""

    def __init__(self, bank: "Bank | None", embedder: "Embedder", cache: "VectorCache",
                 thresholds: Thresholds = DEFAULT):
        self.bank = bank
        self.embedder = embedder
        self.cache = cache
        self.t = thresholds
        self._questions: dict[str, QuestionIndex] = {}
        self._centroids: tuple[list[str], np.ndarray] | None = None
        self._lock = threading.RLock()

    def _build(self, q: Question) -> QuestionIndex:
        texts: list[Anchor] = []
        for k in q.key_points:
            texts.append(Anchor(k.point, "point", point=k.id, negations=negation_count(k.point)))
            for ex in k.examples:
                texts.append(Anchor(ex, "example", point=k.id, negations=negation_count(ex)))
        refs = _sentences(q.reference_answer)
        for m in q.misconceptions:
            for said in [m.claim, *m.examples]:
                texts.append(Anchor(said, "misconception", misconception=m.id, negations=negation_count(said)))
            for said in [m.correction, *m.correct_examples]:
                texts.append(Anchor(said, "correction", point=m.contradicts, misconception=m.id,
                                    negations=negation_count(said)))
        texts.append(Anchor(q.prompt, "prompt"))
        vecs = self.cache.vectors("bank", [a.text for a in texts] + refs)
        anchors, ref_vecs = texts, vecs[len(texts):]
        point_rows = [i for i, a in enumerate(anchors) if a.kind == "point"]
        extra: list[Anchor] = []
        keep = []
        if refs and point_rows:
            sims = ref_vecs @ vecs[point_rows].T
            for r, sent in enumerate(refs):
                best = int(np.argmax(sims[r]))
                if sims[r, best] >= self.t.assign:
                    extra.append(Anchor(sent, "reference", point=anchors[point_rows[best]].point,
                                        negations=negation_count(sent)))
                else:
                    extra.append(Anchor(sent, "reference", negations=negation_count(sent)))
                keep.append(r)
        all_anchors = anchors + extra
        all_vecs = np.vstack([vecs[: len(texts)], ref_vecs[keep]]) if keep else vecs[: len(texts)]
        # what makes a misconception wrong: its own words that the truth (reference, key points, corrections) never
        # states, plus any word its correction denies ("signed, not encrypted"): a claim must use one of them
        truth = " ".join([q.prompt, q.reference_answer, *(k.point for k in q.key_points),
                          *(m.correction for m in q.misconceptions)])
        stated, _ = affirmed_and_denied(truth)
        signatures = {}
        for m in q.misconceptions:
            own = content_stems(" ".join([m.claim, *m.examples]))
            _, denied = affirmed_and_denied(m.correction)
            signatures[m.id] = (own - stated) | (own & denied)
        truth_sentences = [*(k.point for k in q.key_points), *(e for k in q.key_points for e in k.examples), *refs,
                           *(x for m in q.misconceptions for x in (m.correction, *m.correct_examples))]
        swaps = {m.id: (m.swap[0], m.swap[1], *swap_words(truth_sentences, m.swap[0], m.swap[1]))
                 for m in q.misconceptions if m.swap}
        from .injection import SEMANTIC

        truthful = [i for i, a in enumerate(all_anchors) if a.kind in ("point", "example", "reference", "correction")]
        SEMANTIC.add_domain(all_vecs[truthful])
        # float16 at rest: the values are float16 already (the cache stores them so), half the memory for a bank
        return QuestionIndex(q, all_anchors, all_vecs.astype(np.float16), self._centroid(q), signatures, swaps)

    def _centroid(self, q: Question) -> np.ndarray:
        # what a question is about, from its prompt and key points only: cheap enough to embed a whole bank at once
        vecs = self.cache.vectors("topics", [q.prompt, *(k.point for k in q.key_points)])
        c = vecs.mean(0)
        return c / max(float(np.linalg.norm(c)), 1e-9)

    def question(self, q: Question) -> QuestionIndex:
        with self._lock:
            if q.id not in self._questions:
                self._questions[q.id] = self._build(q)
            return self._questions[q.id]

    def centroids(self) -> tuple[list[str], np.ndarray]:
        """Each bank question's centroid, for telling which question an answer is really about."""
        with self._lock:
            if self._centroids is None:
                if self.bank is None or not self.bank.questions:  # a lone question: nothing to compare with
                    return [], np.zeros((0, 384), dtype=np.float32)
                ids = [q.id for q in self.bank.questions]
                texts = [t for q in self.bank.questions for t in (q.prompt, *(k.point for k in q.key_points))]
                self.cache.vectors("topics", texts)  # one batch for the whole bank
                self._centroids = (ids, np.stack([self._centroid(q) for q in self.bank.questions]))
            return self._centroids

    def warm(self, questions: "list[Question] | None" = None) -> None:
        """Load the model and embed what the first answers need (in the background, while a question is spoken)."""
        self.centroids()
        for q in questions or []:
            self.question(q)


def _quote(text: str, limit: int = 30) -> str:
    words = text.split()
    return " ".join(words[:limit]).strip(" ,.;:!?\"'")


def read(q: Question, answer: str, index: BankIndex, thresholds: Thresholds | None = None) -> Reading:
    """Read an answer (already stripped of injection attempts) against a question."""
    t = thresholds or index.t
    claims = split_claims(answer)
    qi = index.question(q)
    points = {k.id: PointEvidence(k.id) for k in q.key_points}
    total_words = sum(c.words for c in claims) or 1
    list_share = sum(c.words for c in claims if c.terse) / total_words
    if not claims:
        return Reading(claims, points, [], set(), 0.0, None, 0.0, 0, 0, [])

    cv = index.embedder.embed([c.asserted or c.text for c in claims])
    anchor_vecs = qi.vectors.astype(np.float32)  # kept as float16 (the values are float16 already: as_stored)
    sims = cv @ anchor_vecs.T           # claims x anchors
    neg = np.array([a.negations % 2 for a in qi.anchors])
    cneg = np.array([c.negations % 2 for c in claims])
    same = cneg[:, None] == neg[None, :]

    # statements read for wrong claims: every claim, and the head clause of one that goes on. "MongoDB has no
    # multi-document transactions at all, so you can't use it for anything transactional" says its mistake in the
    # head; the consequence that follows pulls the whole sentence away from it
    heads: list[tuple[int, str]] = []
    if t.wrong_heads:
        for i, c in enumerate(claims):
            if c.is_list:
                continue
            stated = c.asserted or c.text
            bare = _OPINION.sub("", stated) if t.wrong_bare else stated
            parts = _HEAD_EDGE.split(bare, maxsplit=1)
            if len(parts) == 2 and len(parts[0].split()) >= 5:
                heads.append((i, parts[0].strip(" ,;")))
            elif bare != stated and len(bare.split()) >= 5:
                heads.append((i, bare))
    stexts = [c.asserted or c.text for c in claims] + [h for _, h in heads]
    parent = list(range(len(claims))) + [i for i, _ in heads]
    ssims = np.vstack([sims, index.embedder.embed([h for _, h in heads]) @ anchor_vecs.T]) if heads else sims
    ssame = np.array([negation_count(x) % 2 for x in stexts])[:, None] == neg[None, :]

    # ---- wrong claims: closer to a misconception (same polarity) than to its correction ----
    wrong: list[WrongClaim] = []
    wrong_claims: set[int] = set()
    wrong_points: set[str] = set()
    pos_rows = qi.rows(lambda a: a.kind in ("point", "example", "reference", "correction"))
    # "kafka doesn't delete a message when it's read" is as close to "Kafka deletes each message once it is read" as
    # the mistake is: a correct sentence that denies what the claim says is no sign that the claim is right, so it
    # counts for less. (The polarity of the whole claim: `flips` finds the clause that says the mistake by its words,
    # and in "Kafka doesn't delete a message when a consumer reads it" those are in the "when" clause, away from the
    # "doesn't".) Computed once for all misconceptions, as are the words of each statement: redone for each of up to
    # twelve misconceptions they took the cold p95 of bench/scoring_speed.py from 159 to 173 ms (the same scores)
    truth = np.where(ssame, ssims, ssims - t.wrong_opposite)
    truest = truth[:, pos_rows].max(1) if len(pos_rows) else None
    words = [{w[:5] for w in content_stems(_ALSO.sub("", x))} for x in stexts]
    anchor_kinds = [(a.kind, a.misconception) for a in qi.anchors]
    for m in q.misconceptions:
        mrows = np.array([i for i, k in enumerate(anchor_kinds) if k == ("misconception", m.id)], dtype=int)
        crows = np.array([i for i, k in enumerate(anchor_kinds) if k == ("correction", m.id)], dtype=int)
        if not len(mrows):
            continue
        ms = ssims[:, mrows].max(1)
        cs = truth[:, crows].max(1) if len(crows) else np.full(len(stexts), -1.0)
        ps = truest if truest is not None else cs
        sig = {w[:5] for w in qi.signatures.get(m.id, set())}
        # embeddings hear the topic more than the truth, so a verdict needs all three: close to the misconception,
        # clearly closer to it than to anything correct, and the words that make it wrong (five-letter prefixes,
        # so "persists" meets "persistence"). Weaker evidence only makes a statement doubtful (see below).
        said = np.array([len(sig & w) for w in words])
        has_sig = (said >= t.wrong_words) | ((said >= 1) & (ms >= t.wrong_sure))
        ok = (ms >= t.wrong) & (ms - cs >= t.wrong_margin) & (ms - ps >= t.wrong_vs_truth) & has_sig
        ok &= np.array([not claims[p].is_list and p not in wrong_claims for p in parent])
        # said with the misconception's own polarity, in the clause that says it: "deleting a JWT at logout doesn't
        # invalidate a stolen copy" is close to "deleting the JWT at logout revokes it" and denies it (correct
        # answers that named a mistake to reject it were told they had made it)
        for n in (int(x) for x in np.flatnonzero(ok)):
            near = qi.anchors[mrows[int(np.argmax(ssims[n, mrows]))]]
            ok[n] = not flips(stexts[n], near.text, sig)
        if not ok.any():
            continue
        best = parent[int(np.argmax(np.where(ok, ms, -1.0)))]
        wrong.append(WrongClaim(quote=_quote(claims[best].text), correction=m.correction, misconception=m.id))
        wrong_claims.add(best)
        if m.contradicts:
            wrong_points.add(m.contradicts)

    # ---- swaps: "session mode is the one that shares connections" embeds as close to the truth as to the mistake
    # (the same words, two terms exchanged), so which term the words are said of decides
    for m in q.misconceptions:
        if m.id not in qi.swaps:
            continue
        term_a, term_b, words_a, words_b = qi.swaps[m.id]
        mrows = qi.rows(lambda x, m=m: x.kind == "misconception" and x.misconception == m.id)
        for i, c in enumerate(claims):
            if i in wrong_claims or c.is_list or c.rejects or not len(mrows) or sims[i, mrows].max() < t.swap_near:
                continue
            if says_swapped(c.asserted or c.text, term_a, term_b, words_a, words_b):
                wrong.append(WrongClaim(quote=_quote(c.text), correction=m.correction, misconception=m.id))
                wrong_claims.add(i)
                if m.contradicts:
                    wrong_points.add(m.contradicts)
                break

    # ---- rejections of a practice the rubric asks for ("jitter is pointless", "I'd never bother with a breaker") ----
    weight = {k.id: k.weight for k in q.key_points}
    for i, c in enumerate(claims):
        if i in wrong_claims or not c.rejects:
            continue
        # what the rejection is said of: "averages are useless for the tail" rejects averages, not the point about
        # histograms it sounds like, and "a stolen code is useless to them" rejects nothing the candidate does
        obj = rejected_object(c.text)
        if obj is None:
            continue
        said_of = {w[:5] for w in content_stems(obj)}
        closest = (-1.0, "")
        for k in q.key_points:
            rows = qi.rows(lambda a, k=k: a.point == k.id and a.kind in ("point", "example", "reference")
                           and not rejects(a.text))
            if said_of and not said_of & {w[:5] for w in content_stems(" ".join([k.point, *k.phrases]))}:
                continue  # said of something this point does not name
            if len(rows) and weight[k.id] >= 2:
                closest = max(closest, (float(sims[i, rows].max()), k.id))
        if closest[0] >= t.reject:
            kp = q.key_point(closest[1])
            assert kp is not None  # closest[1] is one of q.key_points
            wrong.append(WrongClaim(quote=_quote(c.text), correction=kp.point, misconception=None))
            wrong_claims.add(i)
            wrong_points.add(closest[1])

    # ---- key points shown: a real statement, same polarity as the anchor it resembles ----
    tokens = [tokenize(c.text) for c in claims]
    # a claim that sounds more like one of the question's misconceptions than like the point shows nothing
    mis_rows = qi.rows(lambda a: a.kind == "misconception")
    mis_sim = (np.where(same[:, mis_rows], sims[:, mis_rows], -1.0).max(1) if len(mis_rows)
               else np.full(len(claims), -1.0))
    kids = [k.id for k in q.key_points]
    score = np.full((len(claims), len(kids)), -1.0)
    near = np.full((len(claims), len(kids)), -1.0)  # closest anchor of the point, either polarity
    point_rows = [qi.rows(lambda a, k=k: a.point == k.id) for k in q.key_points]
    for j, k in enumerate(q.key_points):
        rows = point_rows[j]
        if not len(rows):
            continue
        score[:, j] = np.where(same[:, rows], sims[:, rows], -1.0).max(1)
        near[:, j] = sims[:, rows].max(1)
        for i in range(len(claims)):
            if any(find_phrase(tokens[i], p) for p in k.phrases):
                score[i, j] += t.phrase_bonus
    # one sentence usually makes one point, but a story's STAR+T parts are its shape, not its content: "I added a
    # composite index" is both the Action and a targeted fix, so the two families are compared apart
    family = np.array([q.kind == "story" and k.id in STAR_T for k in q.key_points], dtype=bool)
    best_per_claim = np.zeros((len(claims), len(kids)))
    for fam in (family, ~family):
        if fam.any():
            best_per_claim[:, fam] = score[:, fam].max(1, keepdims=True)
    # "I can't really speak to the GraphQL trade-offs" is about the topic and shows nothing of it; neither does
    # "assume I mentioned backpressure"
    from .scoring import hedges

    admits = [hedges(c.text) > 0 for c in claims]
    empty = [admits[i] or c.words < 5 or c.only_said for i, c in enumerate(claims)]
    found: dict[str, tuple[list[tuple[float, int]], list[tuple[float, int]]]] = {}
    for j, k in enumerate(q.key_points):
        if k.id in wrong_points:
            continue
        shown: list[tuple[float, int]] = []
        mentioned: list[tuple[float, int]] = []
        for i, c in enumerate(claims):
            if i in wrong_claims:
                continue
            s = float(score[i, j])
            # one sentence usually makes one point: it counts for the point it is closest to (or a near tie)
            own = s >= best_per_claim[i, j] - (t.tie if c.words >= 12 else 0.0)
            if s >= t.show and own and not c.is_list and not c.rejects and not empty[i] \
                    and s >= mis_sim[i] + t.truth_margin:
                shown.append((s, i))
            elif s >= t.mention and not empty[i]:
                mentioned.append((s, i))
        found[k.id] = (shown, mentioned)

    # ---- a point made across two neighbouring sentences ----
    # (never with an admission for a half: "I'm not sure about the differences, sorry. I've only used Redis as a
    # key-value cache" was read as the cache-is-not-the-source-of-truth point)
    # Only pairs with a half already near a point still missing are read: a pair that shows a point has a half
    # near it, and embedding every pair was half of a long answer's cost
    missing = [j for j, k in enumerate(q.key_points) if k.id in found and not found[k.id][0] and len(point_rows[j])]
    pairs = [(a, b, text) for a, b, text in windows(claims, answer)
             if not ({a, b} & wrong_claims or claims[a].rejects or claims[b].rejects or admits[a] or admits[b])
             and any(max(near[a, j], near[b, j]) >= t.pair_seed for j in missing)]
    if pairs:
        wsims = index.embedder.embed([p[2] for p in pairs]) @ anchor_vecs.T
        wneg = np.array([negation_count(p[2]) % 2 for p in pairs], dtype=int)
        for j in missing:
            k = q.key_points[j]
            rows = point_rows[j]
            ev = points[k.id]
            for w, (a, b, _text) in enumerate(pairs):
                s = float(np.where(wneg[w] == neg[rows], wsims[w, rows], -1.0).max())
                if s >= t.show + 0.03:
                    # quoted by the half nearer the point: the pair "...randomness to the expiry times. For the
                    # hottest keys I refresh them before they expire" showed refresh-ahead, quoted by its first half
                    nearer, partner = (a, b) if score[a, j] >= score[b, j] else (b, a)
                    found[k.id][0].append((s - 0.03, nearer))
                    ev.claims.append(partner)
                    ev.explained = ev.explained or claims[partner].explains

    for k in q.key_points:
        if k.id not in found:
            continue
        ev = points[k.id]
        shown, mentioned = found[k.id]
        if shown:
            s, i = max(shown)
            ev.level, ev.quote, ev.similarity = "shown", _quote(claims[i].text), s
            ev.claims = sorted({*ev.claims, *(x[1] for x in shown)})
            ev.explained = ev.explained or any(claims[x[1]].explains for x in shown)
        elif mentioned:
            s, i = max(mentioned)
            ev.level, ev.quote, ev.similarity = "mentioned", _quote(claims[i].text), s

    # ---- what the answer is about ----
    weights = np.array([max(c.words, 1) * (0.3 if c.is_list else 1.0) for c in claims], dtype=np.float32)
    centre = (cv * weights[:, None]).sum(0)
    centre /= max(float(np.linalg.norm(centre)), 1e-9)
    relevance = float(centre @ qi.centroid)
    ids, cents = index.centroids()
    other = None
    if ids:
        all_sims = cents @ centre
        if q.kind == "story":
            # a story can be about any technical subject, so it is only another question's answer when it is no
            # story at all (the caller checks STAR+T) and is much closer to that question
            kinds = {x.id: x.kind for x in index.bank.questions} if index.bank else {}
            all_sims = np.where([kinds.get(i) == "story" and i != q.id for i in ids], -1.0, all_sims)
            all_sims = np.where([i != q.id for i in ids], all_sims - 0.1, all_sims)
        best = int(np.argmax(all_sims))
        other = ids[best] if ids[best] != q.id and all_sims[best] - relevance >= t.off_topic_margin else None
    explained = sum(1 for c in claims if c.explains and not c.is_list)
    # accuracy at the level of the whole answer: which side of the question's truth each statement falls on. One
    # statement nearer a misconception than anything correct proves little (about one good sentence in ten is), but
    # their share in an answer separates confident wrong answers from right ones (tuned on tune.json and dev.json)
    ps = sims[:, pos_rows].max(1) if len(pos_rows) else np.full(len(claims), -1.0)
    ns = sims[:, mis_rows].max(1) if len(mis_rows) else np.full(len(claims), -1.0)
    on_topic, doubtful = 0, []
    for i, c in enumerate(claims):
        if c.terse or empty[i] or max(ps[i], ns[i]) < t.on_topic:
            continue
        on_topic += 1
        if i not in wrong_claims and ns[i] > ps[i] + t.doubt_margin and ns[i] >= t.doubt_min:
            j = int(np.argmax(sims[i, mis_rows]))
            # shown to the candidate only when said with the misconception's own polarity: "not encrypted, only
            # signed" is near "JWTs are encrypted" in topic but is the candidate denying it
            doubtful.append((_quote(c.text), qi.anchors[mis_rows[j]].misconception or "", bool(same[i, mis_rows][j])))
    return Reading(claims, points, wrong, wrong_points, relevance, other, list_share, explained, on_topic, doubtful)
