"""Voice activity: Silero VAD (shipped with faster-whisper) computed once per 32 ms window and cached.

faster-whisper's own `get_speech_timestamps` builds a new ONNX session on every call and re-runs the model over
the whole audio it is given; the streaming decoder asked it about the growing open stretch ten times a second,
which is quadratic work and one reason the decoder fell behind on a busy machine. Here each window is scored once
(a window's score depends only on itself and the 64 samples before it), and spans are derived from the cached
scores for any region.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Callable

import numpy as np

SAMPLE_RATE = 16000
WINDOW = 512          # Silero's window at 16 kHz (32 ms)
CONTEXT = 64          # samples of the previous window each window sees
THRESHOLD = 0.5
NEG_THRESHOLD = 0.35  # hysteresis: once speaking, only a score below this counts as silence


@lru_cache(maxsize=1)
def _session():
    import os

    import onnxruntime
    from faster_whisper.utils import get_assets_path

    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = 1
    opts.log_severity_level = 4
    return onnxruntime.InferenceSession(os.path.join(get_assets_path(), "silero_vad_v6.onnx"),
                                        providers=["CPUExecutionProvider"], sess_options=opts)


def window_scores(audio: np.ndarray, previous_tail: np.ndarray | None = None,
                  state: list | None = None) -> np.ndarray:
    """Speech probability of each complete 512-sample window of `audio` (an incomplete last window is ignored).

    The model carries a recurrent state from window to window: pass the same `state` list to continue a stream.
    """
    n = len(audio) // WINDOW
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    windows = np.asarray(audio[: n * WINDOW], dtype=np.float32).reshape(n, WINDOW)
    context = np.empty((n, CONTEXT), dtype=np.float32)
    context[0] = previous_tail if previous_tail is not None else 0.0
    context[1:] = windows[:-1, -CONTEXT:]
    batch = np.concatenate([context, windows], axis=1)
    if state is None or not state:
        h = np.zeros((1, 1, 128), dtype=np.float32)
        c = np.zeros((1, 1, 128), dtype=np.float32)
    else:
        h, c = state
    out, h, c = _session().run(None, {"input": batch, "h": h, "c": c})
    if state is not None:
        state[:] = [h, c]
    return np.asarray(out, dtype=np.float32).reshape(-1)


def spans_from_scores(scores: np.ndarray, min_silence_ms: int = 150, pad_ms: int = 150,
                      min_speech_ms: int = 120) -> list[tuple[int, int]]:
    """(start, end) sample spans of speech from window scores, with the same hysteresis and padding as
    faster-whisper's get_speech_timestamps (padding never crosses half of the gap to the next span)."""
    min_silence = max(1, round(min_silence_ms * SAMPLE_RATE / 1000 / WINDOW))
    min_speech = max(1, round(min_speech_ms * SAMPLE_RATE / 1000 / WINDOW))
    raw: list[tuple[int, int]] = []
    speaking, start, quiet_from = False, 0, -1
    for i, p in enumerate(scores):
        if p >= THRESHOLD:
            quiet_from = -1
            if not speaking:
                speaking, start = True, i
        elif speaking and p < NEG_THRESHOLD:
            if quiet_from < 0:
                quiet_from = i
            if i + 1 - quiet_from >= min_silence:
                if quiet_from - start >= min_speech:
                    raw.append((start, quiet_from))
                speaking, quiet_from = False, -1
    if speaking and len(scores) - start >= min_speech:
        raw.append((start, len(scores) if quiet_from < 0 else quiet_from))
    pad = int(pad_ms * SAMPLE_RATE / 1000)
    total = len(scores) * WINDOW
    spans = [(s * WINDOW, e * WINDOW) for s, e in raw]
    out = []
    for i, (s, e) in enumerate(spans):
        before = s - spans[i - 1][1] if i else s
        after = spans[i + 1][0] - e if i + 1 < len(spans) else total - e
        s -= min(pad, before - before // 2 if i else before)
        e += min(pad, after // 2 if i + 1 < len(spans) else after)
        out.append((int(s), int(e)))
    return out


def speech_spans(audio: np.ndarray, min_silence_ms: int = 500, pad_ms: int = 150) -> list[tuple[int, int]]:
    """(start, end) sample spans of speech in a whole array."""
    return spans_from_scores(window_scores(audio), min_silence_ms, pad_ms)


def voiced_seconds(scores: np.ndarray) -> float:
    return float(np.count_nonzero(scores >= THRESHOLD)) * WINDOW / SAMPLE_RATE


class VoiceTrack:
    """Window scores of a growing recording, each computed once; thread-safe."""

    def __init__(self) -> None:
        self.scores = np.zeros(0, dtype=np.float32)
        self._tail: np.ndarray | None = None
        self._state: list = []
        self._lock = threading.Lock()

    @property
    def samples(self) -> int:
        return len(self.scores) * WINDOW

    def update(self, audio_from: Callable[[int], np.ndarray]) -> None:
        """Score the new complete windows; `audio_from(start)` returns the recording from sample `start` on."""
        with self._lock:
            new = audio_from(self.samples)
            n = len(new) // WINDOW
            if n == 0:
                return
            got = window_scores(new[: n * WINDOW], self._tail, self._state)
            self._tail = np.asarray(new[n * WINDOW - CONTEXT : n * WINDOW], dtype=np.float32)
            self.scores = np.concatenate([self.scores, got])

    def spans(self, start: int, end: int | None = None, min_silence_ms: int = 150,
              pad_ms: int = 150) -> list[tuple[int, int]]:
        """Absolute sample spans of speech between `start` and `end` (window-aligned, scored part only)."""
        first = start // WINDOW
        last = len(self.scores) if end is None else min(len(self.scores), end // WINDOW)
        if last <= first:
            return []
        out = spans_from_scores(self.scores[first:last], min_silence_ms, pad_ms)
        return [(max(start, first * WINDOW + s), first * WINDOW + e) for s, e in out]
