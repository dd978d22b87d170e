"""The engine's audio parts in one place: speaker, player, recorder factory, transcriber (any may be absent)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol

from ..config import Settings
from ..errors import DeviceError

if TYPE_CHECKING:  # the engines load lazily; only their protocols are named here
    import numpy as np

    from ..speech.stt import Transcriber


class Speakers(Protocol):
    """Plays sound, stoppable from another thread (audio.player.Player); True when it played to the end."""

    def play(self, sound: "np.ndarray", sample_rate: int | None = None,
             on_progress: Callable[[float], None] | None = None) -> bool: ...

    def play_stream(self, chunks: "Iterable[np.ndarray]", sample_rate: int,
                    on_progress: Callable[[float], None] | None = None, total: int | None = None) -> bool:
        """Play chunks as they arrive (speech still being synthesised)."""
        ...

    def stop(self) -> None: ...


@dataclass
class SpeechKit:
    """What the engine may use to speak and to listen; typed mode has no recorder or transcriber."""

    speaker: Any | None = None            # speech.tts.Speaker: text -> WAV
    player: Speakers | None = None
    make_recorder: Callable[[], Any] | None = None  # -> audio.recorder.Recorder
    transcriber: Transcriber | None = None  # loads in the background once the first question is spoken
    domain_prompt: bool = True
    notices: list[str] = field(default_factory=list)

    @property
    def spoken(self) -> bool:
        return self.make_recorder is not None and self.transcriber is not None

    def model_name(self) -> str:
        return getattr(self.transcriber, "name", "") if self.transcriber is not None else ""


def _quietly(fn: Callable[[], Any]) -> Callable[[], None]:
    """Run `fn` in the background; its error surfaces again on first real use."""

    def run() -> None:
        try:
            fn()
        except Exception:  # noqa: BLE001
            pass

    return run


def build_speech_kit(settings: Settings, typed: bool) -> SpeechKit:
    """The real parts; a missing device or library becomes a notice and a fallback, never a crash."""
    kit = SpeechKit(domain_prompt=settings.stt.domain_prompt)
    if settings.tts.enabled:
        from ..speech.tts import build_speaker

        t = settings.tts
        kit.speaker, notice = build_speaker(t.engine, t.voice, t.rate)
        if notice:
            kit.notices.append(notice)
        if hasattr(kit.speaker, "load"):
            threading.Thread(target=_quietly(kit.speaker.load), name="mockint-voice-load", daemon=True).start()
        try:
            from ..audio.devices import resolve
            from ..audio.player import Player

            kit.player = Player(resolve(settings.audio.output_device, "output"), sample_rate=kit.speaker.sample_rate)
            kit.player.warm()  # the output stream stays open: no device start-up before each question
        except DeviceError as e:
            kit.notices.append(f"No speakers ({e.message}); questions are shown as text only.")
    if typed:
        return kit
    try:
        from ..audio.devices import resolve
        from ..audio.recorder import Recorder

        device = resolve(settings.audio.input_device, "input")
        a = settings.audio
        kit.make_recorder = lambda: Recorder(device, a.sample_rate, stall_seconds=a.stall_seconds)
    except DeviceError as e:
        kit.notices.append(f"No microphone ({e.message}); switching to typed answers. {e.hint or ''}".strip())
        return kit
    from ..speech.stt import WhisperTranscriber

    s = settings.stt
    transcriber = WhisperTranscriber(s.model, s.cpu_threads, s.beam_size, s.no_speech_threshold)
    # not loaded here: the engine starts it once the first question's speech is made (Interview._warm_models)
    kit.transcriber = transcriber
    return kit
