"""What the practice loop has to say right now, from the sessions on disk (for Home and Progress)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Iterable

from ..store.sessions import SessionState
from .readiness import TopicReadiness, readiness
from .schedule import QuestionCard, build_schedule

if TYPE_CHECKING:
    from ..bank import Bank


@dataclass
class Overview:
    due: list[QuestionCard]
    """Due today, weakest first (questions still in the bank)."""
    upcoming: list[QuestionCard]
    """Not due yet, soonest first."""
    readiness: list[TopicReadiness]


def overview(sessions: Iterable[SessionState], bank: "Bank | None", now: datetime) -> Overview:
    sessions = list(sessions)
    sched = build_schedule(sessions)
    among = [q.id for q in bank.questions] if bank is not None else None
    return Overview(sched.due(now, among), sched.upcoming(now, among), readiness(sessions, sched, now, bank))
