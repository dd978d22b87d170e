"""Replay's audio: the small protocol the screens use, and the real sounddevice player behind it."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Protocol


class AudioPlayer(Protocol):
    """Plays one WAV at a time; `stop()` from any thread ends it at once."""

    def play(self, sound: Path, sample_rate: int | None = None,
             on_progress: Callable[[float], None] | None = None) -> bool: ...

    def stop(self) -> None: ...


def default_player(settings) -> AudioPlayer:
    """The real player on the configured output device (raises DeviceError with a hint when there is none)."""
    from ..audio.devices import resolve
    from ..audio.player import Player

    return Player(resolve(settings.audio.output_device, "output"))
