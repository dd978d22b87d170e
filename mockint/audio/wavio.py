"""Streamed 16-bit PCM WAV writing (crash leaves a readable file) and reading with header repair."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np

FILE_MODE = 0o600
_HEADER = 44


def _header(sample_rate: int, channels: int, data_bytes: int) -> bytes:
    byte_rate = sample_rate * channels * 2
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, sample_rate, byte_rate, channels * 2, 16)
            + b"data" + struct.pack("<I", data_bytes))


def to_int16(audio: np.ndarray) -> bytes:
    return (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


class WavWriter:
    """Appends float32 frames as 16-bit PCM; the header is refreshed every `refresh_seconds` and on close."""

    def __init__(self, path: Path, sample_rate: int, channels: int = 1, refresh_seconds: float = 1.0):
        self.path = Path(path)
        self.sample_rate = sample_rate
        self.channels = channels
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        os.write(self._fd, _header(sample_rate, channels, 0))
        self.frames = 0
        self._since_refresh = 0
        self._refresh_every = int(refresh_seconds * sample_rate)

    def write(self, audio: np.ndarray) -> None:
        data = to_int16(audio)
        os.write(self._fd, data)
        n = len(audio) if audio.ndim == 1 else audio.shape[0]
        self.frames += n
        self._since_refresh += n
        if self._since_refresh >= self._refresh_every:
            self._refresh()

    def _refresh(self) -> None:
        os.pwrite(self._fd, _header(self.sample_rate, self.channels, self.frames * self.channels * 2), 0)
        self._since_refresh = 0

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate

    def close(self) -> None:
        if self._fd >= 0:
            self._refresh()
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1


def write_wav(path: Path, audio: np.ndarray, sample_rate: int) -> None:
    w = WavWriter(path, sample_rate, 1 if audio.ndim == 1 else audio.shape[1])
    w.write(audio)
    w.close()


def read_wav(path: Path, repair: bool = True) -> tuple[np.ndarray, int]:
    """Mono float32 samples and the sample rate; fixes a header whose sizes were never finalised."""
    raw = Path(path).read_bytes()
    if len(raw) < 12 or raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise ValueError(f"{path}: not a WAV file")
    pos, fmt, data_at, data_len = 12, None, None, 0
    while pos + 8 <= len(raw):
        cid, size = raw[pos : pos + 4], struct.unpack("<I", raw[pos + 4 : pos + 8])[0]
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", raw[pos + 8 : pos + 24])
        elif cid == b"data":
            data_at, data_len = pos + 8, size
            break
        pos += 8 + size + (size & 1)
    if fmt is None or data_at is None:
        raise ValueError(f"{path}: WAV has no fmt or data chunk")
    audio_format, channels, rate, _, _, bits = fmt
    if audio_format not in (1, 0xFFFE) or bits != 16:
        raise ValueError(f"{path}: only 16-bit PCM WAV is supported (got format {audio_format}, {bits} bits)")
    available = len(raw) - data_at
    available -= available % (2 * channels)
    if data_len != available:
        data_len = available
        if repair and data_at == _HEADER:
            try:
                with open(path, "r+b") as f:
                    f.write(_header(rate, channels, data_len))
            except OSError:
                pass  # read-only copy: the samples are still read correctly
    samples = np.frombuffer(raw[data_at : data_at + data_len], dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return samples, rate


def resample(audio: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Linear resampling; good enough for speech into Whisper and for playback rate fixes."""
    if src == dst or len(audio) == 0:
        return audio.astype(np.float32, copy=False)
    n = int(round(len(audio) * dst / src))
    x = np.linspace(0, len(audio) - 1, n)
    return np.interp(x, np.arange(len(audio)), audio).astype(np.float32)
