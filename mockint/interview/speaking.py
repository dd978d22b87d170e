"""Saying things: synthesise to a WAV (kept for replay) and play it, stoppable by the candidate."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Callable

from ..errors import MockintError
from .control import Control
from .events import Notice, SpeakingFinished, SpeakingProgress, SpeakingStarted
from .voice import SpeechKit


class Mouth:
    """Speaks through the kit; a failure is a notice (the text is always shown), never a stop."""

    def __init__(self, kit: SpeechKit, control: Control, emit: Callable, emit_threadsafe: Callable):
        self.kit = kit
        self.control = control
        self.emit = emit
        self.emit_threadsafe = emit_threadsafe
        self._tts_failed = False
        self._tmp = tempfile.TemporaryDirectory(prefix="mockint-tts-")

    async def synthesize(self, text: str, path: Path | None = None) -> Path | None:
        if self.kit.speaker is None or self._tts_failed:
            return None
        target = path or Path(self._tmp.name) / f"part-{abs(hash(text))}.wav"
        try:
            return await asyncio.to_thread(self.kit.speaker.synthesize, text, target)
        except MockintError as e:
            self._tts_failed = True
            self.emit(Notice(text=f"Speech synthesis failed ({e.message}); questions are shown as text.",
                             level="warning"))
            return None

    async def play(self, turn_id: str, wav: Path | None) -> bool:
        """Play `wav`; returns False if the candidate interrupted it (start answering, skip, quit)."""
        if wav is None or self.kit.player is None:
            return True
        from ..audio.wavio import read_wav

        audio, sr = await asyncio.to_thread(read_wav, wav, False)
        self.emit(SpeakingStarted(turn_id=turn_id, seconds=round(len(audio) / sr, 2)))
        player = self.kit.player
        c = self.control
        task = asyncio.ensure_future(asyncio.to_thread(
            player.play, audio, sr, lambda f: self.emit_threadsafe(SpeakingProgress(turn_id=turn_id, fraction=round(f, 3)))))
        interrupted = False
        try:
            while not task.done():
                await c.wait_any(c.start, c.skip, c.quit, c.finish, timeout=0.05)
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
