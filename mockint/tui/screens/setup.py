"""Setup: topics, number of questions, timings, follow-ups, order, spoken or typed, voice; remembered between runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, SelectionList, Static

from ...config import Settings, state_file, with_overrides
from ...errors import MockintError
from ...store.setup_state import load_choices, save_choices
from ..widgets.tick_list import TickList

if TYPE_CHECKING:
    from textual import getters

    from ..app import MockintApp


class _Shown:
    """The values the form starts from: the settings with the remembered choices laid over them."""

    def __init__(self, s: Settings):
        r = s.round
        self.topics, self.questions, self.answer_seconds = r.topics, r.questions, r.answer_seconds
        self.round_minutes, self.order, self.answers = r.round_minutes, r.order, r.answers
        self.follow_ups, self.voice = s.interviewer.max_follow_ups, s.tts.voice


def _voice_options(current: str | None) -> list[tuple[str, str]]:
    from ...speech.tts import piper_available

    neural = "Neural: piper joe" + ("" if piper_available() else " (not installed: make run adds it)")
    options = [(neural, "joe"), ("Built-in: espeak-ng", "gmw/en-us")]
    if current and current not in ("joe", "gmw/en-us"):
        options.append((f"{current} (from settings)", current))
    return options


def _voice_value(value) -> str | None:
    return value if isinstance(value, str) and value else None


class SetupScreen(Screen):
    """Choose the round; Start remembers the choices. Laid out to fit 80×24 without scrolling."""

    if TYPE_CHECKING:  # the checker sees our app's attributes; at run time Textual's own `app` property serves
        app = getters.app(MockintApp)

    BINDINGS = [("escape", "app.pop_screen", "Back"), ("ctrl+s", "start", "Start")]

    def compose(self) -> ComposeResult:
        app = self.app
        settings = app.ctx.settings
        self.choices = _Shown(with_overrides(settings, load_choices(state_file(), settings)))
        bank = app.ctx.bank
        c = self.choices
        yield Header()
        with Horizontal(id="setup"):
            with Vertical(id="setup-topics"):
                yield Label("Topics [dim](none ticked = all)[/]", classes="setup-title")
                yield TickList(*[(f"{t.name} ({len(bank.by_topic(t.id))})", t.id, t.id in c.topics)
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
                    yield Select(_voice_options(c.voice), value=c.voice or Select.NULL, prompt="Default (neural)",
                                 id="voice", compact=True)
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
        note.update("[yellow]no mic: typed[/]")
        note.tooltip = why
        note.display = True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()

    def _number(self, wid: str, label: str, blank_ok: bool = False) -> float | None:
        raw = self.query_one(f"#{wid}", Input).value.strip()
        if not raw and blank_ok:
            return None
        try:
            return float(raw)
        except ValueError:
            raise MockintError(f"{label}: enter a number") from None

    def overrides(self) -> dict:
        """The form as overrides on the settings (validated by `with_overrides`, which names a bad field)."""
        answer = self._number("answer", "answer time", blank_ok=True)
        return {"round": {"topics": list(self.query_one("#topics", SelectionList).selected),
                          "questions": self._number("questions", "questions"),
                          "answer_seconds": None if answer is None else round(answer),
                          "round_minutes": self._number("round", "round time"),
                          "order": self.query_one("#order", Select).value,
                          "answers": self.query_one("#answers", Select).value},
                "interviewer": {"max_follow_ups": self._number("follow", "follow-ups")},
                "tts": {"voice": _voice_value(self.query_one("#voice", Select).value)}}

    def action_start(self) -> None:
        try:
            overrides = self.overrides()
            with_overrides(self.app.ctx.settings, overrides)  # the same checks as the config file and flags
        except MockintError as e:
            self.notify(e.message.replace("invalid settings:\n  ", ""), severity="error")
            return
        try:
            save_choices(state_file(), overrides)
        except OSError as e:  # not remembering the choices must not stop the round
            self.notify(f"Could not remember these choices: {e.strerror or e}", severity="warning")
        self.app.start_round(overrides=overrides)
