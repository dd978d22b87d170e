"""RoundPlan: which questions, in what order, with what time budgets."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Iterable

from ..bank import Bank
from ..config import Settings
from ..errors import MockintError
from ..models import Question
from ..store.progress import question_lows, topic_history
from ..store.sessions import SessionState

DRILL_BELOW = 7


@dataclass(frozen=True)
class RoundPlan:
    """The questions of one round and its clocks, resolved from Settings by `make_plan` (no defaults of its own:
    the settings are the one source)."""

    questions: list[Question]
    order: str
    answer_seconds: int | None
    round_seconds: float
    warn_seconds: int
    max_follow_ups: int
    end_on_silence: float
    notes: list[str] = field(default_factory=list)
    retries: int = 0
    """Ask each question again this many times, each right after the previous attempt's score ("try again")."""

    def budget_for(self, q: Question) -> float:
        return float(self.answer_seconds or q.answer_seconds)

    @property
    def title(self) -> str:
        topics = list(dict.fromkeys(q.topic for q in self.questions))
        return topics[0] if len(topics) == 1 else ("drill" if self.order == "drill" else "mixed")


def _interleave(questions: list[Question]) -> list[Question]:
    """Keep the given order inside each topic but avoid two questions of one topic in a row when possible."""
    by_topic: dict[str, list[Question]] = {}
    for q in questions:
        by_topic.setdefault(q.topic, []).append(q)
    out: list[Question] = []
    while any(by_topic.values()):
        for topic in list(by_topic):
            if by_topic[topic]:
                out.append(by_topic[topic].pop(0))
    return out


def make_plan(bank: Bank, settings: Settings, history: Iterable[SessionState] = (), seed: int | None = None,
              question_ids: list[str] | None = None) -> RoundPlan:
    r = settings.round
    unknown = [t for t in r.topics if t not in bank.topics]
    if unknown:
        raise MockintError(f"unknown topic(s): {', '.join(unknown)}; available: {', '.join(bank.topics)}")
    pool = [q for q in bank.questions if not r.topics or q.topic in r.topics]
    rng = random.Random(seed)
    notes: list[str] = []
    history = list(history)
    if question_ids is not None:
        unique = list(dict.fromkeys(question_ids))
        if len(unique) < len(question_ids):
            notes.append("each question is asked once: " + ", ".join(sorted({i for i in question_ids
                                                                            if question_ids.count(i) > 1})))
        chosen = [q for q in (bank.question(i) for i in unique) if q is not None]
    elif r.order == "drill":
        lows = [(qid, s) for qid, s in question_lows(history) if s < DRILL_BELOW]
        ids = {q.id for q in pool}
        chosen = [q for q in (bank.question(qid) for qid, _ in lows if qid in ids) if q is not None][: r.questions]
        if len(chosen) < r.questions:
            if not chosen:
                notes.append("no low-scored questions in your history yet; drilling fresh questions instead")
            rest = [q for q in pool if q not in chosen]
            rng.shuffle(rest)
            chosen += rest[: r.questions - len(chosen)]
    elif r.order == "weakest":
        hist = {h.topic: h.latest for h in topic_history(history) if h.latest is not None}
        if not hist:
            notes.append("no scored sessions yet; weakest-first needs history, so the order is shuffled")
        asked = {th.question_id for s in history for th in s.threads}
        shuffled = pool[:]
        rng.shuffle(shuffled)
        # weakest scored topics first, then topics never practised, then the strong ones; fresh questions first
        shuffled.sort(key=lambda q: (hist.get(q.topic, 6.0), q.id in asked))
        chosen = shuffled[: r.questions]
        chosen.sort(key=lambda q: hist.get(q.topic, 6.0))
    else:
        shuffled = pool[:]
        rng.shuffle(shuffled)
        chosen = _interleave(shuffled)[: r.questions]
    if not chosen:
        raise MockintError("no questions match the chosen topics")
    return RoundPlan(questions=chosen, order=r.order, answer_seconds=r.answer_seconds,
                     round_seconds=r.round_minutes * 60, warn_seconds=r.warn_seconds,
                     max_follow_ups=settings.interviewer.max_follow_ups,
                     end_on_silence=r.end_on_silence_seconds, notes=notes)
