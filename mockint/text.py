"""Text normalisation and phrase finding that tolerate transcription noise (spacing, plurals, one-letter slips)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_NUMBER_WORDS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "twenty": "20", "thirty": "30", "fifty": "50", "hundred": "100", "thousand": "1000",
}
_TOKEN = re.compile(r"[a-z0-9]+")


def normalize(text: str) -> str:
    """Lowercase words separated by single spaces; punctuation and underscores become spaces."""
    text = text.lower().replace("+", " plus ").replace("%", " percent ").replace("&", " and ")
    text = text.replace("'", "")
    return " ".join(_TOKEN.findall(text))


def counted(n: int, noun: str) -> str:
    """"1 filler", "2 fillers", "0 long pauses": the count and its noun, in the right number."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stemmer: enough to make cache/caches/caching and index/indexes meet."""
    w = _NUMBER_WORDS.get(word, word)
    if len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith(("ches", "shes", "xes", "sses")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


@dataclass(frozen=True)
class Tokens:
    """Stemmed tokens of a text, each pointing back at the original whitespace-separated word."""

    stems: tuple[str, ...]
    word_index: tuple[int, ...]
    words: tuple[str, ...]

    def quote(self, first: int, last: int) -> str:
        a, b = self.word_index[first], self.word_index[last]
        return " ".join(self.words[a : b + 1]).strip(" ,.;:!?\"'()[]")


def tokenize(text: str) -> Tokens:
    words = tuple(text.split())
    stems: list[str] = []
    index: list[int] = []
    for i, w in enumerate(words):
        for tok in normalize(w).split():
            stems.append(stem(tok))
            index.append(i)
    return Tokens(tuple(stems), tuple(index), words)


@lru_cache(maxsize=262144)
def _close(a: str, b: str) -> bool:
    """Equal, or one edit apart after the same first letter, when both are long enough that a slip is not a
    different word. A different first letter usually is one: "batch" and "catch", "lease" and "please", "Python" and
    "CPython" (which credited a candidate with a term they never said)."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1 or a[0] != b[0]:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@lru_cache(maxsize=4096)
def _by_initial(s: tuple[str, ...]) -> dict[str, tuple[int, ...]]:
    """Positions of the stems by their first letter."""
    out: dict[str, list[int]] = {}
    for i, tok in enumerate(s):
        out.setdefault(tok[:1], []).append(i)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=8192)
def _positions_in(s: tuple[str, ...], target: str) -> tuple[tuple[int, int], ...]:
    """Spans (first, last) of stems equal to target, alone or as two or three stems run together."""
    # cached: an answer is read for its follow-up and again for its score, against every phrase of every point
    # (this was a third of the judge's time on a long answer). The length tests skip `_close` calls that cannot
    # succeed; the result is the same as calling it on every token.
    out = []
    n = len(target)
    first = target[:1]
    # a match starts on a stem with the target's first letter (`_close` requires it), so only those are tried
    for i in _by_initial(s).get(first, ()):
        tok = s[i]
        lt = len(tok)
        if tok == target or (n - 1 <= lt <= n + 1 and _close(tok, target)):
            out.append((i, i))
        elif lt < n and tok[:1] == first:
            joined = tok
            for j in range(i + 1, min(i + 3, len(s))):
                joined += s[j]
                if _close(joined, target) or _close(stem(joined), target):
                    out.append((i, j))
                    break
                if len(joined) >= len(target):
                    break
    return tuple(out)


@dataclass(frozen=True)
class Match:
    """Where a phrase was found."""

    phrase: str
    first: int
    last: int


@lru_cache(maxsize=16384)
def phrase_stems(phrase: str) -> tuple[str, ...]:
    return tuple(stem(t) for t in normalize(phrase).split())


def find_phrase(tokens: Tokens, phrase: str, slack: int = 2) -> Match | None:
    """All of the phrase's words close together, in any order; also the phrase written as one word."""
    return _find_in(tokens.stems, phrase, slack)


@lru_cache(maxsize=8192)
def _find_in(stems: tuple[str, ...], phrase: str, slack: int) -> Match | None:
    parts = phrase_stems(phrase)
    if not parts:
        return None
    if len(parts) > 1:
        joined = "".join(parts)
        spans = _positions_in(stems, joined)
        if spans:
            return Match(phrase, spans[0][0], spans[0][1])
    per_part = [_positions_in(stems, p) for p in parts]
    if any(not p for p in per_part):
        return None
    window = len(parts) + slack + len(parts) // 2
    for first, _ in per_part[0] if len(parts) == 1 else sorted({s for spans in per_part for s in spans}):
        lo, hi = first, first + window
        chosen = []
        for spans in per_part:
            hit = next(((a, b) for a, b in spans if lo - window < a and b < hi and (a, b) not in chosen), None)
            if hit is None:
                break
            chosen.append(hit)
        else:
            a = min(c[0] for c in chosen)
            b = max(c[1] for c in chosen)
            if b - a < window:
                return Match(phrase, a, b)
    return None


def contains_quote(transcript: str, quote: str) -> bool:
    """Whether the quote appears in the transcript once both are normalised."""
    q = normalize(quote)
    return bool(q) and f" {q} " in f" {normalize(transcript)} "
