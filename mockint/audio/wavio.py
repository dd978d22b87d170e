"""Streamed 16-bit PCM WAV writing (crash leaves a readable file) and reading with header repair.

Reading validates the header before trusting it (a cut fmt chunk, zero channels, a 1 Hz rate or an absurd length
is a clear WavError, not a struct.error or a 900 MB resample) and streams the samples block by block, so a long
file is never held twice in memory (mono float32 at the target rate is all that is built). Writing checks every
write (a full disk raises), never follows a symbolic link, and can be atomic (temp file + rename, mode 0600).
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import MockintError

FILE_MODE = 0o600
_HEADER = 44
MIN_RATE, MAX_RATE = 4000, 384_000
MAX_CHANNELS = 16
MAX_SECONDS = 4 * 3600  # a mock interview answer is minutes; anything longer than this is not one of ours
BLOCK_FRAMES = 1 << 16


class WavError(MockintError, ValueError):
    """A file that is not a WAV we can use; the message says why."""


@dataclass(frozen=True)
class WavInfo:
    """What the header of a WAV says, after validation."""

    rate: int
    channels: int
    frames: int
    data_at: int
    declared_bytes: int  # the data chunk's size in the header (wrong after a crash mid-recording)

    @property
    def seconds(self) -> float:
        return self.frames / self.rate


def _header(sample_rate: int, channels: int, data_bytes: int) -> bytes:
    byte_rate = sample_rate * channels * 2
    return (b"RIFF" + struct.pack("<I", min(36 + data_bytes, 0xFFFFFFFF)) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, sample_rate, byte_rate, channels * 2, 16)
            + b"data" + struct.pack("<I", min(data_bytes, 0xFFFFFFFF)))


def to_int16(audio: np.ndarray) -> bytes:
    return (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        if n <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[n:]


def _open_new(path: Path, exclusive: bool) -> int:
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | (os.O_EXCL if exclusive else os.O_TRUNC)
    return os.open(path, flags, FILE_MODE)


class WavWriter:
    """Appends float32 frames as 16-bit PCM; the header is refreshed every `refresh_seconds` and on close.

    `atomic=True` writes a hidden temp file and renames it over `path` on close (for files written in one go);
    otherwise the file grows in place, so a crash mid-recording keeps the audio so far."""

    def __init__(self, path: Path, sample_rate: int, channels: int = 1, refresh_seconds: float = 1.0,
                 atomic: bool = False):
        self.path = Path(path)
        self.sample_rate = sample_rate
        self.channels = channels
        self._tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp") if atomic else None
        self._fd = _open_new(self._tmp or self.path, exclusive=atomic)
        try:
            _write_all(self._fd, _header(sample_rate, channels, 0))
        except BaseException:
            self.abort()
            raise
        self.frames = 0
        self._since_refresh = 0
        self._refresh_every = int(refresh_seconds * sample_rate)

    def write(self, audio: np.ndarray) -> None:
        _write_all(self._fd, to_int16(audio))
        n = len(audio) if audio.ndim == 1 else audio.shape[0]
        self.frames += n
        self._since_refresh += n
        if self._since_refresh >= self._refresh_every:
            self._refresh()

    def _refresh(self) -> None:
        header = _header(self.sample_rate, self.channels, self.frames * self.channels * 2)
        if os.pwrite(self._fd, header, 0) != len(header):
            raise OSError(errno.EIO, "short write of the WAV header")
        self._since_refresh = 0

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate

    def close(self) -> None:
        if self._fd < 0:
            return
        try:
            self._refresh()
            os.fsync(self._fd)
        except BaseException:
            self.abort()
            raise
        os.close(self._fd)
        self._fd = -1
        if self._tmp is not None:
            try:
                os.replace(self._tmp, self.path)
            except BaseException:
                self._unlink_tmp()
                raise

    def abort(self) -> None:
        """Close without finishing; an atomic writer leaves nothing behind."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self._unlink_tmp()

    def _unlink_tmp(self) -> None:
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except OSError:
                pass


def write_wav(path: Path, audio: np.ndarray, sample_rate: int, atomic: bool = True) -> None:
    """A whole WAV in one go: atomically (temp + rename) and 0600 unless told otherwise."""
    w = WavWriter(path, sample_rate, 1 if audio.ndim == 1 else audio.shape[1], atomic=atomic)
    try:
        w.write(audio)
    except BaseException:
        w.abort()
        raise
    w.close()


def wav_info(path: Path, f=None) -> WavInfo:
    """Validate the header of a 16-bit PCM WAV; the sample count comes from the file's real size (a header
    never finalised after a crash still reads)."""
    own = f is None
    if own:
        f = open(path, "rb")
    try:
        size = os.fstat(f.fileno()).st_size
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise WavError(f"{path}: not a WAV file")
        pos, fmt, data_at, declared = 12, None, None, 0
        while pos + 8 <= size:
            f.seek(pos)
            chunk = f.read(8)
            if len(chunk) < 8:
                break
            cid, length = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if cid == b"fmt ":
                if length < 16:
                    raise WavError(f"{path}: the WAV's format chunk is cut short ({length} bytes)")
                body = f.read(16)
                if len(body) < 16:
                    raise WavError(f"{path}: the WAV's format chunk is cut short")
                fmt = struct.unpack("<HHIIHH", body)
            elif cid == b"data":
                data_at, declared = pos + 8, length
                break
            pos += 8 + length + (length & 1)
        if fmt is None or data_at is None:
            raise WavError(f"{path}: WAV has no fmt or data chunk")
        audio_format, channels, rate, _, _, bits = fmt
        if audio_format not in (1, 0xFFFE) or bits != 16:
            raise WavError(f"{path}: only 16-bit PCM WAV is supported (got format {audio_format}, {bits} bits)")
        if not 1 <= channels <= MAX_CHANNELS:
            raise WavError(f"{path}: the WAV says it has {channels} channels")
        if not MIN_RATE <= rate <= MAX_RATE:
            raise WavError(f"{path}: the WAV's sample rate ({rate} Hz) is not a real audio rate")
        frames = max(0, size - data_at) // (2 * channels)
        if frames > MAX_SECONDS * rate:
            raise WavError(f"{path}: {frames / rate / 3600:.1f} hours of audio is longer than mockint handles "
                           f"({MAX_SECONDS // 3600} hours)")
        return WavInfo(rate=rate, channels=channels, frames=frames, data_at=data_at, declared_bytes=declared)
    finally:
        if own:
            f.close()


