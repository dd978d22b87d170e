"""Text-to-speech: pyttsx3 + espeak-ng synthesise to a WAV (never pyttsx3's own aplay playback)."""

from __future__ import annotations

import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..errors import MockintError


class TtsError(MockintError):
    """Synthesis failed; the question is still shown as text."""

    def __init__(self, message: str):
        super().__init__(message, exit_code=4, hint="sudo apt-get install espeak-ng (questions are shown as text meanwhile)")


class Speaker(Protocol):
    """Anything that turns text into a WAV file."""

    name: str

    def synthesize(self, text: str, path: Path) -> Path: ...


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...]


class Pyttsx3Speaker:
    """pyttsx3's espeak driver, serialised behind a lock (its engine is a process-wide singleton)."""

    name = "espeak-ng"
    _lock = threading.Lock()

    def __init__(self, voice: str | None = None, rate: int = 175):
        self.voice = voice
        self.rate = rate
        self._engine = None

    def _get_engine(self):
        if self._engine is None:
            try:
                import pyttsx3
                import pyttsx3.drivers.espeak as espeak_driver
            except (ImportError, OSError, RuntimeError) as e:
                raise TtsError(f"text-to-speech is unavailable: {e}") from None
            # the driver print()s "Audio saved to ..." on stdout, which would scribble over the TUI
            espeak_driver.print = lambda *a, **k: None
            try:
                self._engine = pyttsx3.init("espeak")
            except Exception as e:  # libespeak-ng missing surfaces as OSError/RuntimeError inside init
                raise TtsError(f"text-to-speech is unavailable (espeak-ng): {e}") from None
            if self.voice:
                self.voice = self._match_voice(self.voice)
        return self._engine

    def _match_voice(self, wanted: str) -> str:
        """The voice id for an id or a name; espeak silently ignores unknown voices, so check here."""
        voices = self._engine.getProperty("voices")
        low = wanted.lower()
        for v in voices:
            if low in (str(v.id).lower(), str(v.name).lower()):
                return v.id
        raise TtsError(f"unknown voice {wanted!r} (see `mockint say --list-voices`)")

    def voices(self) -> list[Voice]:
        with self._lock:
            engine = self._get_engine()
            return [Voice(v.id, v.name, tuple(str(x) for x in (v.languages or []))) for v in engine.getProperty("voices")]

    def synthesize(self, text: str, path: Path) -> Path:
        path = Path(path)
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

