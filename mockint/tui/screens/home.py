"""Home: start a round, continue an interrupted one, replay, progress; the set-up status line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from ..messages import ChecksDone, PracticeLoaded, SessionsListed
from ..widgets.status_line import StatusLine

if TYPE_CHECKING:
    from textual import getters

    from ..app import MockintApp

LOGO = "mockint — practise technical interviews out loud"


class HomeScreen(Screen):
    """The first screen."""

    if TYPE_CHECKING:  # the checker sees our app's attributes; at run time Textual's own `app` property serves
        app = getters.app(MockintApp)

    BINDINGS = [("n", "start", "New round"), ("d", "due", "Due round"), ("c", "continue_last", "Continue"),
                ("r", "replay", "Replay"), ("p", "progress", "Progress"), ("q", "app.quit", "Quit")]

    def __init__(self) -> None:
        super().__init__()
        self.interrupted: list = []
        self.due: list = []
        self.topic_lines = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Static(LOGO, id="logo")
            yield Static("", id="bank-line")
            yield Static("", id="practice")
            yield Static("", id="practice-topics")
            yield OptionList(id="menu")
            yield StatusLine("checking microphone, speech model, voice and interviewer…", id="status")
        yield Footer()

    def on_mount(self) -> None:
        bank = self.app.ctx.bank_or_none()
        self.query_one("#bank-line", Static).update(
            f"{len(bank.questions)} questions in {len(bank.topics)} topics · bank {self.app.ctx.bank_dir}" if bank
            else f"The question bank at {self.app.ctx.bank_dir} does not load: run `mockint bank validate`.")
        self._fill_menu()
        self.load_sessions()
        self.run_checks()

    def on_screen_resume(self) -> None:
        self.load_sessions()

    def _fill_menu(self) -> None:
        menu = self.query_one("#menu", OptionList)
        menu.clear_options()
        menu.add_option(Option("Start a round", id="start"))
        for s in self.interrupted[:3]:
            menu.add_option(Option(f"Continue {s.id}  ({s.answered}/{len(s.meta.question_ids)} answered)",
                                   id=f"continue:{s.id}"))
        menu.add_option(Option("Replay sessions", id="replay"))
        menu.add_option(Option("Progress by topic", id="progress"))
        menu.add_option(Option("Quit", id="quit"))
        menu.highlighted = 0
        menu.focus()

    @work(thread=True, exclusive=True, group="home-sessions")
    def load_sessions(self) -> None:
        from ...practice.overview import overview

        sessions = self.app.ctx.store.list()
        self.post_message(SessionsListed(sessions))
        o = overview(sessions, self.app.ctx.bank_or_none(), self.app.now())
        self.post_message(PracticeLoaded(o.due, o.upcoming, o.readiness))

    def on_practice_loaded(self, message: PracticeLoaded) -> None:
        from ...practice.schedule import when

        self.due = message.due
        now = self.app.now()
        if message.due:
            line = f"[b]Due today: {len(message.due)}[/b] ([b]d[/b] practises them)"
        elif message.upcoming:
            line = f"Due today: 0 (next {when(message.upcoming[0].due, now).split(' (')[0]})"
        else:
            line = "Due today: 0"
        ready = message.readiness
        practised = [r for r in ready if r.practised]
        if practised:
            counts = {v: sum(1 for r in ready if r.verdict == v) for v in ("ready", "almost", "not yet")}
            line += (f" · [green]{counts['ready']} ready[/] · [yellow]{counts['almost']} almost[/] · "
                     f"[red]{counts['not yet']} not yet[/] ([b]p[/b])")
        else:
            line += " · answer a round to see how ready you are"
        self.query_one("#practice", Static).update(line)
        # one line per topic when the terminal has room for it (at 80x24 the menu and the checks come first)
        marks = {"ready": "[green]✓[/]", "almost": "[yellow]~[/]", "not yet": "[red]✗[/]"}
        lines = [f"{marks[r.verdict]} {r.name}: {r.verdict} — {r.reason.replace(' on ' + r.name, '')}"
                 for r in practised[:4]]
        self.query_one("#practice-topics", Static).update("\n".join(lines))
        self.topic_lines = bool(lines)
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        topics = self.query_one("#practice-topics", Static)
        topics.display = self.size.height >= 32 and self.topic_lines

    @work(thread=True, exclusive=True, group="home-checks")
    def run_checks(self) -> None:
        from ...doctor import run_checks

        self.post_message(ChecksDone((self.app.checks or run_checks)(self.app.ctx.settings)))

    def on_sessions_listed(self, message: SessionsListed) -> None:
        self.interrupted = [s for s in message.rows if s.status == "interrupted" and s.remaining_question_ids()]
        self._fill_menu()

    def on_checks_done(self, message: ChecksDone) -> None:
        self.query_one(StatusLine).show(message.checks)
        mic = next((c for c in message.checks if c.name == "microphone"), None)
        if mic is not None:
            self.app.microphone = (mic.ok, mic.detail)  # Setup picks typed answers when there is none

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        oid = event.option.id or ""
        if oid.startswith("continue:"):
            self.app.start_round(resume=oid.split(":", 1)[1])
        elif oid == "quit":
            self.app.exit()
        else:
            getattr(self, f"action_{oid}")()

    def action_start(self) -> None:
        from .setup import SetupScreen

        self.app.push_screen(SetupScreen())

    def action_due(self) -> None:
        if not self.due:
            self.notify("Nothing is due for review today.")
            return
        n = self.app.ctx.settings.round.questions
        ids = [c.question_id for c in self.due][:n]
        more = len(self.due) - len(ids)
        self.app.start_round(only=ids, notes=[f"Due for review: {len(ids)} question{'s' if len(ids) != 1 else ''},"
                                              " weakest first" + (f" ({more} more due)." if more else ".")])

    def action_continue_last(self) -> None:
        if self.interrupted:
            self.app.start_round(resume=self.interrupted[0].id)
        else:
            self.notify("No interrupted session to continue.")

    def action_replay(self) -> None:
        from .replay import ReplayScreen

        self.app.push_screen(ReplayScreen())

    def action_progress(self) -> None:
        from .progress import ProgressScreen

        self.app.push_screen(ProgressScreen())
