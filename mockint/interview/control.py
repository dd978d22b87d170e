"""Commands from the faces and the round's clocks (which stop while paused)."""

from __future__ import annotations

import asyncio
import time


def now() -> float:
    """The running event loop's clock (time.monotonic for a real loop; virtual time in the engine harness)."""
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:
        return time.monotonic()


class Clock:
    """Elapsed seconds that do not count held time; held while any reason holds it (the candidate's pause,
    a repeat of the question being played)."""

    def __init__(self) -> None:
        self._start = now()
        self._held_at: float | None = None
        self._held_total = 0.0
        self._reasons: set[str] = set()

    def elapsed(self) -> float:
        t = self._held_at if self._held_at is not None else now()
        return t - self._start - self._held_total

    def restart(self) -> None:
        self._start, self._held_total = now(), 0.0
        if self._held_at is not None:
            self._held_at = self._start

    def hold(self, reason: str) -> None:
        if not self._reasons:
            self._held_at = now()
        self._reasons.add(reason)

    def release(self, reason: str) -> None:
        self._reasons.discard(reason)
        if not self._reasons and self._held_at is not None:
            self._held_total += now() - self._held_at
            self._held_at = None

    @property
    def held(self) -> bool:
        return bool(self._reasons)

    def pause(self) -> None:
        self.hold("pause")

    def resume(self) -> None:
        self.release("pause")


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

    async def wait_any(self, *events: asyncio.Event, timeout: float, until: "asyncio.Future | None" = None) -> None:
        """Return when any event is set, `until` is done, or after `timeout` seconds."""
        if any(e.is_set() for e in events) or (until is not None and until.done()):
            return
        waiters = [asyncio.ensure_future(e.wait()) for e in events]
        try:
            await asyncio.wait([*waiters, *([until] if until is not None else [])], timeout=timeout,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()
