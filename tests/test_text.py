"""Phrase finding: the fast, cached search finds exactly what the plain one did."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mockint.text import _close, _positions_in, find_phrase, stem, tokenize


def _plain_positions(s: tuple[str, ...], target: str) -> list[tuple[int, int]]:
    """The search as first written: every token compared, with no length shortcut."""
    out = []
    for i, tok in enumerate(s):
        if _close(tok, target):
            out.append((i, i))
        elif tok[:1] == target[:1] and len(tok) < len(target):
            joined = tok
            for j in range(i + 1, min(i + 3, len(s))):
                joined += s[j]
                if _close(joined, target) or _close(stem(joined), target):
                    out.append((i, j))
                    break
                if len(joined) >= len(target):
                    break
    return out


_word = st.text(alphabet="abcdeilnorst", min_size=1, max_size=9)


@settings(max_examples=400, deadline=None)
@given(st.lists(_word, max_size=12), _word)
def test_the_length_shortcut_changes_nothing(stems, target):
    assert list(_positions_in(tuple(stems), target)) == _plain_positions(tuple(stems), target)


def test_phrases_are_found_through_transcription_noise():
    toks = tokenize("We put a read through cache in front, and the cach keys carry a version.")
    assert find_phrase(toks, "read-through cache")
    assert find_phrase(toks, "cache key")          # plural and a dropped letter
    assert find_phrase(toks, "readthrough")        # written as one word
    assert not find_phrase(toks, "write through")
    # the cache is keyed by the stems, so an equal answer read again gives the same match
    assert find_phrase(tokenize("the cach keys"), "cache key") == find_phrase(tokenize("the cach keys"), "cache key")


def test_counts_agree_with_their_nouns():
    from mockint.models import SpeechMetrics
    from mockint.text import counted

    assert [counted(n, "filler") for n in (0, 1, 2)] == ["0 fillers", "1 filler", "2 fillers"]
    spoken = SpeechMetrics(wpm=168, duration=41.2, filler_count=1, word_count=115)
    assert spoken.headline() == "41 s · 168 wpm · 1 filler"
    assert SpeechMetrics(word_count=1).headline() == "1 word"  # typed: no timing
