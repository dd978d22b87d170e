"""Setup: topics, number of questions, timings, follow-ups, order, spoken or typed, voice; remembered between runs."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, SelectionList, Static

from ...config import state_file
from ...store.setup_state import SetupChoices, load_choices, save_choices


def default_choices(settings) -> SetupChoices:
    r = settings.round
    return SetupChoices(topics=r.topics, questions=r.questions, answer_seconds=r.answer_seconds,
                        round_minutes=r.round_minutes, follow_ups=settings.interviewer.max_follow_ups,
                        order=r.order, answers=r.answers, voice=settings.tts.voice)


class SetupScreen(Screen):
    """Choose the round; Start remembers the choices. Laid out to fit 80×24 without scrolling."""

    BINDINGS = [("escape", "app.pop_screen", "Back"), ("ctrl+s", "start", "Start")]

    def compose(self) -> ComposeResult:
        app = self.app
        self.choices = load_choices(state_file(), default_choices(app.ctx.settings))
        bank = app.ctx.bank
        c = self.choices
        yield Header()
        with Horizontal(id="setup"):
            with Vertical(id="setup-topics"):
                yield Label("Topics [dim](none ticked = all)[/]", classes="setup-title")
                yield SelectionList[str](*[(f"{t.name} ({len(bank.by_topic(t.id))})", t.id, t.id in c.topics)
                                           for t in bank.topics.values()], id="topics")
            with VerticalScroll(id="setup-form", can_focus=False):
                yield Label("Round", classes="setup-title")
                with Horizontal(classes="row"):
                    yield Label("Questions")
                    yield Input(str(c.questions), type="integer", id="questions", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Answer secs")
                    yield Input("" if c.answer_seconds is None else str(c.answer_seconds), type="integer",
                                id="answer", placeholder="per question", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Round mins")
                    yield Input(f"{c.round_minutes:g}", type="number", id="round", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Follow-ups")
                    yield Input(str(c.follow_ups), type="integer", id="follow", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Order")
                    yield Select([("Shuffled", "shuffled"), ("Weakest topics first", "weakest"),
                                  ("My lowest scores", "drill")], value=c.order, allow_blank=False, id="order",
                                 compact=True)
                with Horizontal(classes="row"):
                    yield Label("Answers")
                    yield Select([("Spoken (microphone)", "spoken"), ("Typed", "typed")], value=c.answers,
                                 allow_blank=False, id="answers", compact=True)
                yield Static("", id="answers-note")
                with Horizontal(classes="row", id="voice-row"):
                    yield Label("Voice")
                    yield Input(c.voice or "", id="voice", placeholder="default", compact=True)
                yield Button("Start the round", variant="primary", id="start", compact=True)
                yield Static("[dim]Ctrl+S starts · Esc goes back[/]", id="setup-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "new round"
        self.query_one("#answers-note").display = False
        mic = getattr(self.app, "microphone", None)
        if mic is None:
            self.check_microphone()
        else:
            self._microphone(mic)

    @work(thread=True, exclusive=True, group="setup-mic")
    def check_microphone(self) -> None:
        from ...audio.devices import resolve
        from ...errors import MockintError

        try:
            resolve(self.app.ctx.settings.audio.input_device, "input")
            found: tuple[bool, str] = (True, "")
        except MockintError as e:
            found = (False, e.message)
        self.app.call_from_thread(self._microphone, found)

    def _microphone(self, found: tuple[bool, str]) -> None:
        """Without a microphone a spoken round cannot work: typed answers are chosen, and the note says why."""
        ok, why = found
        if ok:
            return
        self.query_one("#answers", Select).value = "typed"
        note = self.query_one("#answers-note", Static)
        note.update("[yellow]no microphone: typed[/]")
        note.tooltip = why
        note.display = True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()

    def _int(self, wid: str, lo: int, hi: int, blank_ok: bool = False) -> int | None:
        raw = self.query_one(f"#{wid}", Input).value.strip()
        if not raw and blank_ok:
            return None
        try:
            value = int(float(raw))
        except ValueError:
            raise ValueError(f"{wid}: enter a number") from None
        if not lo <= value <= hi:
            raise ValueError(f"{wid}: between {lo} and {hi}")
        return value

    def action_start(self) -> None:
        try:
            round_minutes = float(self.query_one("#round", Input).value or "30")
            if not 1 <= round_minutes <= 240:
                raise ValueError("round time: between 1 and 240 minutes")
            choices = SetupChoices(
                topics=list(self.query_one("#topics", SelectionList).selected),
                questions=self._int("questions", 1, 50), answer_seconds=self._int("answer", 30, 600, blank_ok=True),
                round_minutes=round_minutes, follow_ups=self._int("follow", 0, 4),
                order=self.query_one("#order", Select).value, answers=self.query_one("#answers", Select).value,
                voice=self.query_one("#voice", Input).value.strip() or None)
        except ValueError as e:
            self.notify(str(e), severity="error")
            return
        save_choices(state_file(), choices)
        self.app.start_round(choices=choices)
