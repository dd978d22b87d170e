"""Commands from the faces and the round's clocks (which stop while paused)."""

from __future__ import annotations

import asyncio
import time


class Clock:
    """Elapsed seconds that do not count paused time."""

    def __init__(self) -> None:
        self._start = time.monotonic()
        self._paused_at: float | None = None
        self._paused_total = 0.0

    def elapsed(self) -> float:
        now = self._paused_at if self._paused_at is not None else time.monotonic()
        return now - self._start - self._paused_total

    def pause(self) -> None:
        if self._paused_at is None:
            self._paused_at = time.monotonic()

    def resume(self) -> None:
        if self._paused_at is not None:
            self._paused_total += time.monotonic() - self._paused_at
            self._paused_at = None


class Control:
    """What the candidate asked for; set from the face (any thread, via `Interview.command`)."""

    def __init__(self) -> None:
        self.finish = asyncio.Event()     # finish the current answer
        self.start = asyncio.Event()      # start answering now (interrupts the question)
        self.skip = asyncio.Event()       # move on to the next main question
        self.quit = asyncio.Event()       # stop the round, keeping everything
        self.repeat = asyncio.Event()     # say the question again
        self.resumed = asyncio.Event()
        self.resumed.set()
        self.typed: asyncio.Queue[str] = asyncio.Queue()
        self.input_closed = False  # headless stdin reached EOF: later typed answers are empty
        self.round = Clock()
        self.answer = Clock()

    @property
    def paused(self) -> bool:
        return not self.resumed.is_set()

    def set_paused(self, paused: bool) -> None:
        if paused:
            self.resumed.clear()
            self.round.pause()
            self.answer.pause()
        else:
            self.round.resume()
            self.answer.resume()
            self.resumed.set()

    def new_turn(self) -> None:
        for e in (self.finish, self.start, self.repeat):
            e.clear()
        self.answer = Clock()
        if self.paused:
            self.answer.pause()

    @property
    def interrupted(self) -> bool:
        return self.skip.is_set() or self.quit.is_set()

    async def wait_any(self, *events: asyncio.Event, timeout: float) -> None:
        """Return when any event is set or after `timeout` seconds."""
        if any(e.is_set() for e in events):
            return
        waiters = [asyncio.ensure_future(e.wait()) for e in events]
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()
