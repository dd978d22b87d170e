"""MockintApp: the Textual face. Screens do the showing; the engine (mockint.interview) does the interviewing."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from textual.app import App
from textual.binding import Binding

from .playback import AudioPlayer
from .screens.home import HomeScreen


TERMINATE_GRACE = 0.5  # seconds the round gets to journal its end before the app exits on SIGTERM


class MockintApp(App):
    """Keyboard-first; Ctrl+P opens the command palette (themes included)."""

    CSS_PATH = "mockint.tcss"
    TITLE = "mockint"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]

    def __init__(self, ctx: Any, round_args: Any = None, kit_factory: Callable | None = None,
                 panel_client: Any = None, clock: Callable[[], float] = time.monotonic,
                 checks: Callable[[Any], list] | None = None,
                 player_factory: Callable[[], AudioPlayer] | None = None,
                 now: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.round_args = round_args
        self.kit_factory = kit_factory
        self.panel_client = panel_client
        self.clock = clock
        self.checks = checks  # tests pin the status line; by default mockint.doctor.run_checks
        self.microphone: tuple[bool, str] | None = None  # (found, detail) from Home's checks, once they ran
        self.player_factory = player_factory  # replay's player; by default sounddevice on the output device
        self.now = now or (lambda: datetime.now(timezone.utc))  # "today" for review dates (tests pin it)

    def on_mount(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(sig, self._terminate)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread (tests)
                pass
        self.push_screen(HomeScreen())
        a = self.round_args
        if a is not None:
            only = [i.strip() for i in a.only.split(",") if i.strip()] if getattr(a, "only", None) else None
            retry = getattr(a, "retry", None)
            self.start_round(resume=getattr(a, "resume", None), only=only, notes=getattr(a, "plan_notes", ()),
                             retries=1 if retry is True else 0, retry_in=retry if isinstance(retry, str) else None)

    def start_round(self, overrides: Mapping[str, Any] | None = None, resume: str | None = None,
                    only: list[str] | None = None, notes: Any = (), retries: int = 0,
                    retry_in: str | None = None) -> None:
        """Start a round from the settings, with `overrides` (Setup's choices, a drill) laid over them.

        `retry_in`: try the `only` questions again in that session, as their next attempt (summary, replay)."""
        from ..config import with_overrides
        from ..interview.factory import build_interview
        from .screens.round import RoundScreen

        explicit: set[str] = self.ctx.loaded.explicit("flag")

        def build():  # runs in a worker thread: device queries and model loading must not block the UI
            settings = with_overrides(self.ctx.settings, overrides) if overrides else self.ctx.settings
            return build_interview(self.ctx.bank, settings, self.ctx.store, resume=resume, only=only,
                                   kit_factory=self.kit_factory, panel_client=self.panel_client, explicit=explicit,
                                   notes=notes, retries=retries, retry_in=retry_in)

        self.push_screen(RoundScreen(build))

    def _terminate(self) -> None:
        """SIGTERM or a closed terminal: keep the round resumable, restore the terminal, and go, within a second."""
        from .screens.round import RoundScreen

        for screen in self.screen_stack:
            if isinstance(screen, RoundScreen):
                screen.interrupt()
        self.set_timer(TERMINATE_GRACE, lambda: self.exit(return_code=143))

    def _fatal_error(self) -> None:
        """A crash report without local variables and with short messages: Textual's default prints every local
        of every frame, which holds the candidate's answers, into the log (mockint.log)."""
        import sys

        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        exc_type, exc, tb = sys.exc_info()
        if exc_type is None or exc is None:
            return super()._fatal_error()
        trace = Traceback.extract(exc_type, exc, tb, show_locals=False)
        for stack in trace.stacks:
            stack.exc_value = stack.exc_value.splitlines()[0][:200] if stack.exc_value else ""
        self.bell()
        report = Traceback(trace, show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(report, self.console.options)))
        self._close_messages_no_wait()

    def go_home(self) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()

    def back_to(self, screen_type: type) -> None:
        """Pop screens down to the nearest `screen_type` (Home if there is none)."""
        if not any(isinstance(s, screen_type) for s in self.screen_stack):
            self.go_home()
            return
        while not isinstance(self.screen, screen_type):
            self.pop_screen()
