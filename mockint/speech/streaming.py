"""Transcribe while the candidate speaks: each stretch of speech closed by a pause is decoded at once."""

from __future__ import annotations

import threading
from typing import Callable

import numpy as np

from ..models import Transcript, Word
from .stt import SAMPLE_RATE, Transcriber


SPECULATE_AFTER = int(SAMPLE_RATE * 0.2)
TOLERANCE = int(SAMPLE_RATE * 0.2)


class AudioBuffer:
    """A growing float32 buffer (amortised doubling, so appending 20 chunks a second stays cheap)."""

    def __init__(self, capacity: int = SAMPLE_RATE * 30):
        self._data = np.zeros(capacity, dtype=np.float32)
        self.size = 0
        self._lock = threading.Lock()

    def append(self, chunk: np.ndarray) -> None:
        with self._lock:
            need = self.size + len(chunk)
            if need > len(self._data):
                grown = np.zeros(max(need, 2 * len(self._data)), dtype=np.float32)
                grown[: self.size] = self._data[: self.size]
                self._data = grown
            self._data[self.size : need] = chunk
            self.size = need

    def view(self, start: int, end: int | None = None) -> np.ndarray:
        with self._lock:
            return self._data[start : self.size if end is None else min(end, self.size)].copy()


def speech_spans(audio: np.ndarray, min_silence_ms: int = 500) -> list[tuple[int, int]]:
    """Silero VAD (bundled with faster-whisper): (start, end) sample spans of speech."""
    if len(audio) < 512:
        return []
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    opts = VadOptions(threshold=0.5, min_silence_duration_ms=min_silence_ms, speech_pad_ms=150,
                      min_speech_duration_ms=120)
    return [(s["start"], s["end"]) for s in get_speech_timestamps(audio, opts, sampling_rate=SAMPLE_RATE)]


class StreamingTranscriber:
    """Feed audio chunks as they arrive; `finish()` decodes only the tail and returns the whole transcript."""

    def __init__(self, transcriber: Transcriber, prompt: str | None = None,
                 on_partial: Callable[[str], None] | None = None, min_silence_ms: int = 600,
                 max_stretch_s: float = 24.0, check_interval: float = 0.1):
        self.transcriber = transcriber
        self.prompt = prompt
        self.on_partial = on_partial
        self.min_silence = int(SAMPLE_RATE * min_silence_ms / 1000)
        self.max_stretch = int(SAMPLE_RATE * max_stretch_s)
        self.check_interval = check_interval
        self.buffer = AudioBuffer()
        self.committed = 0  # samples before this index are decoded (or known silence)
        self.words: list[Word] = []
        self.texts: list[str] = []
        self.dropped: list[str] = []
        self.decodes = 0
        self._spec = None  # (start, end, piece): the open stretch decoded during a short pause
        self.reused_speculation = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="mockint-stt", daemon=True)
        self._thread.start()

    def feed(self, chunk: np.ndarray) -> None:
        self.buffer.append(chunk)
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.check_interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self._step(final=False)
            except Exception as e:  # surfaced by finish(); the audio is kept either way
                self._error = e
                return

    def _transcribe(self, start: int, end: int, exact: bool = True):
        audio = self.buffer.view(start, end)
        if exact:
            piece = self.transcriber.transcribe(audio, self.prompt)
        else:  # speculative: most likely the answer's tail, where every tenth of a second counts
            piece = self.transcriber.transcribe(audio, self.prompt, word_timestamps=False)
        self.decodes += 1
        return piece

    def _decode(self, start: int, end: int) -> None:
        self._append(self._transcribe(start, end), start)

    def _append(self, piece, start: int) -> None:
        offset = start / SAMPLE_RATE
        for w in piece.words:
            self.words.append(Word(word=w.word, start=round(w.start + offset, 2), end=round(w.end + offset, 2),
                                   probability=w.probability))
        if piece.text:
            self.texts.append(piece.text)
        self.dropped += piece.dropped
        if self.on_partial is not None and piece.text:
            self.on_partial(self.text)

    def _step(self, final: bool) -> None:
        size = self.buffer.size
        pending = self.buffer.view(self.committed, size)
        if len(pending) < SAMPLE_RATE // 2 and not final:
            return
        # fine-grained spans (split at 150 ms pauses); which pauses are long enough to cut at is decided below
        spans = speech_spans(pending, min_silence_ms=150)
        base = self.committed
        if final:
            spec = self._spec
            if spans and spec is not None and abs(spec[0] - (base + spans[0][0])) <= TOLERANCE \
                    and spec[1] >= base + spans[-1][1] - TOLERANCE:
                self._append(spec[2], spec[0])  # the candidate stopped after we decoded: nothing left to do
                self.reused_speculation = True
            elif spans:
                self._decode(base + spans[0][0], size)
            self.committed = size
            return
        starts = [s[0] for s in spans[1:]] + [len(pending)]
        cuts = [s[1] for s, nxt in zip(spans, starts) if nxt - s[1] >= self.min_silence]
        if cuts:
            # decode every closed stretch in one call: one fixed cost instead of one per stretch
            self._decode(base + spans[0][0], base + cuts[-1])
            self.committed = base + cuts[-1]
        elif spans and len(pending) - spans[0][0] > self.max_stretch:
            cut = len(pending) - SAMPLE_RATE // 4
            self._decode(base + spans[0][0], base + cut)
            self.committed = base + cut
        elif not spans and len(pending) > 3 * SAMPLE_RATE:
            self.committed = base + len(pending) - SAMPLE_RATE  # long silence: nothing to decode there
        elif spans and len(pending) - spans[-1][1] >= SPECULATE_AFTER:
            # a short pause: decode the open stretch now; if the answer ends here, finish() reuses it
            start, end = base + spans[0][0], base + spans[-1][1]
            if self._spec is None or (self._spec[0], self._spec[1]) != (start, end):
                self._spec = (start, end, self._transcribe(start, end, exact=False))
                if self.on_partial is not None and self._spec[2].text:
                    self.on_partial(" ".join([*self.texts, self._spec[2].text]))

    @property
    def text(self) -> str:
        return " ".join(self.texts)

    def finish(self, model_name: str = "") -> Transcript:
        """Stop streaming, decode what is left, and return the answer's transcript."""
        self._stop.set()
        self._wake.set()
        self._thread.join()
        if self._error is not None:
            raise self._error
        self._step(final=True)
        return Transcript(text=self.text, words=self.words, duration=round(self.buffer.size / SAMPLE_RATE, 2),
                          model=model_name or getattr(self.transcriber, "name", ""))

    def cancel(self) -> None:
        self._stop.set()
        self._wake.set()


def transcribe_file(transcriber: Transcriber, audio: np.ndarray, prompt: str | None) -> Transcript:
    """Batch path for a whole recording with the same VAD gate and guards as streaming."""
    s = StreamingTranscriber(transcriber, prompt)
    s.cancel()
    s._thread.join()
    s.buffer.append(audio)
    # run the same closing logic as live, then the tail, so batch and streaming agree
    while True:
        before = s.committed
        s._step(final=False)
        if s.committed == before:
            break
    return s.finish()
