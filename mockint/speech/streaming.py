"""Transcribe while the candidate speaks: each stretch of speech closed by a pause is decoded at once.

Invariants (issue 10: a 36 s answer once lost its first 24 s on a busy machine):
- `committed` only moves past audio that was decoded, or that the VAD scored as silence. Nothing is skipped
  because the decoder is late: when it lags, the audio waits in the buffer and the next decode takes all of it.
- A worker error does not end decoding silently: it is recorded, the worker keeps going, and the coverage check
  at the end (`check_coverage`) sends the answer to a full re-decode of the recording.
- A speculative decode (made during a short pause, so the answer's end has little left to do) is reused only for
  exactly the audio it decoded: same committed start, same speech.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..models import Transcript, Word
from .stt import SAMPLE_RATE, Piece, Transcriber, heard_again
from .vad import VoiceTrack, speech_spans  # noqa: F401  (speech_spans re-exported for callers)

# silence after the last word's padded end before a speculative decode: spans end after 150 ms of quiet and are
# padded by 150 ms, so this speculates once the candidate has been quiet for ~0.2 s
SPECULATE_AFTER = int(SAMPLE_RATE * 0.05)
TOLERANCE = int(SAMPLE_RATE * 0.2)
MIN_CUT_GAP = int(SAMPLE_RATE * 0.12)      # a gap between VAD spans this long is a safe place to cut
SPECULATE_MAX = int(SAMPLE_RATE * 12)      # do not speculate on longer open stretches: cut them instead
LAG_NO_SPECULATION = int(SAMPLE_RATE * 3)  # behind by this much: decode what is closed, do not speculate
SLOW_DECODE_S = 1.5  # the last decode took this long: the machine is busy, do not spend a decode on a guess


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


@dataclass
class Coverage:
    """Is every voiced stretch of the answer covered by recognised words?"""

    voiced: float = 0.0                 # seconds of voice (Silero VAD) in the answer
    uncovered: float = 0.0              # seconds of voice with no word near them
    gaps: list[tuple[float, float]] = field(default_factory=list)  # voiced stretches with no words
    ok: bool = True

    def as_dict(self) -> dict:
        return {"voiced_s": round(self.voiced, 2), "uncovered_s": round(self.uncovered, 2),
                "gaps": [[round(a, 2), round(b, 2)] for a, b in self.gaps], "ok": self.ok}


WORD_REACH = 0.45   # a word "covers" voice this far either side of its timestamps (tiny.en timing is coarse)
MIN_GAP = 1.0       # an uncovered voiced stretch at least this long means words were lost


def check_coverage(voiced_spans: list[tuple[float, float]], words: list[Word]) -> Coverage:
    """Voiced spans (seconds) against the spans covered by words: a stretch of voice ≥ 1 s with no word is a gap."""
    reach = sorted((max(0.0, w.start - WORD_REACH), w.end + WORD_REACH) for w in words)
    merged: list[list[float]] = []
    for a, b in reach:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    cov = Coverage()
    for a, b in voiced_spans:
        cov.voiced += b - a
        at = a
        for ma, mb in merged:
            if mb <= at:
                continue
            if ma >= b:
                break
            if ma > at:
                _gap(cov, at, ma)
            at = max(at, mb)
            if at >= b:
                break
        if at < b:
            _gap(cov, at, b)
    cov.ok = not cov.gaps
    return cov


def _gap(cov: Coverage, a: float, b: float) -> None:
    if b - a >= MIN_GAP:
        cov.gaps.append((a, b))
        cov.uncovered += b - a


class StreamingTranscriber:
    """Feed audio chunks as they arrive; `finish()` decodes only the tail and returns the whole transcript."""

    def __init__(self, transcriber: Transcriber, prompt: str | None = None,
                 on_partial: Callable[[str], None] | None = None, min_silence_ms: int = 600,
                 max_stretch_s: float = 20.0, target_stretch_s: float = 12.0, check_interval: float = 0.1,
                 start_worker: bool = True):
        self.transcriber = transcriber
        self.prompt = prompt
        self.on_partial = on_partial
        # called (in the decoding thread) with the whole answer as it would read if the candidate stopped now:
        # the engine prepares its next step from it (DESIGN.md §3: turns that feel like a conversation)
        self.on_draft: Callable[[str], None] | None = None
        self.min_silence = int(SAMPLE_RATE * min_silence_ms / 1000)
        self.max_stretch = int(SAMPLE_RATE * max_stretch_s)
        # a stretch with no real pause is cut (at a short pause or a dip) only once it is longer than a speculative
        # decode covers (SPECULATE_MAX): every cut costs Whisper context. On 12 pause-less answers at 185 wpm the
        # word error rate was 20.5 % cutting past 8 s, 18.3 % past 12 s, 18.6 % never cutting
        self.target_stretch = int(SAMPLE_RATE * target_stretch_s)
        self.check_interval = check_interval
        self.buffer = AudioBuffer()
        self.vad = VoiceTrack()
        self.committed = 0  # samples before this index are decoded (or scored as silence by the VAD)
        self.words: list[Word] = []
        self.texts: list[str] = []
        self.dropped: list[str] = []
        self.redecoded: list[str] = []
        self.errors: list[str] = []
        self.decodes = 0
        self.last_decode_s = 0.0
        self.max_lag = 0.0  # seconds of audio the decoder was behind at worst
        self._spec: tuple[int, int, int, Piece] | None = None  # (committed, start, end, piece) of the open stretch
        self.reused_speculation = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()  # one step at a time (the worker, then finish())
        self._thread = threading.Thread(target=self._run, name="mockint-stt", daemon=True)
        if start_worker:
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
                with self._lock:
                    self._step(final=False)
            except Exception as e:  # noqa: BLE001  keep going: the audio stays in the buffer, finish() retries it
                self.errors.append(f"{type(e).__name__}: {e}")
                self._stop.wait(0.5)

    # ---- decoding ----
    def _transcribe(self, start: int, end: int, word_timestamps: bool = True) -> Piece:
        t0 = time.monotonic()
        piece = self.transcriber.transcribe(self.buffer.view(start, end), self.prompt, word_timestamps)
        self.last_decode_s = time.monotonic() - t0
        self.decodes += 1
        return piece

    def _append(self, piece: Piece, start: int) -> None:
        offset = start / SAMPLE_RATE
        words = [Word(word=w.word, start=round(w.start + offset, 2), end=round(w.end + offset, 2),
                      probability=w.probability) for w in piece.words]
        text = piece.text
        if words and self.words and heard_again(self.words[-1], words[0]):
            # the previous stretch's last word heard again at the seam (the same word or another): keep it once
            words = words[1:]
            text = text.strip()[len(piece.words[0].word.strip()):].lstrip(" ,.;:!?") if text else text
        self.words.extend(words)
        if text:
            self.texts.append(text)
        self.dropped += piece.dropped
        self.redecoded += getattr(piece, "redecoded", [])
        if self.on_partial is not None and piece.text:
            self.on_partial(self.text)

    def _decode_stretch(self, start: int, end: int, cut: int) -> None:
        """Decode speech [start, end) and commit up to `cut`; reuse the speculative decode when it is this audio."""
        spec = self._spec
        if spec is not None and spec[0] == self.committed and abs(spec[1] - start) <= TOLERANCE \
                and abs(spec[2] - end) <= TOLERANCE:
            self._append(spec[3], spec[1])
            self.reused_speculation = True
        else:
            self._append(self._transcribe(start, end), start)
        self.committed = cut
        self._spec = None  # it described audio that is now committed

    def _step(self, final: bool, speculate: bool = True) -> None:
        size = self.buffer.size
        self.vad.update(lambda s: self.buffer.view(s, size))
        base = self.committed
        pending = size - base
        self.max_lag = max(self.max_lag, pending / SAMPLE_RATE)
        if pending < SAMPLE_RATE // 2 and not final:
            return
        # fine-grained spans (split at 150 ms pauses); which pauses are long enough to cut at is decided below
        scored = self.vad.samples
        spans = self.vad.spans(base, scored, min_silence_ms=150)
        if final:
            if spans:
                last_end = spans[-1][1] if spans[-1][1] < scored else size
                self._decode_stretch(spans[0][0], last_end, size)
            self.committed = size
            return
        if not spans:
            if scored - base > 3 * SAMPLE_RATE:
                self.committed = scored - SAMPLE_RATE  # a long silence: nothing to decode there
            return
        gaps = [(a[1], b[0]) for a, b in zip(spans, spans[1:])] + [(spans[-1][1], scored)]
        first = spans[0][0]
        # closed stretches: the speech before a pause of at least min_silence
        closed = [(a, b) for a, b in gaps if b - a >= self.min_silence]
        if closed:
            a, b = closed[-1]
            # decode every closed stretch in one call (one fixed cost), but keep each call under max_stretch
            if a - first > self.max_stretch:
                fits = [(x, y) for x, y in gaps if x - first <= self.max_stretch and y - x >= MIN_CUT_GAP]
                if fits:
                    a, b = fits[-1]
            self._decode_stretch(first, a, a + min(b - a, self.min_silence) // 2)
            return
        open_len = scored - first
        if open_len > self.target_stretch:
            # a long stretch without a real pause: cut at its last short pause, so no decode (and no speculation)
            # ever grows with the answer; with no pause at all, cut hard at max_stretch
            pauses = [(a, b) for a, b in gaps[:-1] if b - a >= MIN_CUT_GAP and a - first >= SAMPLE_RATE]
            if pauses:
                a, b = pauses[-1]
                self._decode_stretch(first, a, (a + b) // 2)
                return
            # a dip is a cut for someone still talking: once they fall quiet this may be the answer's end, and
            # a speculative decode of the whole open stretch (below) is what the key press would wait for
            quiet = scored - spans[-1][1] >= SPECULATE_AFTER and open_len <= SPECULATE_MAX
            dip = None if quiet else self._dip(first, scored)
            if dip is not None:
                self._decode_stretch(first, dip, dip)
                return
            if open_len > self.max_stretch:
                cut = scored - SAMPLE_RATE // 4
                self._decode_stretch(first, cut, cut)
                return
        if not speculate or open_len > SPECULATE_MAX or pending - open_len > LAG_NO_SPECULATION \
                or self.last_decode_s > SLOW_DECODE_S:
            return  # behind or busy: spend the time on audio that must be decoded anyway
        end = spans[-1][1]
        # under a second of speech is cheap to decode at the end, and Whisper invents words on such scraps
        if scored - end >= SPECULATE_AFTER and end - first >= SAMPLE_RATE:
            # a short pause: decode the open stretch now; if the answer ends here, finish() reuses it
            if self._spec is None or (self._spec[0], self._spec[1], self._spec[2]) != (base, first, end):
                # without word timestamps (0.3 s of a 0.5-0.8 s decode here): this decode is usually the answer's
                # last, and the key press waits for it; its words get times spread over Whisper's segment times
                piece = self._transcribe(first, end, word_timestamps=False)
                self._spec = (base, first, end, piece)
                draft = " ".join([*self.texts, piece.text]) if piece.text else ""
                if self.on_partial is not None and draft:
                    self.on_partial(draft)
                if self.on_draft is not None and draft:
                    self.on_draft(draft)

    def _dip(self, first: int, scored: int) -> int | None:
        """The middle of the longest gap between words (≥ 64 ms of no voice, unpadded) in an open stretch with no
        real pause, at least 2 s into it and 1 s before its end: a speaker who never pauses (a synthetic voice, a
        fast talker) would otherwise leave one long stretch for the end of the answer to decode."""
        raw = self.vad.spans(first, scored, min_silence_ms=60, pad_ms=0)
        lo, hi = first + 2 * SAMPLE_RATE, scored - SAMPLE_RATE
        gaps = [(b[0] - a[1], a[1], b[0]) for a, b in zip(raw, raw[1:]) if lo <= a[1] and b[0] <= hi]
        if not gaps:
            return None
        _len, a, b = max(gaps)
        return (a + b) // 2

    def _catch_up(self) -> None:
        """Decode every closed stretch still waiting (the worker may be behind), in max_stretch-sized calls."""
        while True:
            before = self.committed
            self._step(final=False, speculate=False)
            if self.committed == before:
                return

    @property
    def text(self) -> str:
        return " ".join(self.texts)

    def voiced_spans(self) -> list[tuple[float, float]]:
        """Seconds of the answer where the VAD hears a voice (unpadded, pauses of 0.3 s split spans)."""
        self.vad.update(lambda s: self.buffer.view(s))
        return [(a / SAMPLE_RATE, b / SAMPLE_RATE) for a, b in
                self.vad.spans(0, None, min_silence_ms=300, pad_ms=0)]

    def finish(self, model_name: str = "") -> Transcript:
        """Stop streaming, decode everything not yet decoded, and return the answer's transcript.

        Never raises for a decoding error: the error is kept in `errors` and the coverage check re-decodes.
        """
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()
        with self._lock:
            try:
                self._catch_up()
                self._step(final=True)
            except Exception as e:  # noqa: BLE001
                self.errors.append(f"{type(e).__name__}: {e}")
        self.words.sort(key=lambda w: w.start)
        return Transcript(text=self.text, words=self.words, duration=round(self.buffer.size / SAMPLE_RATE, 2),
                          model=model_name or getattr(self.transcriber, "name", ""))

    def coverage(self, transcript: Transcript | None = None) -> Coverage:
        return check_coverage(self.voiced_spans(), (transcript.words if transcript else self.words))

    def cancel(self) -> None:
        self._stop.set()
        self._wake.set()


def transcribe_file(transcriber: Transcriber, audio: np.ndarray, prompt: str | None) -> Transcript:
    """Batch path for a whole recording with the same VAD gate, cuts and guards as streaming."""
    s = StreamingTranscriber(transcriber, prompt, start_worker=False)
    s.buffer.append(audio)
    return s.finish()  # the same closing logic as live, then the tail, so batch and streaming agree


@dataclass
class Checked:
    """A final transcript and how it was checked."""

    transcript: Transcript
    coverage: Coverage
    redecoded: bool = False
    before: Coverage | None = None
    notes: list[str] = field(default_factory=list)
    decoder: dict = field(default_factory=dict)

    def journal(self) -> dict:
        """What answer_finished records about the check (DESIGN.md §6)."""
        out = {"coverage": self.coverage.as_dict(), "redecoded": self.redecoded, "decoder": self.decoder}
        if self.before is not None:
            out["before"] = self.before.as_dict()
        if self.notes:
            out["notes"] = self.notes[:20]
        return out


def ensure_coverage(streamer: StreamingTranscriber, transcript: Transcript,
                    load_audio: Callable[[], np.ndarray]) -> Checked:
    """The end-of-answer invariant: every voiced stretch is covered by words. When it is not (or the decoder hit
    an error), the saved recording is decoded again in full and the better-covered transcript is kept."""
    voiced = streamer.voiced_spans()
    cov = check_coverage(voiced, transcript.words)
    notes = [*streamer.errors, *streamer.redecoded]
    stats = {"decodes": streamer.decodes, "max_lag_s": round(streamer.max_lag, 2),
             "reused_speculation": streamer.reused_speculation}
    if cov.ok and not streamer.errors:
        return Checked(transcript, cov, notes=notes, decoder=stats)
    t0 = time.monotonic()
    audio = load_audio()
    s2 = StreamingTranscriber(streamer.transcriber, streamer.prompt, start_worker=False)
    s2.buffer.append(audio)
    again = s2.finish(transcript.model)
    cov2 = check_coverage(s2.voiced_spans(), again.words)
    notes += s2.errors
    notes.append(f"re-decoded the recording in {time.monotonic() - t0:.1f} s: "
                 f"{cov.uncovered:.1f} s of voice had no words, now {cov2.uncovered:.1f} s")
    if cov2.uncovered <= cov.uncovered or streamer.errors:
        return Checked(again, cov2, True, cov, notes, stats)
    return Checked(transcript, cov, False, cov2, notes + ["the live transcript covered more; kept it"], stats)
