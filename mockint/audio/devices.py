"""Audio devices through sounddevice, imported lazily with clear errors when PortAudio or a device is missing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import DeviceError

TYPED_HINT = "you can still answer by typing: `mockint round --text` (or choose typed answers in Setup)"


def sounddevice() -> Any:
    """The sounddevice module, or a DeviceError that says how to get PortAudio."""
    try:
        import sounddevice as sd
    except OSError as e:  # raised at import when libportaudio2 is missing
        raise DeviceError(f"the PortAudio library is missing ({e})",
                          hint="sudo apt-get install libportaudio2 — " + TYPED_HINT) from None
    except ImportError as e:
        raise DeviceError(f"the sounddevice package is not installed ({e})", hint="make run installs it") from None
    _quiet_alsa()
    return sd


_ALSA_HANDLER: object = None  # the C callback, kept referenced while ALSA holds it; False without libasound


def _quiet_alsa() -> None:
    """ALSA prints 'underrun occurred' and friends straight to stderr, over the TUI; send them nowhere."""
    global _ALSA_HANDLER
    if _ALSA_HANDLER is not None:
        return
    import ctypes

    try:
        asound = ctypes.cdll.LoadLibrary("libasound.so.2")
    except OSError:
        _ALSA_HANDLER = False
        return
    handler_type = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p)
    _ALSA_HANDLER = handler_type(lambda *_: None)
    asound.snd_lib_error_set_handler(_ALSA_HANDLER)


@dataclass(frozen=True)
class Device:
    """One PortAudio device."""

    index: int
    name: str
    hostapi: str
    inputs: int
    outputs: int
    default_samplerate: float
    default_input: bool
    default_output: bool


def list_devices() -> list[Device]:
    sd = sounddevice()
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
        d_in, d_out = sd.default.device
    except Exception as e:  # PortAudioError when the audio system is unusable
        raise DeviceError(f"cannot list audio devices: {e}", hint=TYPED_HINT) from None
    out = []
    for i, d in enumerate(devices):
        out.append(Device(i, d["name"], apis[d["hostapi"]]["name"], d["max_input_channels"],
                          d["max_output_channels"], d["default_samplerate"], i == d_in, i == d_out))
    return out


def resolve(spec: str | None, kind: str) -> int | None:
    """A device index from an index or part of a name; None = the system default."""
    if spec is None or str(spec).strip() == "":
        devices = list_devices()
        if not any(d.inputs if kind == "input" else d.outputs for d in devices):
            raise DeviceError(f"no audio {kind} device found", hint=TYPED_HINT if kind == "input" else
                              "questions will be shown as text only")
        return None
    devices = list_devices()
    ok = [d for d in devices if (d.inputs if kind == "input" else d.outputs)]
    if str(spec).isdigit():
        idx = int(spec)
        if any(d.index == idx for d in ok):
            return idx
        raise DeviceError(f"{kind} device {idx} does not exist or has no {kind} channels",
                          hint="see `mockint devices`")
    matches = [d for d in ok if str(spec).lower() in d.name.lower()]
    if not matches:
        raise DeviceError(f"no {kind} device matches {spec!r}", hint="see `mockint devices`")
    return matches[0].index


def describe_error(e: Exception, kind: str) -> DeviceError:
    """Turn a PortAudio error into an explanation a candidate can act on."""
    text = str(e)
    low = text.lower()
    if "busy" in low or "unanticipated host error" in low or "device unavailable" in low:
        return DeviceError(f"the {kind} device is busy or unavailable ({text})",
                           hint="close other apps using it, or " + TYPED_HINT)
    if "invalid number of channels" in low or "invalid device" in low or "no default" in low:
        return DeviceError(f"no usable {kind} device ({text})", hint=TYPED_HINT)
    return DeviceError(f"{kind} device error: {text}", hint=TYPED_HINT)
