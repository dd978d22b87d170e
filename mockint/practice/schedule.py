"""Spaced repetition of questions: one FSRS card per answered question, derived from the scored threads on disk.

Every scored attempt of a question, in every session, is one FSRS review, replayed in time order through the `fsrs`
scheduler; the card that comes out says when the question is due again. Nothing is stored: the schedule is rebuilt
from the sessions each time it is needed (a few hundred reviews take milliseconds), so it can never disagree with
them, and deleting a session forgets its reviews.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Iterable

from fsrs import Card, Rating, Scheduler

from ..models import Score, Thread
from ..store.sessions import SessionState

# Learning steps (minutes) are for flash cards flipped dozens at a sitting; an interview question is answered once a
# round, and "retry now" is the immediate repeat. Without steps every review schedules in whole days from the card's
# stability (first review: Again/Hard 1 day, Good 2, Easy 8). No fuzzing: the schedule is rebuilt from disk every
# time and must give the same date every time (the fuzz is random).
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def rating_for(score: Score) -> Rating:
    """The FSRS rating of one scored attempt.

    The judge's overall grade is anchored (tests/data/calibration): "I don't know" and empty answers get at most 1,
    keyword lists, wrong facts and negated answers at most 4, partial answers land around 4-6, a strong answer 7-9,
    10 is rare. So: 0-3 the candidate could not produce the substance (Again); 4-5 some of it, with real gaps (Hard);
    6-8 a sound answer (Good); 9-10 effortless (Easy). A wrong claim caps the rating at Hard whatever the grade: a
    confident wrong fact is exactly what must come back soon."""
    o = score.overall
    rating = Rating.Again if o <= 3 else Rating.Hard if o <= 5 else Rating.Good if o <= 8 else Rating.Easy
    if score.wrong_claims and rating > Rating.Hard:
        rating = Rating.Hard
    return rating


def parse_time(text: str) -> datetime | None:
    """A journal time ("2026-11-28T10:15:00.123Z") as an aware UTC datetime; None when absent or unreadable."""
    if not text:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def _session_time(s: SessionState) -> datetime | None:
    t = parse_time(s.meta.created)
    if t is not None:
        return t
    try:  # the folder name is the local start time: 20261128-101500-slug
        return datetime.strptime(s.id[:15], "%Y%m%d-%H%M%S").astimezone(timezone.utc)
    except ValueError:
        return None


@dataclass(frozen=True)
class Review:
    """One scored attempt at a question, as FSRS sees it."""

    question_id: str
    topic: str
    at: datetime
    overall: int
    rating: Rating
    session_id: str
    wrong_claims: int = 0
    attempt: int = 1


def reviews(sessions: Iterable[SessionState]) -> list[Review]:
    """Every scored attempt in every session, oldest first. Skipped and unscored (pending) threads are not reviews:
    they say nothing about what the candidate knows."""
    out: list[Review] = []
    for s in sessions:
        fallback = _session_time(s)
        for th in s.threads:
            if th.score is None or th.skipped:
                continue
            at = parse_time(th.answered_at) or fallback
            if at is None:
                continue
            out.append(_review(s.id, th, th.score, at))
    out.sort(key=lambda r: (r.at, r.session_id, r.attempt))
    return out


def _review(session_id: str, th: Thread, score: Score, at: datetime) -> Review:
    return Review(question_id=th.question_id, topic=th.topic, at=at, overall=score.overall,
                  rating=rating_for(score), session_id=session_id, wrong_claims=len(score.wrong_claims),
                  attempt=int(getattr(th, "attempt", 1) or 1))


def _card_id(question_id: str) -> int:
    # stable across rebuilds (fsrs would use the creation time)
    return int.from_bytes(hashlib.blake2b(question_id.encode(), digest_size=6).digest(), "big")


def local_day(t: datetime) -> date:
    """The candidate's calendar day of a time (due dates are whole days on the local calendar)."""
    return t.astimezone().date()


@dataclass
class QuestionCard:
    """A question's FSRS card and the reviews it was built from."""

    question_id: str
    topic: str
    card: Card
    history: list[Review] = field(default_factory=list)

    @property
    def due(self) -> datetime:
        return self.card.due

    @property
    def last(self) -> Review:
        return self.history[-1]

    @property
    def latest_score(self) -> int:
        return self.last.overall

    def is_due(self, now: datetime) -> bool:
        """Due on the candidate's calendar day `now` or earlier (a question due at 3 pm is due all that day)."""
        return local_day(self.due) <= local_day(now)

    def retrievability(self, now: datetime) -> float:
        return float(SCHEDULER.get_card_retrievability(self.card, now))


@dataclass
class Schedule:
    """Every answered question's card."""

    cards: dict[str, QuestionCard] = field(default_factory=dict)

    def due(self, now: datetime, among: Iterable[str] | None = None) -> list[QuestionCard]:
        """Questions due by `now`'s day, weakest first (lowest latest score, then most overdue)."""
        allowed = None if among is None else set(among)
        due = [c for c in self.cards.values() if c.is_due(now) and (allowed is None or c.question_id in allowed)]
        return sorted(due, key=lambda c: (c.latest_score, c.due, c.question_id))

    def upcoming(self, now: datetime, among: Iterable[str] | None = None) -> list[QuestionCard]:
        """Questions not due yet, soonest first."""
        allowed = None if among is None else set(among)
        later = [c for c in self.cards.values() if not c.is_due(now) and (allowed is None or c.question_id in allowed)]
        return sorted(later, key=lambda c: (c.due, c.question_id))

    def for_topic(self, topic: str) -> list[QuestionCard]:
        return [c for c in self.cards.values() if c.topic == topic]


def build_schedule(sessions: Iterable[SessionState]) -> Schedule:
    """Replay every review through FSRS, oldest first: one card per question ever scored."""
    sched = Schedule()
    for r in reviews(sessions):
        qc = sched.cards.get(r.question_id)
        if qc is None:
            qc = QuestionCard(r.question_id, r.topic, Card(card_id=_card_id(r.question_id), due=r.at))
            sched.cards[r.question_id] = qc
        qc.card, _log = SCHEDULER.review_card(qc.card, r.rating, review_datetime=r.at)
        qc.history.append(r)
        qc.topic = r.topic or qc.topic
    return sched


def days_until(t: datetime, now: datetime) -> int:
    """Whole calendar days from `now` to `t` (0 = today, negative = overdue)."""
    return (local_day(t) - local_day(now)).days


def when(t: datetime, now: datetime) -> str:
    """A due date for people: "today", "tomorrow", "in 5 days (Mon 30 Nov)", "3 days overdue"."""
    d = days_until(t, now)
    day = local_day(t)
    label = f"{day:%a} {day.day} {day:%b}"
    if d < 0:
        return f"{-d} day{'s' if d != -1 else ''} overdue ({label})"
    if d == 0:
        return "today"
    if d == 1:
        return f"tomorrow ({label})"
    return f"in {d} days ({label})"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


__all__ = ["SCHEDULER", "QuestionCard", "Review", "Schedule", "build_schedule", "days_until", "local_day",
           "parse_time", "rating_for", "reviews", "utc_now", "when"]
