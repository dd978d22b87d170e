"""Setup: topics, number of questions, timings, follow-ups, order, spoken or typed, voice; remembered between runs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, SelectionList

from ...config import Settings, state_file, with_overrides
from ...errors import MockintError
from ...store.setup_state import load_choices, save_choices


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
    """Choose the round; Start remembers the choices."""

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
                yield Label("Topics (none ticked = all)")
                yield SelectionList[str](*[(f"{t.name} ({len(bank.by_topic(t.id))})", t.id, t.id in c.topics)
                                           for t in bank.topics.values()], id="topics")
            with VerticalScroll(id="setup-form"):
                yield Label("Questions")
                yield Input(str(c.questions), type="integer", id="questions")
                yield Label("Answer time, seconds (empty = each question's own)")
                yield Input("" if c.answer_seconds is None else str(c.answer_seconds), type="integer", id="answer")
                yield Label("Round time, minutes")
                yield Input(f"{c.round_minutes:g}", type="number", id="round")
                yield Label("Follow-ups per question")
                yield Input(str(c.follow_ups), type="integer", id="follow")
                yield Label("Order")
                yield Select([("Shuffled", "shuffled"), ("Weakest topics first", "weakest"),
                              ("Drill my lowest scores", "drill")], value=c.order, allow_blank=False, id="order")
                yield Label("Answers")
                yield Select([("Spoken (microphone)", "spoken"), ("Typed", "typed")], value=c.answers,
                             allow_blank=False, id="answers")
                yield Label("Interviewer voice")
                yield Select(_voice_options(c.voice), value=c.voice or Select.NULL,
                             prompt="Default (neural when installed)", id="voice")
                yield Button("Start the round", variant="primary", id="start")
        yield Footer()

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
