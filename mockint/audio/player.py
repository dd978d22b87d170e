"""Interruptible playback through sounddevice, from one output stream that can be kept open ("warm").

Opening a PortAudio stream over PulseAudio costs 100-300 ms before the first sample is heard; a round keeps one
stream open between questions (it plays silence when idle), so the next question starts at once. Sounds can be
played whole or as chunks that are still being synthesised (the first sentence plays while the next is made).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from ..errors import DeviceError
from .devices import describe_error, sounddevice
from .wavio import read_wav, resample

STALL_SECONDS = 3.0  # the stream stopped asking for audio: the output device is gone


class Player:
    """Plays one sound at a time; `stop()` from any thread ends playback at once."""

    def __init__(self, device: int | None = None, blocksize: int = 512, latency: str | float = "high",
                 sample_rate: int = 22050):
        self.device = device
        self.blocksize = blocksize
        # a small fixed latency: the stream is fed from memory, and a warm stream never starts cold
        self.latency = latency
        self.rate = sample_rate
        self._stop = threading.Event()
        self._lock = threading.Lock()       # one sound at a time
        self._qlock = threading.Lock()      # the callback's queue
        self._queue: deque[np.ndarray] = deque()
        self._offset = 0                    # read position in _queue[0]
        self._played = 0                    # samples handed to the device since the stream opened
        self._last_callback = 0.0
        self._mark: int | None = None       # sample index where the current sound starts
        self._mark_time: float | None = None  # when that sample is heard (monotonic clock)
        self._stream = None
        self._keep_warm = False
        self.output_latency = 0.0

    # ---- the stream ----
    def _callback(self, outdata, frames, t, _status) -> None:
        now = time.monotonic()
        self._last_callback = now
        out = outdata[:, 0]
        filled = 0
        try:  # when this block reaches the speaker; PortAudio's estimate, or the stream's nominal latency
            delay = float(t.outputBufferDacTime - t.currentTime)
            delay = delay if 0.0 < delay < 2.0 else self.output_latency
        except (AttributeError, TypeError, ValueError):
            delay = self.output_latency
        with self._qlock:
            if self._mark is not None and self._mark_time is None and self._played + frames > self._mark:
                # the first sample of the current sound is in this block: note when it will be heard
                self._mark_time = now + delay + max(0, self._mark - self._played) / self.rate
            if self._stop.is_set():
                self._queue.clear()
                self._offset = 0
            while filled < frames and self._queue:
                head = self._queue[0]
                take = min(frames - filled, len(head) - self._offset)
                out[filled : filled + take] = head[self._offset : self._offset + take]
                filled += take
                self._offset += take
                if self._offset >= len(head):
                    self._queue.popleft()
                    self._offset = 0
            self._played += filled
        out[filled:] = 0

    def _open(self) -> None:
        if self._stream is not None:
            return
        sd = sounddevice()

        def make(rate: int):
            return sd.OutputStream(samplerate=rate, channels=1, dtype="float32", device=self.device,
                                   blocksize=self.blocksize, callback=self._callback, latency=self.latency)

        try:
            stream = make(self.rate)
        except sd.PortAudioError as e:
            if "sample rate" not in str(e).lower():
                raise describe_error(e, "output") from None
            self.rate = int(sd.query_devices(self.device, "output")["default_samplerate"])
            try:
                stream = make(self.rate)
            except sd.PortAudioError as e2:
                raise describe_error(e2, "output") from None
        except ValueError as e:  # a bad device index
            raise describe_error(e, "output") from None
        try:
            stream.start()
        except sd.PortAudioError as e:
            raise describe_error(e, "output") from None
        self._last_callback = time.monotonic()
        self.output_latency = float(getattr(stream, "latency", 0.0) or 0.0)
        self._stream = stream

    def warm(self) -> "Player":
        """Open the output stream now and keep it open between sounds (until `close()`)."""
        self._keep_warm = True
        self._open()
        return self

    def close(self, drain: bool = False) -> None:
        """Close the output stream. `drain` lets what the device still holds be heard first: after a sound played
        to its end, aborting dropped its last second or more on a busy machine (the ALSA->PulseAudio plugin holds
        that much); a stop asked for by the user aborts at once."""
        self._keep_warm = False
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                if drain:
                    stream.stop()  # PortAudio plays out the pending buffers, then stops
                else:
                    stream.abort()
                stream.close()
            except Exception:  # noqa: BLE001  a vanished device cannot be closed cleanly; nothing is lost
                pass

    # ---- playing ----
    def play(self, sound: np.ndarray | Path | str, sample_rate: int | None = None,
             on_progress: Callable[[float], None] | None = None) -> bool:
        """Block until the sound has played (True) or was stopped (False); raises DeviceError."""
        if isinstance(sound, (str, Path)):
            audio, sample_rate = read_wav(Path(sound))
        else:
            audio = np.asarray(sound, dtype=np.float32)
        if sample_rate is None:
            raise ValueError("sample_rate is required for arrays")
        return self.play_stream([audio], sample_rate, on_progress, total=len(audio))

    def play_stream(self, chunks: Iterable[np.ndarray], sample_rate: int,
                    on_progress: Callable[[float], None] | None = None, total: int | None = None) -> bool:
        """Play chunks as they arrive (a generator may still be synthesising the rest); True if played to the end.

        `total` (samples at `sample_rate`) makes progress exact; without it progress counts what has arrived.
        """
        with self._lock:
            self._stop.clear()
            finished = False
            try:
                self._open()
                finished = self._play(chunks, sample_rate, on_progress, total)
                return finished
            finally:
                if not self._keep_warm:
                    self.close(drain=finished)

    def _play(self, chunks, sr: int, on_progress, total: int | None) -> bool:
        with self._qlock:
            start = self._played + sum(len(q) for q in self._queue) - self._offset
            self._mark, self._mark_time = start, None
        queued = 0
        expected = int(total * self.rate / sr) if total else None
        for chunk in chunks:
            if self._stop.is_set():
                break
            data = resample(np.asarray(chunk, dtype=np.float32), sr, self.rate)
            with self._qlock:
                self._queue.append(data)
            queued += len(data)
        end = start + queued
        while True:
            if self._stop.is_set():
                self._clear()
                return False
            with self._qlock:
                played = self._played
            if on_progress is not None:
                denom = max(expected or queued, 1)
                heard = (time.monotonic() - self._mark_time) * self.rate if self._mark_time else 0.0
                on_progress(min(1.0, max(0.0, min(played - start, heard) / denom)))
            # handed to the device is not heard: the device may buffer a lot (the ALSA->PulseAudio plugin takes
            # seconds at once), so finish on the clock of the first sample heard
            heard_until = (self._mark_time or float("inf")) + queued / self.rate
            if played >= end and time.monotonic() >= heard_until:
                break
            if time.monotonic() - self._last_callback > STALL_SECONDS:
                self._clear()
                self.close()
                raise DeviceError("the output device stopped playing", hint="questions are shown as text")
            time.sleep(0.02)
        if on_progress is not None:
            on_progress(1.0)
        return True

    def _clear(self) -> None:
        with self._qlock:
            self._queue.clear()
            self._offset = 0

    def stop(self) -> None:
        self._stop.set()
        self._clear()
