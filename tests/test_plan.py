"""RoundPlan: topics, counts, orders (shuffled, weakest first, drill) from the candidate's history."""

from __future__ import annotations

import pytest

from mockint.config import Settings
from mockint.errors import MockintError
from mockint.interview.plan import make_plan
from mockint.models import Score, SessionMeta, Thread
from mockint.store.sessions import SessionState


def history(scores: dict[str, int], sid: str = "20261101-090000-x") -> SessionState:
    threads = [Thread(question_id=q, topic=q.split("/")[0], index=i, score=Score(
        overall=v, technical=v, coverage=v, structure=v, communication=v), score_status="scored")
        for i, (q, v) in enumerate(scores.items(), 1)]
    st = SessionState(id=sid, path=None, meta=SessionMeta(session_id=sid), threads=threads, status="complete")
    for th in st.threads:
        th.question_id = th.question_id.split("/")[1]
    return st


def test_shuffled_respects_topics_count_and_varies_topics(bank):
    s = Settings(round={"questions": 4, "topics": ["caching", "databases"]})
    plan = make_plan(bank, s, seed=3)
    assert len(plan.questions) == 4 and {q.topic for q in plan.questions} == {"caching", "databases"}
    assert all(a.topic != b.topic for a, b in zip(plan.questions, plan.questions[1:]))
    assert [q.id for q in make_plan(bank, s, seed=3).questions] == [q.id for q in plan.questions]


def test_weakest_topics_first(bank):
    h = history({"caching/cache-stampede": 2, "databases/db-postgres-indexing": 9, "auth/auth-sessions-vs-jwt": 5})
    plan = make_plan(bank, Settings(round={"questions": 3, "order": "weakest"}), history=[h], seed=1)
    assert plan.questions[0].topic == "caching"
    assert "databases" not in {q.topic for q in plan.questions}  # the strong topic waits


def test_drill_brings_back_the_lowest_scored(bank):
    h1 = history({"caching/cache-stampede": 2, "databases/db-postgres-indexing": 9}, "20261101-090000-a")
    h2 = history({"auth/auth-sessions-vs-jwt": 4}, "20261102-090000-b")
    plan = make_plan(bank, Settings(round={"questions": 3, "order": "drill"}), history=[h1, h2], seed=1)
    ids = [q.id for q in plan.questions]
    assert ids[:2] == ["cache-stampede", "auth-sessions-vs-jwt"] and "db-postgres-indexing" not in ids
    fresh = make_plan(bank, Settings(round={"questions": 2, "order": "drill"}), history=[], seed=1)
    assert len(fresh.questions) == 2 and fresh.notes


def test_budgets_and_errors(bank):
    plan = make_plan(bank, Settings(round={"questions": 1, "answer_seconds": 45, "round_minutes": 10}), seed=0)
    assert plan.budget_for(plan.questions[0]) == 45 and plan.round_seconds == 600
    with pytest.raises(MockintError, match="unknown topic"):
        make_plan(bank, Settings(round={"topics": ["nope"]}))


def test_a_question_named_twice_is_asked_once(bank):
    plan = make_plan(bank, Settings(), question_ids=["cache-stampede", "node-event-loop-phases", "cache-stampede"])
    assert [q.id for q in plan.questions] == ["cache-stampede", "node-event-loop-phases"]
    assert any("asked once" in n for n in plan.notes)


def test_plan_has_no_defaults_of_its_own(bank):
    """The settings are the one source: a plan is always made from them (issue 12: "2 follow-ups" was written
    in four places)."""
    import dataclasses

    from mockint.interview.plan import RoundPlan

    # notes and retries are not settings: what the plan found, and a per-round request (round --retry)
    assert all(f.default is dataclasses.MISSING for f in dataclasses.fields(RoundPlan)
               if f.name not in ("notes", "retries"))
    s = Settings(round={"answer_seconds": 90, "round_minutes": 12, "warn_seconds": 20,
                        "end_on_silence_seconds": 2.5}, interviewer={"max_follow_ups": 3})
    p = make_plan(bank, s, seed=1)
    assert (p.answer_seconds, p.round_seconds, p.warn_seconds, p.end_on_silence, p.max_follow_ups) == \
        (90, 720, 20, 2.5, 3)
