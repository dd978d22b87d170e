"""MockintApp: the Textual face. Screens do the showing; the engine (mockint.interview) does the interviewing."""

from __future__ import annotations

import time
from typing import Any, Callable

from textual.app import App
from textual.binding import Binding

from ..store.setup_state import SetupChoices
from .playback import AudioPlayer
from .screens.home import HomeScreen


class MockintApp(App):
    """Keyboard-first; Ctrl+P opens the command palette (themes included)."""

    CSS_PATH = "mockint.tcss"
    TITLE = "mockint"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True)]

    def __init__(self, ctx: Any, round_args: Any = None, kit_factory: Callable | None = None,
                 panel_client: Any = None, clock: Callable[[], float] = time.monotonic,
                 checks: Callable[[Any], list] | None = None,
                 player_factory: Callable[[], AudioPlayer] | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.round_args = round_args
        self.kit_factory = kit_factory
        self.panel_client = panel_client
        self.clock = clock
        self.checks = checks  # tests pin the status line; by default mockint.doctor.run_checks
        self.microphone: tuple[bool, str] | None = None  # (found, detail) from Home's checks, once they ran
        self.player_factory = player_factory  # replay's player; by default sounddevice on the output device

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())
        a = self.round_args
        if a is not None:
            only = [i.strip() for i in a.only.split(",") if i.strip()] if getattr(a, "only", None) else None
            self.start_round(resume=getattr(a, "resume", None), only=only)

    def start_round(self, choices: SetupChoices | None = None, resume: str | None = None,
                    only: list[str] | None = None) -> None:
        from ..interview.factory import build_interview, with_round
        from .screens.round import RoundScreen

        settings = self.ctx.settings
        if choices is not None:
            settings = with_round(settings, topics=choices.topics, questions=choices.questions,
                                  answer_seconds=choices.answer_seconds, round_minutes=choices.round_minutes,
                                  order=choices.order, answers=choices.answers, follow_ups=choices.follow_ups,
                                  voice=choices.voice)

        def build():  # runs in a worker thread: device queries and model loading must not block the UI
            return build_interview(self.ctx.bank, settings, self.ctx.store, resume=resume, only=only,
                                   kit_factory=self.kit_factory, panel_client=self.panel_client)

        self.push_screen(RoundScreen(build))

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
