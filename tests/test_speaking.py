"""The interviewer's speech as it is played: a question ends with its last sound."""

from __future__ import annotations

import numpy as np

from mockint.interview.speaking import QUIET, Utterance

SR = 1000


class _TwoSentences:
    """A voice whose every sentence ends with 0.2 s of quiet, as piper's do."""

    sample_rate = SR

    def stream(self, text):
        for _ in range(2):
            yield np.concatenate([np.full(500, 0.5, np.float32), np.zeros(200, np.float32)])


def test_the_last_sentence_ends_with_its_sound_and_the_pause_between_sentences_stays(tmp_path):
    utt = Utterance(_TwoSentences(), "One. Two.", tmp_path / "q.wav").start()
    utt.done.wait(5)
    played = np.concatenate(list(utt.iter_chunks()))
    loud = np.nonzero(np.abs(played) > QUIET)[0]
    assert len(played) - 1 - loud[-1] <= 0.03 * SR + 1  # no trailing quiet to sit through before the microphone
    gap = np.diff(loud).max() - 1
    assert gap == 200  # the quiet between the sentences is all there
    assert len(played) == 1000 + 200 + 30  # and nothing of the sound is lost
