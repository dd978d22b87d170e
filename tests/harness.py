"""An in-process engine harness on virtual time: whole rounds (pause, repeat, budgets, grace, round time) run in
milliseconds, with no subprocess and no sleep.

The engine reads time from its event loop (`mockint.interview.control.now`), so the injectable clock is the loop:
`VirtualTimeLoop` is an asyncio loop whose clock jumps straight to the next timer whenever nothing is ready. While
a worker thread is busy (a journal write through `asyncio.to_thread`), virtual time follows real time instead, so
a jump never overtakes real work. Fakes that stand for something slow (the speakers) wait in virtual time with
`sleep_in_thread`.
"""

from __future__ import annotations

import asyncio
import selectors
import threading
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from mockint.audio.wavio import write_wav
from mockint.config import Settings
from mockint.interview.engine import Interview
from mockint.interview.events import Event
from mockint.interview.plan import make_plan
from mockint.interview.voice import SpeechKit
from mockint.models import FollowUp, Score
from mockint.store.sessions import SessionStore

REAL_DEADLOCK_SECONDS = 20.0  # nothing scheduled, no thread busy, no I/O for this long: the test is stuck


class VirtualSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    def __init__(self) -> None:
        super().__init__()
        self.loop: VirtualTimeLoop | None = None

    def select(self, timeout: float | None = None):  # type: ignore[override]
        loop = self.loop
        assert loop is not None
        ready = super().select(0)
        if ready or (timeout is not None and timeout <= 0):
            return ready
        if loop.busy_threads > 0:
            t0 = time.monotonic()
            ready = super().select(0.002 if timeout is None else min(timeout, 0.002))
            loop.advance(time.monotonic() - t0)  # real work is going on: virtual time follows real time
            return ready
        if timeout is None:  # nothing scheduled: only I/O (a thread's call_soon_threadsafe) can wake us
            ready = super().select(REAL_DEADLOCK_SECONDS)
            if not ready:
                raise RuntimeError("virtual-time loop stuck: nothing scheduled and nothing running")
            return ready
        loop.advance(timeout)
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop whose `time()` is virtual and jumps to the next timer when the loop would otherwise wait."""

    def __init__(self) -> None:
        selector = VirtualSelector()
        super().__init__(selector)
        selector.loop = self
        self._virtual = 0.0
        self._busy = 0
        self._busy_lock = threading.Lock()

    def time(self) -> float:
        return self._virtual

    def advance(self, seconds: float) -> None:
        self._virtual += max(0.0, seconds)

    @property
    def busy_threads(self) -> int:
        with self._busy_lock:
            return self._busy

    def _busy_add(self, n: int) -> None:
        with self._busy_lock:
            self._busy += n

    def run_in_executor(self, executor, func, *args):  # type: ignore[override]
        self._busy_add(1)
        fut = super().run_in_executor(executor, func, *args)
        fut.add_done_callback(lambda _f: self._busy_add(-1))
        return fut

    def waiter(self) -> "VirtualWait":
        return VirtualWait(self)


class VirtualWait:
    """A worker thread waiting on virtual time (a fake that stands for something slow, like speakers).

    While it waits it does not count as busy, so the clock can jump; whoever wakes it (the timer, or `wake()` from
    the loop) counts it as busy again *before* it runs, so the clock cannot race ahead of it meanwhile."""

    def __init__(self, loop: VirtualTimeLoop):
        self.loop = loop
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._woken = False
        self.timed_out = False

    def wake(self, timed_out: bool = False) -> None:
        with self._lock:
            if self._woken:
                return
            self._woken, self.timed_out = True, timed_out
            self.loop._busy_add(1)
        self._event.set()

    def wait(self, seconds: float) -> bool:
        """From the worker thread: True if `seconds` of virtual time passed, False if woken earlier."""
        self.loop._busy_add(-1)
        self.loop.call_soon_threadsafe(self.loop.call_later, seconds, self.wake, True)
        self._event.wait()
        return self.timed_out


def run_virtual(coro_fn: Callable[[], Any], virtual_timeout: float = 7200.0) -> Any:
    """Run `coro_fn()` on a fresh VirtualTimeLoop; fails after `virtual_timeout` virtual seconds."""
    loop = VirtualTimeLoop()
    try:
        return loop.run_until_complete(asyncio.wait_for(coro_fn(), virtual_timeout))
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


class FakeSpeaker:
    """Synthesises silence, 0.06 s per character (at least 1 s): questions take a realistic time to say."""

    name = "fake-voice"

    def __init__(self) -> None:
        self.said: list[str] = []

    def synthesize(self, text: str, path: Path) -> Path:
        self.said.append(text)
        write_wav(path, np.zeros(int(8000 * max(1.0, 0.06 * len(text))), dtype=np.float32), 8000)
        return path


class FakePlayer:
    """The speakers: playing takes the sound's duration in virtual time; `stop()` interrupts it."""

    def __init__(self, loop: VirtualTimeLoop):
        self.loop = loop
        self._waiter: VirtualWait | None = None
        self.plays: list[tuple[float, float, bool]] = []  # (virtual start, seconds, completed)

    def play(self, audio, sample_rate=None, on_progress=None) -> bool:
        self._waiter = waiter = self.loop.waiter()
        seconds = len(audio) / sample_rate
        start = self.loop.time()
        completed = waiter.wait(seconds)
        self.plays.append((start, seconds, completed))
        return completed

    def play_stream(self, chunks, sample_rate, on_progress=None, total=None) -> bool:
        return self.play(np.concatenate(list(chunks)), sample_rate, on_progress)

    def stop(self) -> None:
        if self._waiter is not None:
            self._waiter.wake()


