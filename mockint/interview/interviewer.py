"""The interviewer contract: what a backend sees of a question thread, and what it must return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from ..models import FollowUp, Question, Score, SpeechMetrics


@dataclass(frozen=True)
class Exchange:
    """One ask and the candidate's answer to it."""

    kind: str  # "main" | "follow_up"
    asked: str
    answer: str
    metrics: SpeechMetrics | None = None
    probes: str | None = None


@dataclass(frozen=True)
class ThreadInput:
    """Everything a backend may use to decide a follow-up or grade a thread."""

    question: Question
    exchanges: tuple[Exchange, ...]
    topic_glossary: tuple[str, ...] = ()
    max_follow_ups: int = 2

    @property
    def answer_text(self) -> str:
        return "\n".join(e.answer for e in self.exchanges if e.answer.strip())

    @property
    def last_answer(self) -> str:
        """The latest answer with words in it ("" when none has)."""
        return next((e.answer for e in reversed(self.exchanges) if e.answer.strip()), "")

    @property
    def follow_ups_asked(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.kind == "follow_up"]

    @property
    def metrics(self) -> list[SpeechMetrics]:
        return [e.metrics for e in self.exchanges if e.metrics is not None]



class Interviewer(Protocol):
    """Asks the follow-up: one deep-dive question, or None to move on."""

    name: str

    async def follow_up(self, thread: ThreadInput,
                        on_sentence: Callable[[str], None] | None = None) -> FollowUp | None: ...


class Scorer(Protocol):
    """Grades a whole question thread; the result still goes through `scoring.enforce_invariants`."""

    name: str

    async def score(self, thread: ThreadInput) -> Score: ...


class ScoreUnavailable(Exception):
    """The backend could not produce a valid score in time; the thread is marked pending."""

