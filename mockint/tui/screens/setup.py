"""Setup: topics, number of questions, timings, follow-ups, order, spoken or typed, voice; remembered between runs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Select, SelectionList

from ...config import state_file
from ...store.setup_state import SetupChoices, load_choices, save_choices


def default_choices(settings) -> SetupChoices:
    r = settings.round
    return SetupChoices(topics=r.topics, questions=r.questions, answer_seconds=r.answer_seconds,
                        round_minutes=r.round_minutes, follow_ups=settings.interviewer.max_follow_ups,
                        order=r.order, answers=r.answers, voice=settings.tts.voice)


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
        self.choices = load_choices(state_file(), default_choices(app.ctx.settings))
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
                yield Select(_voice_options(c.voice), value=c.voice or Select.NULL, prompt="Default (neural when installed)",
                             id="voice")
                yield Button("Start the round", variant="primary", id="start")
        yield Footer()

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
                voice=_voice_value(self.query_one("#voice", Select).value))
        except ValueError as e:
            self.notify(str(e), severity="error")
            return
        save_choices(state_file(), choices)
        self.app.start_round(choices=choices)