class FakePanel:
    """An interviewer whose follow-ups and scores are scripted: these tests are about time, not judgement."""

    name = "fake"

    def __init__(self, follow_ups: list[str] | None = None, score: int = 6):
        self.follow_ups = list(follow_ups or [])
        self.overall = score
        self.on_notice: Callable[[str], None] = lambda _t: None
        self.scored: list[str] = []

    async def follow_up(self, thread, on_sentence=None) -> FollowUp | None:
        if len(thread.follow_ups_asked) >= thread.max_follow_ups or not self.follow_ups:
            return None
        text = self.follow_ups.pop(0)
        if on_sentence is not None:
            on_sentence(text)
        return FollowUp(text=text, reason="scripted", probes=None, backend="fake")

    async def score(self, thread) -> Score:
        self.scored.append(thread.question.id)
        s = self.overall
        return Score(overall=s, technical=s, coverage=s, structure=s, communication=s, backend="fake")


class Harness:
    """One round on virtual time. Build it inside `run_virtual`; `events` records (virtual time, event)."""

    def __init__(self, bank, sessions: Path, qids: list[str], *, follow_ups: int = 0, voice: bool = True,
                 panel: Any = None, resume: Any = None, journal: Any = None, answers: list[str] | None = None,
                 **round_settings: Any):
        self.loop = asyncio.get_running_loop()
        assert isinstance(self.loop, VirtualTimeLoop), "build the harness inside run_virtual()"
        settings = Settings(sessions_dir=sessions, interviewer={"max_follow_ups": follow_ups},
                            round={"answers": "typed", **round_settings})
        self.store = SessionStore(sessions)
        plan = make_plan(bank, settings, question_ids=qids)
        self.speaker = FakeSpeaker() if voice else None
        self.player = FakePlayer(self.loop) if voice else None
        kit = SpeechKit(speaker=self.speaker, player=self.player)
        self.panel = panel or FakePanel()
        self.interview = Interview(bank, plan, settings, self.store, kit, self.panel, resume=resume,
                                   answers=answers, journal=journal)
        self.events: list[tuple[float, Event]] = []
        self._iter = None

    @property
    def now(self) -> float:
        return self.loop.time()

    def start(self) -> None:
        self.runner = self.interview.start()
        self._iter = self.interview.events().__aiter__()

    async def next(self) -> Event | None:
        if self._iter is None:
            self.start()
        try:
            ev = await self._iter.__anext__()
        except StopAsyncIteration:
            return None
        self.events.append((self.now, ev))
        return ev

    async def until(self, etype: str, **match: Any) -> Event:
        while True:
            ev = await self.next()
            if ev is None:
                raise AssertionError(f"the round ended before {etype}: {[e.type for _, e in self.events][-12:]}")
            if ev.type == etype and all(getattr(ev, k) == v for k, v in match.items()):
                return ev

    async def finish(self) -> Event:
        """Read to the end; the terminal event (RoundFinished or RoundFailed)."""
        last = None
        while (ev := await self.next()) is not None:
            last = ev
        await asyncio.wait({self.runner})
        assert last is not None and last.type in ("round_finished", "round_failed"), last
        return last

    def command(self, name: str, text: str | None = None) -> None:
        self.interview.command(name, text)  # type: ignore[arg-type]

    def at(self, etype: str) -> list[float]:
        return [t for t, e in self.events if e.type == etype]

    def of(self, etype: str) -> list[Event]:
        return [e for _, e in self.events if e.type == etype]
