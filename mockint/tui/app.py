"""MockintApp: the Textual face. Screens do the showing; the engine (mockint.interview) does the interviewing."""

from __future__ import annotations

import time
from typing import Any, Callable, Mapping

from textual.app import App
from textual.binding import Binding

from .screens.home import HomeScreen


class MockintApp(App):
    """Keyboard-first; Ctrl+P opens the command palette (themes included)."""

    CSS_PATH = "mockint.tcss"
    TITLE = "mockint"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]

    def __init__(self, ctx: Any, round_args: Any = None, kit_factory: Callable | None = None,
                 panel_client: Any = None, clock: Callable[[], float] = time.monotonic,
                 checks: Callable[[Any], list] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.round_args = round_args
        self.kit_factory = kit_factory
        self.panel_client = panel_client
        self.clock = clock
        self.checks = checks  # tests pin the status line; by default mockint.doctor.run_checks

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())
        a = self.round_args
        if a is not None:
            only = [i.strip() for i in a.only.split(",") if i.strip()] if getattr(a, "only", None) else None
            self.start_round(resume=getattr(a, "resume", None), only=only)

    def start_round(self, overrides: Mapping[str, Any] | None = None, resume: str | None = None,
                    only: list[str] | None = None) -> None:
        """Start a round from the settings, with `overrides` (Setup's choices, a drill) laid over them."""
        from ..config import with_overrides
        from ..interview.factory import build_interview
        from .screens.round import RoundScreen

        explicit: set[str] = self.ctx.loaded.explicit("flag")

        def build():  # runs in a worker thread: device queries and model loading must not block the UI
            settings = with_overrides(self.ctx.settings, overrides) if overrides else self.ctx.settings
            return build_interview(self.ctx.bank, settings, self.ctx.store, resume=resume, only=only,
                                   kit_factory=self.kit_factory, panel_client=self.panel_client, explicit=explicit)

        self.push_screen(RoundScreen(build))

    def go_home(self) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
