"""Readiness checks shared by `mockint doctor` and the TUI's status line: microphone, model, voice, interviewer."""

from __future__ import annotations

from dataclasses import dataclass

from .config import Settings, effective_backend
from .errors import MockintError


@dataclass(frozen=True)
class Check:
    """One part of the set-up: working or not, and how to fix it."""

    name: str
    ok: bool
    detail: str
    hint: str | None = None


def _device(settings: Settings, kind: str) -> Check:
    from .audio.devices import list_devices, resolve

    name = "microphone" if kind == "input" else "speakers"
    spec = settings.audio.input_device if kind == "input" else settings.audio.output_device
    try:
        idx = resolve(spec, kind)
        devs = list_devices()
        flag = "default_input" if kind == "input" else "default_output"
        dev = next((d for d in devs if d.index == idx), None) if idx is not None else next(
            (d for d in devs if getattr(d, flag)), None)
        return Check(name, True, dev.name if dev else "system default")
    except MockintError as e:
        return Check(name, False, e.message, e.hint)


def check_model(settings: Settings) -> Check:
    from .speech.stt import resolve_model

    try:
        _target, label = resolve_model(settings.stt.model)
    except MockintError as e:
        return Check("speech model", False, e.message, e.hint)
    if label == settings.stt.model and "(bundled)" not in label:
        return Check("speech model", True, f"{label} (downloaded on first use if not cached)")
    return Check("speech model", True, label)


def check_voice(settings: Settings) -> Check:
    if not settings.tts.enabled:
        return Check("voice", True, "off (questions shown as text)")
    from .speech.tts import PiperSpeaker, Pyttsx3Speaker, build_speaker

    try:
        # the same choice a round makes (engine "auto" prefers the neural voice when it is installed)
        chosen, notice = build_speaker(settings.tts.engine, settings.tts.voice, settings.tts.rate)
        if isinstance(chosen, PiperSpeaker):
            return Check("voice", True, f"piper {settings.tts.voice or 'joe'} (neural voice, GPL-3.0 extra)")
        if notice:
            return Check("voice", True, f"espeak-ng (fallback): {notice}")
        sp = Pyttsx3Speaker(settings.tts.voice, settings.tts.rate)
        sp.voices()
        return Check("voice", True, f"espeak-ng {sp.voice or 'default voice'} at {settings.tts.rate} wpm")
    except MockintError as e:
        return Check("voice", False, e.message, e.hint)


def check_interviewer(settings: Settings) -> Check:
    backend = effective_backend(settings)
    if backend == "claude":
        from .config import anthropic_key_present

        if not anthropic_key_present():
            return Check("interviewer", False, "claude selected but ANTHROPIC_API_KEY is not set",
                         "export ANTHROPIC_API_KEY=... or choose the offline interviewer")
        return Check("interviewer", True, f"claude ({settings.interviewer.model})")
    return Check("interviewer", True, "offline (built-in)", "set ANTHROPIC_API_KEY to interview with Claude")


def run_checks(settings: Settings) -> list[Check]:
    return [_device(settings, "input"), _device(settings, "output"), check_model(settings), check_voice(settings),
            check_interviewer(settings)]
