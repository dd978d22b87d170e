"""Messages posted by workers to screens; high-rate ones coalesce with `can_replace`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.message import Message

from ..interview.events import Event

if TYPE_CHECKING:
    from ..interview.engine import Interview


@dataclass
class EngineEvent(Message):
    """An event from the interview engine."""

    event: Event


@dataclass
class LevelChanged(Message):
    """The microphone input level, 0..1 (about 20 per second)."""

    value: float

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, LevelChanged)


@dataclass
class PartialChanged(Message):
    """The live transcript of the answer so far."""

    turn_id: str
    text: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PartialChanged)


@dataclass
class SpeakingProgress(Message):
    """How much of the current question has been spoken, 0..1."""

    turn_id: str
    fraction: float

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SpeakingProgress)


@dataclass
class RoundReady(Message):
    """The interview is built and can start."""

    interview: "Interview"


@dataclass
class RoundFailed(Message):
    """The round could not start; `text` says why and how to fix it."""

    text: str


@dataclass
class ChecksDone(Message):
    """Readiness checks for the status line."""

    checks: list


@dataclass
class SessionsListed(Message):
    """Saved sessions with their summaries, newest first."""

    rows: list


@dataclass
class SessionLoaded(Message):
    """One session rebuilt from its journal, with its summary."""

    state: Any
    summary: Any


@dataclass
class ProgressLoaded(Message):
    """Per-topic history across sessions, and each session's overall score and delivery (oldest first)."""

    history: list
    points: list
    readiness: list = None  # type: ignore[assignment]
    """TopicReadiness per topic (practice.readiness)."""


@dataclass
class PracticeLoaded(Message):
    """The spaced-repetition schedule's due questions (weakest first), what comes next, and readiness per topic."""

    due: list
    upcoming: list
    readiness: list


@dataclass
class LoadFailed(Message):
    """A session could not be read (deleted meanwhile, or unreadable); `text` says why."""

    text: str


@dataclass
class PlaybackProgress(Message):
    """How much of a replayed recording has played, 0..1."""

    path: Path
    fraction: float

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PlaybackProgress)


@dataclass
class PlaybackDone(Message):
    """Replay audio finished (`finished`), was stopped, or failed (`error`)."""

    error: str | None = None
    path: Path | None = None
    finished: bool = False
