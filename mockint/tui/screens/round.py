"""The live round: question (highlighted as spoken), whose turn, clocks, level meter or answer box, thread so far."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from ...errors import MockintError
from ...interview.events import RoundFailed as RoundFailedEvent
from ..messages import EngineEvent, LevelChanged, PartialChanged, RoundFailed, RoundReady, SpeakingProgress
from ..widgets.meters import Countdown, LevelMeter
from ..widgets.question import QuestionView
from ..widgets.thread_view import ThreadView
from .confirm import ConfirmScreen

if TYPE_CHECKING:
    from ...interview.engine import Interview

TRANSIENT = {"level": LevelChanged, "partial": PartialChanged, "speaking_progress": SpeakingProgress}


class RoundScreen(Screen):
    """A face on the Interview: shows its events, sends its commands, holds no interview logic."""

    BINDINGS = [Binding("space", "space", "Answer / done"), Binding("r", "repeat", "Repeat"),
                Binding("s", "skip", "Skip"), Binding("p", "pause", "Pause"), Binding("q", "quit_round", "Quit"),
                Binding("escape", "leave_box", "Leave answer box", show=False),
                Binding("i", "answer_box", "Type answer", show=False)]

    AUTO_FOCUS = "#thread"

    def __init__(self, build: Callable[[], Interview]) -> None:
        super().__init__()
        self.build = build
        self.interview: Interview | None = None
        self.state = "preparing"  # preparing | speaking | listening | thinking | done
        self.mode = "spoken"
        self.total = 0

    def compose(self) -> ComposeResult:
        clock = self.app.clock
        yield Header()
        with Horizontal(id="round-bar"):
            yield Static("Preparing…", id="who")
            yield Countdown("answer", clock=clock, id="answer-clock")
            yield Countdown("round", warn_seconds=60, clock=clock, id="round-clock")
        yield QuestionView(id="question")
        yield LevelMeter(id="level")
        yield Input(placeholder="Type your answer and press Enter (Esc for the keys)", id="typed")
        yield Static("", id="partial")
        yield ThreadView(id="thread")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#typed").display = False
        self.prepare()

    @work(thread=True, exclusive=True, group="round-setup")
    def prepare(self) -> None:
        try:
            self.post_message(RoundReady(self.build()))
        except MockintError as e:
            self.post_message(RoundFailed(e.message + (f"\n{e.hint}" if e.hint else "")))
        except Exception as e:  # anything else still gets a readable message, not a crashed screen
            self.post_message(RoundFailed(f"{type(e).__name__}: {e}"))

    def on_round_failed(self, message: RoundFailed) -> None:
        self.state = "done"
        self.query_one("#who", Static).update("The round could not start")
        self.query_one(ThreadView).add("Notice", message.text)
        self.notify(message.text, severity="error", timeout=10)

    def on_round_ready(self, message: RoundReady) -> None:
        self.interview = message.interview
        self.mode = self.interview.mode
        self._show_mode()
        self.run_round()

    @work(exclusive=True, group="round")
    async def run_round(self) -> None:
        assert self.interview is not None
        runner = self.interview.start()
        async for ev in self.interview.events():
            wrap = TRANSIENT.get(ev.type)
            if wrap is LevelChanged:
                self.post_message(LevelChanged(ev.value))
            elif wrap is not None:
                self.post_message(wrap(ev.turn_id, ev.text if ev.type == "partial" else ev.fraction))
            else:
                self.post_message(EngineEvent(ev))
        await asyncio.wait({runner})

    def _show_mode(self) -> None:
        typed = self.mode == "typed"
        box = self.query_one("#typed", Input)
        box.display = typed
        self.query_one("#level").display = not typed
        if not typed and box.has_focus:
            self.query_one(ThreadView).focus()  # keys must reach the screen, not a hidden box

    def _who(self, text: str, state: str | None = None) -> None:
        if state:
            self.state = state
        self.query_one("#who", Static).update(text)

    # ---- engine events ----
    def on_level_changed(self, message: LevelChanged) -> None:
        self.query_one(LevelMeter).level = message.value

    def on_partial_changed(self, message: PartialChanged) -> None:
        self.query_one("#partial", Static).update(f"[dim]heard so far:[/] {message.text}")

    def on_speaking_progress(self, message: SpeakingProgress) -> None:
        self.query_one(QuestionView).spoken = message.fraction

    def on_engine_event(self, message: EngineEvent) -> None:
        ev = message.event
        handler = getattr(self, f"_on_{ev.type}", None)
        if handler is not None:
            handler(ev)

    def _on_round_started(self, ev) -> None:
        self.total = ev.total
        self.sub_title = f"session {ev.session_id} · interviewer: {ev.backend} · {ev.answers} answers"
        self.query_one("#round-clock", Countdown).start(self.interview.plan.round_seconds)

    def _on_question_asked(self, ev) -> None:
        q = self.query_one(QuestionView)
        q.text, q.kind, q.spoken = ev.text, ev.kind, 1.0
        text = f"(Q{ev.index}/{ev.total}) {ev.text}" if ev.kind == "main" else ev.text
        self.query_one(ThreadView).add("Interviewer" if ev.kind == "main" else "Follow-up", text,
                                       f"why: {ev.reason}" if ev.reason else None)
        self.query_one("#partial", Static).update("")
        self.query_one("#answer-clock", Countdown).stop()
        self._who("Interviewer is asking…", "speaking")

    def _on_speaking_started(self, ev) -> None:
        self.query_one(QuestionView).spoken = 0.0
        if self.state != "listening":
            self._who("Interviewer is speaking — [b]space[/] to answer now", "speaking")

    def _on_speaking_finished(self, ev) -> None:
        self.query_one(QuestionView).spoken = 1.0

    def _on_listening(self, ev) -> None:
        self.mode = ev.mode
        self._show_mode()
        self.query_one("#answer-clock", Countdown).start(ev.budget)
        if ev.mode == "typed":
            self._who("Your turn — type, Enter sends · Esc for keys", "listening")
            self.query_one("#typed", Input).focus()
        else:
            self._who("Your turn — speak, then press [b]space[/] when done", "listening")

    def _on_time_warning(self, ev) -> None:
        if ev.seconds_left <= 0 and self.mode == "typed" and self.state == "listening":
            self._send("submit", self.query_one("#typed", Input).value)  # time is up: hand in what is typed
            return
        self.notify(f"{ev.seconds_left:.0f} s left for this {ev.scope}", severity="warning")

    def _on_answer_finished(self, ev) -> None:
        self.query_one("#answer-clock", Countdown).stop()
        self.query_one(LevelMeter).level = 0.0
        m = ev.metrics
        note = (f"{m.duration:.0f} s · {m.wpm:.0f} wpm · {m.filler_count} fillers" if m.wpm else
                f"{m.word_count} words") + ("" if ev.ended_by == "candidate" else f" · ended by {ev.ended_by}")
        self.query_one(ThreadView).add("You", ev.text, note)
        self.query_one("#partial", Static).update("")
        self.query_one("#typed", Input).value = ""
        self._who("…", "thinking")

    def _on_thinking(self, ev) -> None:
        self._who("Interviewer is thinking…", "thinking")

    def _on_scored(self, ev) -> None:
        s = ev.score
        self.query_one(ThreadView).add("Score", f"{ev.question_id}: overall {s.overall}/10",
                                       s.improvements[0] if s.improvements else None)

    def _on_score_pending(self, ev) -> None:
        self.query_one(ThreadView).add("Score", f"{ev.question_id}: pending", ev.reason)

    def _on_skipped(self, ev) -> None:
        self.query_one(ThreadView).add("Notice", f"skipped {ev.question_id}")

    def _on_paused(self, ev) -> None:
        for c in self.query(Countdown):
            c.pause(ev.paused)
        self._who("Paused — press [b]p[/] to go on" if ev.paused else "Resumed")

    def _on_notice(self, ev) -> None:
        self.notify(ev.text, severity="error" if ev.level == "error" else "warning", timeout=8)
        self.query_one(ThreadView).add("Notice", ev.text)

    def _on_round_failed(self, ev: RoundFailedEvent) -> None:
        """The engine stopped on an error (disk full, the sessions folder unusable...): say so, on screen."""
        self.state = "done"
        self.query_one("#answer-clock", Countdown).stop()
        self.query_one("#round-clock", Countdown).stop()
        self.query_one("#who", Static).update("The round stopped — press [b]q[/] to go back")
        self.query_one(ThreadView).add("Notice", ev.line())
        self.notify(ev.line(), severity="error", timeout=15)

    def interrupt(self) -> None:
        """SIGTERM/SIGHUP: stop now, keeping the session resumable (the app exits right after)."""
        if self.interview is not None and self.state != "done":
            self.interview.command("interrupt")

    def _on_round_finished(self, ev) -> None:
        self.state = "done"
        from .summary import SummaryScreen

        self.app.switch_screen(SummaryScreen(ev.session_id))

    # ---- commands ----
    def _send(self, name: str, text: str | None = None) -> None:
        if self.interview is not None and self.state != "done":
            self.interview.command(name, text)

    def action_space(self) -> None:
        if self.state == "speaking":
            self._send("start_answer")
        elif self.state == "listening" and self.mode == "spoken":
            self._send("finish_answer")
            self._who("Transcribing…", "thinking")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.state == "listening":
            self._send("submit", event.value)

    def action_repeat(self) -> None:
        self._send("repeat_question")

    def action_skip(self) -> None:
        self._send("skip")

    def action_pause(self) -> None:
        self._send("toggle_pause")

    def action_leave_box(self) -> None:
        self.query_one(ThreadView).focus()

    def action_answer_box(self) -> None:
        if self.mode == "typed":
            self.query_one("#typed", Input).focus()

    def action_quit_round(self) -> None:
        if self.state == "done" or self.interview is None:
            self.app.pop_screen()
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self._send("quit")
                self._who("Saving…", "thinking")

        self.app.push_screen(ConfirmScreen("Quit this round? Everything answered so far is kept, and you can "
                                           "continue it later from Home."), answer)
