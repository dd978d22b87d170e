"""Microphone capture: one InputStream per answer; a consumer thread writes the WAV, publishes level, feeds
listeners."""

from __future__ import annotations

import math
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

from .devices import describe_error, sounddevice
from .wavio import WavWriter

if TYPE_CHECKING:  # sounddevice loads PortAudio, so it is imported on first use
    from sounddevice import InputStream

ChunkFn = Callable[[np.ndarray], None]
STARTUP_GRACE = 1.5


@dataclass
class Recording:
    """What one answer's capture produced."""

    path: Path
    seconds: float
    overflows: int
    stalled: bool
    error: str | None = None


def level_of(chunk: np.ndarray) -> float:
    """RMS level mapped from -60..0 dBFS onto 0..1 (what a meter shows)."""
    if len(chunk) == 0:
        return 0.0
    rms = float(np.sqrt(np.mean(np.square(chunk, dtype=np.float64))))
    db = 20 * math.log10(max(rms, 1e-6))
    return min(1.0, max(0.0, (db + 60) / 60))


class Recorder:
    """Records one answer at a time to a WAV; the PortAudio callback only copies frames into a queue."""

    def __init__(self, device: int | None = None, sample_rate: int = 16000, block_seconds: float = 0.05,
                 stall_seconds: float = 2.0, level_hz: float = 20.0):
        self.device = device
        self.sample_rate = sample_rate
        self.blocksize = int(sample_rate * block_seconds)
        self.stall_seconds = stall_seconds
        self.level_interval = 1.0 / level_hz
        self._q: queue.Queue[np.ndarray | None] = queue.Queue()
        self._stream: InputStream | None = None
        self._thread: threading.Thread | None = None
        self._writer: WavWriter | None = None
        self.overflows = 0
        self.stalled = False
        self.error: str | None = None

    def start(self, path: Path, on_chunk: ChunkFn | None = None, on_level: Callable[[float], None] | None = None,
              on_stall: Callable[[str], None] | None = None) -> None:
        """Open the microphone and start writing `path`; raises DeviceError if it cannot be opened."""
        sd = sounddevice()
        self.overflows, self.stalled, self.error = 0, False, None
        self._q = queue.Queue()

        def callback(indata, _frames, _time, status):
            if status.input_overflow:
                self.overflows += 1
            self._q.put_nowait(indata[:, 0].copy())

        try:
            self._stream = stream = sd.InputStream(samplerate=self.sample_rate, channels=1, dtype="float32",
                                                   blocksize=self.blocksize, device=self.device, callback=callback,
                                                   latency="low")
            stream.start()
        except Exception as e:  # PortAudioError, or ValueError for a bad device
            self._stream = None
            raise describe_error(e, "input") from None
        self._writer = writer = WavWriter(path, self.sample_rate)
        self._thread = threading.Thread(target=self._consume, args=(writer, on_chunk, on_level, on_stall),
                                        name="mockint-recorder", daemon=True)
        self._thread.start()

    def _consume(self, writer: WavWriter, on_chunk: ChunkFn | None, on_level, on_stall) -> None:
        # PortAudio over PulseAudio can take up to a second to deliver the first block: allow for it once
        last_audio = time.monotonic() + STARTUP_GRACE
        last_level = 0.0
        peak = 0.0
        while True:
            try:
                chunk = self._q.get(timeout=0.1)
            except queue.Empty:
                if not self.stalled and time.monotonic() - last_audio > self.stall_seconds:
                    self.stalled = True
                    self.error = f"the microphone stopped delivering audio for {self.stall_seconds:g} s"
                    if on_stall is not None:
                        on_stall(self.error)
                continue
            if chunk is None:
                break
            last_audio = time.monotonic()
            writer.write(chunk)
            peak = max(peak, level_of(chunk))
            if on_level is not None and last_audio - last_level >= self.level_interval:
                on_level(peak)
                last_level, peak = last_audio, 0.0
            if on_chunk is not None:
                on_chunk(chunk)

    @property
    def seconds(self) -> float:
        return self._writer.seconds if self._writer else 0.0

    def stop(self) -> Recording:
        """Close the microphone, drain what it delivered, finalise the WAV."""
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except Exception as e:  # a vanished device can fail to close; the audio so far is kept
                self.error = self.error or f"closing the microphone failed: {e}"
            self._stream = None
        if self._thread is not None:
            self._q.put(None)
            self._thread.join()
            self._thread = None
        writer, self._writer = self._writer, None
        if writer is None:
            raise RuntimeError("recorder was not started")
        writer.close()
        return Recording(writer.path, writer.seconds, self.overflows, self.stalled, self.error)
