"""The live round: question (highlighted as spoken), whose turn, clocks, level meter or answer box, thread so far."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ...errors import MockintError
from ...interview.events import Command, Level, PartialTranscript
from ...interview.events import RoundFailed as RoundFailedEvent
from ...interview.events import SpeakingProgress as SpeakingProgressEvent
from ..messages import EngineEvent, LevelChanged, PartialChanged, RoundFailed, RoundReady, SpeakingProgress
from ...score_lines import wrong_claim_text
from ..widgets.answer_box import AnswerBox
from ..widgets.meters import Countdown, LevelMeter
from ..widgets.question import QuestionView
from ..widgets.thread_view import ThreadView
from .confirm import ConfirmScreen

if TYPE_CHECKING:
    from textual import getters

    from ..app import MockintApp
    from ...interview.engine import Interview

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def short(text: str, limit: int = 80) -> str:
    """The first clause of a notice, for a toast (the whole text goes into the conversation)."""
    first = text.split(". ", 1)[0].split("; ", 1)[0].rstrip(".")
    return first if len(first) <= limit else first[: limit - 1] + "…"


EMPTY_CONFIRM_SECONDS = 5.0  # a second space within this long ends an answer in which nothing was heard
VOICE_LEVEL = 0.4  # on the meter (-60..0 dBFS as 0..1): -36 dBFS, above room noise, below a voice at a laptop mic


class RoundScreen(Screen):
    """A face on the Interview: shows its events, sends its commands, holds no interview logic."""

    if TYPE_CHECKING:  # the checker sees our app's attributes; at run time Textual's own `app` property serves
        app = getters.app(MockintApp)

    BINDINGS = [Binding("space", "space", "Answer / done"), Binding("r", "repeat", "Repeat"),
                Binding("s", "skip", "Skip"), Binding("p", "pause", "Pause"), Binding("g", "retry", "Retry"),
                Binding("q", "quit_round", "Quit"), Binding("escape", "leave_box", "Keys"),
                Binding("i", "answer_box", "Type")]

    AUTO_FOCUS = "#thread"

    def __init__(self, build: Callable[[], Interview]) -> None:
        super().__init__()
        self.build = build
        self.interview: Interview | None = None
        self.state = "preparing"  # preparing | speaking | listening | transcribing | thinking | done
        self.mode = "spoken"
        self.total = 0
        self.prompts: dict[str, tuple[int, str]] = {}  # question id -> (index, text), for score lines
        self._wait_started: float | None = None
        self._heard = False  # a word of this answer has been transcribed
        self._empty_press: float | None = None  # when space was pressed on an answer with nothing heard yet
        self._repeating = False
        self.last_scored: str | None = None  # the question "try again" asks again

    def compose(self) -> ComposeResult:
        clock = self.app.clock
        yield Header()
        with Horizontal(id="round-bar"):
            yield Static("Preparing…", id="who")
            yield Countdown("answer", clock=clock, id="answer-clock")
            yield Countdown("round", warn_seconds=60, clock=clock, id="round-clock")
        yield QuestionView(id="question")
        yield LevelMeter(id="level")
        yield AnswerBox(id="typed")
        with VerticalScroll(id="partial-box"):
            yield Static("", id="partial")
        yield ThreadView(id="thread")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#typed").display = False
        self.query_one("#partial-box").display = False
        self.query_one("#partial-box").can_focus = False  # it follows the speaker by itself: no Tab stop
        self.set_interval(0.1, self._tick)
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
        self.query_one("#who", Static).update("The round could not start — [b]q[/] goes back")
        self.query_one(QuestionView).text = "The round could not start."
        self.query_one(ThreadView).add("Notice", message.text)
        self.notify(short(message.text), severity="error", timeout=10)

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
            # the high-rate events travel as replaceable messages (see tui/messages.py)
            if isinstance(ev, Level):
                self.post_message(LevelChanged(ev.value))
            elif isinstance(ev, PartialTranscript):
                self.post_message(PartialChanged(ev.turn_id, ev.text))
            elif isinstance(ev, SpeakingProgressEvent):
                self.post_message(SpeakingProgress(ev.turn_id, ev.fraction))
            else:
                self.post_message(EngineEvent(ev))
        await asyncio.wait({runner})

    def _show_mode(self) -> None:
        self.refresh_bindings()
        typed = self.mode == "typed"
        box = self.query_one("#typed", AnswerBox)
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
        # a voice on the meter counts as heard: words reach the screen only after a pause (or 12 s of speech)
        self._heard = self._heard or (self.state == "listening" and message.value >= VOICE_LEVEL)
        self.query_one(LevelMeter).level = message.value

    def on_partial_changed(self, message: PartialChanged) -> None:
        self._heard = self._heard or bool(message.text.strip())
        self._show_partial(message.text)

    def _show_partial(self, text: str) -> None:
        box = self.query_one("#partial-box", VerticalScroll)
        box.display = bool(text)
        self.query_one("#partial", Static).update(f"[dim]heard so far:[/] {text}" if text else "")
        box.call_after_refresh(box.scroll_end, animate=False)  # the newest words are always in view

    def _tick(self) -> None:
        if self.state == "transcribing" and self._wait_started is not None:
            waited = self.app.clock() - self._wait_started
            spin = SPINNER[int(waited * 10) % len(SPINNER)]
            self._who(f"{spin} Transcribing the end of your answer… {waited:.0f} s")

    def on_speaking_progress(self, message: SpeakingProgress) -> None:
        self.query_one(QuestionView).spoken = message.fraction

    def on_engine_event(self, message: EngineEvent) -> None:
        ev = message.event
        handler = getattr(self, f"_on_{ev.type}", None)
        if handler is not None:
            handler(ev)

    def _on_round_started(self, ev) -> None:
        self.total = ev.total
        self.sub_title = f"{ev.backend} interviewer · {ev.answers} answers"
        assert self.interview is not None  # its own events got us here
        self.query_one("#round-clock", Countdown).start(self.interview.plan.round_seconds)

    def _on_question_asked(self, ev) -> None:
        q = self.query_one(QuestionView)
        q.text, q.kind, q.spoken = ev.text, ev.kind, 1.0
        again = f" · attempt {ev.attempt}" if ev.attempt > 1 else ""
        q.label = f"Q{ev.index}/{ev.total}{again}" if ev.kind == "main" else "Follow-up"
        if ev.kind == "main":
            self.prompts[ev.question_id] = (ev.index, ev.text)
        text = f"(Q{ev.index}/{ev.total}{again}) {ev.text}" if ev.kind == "main" else ev.text
        self.query_one(ThreadView).add("Interviewer" if ev.kind == "main" else "Follow-up", text,
                                       f"why: {ev.reason}" if ev.reason else None)
        self._show_partial("")
        self.query_one("#answer-clock", Countdown).stop()
        self._who("Interviewer is asking…", "speaking")

    def _on_speaking_started(self, ev) -> None:
        self.query_one(QuestionView).spoken = 0.0
        if self.state == "listening":  # `r` while answering: the answer clock waits for the question
            self._repeating = True
            self.query_one("#answer-clock", Countdown).pause(True)
            self._who("Repeating the question — your answer clock is paused")
        else:
            self._who("Interviewer is speaking — [b]space[/] to answer now", "speaking")

    def _on_speaking_finished(self, ev) -> None:
        self.query_one(QuestionView).spoken = 1.0
        if self._repeating:
            self._repeating = False
            self.query_one("#answer-clock", Countdown).pause(False)
            if self.state == "listening":
                self._listening_hint()

    def _on_listening(self, ev) -> None:
        self.mode = ev.mode
        self._show_mode()
        self.query_one("#answer-clock", Countdown).start(ev.budget)
        self.state = "listening"
        self._heard, self._empty_press = False, None
        self._listening_hint()
        if ev.mode == "typed":
            self.query_one("#typed", AnswerBox).focus()

    def _listening_hint(self) -> None:
        if self.mode == "typed":
            self._who("Your turn — type your answer, Enter sends")
        else:
            self._who("Your turn — speak, then press [b]space[/] when done")

    def _on_time_warning(self, ev) -> None:
        if ev.seconds_left <= 0 and self.mode == "typed" and self.state == "listening":
            self._hand_in(self.query_one("#typed", AnswerBox).value)  # time is up: hand in what is typed
            return
        self.notify(f"{ev.seconds_left:.0f} s left for this {ev.scope}", severity="warning", timeout=4)

    def _on_answer_finished(self, ev) -> None:
        self._wait_started = None
        self.query_one("#answer-clock", Countdown).stop()
        self.query_one(LevelMeter).level = 0.0
        m = ev.metrics
        note = m.headline() + ("" if ev.ended_by == "candidate" else f" · ended by {ev.ended_by}")
        self.query_one(ThreadView).add("You", ev.text, note)
        self._show_partial("")
        self.query_one("#typed", AnswerBox).value = ""
        self._who("…", "thinking")

    def _on_thinking(self, ev) -> None:
        self._who("Interviewer is thinking…", "thinking")

    def _question_label(self, question_id: str) -> str:
        index, text = self.prompts.get(question_id, (0, question_id))
        label = f"Q{index} " if index else ""
        return label + (text if len(text) <= 48 else text[:47] + "…")

    def _on_scored(self, ev) -> None:
        s = ev.score
        note = (wrong_claim_text(s.wrong_claims[0]) if s.wrong_claims
                else s.improvements[0] if s.improvements else None)
        again = f" (attempt {ev.attempt})" if ev.attempt > 1 else ""
        self.query_one(ThreadView).add("Score", f"{s.overall}/10{again} · {self._question_label(ev.question_id)}",
                                       note)
        self.last_scored = ev.question_id
        self.refresh_bindings()

    def _on_score_pending(self, ev) -> None:
        self.query_one(ThreadView).add("Score", f"pending · {self._question_label(ev.question_id)}", ev.reason)

    def _on_skipped(self, ev) -> None:
        self.query_one(ThreadView).add("Notice", f"skipped {self._question_label(ev.question_id)}")

    def _on_paused(self, ev) -> None:
        for c in self.query(Countdown):
            c.pause(ev.paused)
        if ev.paused:
            self._who("Paused — press [b]p[/] to go on")
        elif self.state == "listening":
            self._listening_hint()
        elif self.state == "speaking":
            self._who("Interviewer is speaking — [b]space[/] to answer now")
        else:
            self._who("Resumed")

    def _on_notice(self, ev) -> None:
        # the whole notice goes into the conversation; the toast is one short line at the bottom right,
        # away from the question at the top
        self.query_one(ThreadView).add("Notice", ev.text)
        severity: SeverityLevel = "error" if ev.level == "error" else "information" if ev.level == "info" else "warning"
        self.notify(short(ev.text), severity=severity, timeout=6)

    def _on_round_failed(self, ev: RoundFailedEvent) -> None:
        """The engine stopped on an error (disk full, the sessions folder unusable...): say so, on screen."""
        self.state = "done"
        self.query_one("#answer-clock", Countdown).stop()
        self.query_one("#round-clock", Countdown).stop()
        self.query_one("#who", Static).update("The round stopped — press [b]q[/] to go back")
        self.query_one(ThreadView).add("Notice", ev.line())
        self.notify(short(ev.line()), severity="error", timeout=15)

    def interrupt(self) -> None:
        """SIGTERM/SIGHUP: stop now, keeping the session resumable (the app exits right after)."""
        if self.interview is not None and self.state != "done":
            self.interview.command("interrupt")

    def _on_round_finished(self, ev) -> None:
        self.state = "done"
        from .summary import SummaryScreen

        self.app.switch_screen(SummaryScreen(ev.session_id))

    # ---- commands ----
    def _send(self, name: Command, text: str | None = None) -> None:
        if self.interview is not None and self.state != "done":
            self.interview.command(name, text)

    def action_space(self) -> None:
        if self.state == "speaking":
            self._send("start_answer")
        elif self.state == "listening" and self.mode == "spoken":
            now = self.app.clock()
            if not self._heard and (self._empty_press is None or now - self._empty_press > EMPTY_CONFIRM_SECONDS):
                # space pressed once too often (to skip the question being read, then again) ended the answer
                # before a word was said, and the next question was then asked over the candidate's answer:
                # with nothing heard, ending takes a second press
                self._empty_press = now
                self._who("Nothing heard yet — keep talking, or press [b]space[/] again to end this answer "
                          "without one")
                return
            self._send("finish_answer")
            self.query_one("#answer-clock", Countdown).pause(True)  # the answer is over: its clock stops
            self.state = "transcribing"
            self._wait_started = self.app.clock()
            self._tick()

    def on_answer_box_submitted(self, event: AnswerBox.Submitted) -> None:
        if self.state == "listening":
            self._hand_in(event.value)

    def _hand_in(self, text: str) -> None:
        self.query_one("#answer-clock", Countdown).pause(True)
        self._who("Sending your answer…", "thinking")
        self._send("submit", text)

    def action_repeat(self) -> None:
        self._send("repeat_question")

    def action_retry(self) -> None:
        """Try the last scored question again: it comes back as its next attempt once the current one is done."""
        if self.last_scored is not None:
            self._send("retry", self.last_scored)

    def action_skip(self) -> None:
        self._send("skip")

    def action_pause(self) -> None:
        self._send("toggle_pause")

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        """Show (and allow) only the keys that do something now: the footer is the help."""
        try:
            typing = self.mode == "typed" and self.query_one("#typed").has_focus
        except Exception:  # not composed yet
            typing = False
        if action == "leave_box":
            return typing
        if action == "answer_box":
            return self.mode == "typed" and not typing
        if action == "space":
            return self.mode == "spoken" or self.state == "speaking"
        if action == "retry":
            return self.last_scored is not None and self.state != "done"
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def on_descendant_blur(self) -> None:
        self.refresh_bindings()

    def action_leave_box(self) -> None:
        self.query_one(ThreadView).focus()

    def action_answer_box(self) -> None:
        if self.mode == "typed":
            self.query_one("#typed", AnswerBox).focus()

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
