"""Readiness per topic: latest score, trend, next due date, and one verdict with its reason (pure).

The verdict is deliberately conservative: "ready" means the candidate's most recent answers in the topic were sound,
free of wrong claims, spread over enough of the topic's questions, and nothing in it is waiting for review.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Iterable, Literal

from pydantic import BaseModel

from ..store.progress import topic_history
from ..store.sessions import SessionState
from .schedule import Schedule, when

if TYPE_CHECKING:
    from ..bank import Bank

Verdict = Literal["ready", "almost", "not yet"]
READY_AT = 7.0     # the judge's "sound answer" band starts here (see schedule.rating_for)
ALMOST_AT = 5.0    # below this the latest answers were partial or worse
SLIPPING = -1.5    # a latest score this much under the earlier mean is a slide, not noise
ENOUGH_SHARE = 0.5  # questions of the topic practised before it can be "ready"


class TopicReadiness(BaseModel):
    """How ready the candidate is on one topic, and why."""

    topic: str
    name: str
    verdict: Verdict
    reason: str
    latest: float | None = None
    """Mean overall of the topic's questions in the latest session that scored any."""
    trend: float | None = None
    """Latest minus the mean of earlier sessions (positive = improving); None with one session."""
    history: list[float] = []
    next_due: datetime | None = None
    due_now: int = 0
    practised: int = 0
    questions: int = 0
    wrong_claims_last: int = 0
    """Wrong claims in the latest attempt of each of the topic's questions."""
    weakest: str | None = None
    """The topic question with the lowest latest score."""


_RANK = {"not yet": 0, "almost": 1, "ready": 2}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def readiness(sessions: Iterable[SessionState], schedule: Schedule, now: datetime,
              bank: "Bank | None" = None) -> list[TopicReadiness]:
    """One line per topic (the bank's topics, plus any others in the sessions), least ready first."""
    sessions = list(sessions)
    names = {t: bank.topic_name(t) for t in bank.topics} if bank is not None else {}
    hist = {h.topic: h for h in topic_history(sessions, names)}
    topics = list(dict.fromkeys([*(bank.topics if bank is not None else []), *hist,
                                 *(c.topic for c in schedule.cards.values())]))
    out = []
    for topic in topics:
        name = names.get(topic, topic)
        cards = schedule.for_topic(topic)
        total = len(bank.by_topic(topic)) if bank is not None else len(cards)
        h = hist.get(topic)
        r = TopicReadiness(topic=topic, name=name, verdict="not yet", reason="", questions=total,
                           practised=len(cards), latest=h.latest if h else None, trend=h.trend if h else None,
                           history=[v for _, v in h.points] if h else [])
        if cards:
            r.next_due = min(c.due for c in cards)
            r.due_now = sum(1 for c in cards if c.is_due(now))
            r.wrong_claims_last = sum(c.last.wrong_claims for c in cards)
            r.weakest = min(cards, key=lambda c: (c.latest_score, c.question_id)).question_id
        r.verdict, r.reason = _verdict(r, now, name)
        out.append(r)
    # the most actionable first: practised topics that are not ready (weakest first), then ones never practised,
    # then the ready ones
    def order(r: TopicReadiness) -> tuple:
        group = 1 if r.practised == 0 else 2 if r.verdict == "ready" else 0
        return (group, _RANK[r.verdict], r.latest if r.latest is not None else 0, r.topic)

    return sorted(out, key=order)


def _verdict(r: TopicReadiness, now: datetime, name: str) -> tuple[Verdict, str]:
    """The verdict and the one reason that matters most for it."""
    if r.practised == 0 or r.latest is None:
        return "not yet", f"no scored answer on {name} yet"
    if r.wrong_claims_last:
        return "not yet", f"{_plural(r.wrong_claims_last, 'wrong claim')} last time on {name}"
    if r.latest < ALMOST_AT:
        weakest = f" (weakest: {r.weakest})" if r.weakest else ""
        return "not yet", f"latest score {r.latest:.1f}/10 on {name}{weakest}"
    if r.latest < READY_AT:
        return "almost", f"latest score {r.latest:.1f}/10; {READY_AT:.0f}+ is a sound answer"
    if r.trend is not None and r.trend <= SLIPPING:
        return "almost", f"slipping: {r.latest:.1f} last time, {r.trend:+.1f} against earlier sessions"
    if r.due_now:
        return "almost", f"{_plural(r.due_now, 'question')} due for review now"
    if r.questions and r.practised / r.questions < ENOUGH_SHARE:
        return "almost", f"only {r.practised} of {r.questions} questions practised"
    due = f"; next review {when(r.next_due, now)}" if r.next_due is not None else ""
    return "ready", f"{r.latest:.1f}/10 last time with no wrong claims{due}"
