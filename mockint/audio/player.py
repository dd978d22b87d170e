"""Interruptible playback of a WAV or an array through sounddevice."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

import numpy as np

from .devices import describe_error, sounddevice
from .wavio import read_wav, resample


class Player:
    """Plays one sound at a time; `stop()` from any thread ends playback at once."""

    def __init__(self, device: int | None = None, blocksize: int = 2048, latency: str | float = "high"):
        self.device = device
        self.blocksize = blocksize
        # 'low' output latency through the ALSA->PulseAudio plugin underruns constantly; playback can afford 'high'
        self.latency = latency
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def play(self, sound: np.ndarray | Path | str, sample_rate: int | None = None,
             on_progress: Callable[[float], None] | None = None) -> bool:
        """Block until the sound has played (True) or was stopped (False); raises DeviceError."""
        if isinstance(sound, (str, Path)):
            audio, sample_rate = read_wav(Path(sound))
        else:
            audio = np.asarray(sound, dtype=np.float32)
        if sample_rate is None:
            raise ValueError("sample_rate is required for arrays")
        sd = sounddevice()
        with self._lock:  # one sound at a time
            self._stop.clear()
            return self._play(sd, audio, sample_rate, on_progress)

    def _play(self, sd, audio: np.ndarray, sr: int, on_progress) -> bool:
        done = threading.Event()
        pos = 0

        def callback(outdata, frames, _time, _status):
            nonlocal pos
            if self._stop.is_set():
                outdata.fill(0)
                raise sd.CallbackStop
            chunk = audio[pos : pos + frames]
            outdata[: len(chunk), 0] = chunk
            outdata[len(chunk) :, 0] = 0
            pos += len(chunk)
            if pos >= len(audio):
                raise sd.CallbackStop

        try:
            stream = sd.OutputStream(samplerate=sr, channels=1, dtype="float32", device=self.device,
                                     blocksize=self.blocksize, callback=callback, finished_callback=done.set,
                                     latency=self.latency)
        except sd.PortAudioError as e:
            if "sample rate" not in str(e).lower():
                raise describe_error(e, "output") from None
            rate = int(sd.query_devices(self.device, "output")["default_samplerate"])
            audio, sr = resample(audio, sr, rate), rate
            try:
                stream = sd.OutputStream(samplerate=sr, channels=1, dtype="float32", device=self.device,
                                         blocksize=self.blocksize, callback=callback, finished_callback=done.set,
                                     latency=self.latency)
            except sd.PortAudioError as e2:
                raise describe_error(e2, "output") from None
        with stream:
            total = max(len(audio), 1)
            while not done.wait(0.05):
                if self._stop.is_set():
                    break
                if on_progress is not None:
                    on_progress(min(1.0, pos / total))
            if self._stop.is_set():
                stream.abort()
                return False
        if on_progress is not None:
            on_progress(1.0)
        return True

    def stop(self) -> None:
        self._stop.set()
