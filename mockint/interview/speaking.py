"""Saying things: synthesise sentence by sentence (kept as a WAV for replay) and play while the rest is made,
stoppable by the candidate. The next main question can be synthesised ahead, while the candidate answers."""

from __future__ import annotations

import asyncio
import tempfile
import threading
from functools import partial
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ..errors import MockintError
from .control import Control
from .events import Notice, SpeakingFinished, SpeakingProgress, SpeakingStarted
from .voice import SpeechKit


QUIET = 10 ** (-40 / 20)  # below -40 dBFS a voice's sample is silence
KEEP_TAIL_S = 0.03  # the decay kept after a sentence's last sound


class Utterance:
    """Speech being synthesised in a background thread: chunks can be played as they come; the WAV is written
    (atomically complete) when the last sentence is done."""

    def __init__(self, speaker, text: str, path: Path):
        self.speaker = speaker
        self.text = text
        self.path = Path(path)
        self.sample_rate = int(getattr(speaker, "sample_rate", 22050))
        self.chunks: list[np.ndarray] = []
        self._carry: np.ndarray | None = None  # the last sentence's trailing quiet, owed to the next one
        self.error: MockintError | None = None
        self.done = threading.Event()
        self._cv = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="mockint-tts", daemon=True)

    def start(self) -> "Utterance":
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            stream = getattr(self.speaker, "stream", None)
            if stream is None:  # a speaker that only writes files
                from ..audio.wavio import read_wav

                audio, sr = read_wav(self.speaker.synthesize(self.text, self.path), repair=False)
                self.sample_rate = sr
                self._add(audio)
            else:
                for chunk in stream(self.text):
                    self._add(np.asarray(chunk, dtype=np.float32))
                if not self.chunks:
                    raise MockintError(f"speech synthesis produced no audio for {self.path.name}")
                from ..audio.wavio import write_wav

                write_wav(self.path, np.concatenate(self.chunks), self.sample_rate)
        except MockintError as e:
            self.error = e
        except Exception as e:  # noqa: BLE001  a voice library failing mid-sentence: shown as a notice
            self.error = MockintError(f"speech synthesis failed: {type(e).__name__}: {e}")
        finally:
            with self._cv:
                self.done.set()
                self._cv.notify_all()

    def _add(self, chunk: np.ndarray) -> None:
        # a sentence's trailing quiet (0.16-0.24 s with piper) moves to the start of the next sentence: the pause
        # between sentences is the same, but the question ends with its last sound, so the microphone opens when
        # the candidate hears it end rather than 0.2 s later (bench/answer_onset.py)
        loud = np.nonzero(np.abs(chunk) > QUIET)[0]
        keep = len(chunk) if not len(loud) else min(len(chunk), int(loud[-1]) + 1 + int(KEEP_TAIL_S * self.sample_rate))
        body, tail = chunk[:keep], chunk[keep:]
        if self._carry is not None and len(self._carry):
            body = np.concatenate([self._carry, body])
        self._carry = tail
        with self._cv:
            self.chunks.append(body)
            self._cv.notify_all()

    def wait_first(self) -> None:
        """Until the first sentence is ready (or synthesis ended)."""
        with self._cv:
            self._cv.wait_for(lambda: self.chunks or self.done.is_set())

    def _has_chunk(self, i: int) -> bool:
        """Chunk i is ready, or synthesis ended (the wait in iter_chunks; bound with partial, not a closure)."""
        return len(self.chunks) > i or self.done.is_set()

    def iter_chunks(self) -> Iterator[np.ndarray]:
        i = 0
        while True:
            with self._cv:
                self._cv.wait_for(partial(self._has_chunk, i))
                if len(self.chunks) <= i:
                    return
                chunk = self.chunks[i]
            i += 1
            yield chunk

    def seconds(self) -> float:
        """Length in seconds (an estimate from the text while synthesis is still running)."""
        have = sum(len(c) for c in self.chunks) / self.sample_rate
        if self.done.is_set():
            return have
        return max(have, len(self.text) / 14.0)  # about 14 characters a second at the default rate


