"""End-of-answer detection from the live audio: when speech started, how long it has been silent."""

from __future__ import annotations

import numpy as np

from ..audio.recorder import level_of


class Endpointer:
    """Energy voice-activity with an adaptive noise floor; cheap enough to run on every 50 ms chunk."""

    def __init__(self, sample_rate: int = 16000, margin: float = 0.25, min_level: float = 0.2):
        self.sample_rate = sample_rate
        self.margin = margin          # on the 0..1 level scale (60 dB range): 0.25 ≈ 15 dB above the floor
        self.min_level = min_level    # ≈ -48 dBFS: never call anything quieter speech
        self.floor = 0.0
        self.samples = 0
        self.first_speech: float | None = None
        self.last_speech: float | None = None
        self._voiced_run = 0

    def feed(self, chunk: np.ndarray) -> None:
        level = level_of(chunk)
        t_end = (self.samples + len(chunk)) / self.sample_rate
        # the floor follows quiet stretches quickly and loud ones slowly, so speech does not raise it
        rate = 0.3 if level < self.floor else 0.005
        self.floor += (level - self.floor) * rate
        voiced = level >= max(self.min_level, self.floor + self.margin)
        self._voiced_run = self._voiced_run + 1 if voiced else 0
        if self._voiced_run >= 2:  # two consecutive chunks: a click is not speech
            if self.first_speech is None:
                self.first_speech = self.samples / self.sample_rate - len(chunk) / self.sample_rate
            self.last_speech = t_end
        self.samples += len(chunk)

    @property
    def elapsed(self) -> float:
        return self.samples / self.sample_rate

    @property
    def silence(self) -> float:
        """Seconds since the last speech (0 before the candidate has said anything)."""
        return 0.0 if self.last_speech is None else self.elapsed - self.last_speech

    def should_end(self, silence_seconds: float) -> bool:
        return silence_seconds > 0 and self.first_speech is not None and self.silence >= silence_seconds
