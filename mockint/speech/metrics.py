"""Speech metrics from word timestamps: pace, fillers, long pauses, time to first word."""

from __future__ import annotations

import re

from ..models import Pause, SpeechMetrics, Transcript

LONG_PAUSE = 2.0
_SINGLE = {"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "mm", "basically"}
_NOT_FILLER_LIKE_BEFORE = {"would", "i'd", "id", "look", "looks", "looked", "seem", "seems", "feel", "feels",
                           "something", "things", "dont", "didnt", "you'd", "we'd", "wed", "just", "much", "more",
                           "sounds", "sound", "works", "behaves", "acts", "exactly"}
_LIKE_FILLER_BEFORE = {"so", "and", "but", "um", "uh", "its", "it's", "was", "is", "were", "are", "then", "really"}
_KIND_DETERMINERS = {"a", "the", "this", "that", "what", "which", "any", "some", "one", "every", "each", "same",
                     "another"}
_YOU_KNOW_NOT = {"do", "did", "if", "dont", "didnt", "whether"}
_YOU_KNOW_NEXT_NOT = {"how", "what", "that", "why", "when", "where", "which", "who", "about", "it", "the"}


def _clean(w: str) -> str:
    return re.sub(r"[^a-z']", "", w.lower()).replace("'", "") if w else ""


def find_fillers(words: list[str]) -> list[tuple[int, str]]:
    """(index, filler) for each filler; punctuation as transcribed helps tell 'like' the filler from 'like' the verb."""
    toks = [_clean(w) for w in words]
    out: list[tuple[int, str]] = []
    for i, t in enumerate(toks):
        prev = toks[i - 1] if i else ""
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        raw, raw_prev = words[i], words[i - 1] if i else ""
        if t in _SINGLE:
            out.append((i, {"umm": "um", "uhh": "uh", "uhm": "um", "erm": "er"}.get(t, t)))
        elif t == "like":
            comma = raw.endswith(",") or raw_prev.endswith(",")
            if prev not in _NOT_FILLER_LIKE_BEFORE and (comma or prev in _LIKE_FILLER_BEFORE or i == 0):
                out.append((i, "like"))
        elif t == "of" and prev in ("kind", "sort"):
            before = toks[i - 2] if i >= 2 else ""
            if before not in _KIND_DETERMINERS:
                out.append((i, f"{prev} of"))
        elif t == "know" and prev == "you":
            before = toks[i - 2] if i >= 2 else ""
            if before not in _YOU_KNOW_NOT and nxt not in _YOU_KNOW_NEXT_NOT:
                out.append((i, "you know"))
        elif t == "mean" and prev == "i" and (i < 2 or toks[i - 2] not in ("what", "do", "did", "dont")):
            out.append((i, "i mean"))
    return out


def compute(transcript: Transcript, budget: float | None = None) -> SpeechMetrics:
    """Metrics for one answer; typed answers get word and filler counts but no timing."""
    words = transcript.words
    texts = [w.word.strip() for w in words] if words else transcript.text.split()
    fillers = [f for _, f in find_fillers(texts)]
    n = len([t for t in texts if _clean(t)])
    m = SpeechMetrics(word_count=n, filler_count=len(fillers), fillers=sorted(set(fillers)),
                      duration=round(transcript.duration, 2), budget=budget)
    if not words:
        return m
    span = words[-1].end - words[0].start
    minutes = max(span, 1.0) / 60
    m.wpm = round(n / minutes, 1)
    m.fillers_per_min = round(len(fillers) / minutes, 1)
    m.time_to_first_word = round(words[0].start, 2)
    m.long_pauses = [Pause(at=round(a.end, 2), seconds=round(b.start - a.end, 2))
                     for a, b in zip(words, words[1:]) if b.start - a.end > LONG_PAUSE]
    return m