class Mouth:
    """Speaks through the kit; a failure is a notice (the text is always shown), never a stop."""

    def __init__(self, kit: SpeechKit, control: Control, emit: Callable, emit_threadsafe: Callable):
        self.kit = kit
        self.control = control
        self.emit = emit
        self.emit_threadsafe = emit_threadsafe
        self._tts_failed = False
        self._tmp = tempfile.TemporaryDirectory(prefix="mockint-tts-")
        self._ahead: dict[str, Utterance] = {}  # prefetched, not yet asked for
        self._made: dict[str, Utterance] = {}   # asked for recently: a second use (play it, save it) shares it

    def _target(self, text: str, path: Path | None) -> Path:
        return Path(path) if path else Path(self._tmp.name) / f"part-{abs(hash(text))}.wav"

    def prefetch(self, text: str) -> None:
        """Start synthesising `text` now (the next main question, while the candidate answers)."""
        if self.kit.speaker is None or self._tts_failed or text in self._ahead:
            return
        self._ahead[text] = Utterance(self.kit.speaker, text, self._target(text, None)).start()

    async def speech(self, text: str, path: Path | None = None) -> Utterance | None:
        """Speech for `text`, ready to play from its first sentence (synthesised ahead when prefetched)."""
        if self.kit.speaker is None or self._tts_failed:
            return None
        utt = None
        if path is None:
            utt = self._ahead.pop(text, None) or self._made.get(text)
            if utt is not None and utt.error is not None:
                utt = None
        if utt is None:
            utt = Utterance(self.kit.speaker, text, self._target(text, path)).start()
        if path is None:
            # an offline follow-up is spoken as it is made and also saved for replay: one synthesis for both
            self._made[text] = utt
            while len(self._made) > 4:
                self._made.pop(next(iter(self._made)))
        await asyncio.to_thread(utt.wait_first)
        if utt.error is not None and not utt.chunks:
            self._failed(utt.error)
            return None
        return utt

    async def synthesize(self, text: str, path: Path | None = None) -> Path | None:
        """The whole WAV (for callers that need the file)."""
        utt = await self.speech(text, path)
        if utt is None:
            return None
        await asyncio.to_thread(utt.done.wait)
        if utt.error is not None:
            self._failed(utt.error)
            return None
        return utt.path

    def _failed(self, e: MockintError) -> None:
        self._tts_failed = True
        self.emit(Notice(text=f"Speech synthesis failed ({e.message}); questions are shown as text.",
                         level="warning"))

    async def play(self, turn_id: str, wav: Utterance | Path | None) -> bool:
        """Play speech; returns False if the candidate interrupted it (start answering, skip, quit)."""
        if not wav or self.kit.player is None:
            return True
        player = self.kit.player
        progress = lambda f: self.emit_threadsafe(SpeakingProgress(turn_id=turn_id, fraction=round(f, 3)))  # noqa: E731
        if isinstance(wav, Utterance):
            utt = wav
            total = sum(len(c) for c in utt.chunks) if utt.done.is_set() else None
            self.emit(SpeakingStarted(turn_id=turn_id, seconds=round(utt.seconds(), 2)))
            job = lambda: player.play_stream(utt.iter_chunks(), utt.sample_rate, progress, total)  # noqa: E731
        else:
            from ..audio.wavio import read_wav

            audio, sr = await asyncio.to_thread(read_wav, wav, False)
            self.emit(SpeakingStarted(turn_id=turn_id, seconds=round(len(audio) / sr, 2)))
            job = lambda: player.play(audio, sr, progress)  # noqa: E731
        c = self.control
        task = asyncio.ensure_future(asyncio.to_thread(job))
        interrupted = False
        try:
            while not task.done():
                # woken by the end of playback too: the microphone opens the moment the question is over, not at the
                # next 50 ms tick (bench/answer_onset.py)
                await c.wait_any(c.start, c.skip, c.quit, c.finish, timeout=0.05, until=task)
                if c.start.is_set() or c.skip.is_set() or c.quit.is_set() or c.finish.is_set() or c.paused:
                    interrupted = True
                    player.stop()
                    break
            completed = await task
        except MockintError as e:
            self.emit(Notice(text=f"Playback failed ({e.message}); the question is shown as text.", level="warning"))
            self.kit.player = None
            completed = False
        self.emit(SpeakingFinished(turn_id=turn_id, interrupted=interrupted or not completed))
        return not interrupted

    def close(self) -> None:
        self._tmp.cleanup()