def _open_for_read(path: Path):
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise WavError(f"{path}: not a regular file")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def iter_wav(path: Path, block_frames: int = BLOCK_FRAMES) -> Iterator[np.ndarray]:
    """Mono float32 blocks of a validated WAV, read one block at a time."""
    with _open_for_read(Path(path)) as f:
        info = wav_info(path, f)
        f.seek(info.data_at)
        left = info.frames
        while left > 0:
            n = min(block_frames, left)
            raw = f.read(n * 2 * info.channels)
            got = len(raw) // (2 * info.channels)
            if got == 0:
                return
            block = np.frombuffer(raw[: got * 2 * info.channels], dtype="<i2").astype(np.float32) / 32768.0
            if info.channels > 1:
                block = block.reshape(-1, info.channels).mean(axis=1, dtype=np.float32)
            yield block
            left -= got


def _repair_header(path: Path, info: WavInfo) -> None:
    """Finalise a header whose sizes were never written (the process died mid-recording)."""
    if info.data_at != _HEADER:
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return  # read-only copy: the samples are still read correctly
    try:
        os.pwrite(fd, _header(info.rate, info.channels, info.frames * info.channels * 2), 0)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_wav(path: Path, repair: bool = True, target_rate: int | None = None,
             max_seconds: float | None = None) -> tuple[np.ndarray, int]:
    """Mono float32 samples and their rate; fixes a header whose sizes were never finalised.

    With `target_rate`, the samples are resampled block by block while reading (the rate returned is then
    `target_rate`); `max_seconds` refuses longer files with a clear error."""
    path = Path(path)
    with _open_for_read(path) as f:
        info = wav_info(path, f)
    if max_seconds is not None and info.seconds > max_seconds:
        raise WavError(f"{path}: {info.seconds / 60:.0f} minutes of audio; at most {max_seconds / 60:.0f} allowed")
    if repair and info.declared_bytes != info.frames * info.channels * 2:
        _repair_header(path, info)
    rate = target_rate or info.rate
    out = np.empty(int(round(info.frames * rate / info.rate)) + 1, dtype=np.float32)
    filled = 0
    resampler = StreamResampler(info.rate, rate)
    for block in iter_wav(path):
        part = resampler.feed(block)
        n = min(len(part), len(out) - filled)
        out[filled: filled + n] = part[:n]
        filled += n
    return out[:filled], rate


class StreamResampler:
    """Linear resampling of a stream, block by block, with the same output as resampling the whole signal."""

    def __init__(self, src: int, dst: int):
        self.src, self.dst = src, dst
        self._consumed = 0       # input samples before the current block
        self._next = 0           # index of the next output sample
        self._last: float | None = None

    def feed(self, block: np.ndarray) -> np.ndarray:
        if self.src == self.dst:
            return block.astype(np.float32, copy=False)
        if len(block) == 0:
            return block.astype(np.float32)
        ratio = self.src / self.dst
        if self._last is not None:  # keep the previous block's last sample so interpolation spans the seam
            x = np.concatenate([np.array([self._last], dtype=np.float32), block.astype(np.float32, copy=False)])
            base = self._consumed - 1
        else:
            x, base = block.astype(np.float32, copy=False), self._consumed
        end = self._consumed + len(block) - 1  # last input index available
        n_out = int(np.floor(end / ratio)) - self._next + 1
        if n_out <= 0:
            self._consumed += len(block)
            self._last = float(block[-1])
            return np.zeros(0, dtype=np.float32)
        pos = (np.arange(self._next, self._next + n_out, dtype=np.float64) * ratio) - base
        out = np.interp(pos, np.arange(len(x), dtype=np.float64), x).astype(np.float32)
        self._next += n_out
        self._consumed += len(block)
        self._last = float(block[-1])
        return out


def resample(audio: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Linear resampling; good enough for speech into Whisper and for playback rate fixes."""
    if src == dst or len(audio) == 0:
        return audio.astype(np.float32, copy=False)
    if len(audio) <= BLOCK_FRAMES:
        n = int(round(len(audio) * dst / src))
        x = np.linspace(0, len(audio) - 1, n)
        return np.interp(x, np.arange(len(audio)), audio).astype(np.float32)
    r = StreamResampler(src, dst)  # long input: in blocks, so the float64 index arrays stay small
    return np.concatenate([r.feed(audio[i: i + BLOCK_FRAMES]) for i in range(0, len(audio), BLOCK_FRAMES)])
