"""Events the engine publishes to its faces (TUI, headless, tests); pydantic so they print as JSON lines."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, AsyncIterator, Literal, Protocol, Union

from pydantic import BaseModel

from ..models import Score, SpeechMetrics, Summary

NoticeLevel = Literal["info", "warning", "error"]
QuestionKind = Literal["main", "follow_up"]
FinishReason = Literal["completed", "time_up", "quit", "input_closed"]


class _Event(BaseModel):
    if TYPE_CHECKING:  # each event declares its own Literal tag (a pydantic field here would join every schema)
        type: str

    def line(self) -> str:
        """One human-readable line for headless output."""
        return self.type


class RoundStarted(_Event):
    type: Literal["round_started"] = "round_started"
    session_id: str
    total: int
    backend: str
    answers: str
    resumed: bool = False

    def line(self) -> str:
        return (f"session {self.session_id}: {self.total} question(s), interviewer {self.backend}, "
                f"{self.answers} answers" + (" (resumed)" if self.resumed else ""))


class QuestionAsked(_Event):
    type: Literal["question_asked"] = "question_asked"
    index: int
    total: int
    question_id: str
    topic: str
    turn_id: str
    kind: QuestionKind
    text: str
    reason: str | None = None
    attempt: int = 1

    def line(self) -> str:
        who = f"Q{self.index}/{self.total}" if self.kind == "main" else "follow-up"
        if self.kind == "main" and self.attempt > 1:
            who += f" (attempt {self.attempt})"
        return f"{who} [{self.topic}] {self.text}" + (f"\n    (why: {self.reason})" if self.reason else "")


class SpeakingStarted(_Event):
    type: Literal["speaking_started"] = "speaking_started"
    turn_id: str
    seconds: float


class SpeakingProgress(_Event):
    type: Literal["speaking_progress"] = "speaking_progress"
    turn_id: str
    fraction: float


class SpeakingFinished(_Event):
    type: Literal["speaking_finished"] = "speaking_finished"
    turn_id: str
    interrupted: bool = False


class Listening(_Event):
    type: Literal["listening"] = "listening"
    turn_id: str
    budget: float
    mode: Literal["spoken", "typed"]

    def line(self) -> str:
        how = "speak, then press Enter" if self.mode == "spoken" else "type your answer"
        return f"  listening ({how}; {self.budget:.0f} s)"


class Level(_Event):
    type: Literal["level"] = "level"
    value: float


class PartialTranscript(_Event):
    type: Literal["partial"] = "partial"
    turn_id: str
    text: str


class TimeWarning(_Event):
    type: Literal["time_warning"] = "time_warning"
    scope: Literal["answer", "round"]
    seconds_left: float

    def line(self) -> str:
        return f"  ! {self.seconds_left:.0f} s left for this {self.scope}"


class AnswerFinished(_Event):
    type: Literal["answer_finished"] = "answer_finished"
    turn_id: str
    text: str
    metrics: SpeechMetrics
    ended_by: str

    def line(self) -> str:
        m = self.metrics
        stats = m.headline(", ")
        return f"  answer ({stats}; ended by {self.ended_by}): {self.text or '(empty)'}"


class Thinking(_Event):
    type: Literal["thinking"] = "thinking"
    turn_id: str

    def line(self) -> str:
        return "  interviewer is thinking..."


class Scored(_Event):
    type: Literal["scored"] = "scored"
    question_id: str
    score: Score
    attempt: int = 1

    def line(self) -> str:
        s = self.score
        again = f" (attempt {self.attempt})" if self.attempt > 1 else ""
        return (f"  scored {self.question_id}{again}: overall {s.overall}/10 (technical {s.technical}, coverage "
                f"{s.coverage}, structure {s.structure}, communication {s.communication})"
                + (f" flags: {', '.join(s.flags)}" if s.flags else ""))


class ScorePending(_Event):
    type: Literal["score_pending"] = "score_pending"
    question_id: str
    reason: str
    attempt: int = 1

    def line(self) -> str:
        return f"  score for {self.question_id} pending: {self.reason}"


class Skipped(_Event):
    type: Literal["skipped"] = "skipped"
    question_id: str
    attempt: int = 1

    def line(self) -> str:
        return f"  skipped {self.question_id}"


class Paused(_Event):
    type: Literal["paused"] = "paused"
    paused: bool

    def line(self) -> str:
        return "  paused" if self.paused else "  resumed"


class Notice(_Event):
    type: Literal["notice"] = "notice"
    text: str
    level: NoticeLevel = "warning"

    def line(self) -> str:
        return f"  [{self.level}] {self.text}"


class RoundFinished(_Event):
    """The round ended normally; "quit" and "input_closed" leave the session interrupted and resumable."""

    type: Literal["round_finished"] = "round_finished"
    reason: FinishReason
    session_id: str
    summary: Summary
    report: str | None = None

    def line(self) -> str:
        o = self.summary.overall
        text = (f"round {self.reason}: overall {'unscored' if o is None else f'{o:.1f}/10'}; "
                f"session {self.session_id}" + (f"; report {self.report}" if self.report else ""))
        for cmp in self.summary.attempts:
            text += f"\n  attempts at {cmp.question_id}: " + " -> ".join(
                "pending" if a.overall is None else f"{a.overall}/10" for a in cmp.attempts)
            last = cmp.attempts[-1]
            if last.new_points:
                text += f"; newly shown: {', '.join(last.new_points)}"
            if last.fixed_claims:
                text += f"; {len(last.fixed_claims)} wrong claim(s) fixed"
        return text


class RoundFailed(_Event):
    """The round stopped on an error (at any step, opening the session included); always the last event."""

    type: Literal["round_failed"] = "round_failed"
    reason: str
    """What went wrong, for the candidate (e.g. "disk full")."""
    saved: str
    """What is safe on disk (e.g. "your answers up to Q2 are saved")."""
    session_id: str = ""
    """Empty when no session was created."""
    resume: str | None = None
    """The command that continues the session, when it can be continued."""

    def line(self) -> str:
        text = f"{self.reason}: {self.saved}"
        if self.resume:
            then = "free some disk space, then continue" if self.reason == "disk full" else "continue"
            text += f"; {then} with `{self.resume}`"
        return text


Event = Union[RoundStarted, QuestionAsked, SpeakingStarted, SpeakingProgress, SpeakingFinished, Listening, Level,
              PartialTranscript, TimeWarning, AnswerFinished, Thinking, Scored, ScorePending, Skipped, Paused,
              Notice, RoundFinished, RoundFailed]
RoundEnd = Union[RoundFinished, RoundFailed]
"""The last event of every round: exactly one of these is published, whatever happens."""

Command = Literal["start_answer", "finish_answer", "repeat_question", "skip", "pause", "resume", "toggle_pause",
                  "quit", "interrupt", "submit", "input_closed", "retry"]
"""What a face can ask of the engine (see `Round.command`)."""


class Round(Protocol):
    """The engine as its faces see it (TUI, headless, tests): start it, read its events, send commands."""

    mode: str

    def start(self) -> "asyncio.Task[RoundEnd]": ...

    def events(self) -> AsyncIterator[Event]: ...

    def command(self, name: Command, text: str | None = None) -> None: ...
