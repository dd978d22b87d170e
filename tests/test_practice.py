"""The practice loop: FSRS schedule from the sessions on disk, readiness per topic, practice for a job description."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Rating

from mockint.models import Score, SessionMeta, Thread, WrongClaim
from mockint.practice.jobs import JobError, job_round, map_job, read_job, split_requirements
from mockint.practice.readiness import readiness
from mockint.practice.schedule import build_schedule, rating_for, reviews
from mockint.store.sessions import SessionState

from .conftest import ROOT

JOBS = ROOT / "tests" / "data" / "jobs"
DAY0 = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)


def score(overall: int, wrong: int = 0) -> Score:
    return Score(technical=overall, coverage=overall, structure=overall, communication=overall, overall=overall,
                 wrong_claims=[WrongClaim(quote=f"wrong {i}", correction="in fact, right") for i in range(wrong)])


def session(sid: str, at: datetime, answers: dict[str, tuple[str, Score | None]], skipped: tuple[str, ...] = ()
            ) -> SessionState:
    """A rebuilt session as the store gives it: threads with scores and the time of each main answer."""
    threads = [Thread(question_id=qid, topic=topic, index=i + 1, score=s,
                      score_status="scored" if s is not None else "pending",
                      answered_at=(at + timedelta(minutes=i)).isoformat().replace("+00:00", "Z"))
               for i, (qid, (topic, s)) in enumerate(answers.items())]
    threads += [Thread(question_id=q, topic="caching", index=len(threads) + 1, skipped=True) for q in skipped]
    return SessionState(id=sid, path=Path("/nonexistent") / sid,
                        meta=SessionMeta(session_id=sid, created=at.isoformat()), threads=threads,
                        status="complete")


# ---------- FSRS schedule ----------

def test_rating_follows_the_grade_and_a_wrong_claim_caps_it():
    assert [rating_for(score(o)) for o in (0, 3, 4, 5, 6, 8, 9, 10)] == [
        Rating.Again, Rating.Again, Rating.Hard, Rating.Hard, Rating.Good, Rating.Good, Rating.Easy, Rating.Easy]
    assert rating_for(score(9, wrong=1)) == Rating.Hard
    assert rating_for(score(2, wrong=1)) == Rating.Again


def test_weak_answer_comes_back_sooner_and_the_schedule_rebuilds_identically():
    s1 = session("20261102-100000-a", DAY0, {"cache-stampede": ("caching", score(2)),
                                             "cache-patterns": ("caching", score(9)),
                                             "db-explain-analyze": ("databases", score(7)),
                                             "db-postgres-indexing": ("databases", None)},  # pending: no review
                 skipped=("cache-invalidation",))
    sched = build_schedule([s1])
    assert set(sched.cards) == {"cache-stampede", "cache-patterns", "db-explain-analyze"}
    weak, strong, good = (sched.cards[q] for q in ("cache-stampede", "cache-patterns", "db-explain-analyze"))
    assert weak.due < good.due < strong.due
    assert weak.due - DAY0 <= timedelta(days=1, minutes=5)
    # derived, nothing stored: the same sessions give the same dates (no random fuzz)
    again = build_schedule([s1])
    assert {q: c.due for q, c in again.cards.items()} == {q: c.due for q, c in sched.cards.items()}
    # the next day only the weak one is due; weakest first
    assert [c.question_id for c in sched.due(DAY0 + timedelta(days=1))] == ["cache-stampede"]
    later = DAY0 + timedelta(days=30)
    assert [c.question_id for c in sched.due(later)] == ["cache-stampede", "db-explain-analyze", "cache-patterns"]


def test_every_attempt_is_a_review_in_time_order():
    s1 = session("20261102-100000-a", DAY0, {"cache-stampede": ("caching", score(2))})
    s2 = session("20261103-100000-b", DAY0 + timedelta(days=1), {"cache-stampede": ("caching", score(8))})
    s3 = session("20261106-100000-c", DAY0 + timedelta(days=4), {"cache-stampede": ("caching", score(9))})
    revs = reviews([s3, s1, s2])  # listing order does not matter
    assert [r.overall for r in revs] == [2, 8, 9]
    card = build_schedule([s3, s1, s2]).cards["cache-stampede"]
    assert len(card.history) == 3 and card.latest_score == 9
    one_good = build_schedule([s2]).cards["cache-stampede"]
    # three reviews, the last two sound: the question comes back later than after one good answer
    assert card.due - card.last.at > one_good.due - one_good.last.at


# ---------- readiness ----------

def test_readiness_verdicts_and_reasons(bank):
    s1 = session("20261102-100000-a", DAY0, {
        "cache-stampede": ("caching", score(8, wrong=2)), "cache-patterns": ("caching", score(8)),
        "node-event-loop-phases": ("node-internals", score(8)), "node-memory-leak": ("node-internals", score(9)),
        "node-cpu-bound-workers": ("node-internals", score(8)),
        "db-explain-analyze": ("databases", score(6)), "db-postgres-indexing": ("databases", score(5))})
    sched = build_schedule([s1])
    rows = {r.topic: r for r in readiness([s1], sched, DAY0 + timedelta(hours=2), bank)}
    caching = rows["caching"]
    assert caching.verdict == "not yet" and caching.reason == "2 wrong claims last time on Caching strategies"
    assert caching.latest == 8.0 and caching.next_due is not None
    assert rows["node-internals"].verdict == "ready" and "no wrong claims" in rows["node-internals"].reason
    assert rows["databases"].verdict == "almost" and "5.5/10" in rows["databases"].reason
    assert rows["testing"].verdict == "not yet" and "no scored answer" in rows["testing"].reason
    # when its questions come due, a ready topic says so
    later = {r.topic: r for r in readiness([s1], sched, DAY0 + timedelta(days=60), bank)}
    assert later["node-internals"].verdict == "almost" and "due for review" in later["node-internals"].reason
    order = [r.topic for r in readiness([s1], sched, DAY0, bank)]
    assert order.index("caching") < order.index("testing") < order.index("node-internals")


# ---------- job descriptions ----------

def test_requirements_are_bullets_and_sentences_without_the_perks():
    reqs = split_requirements((JOBS / "payments-backend.md").read_text())
    texts = [r.text for r in reqs]
    assert texts[0].startswith("Build and run TypeScript services")  # the company intro is not a requirement
    assert any(t.startswith("Design PostgreSQL schemas") and t.endswith("checkout offline.") for t in texts)  # wrapped
    assert not any("salary" in t.lower() or "holiday" in t.lower() or "equal opportunity" in t for t in texts)
    nice = [r.text for r in reqs if r.priority == "nice"]
    assert len(nice) == 2 and nice[0].startswith("You have mentored")
    plain = split_requirements("We need someone who has run Kafka in production. You will design REST APIs for "
                               "partners. Hi.")
    assert [r.text for r in plain] == ["We need someone who has run Kafka in production.",
                                       "You will design REST APIs for partners."]


def test_unusable_job_descriptions_are_clear_errors(tmp_path):
    (tmp_path / "bin.md").write_bytes(b"\x00\x01\x02")
    (tmp_path / "latin1.txt").write_bytes("Café requirements".encode("latin-1"))
    (tmp_path / "empty.md").write_text("  \n")
    (tmp_path / "huge.md").write_text("- Experience with PostgreSQL indexes\n" * 10000)
    for name, msg in [("bin.md", "binary"), ("latin1.txt", "not UTF-8"), ("empty.md", "empty"),
                      ("huge.md", "not a job description"), ("missing.md", "no such file"), (".", "folder")]:
        with pytest.raises(JobError, match=msg):
            read_job(tmp_path / name)


@pytest.fixture(scope="module")
def coverage(judge, bank):
    """Both sample jobs mapped with the judge's model and vector cache (the model loads once per test run)."""
    return {name: map_job(read_job(JOBS / f"{name}.md"), bank, judge.embedder, judge.index.cache, name)
            for name in ("payments-backend", "logistics-api")}


def _status(cov, start: str):
    rc = next(r for r in cov.requirements if r.requirement.text.startswith(start))
    return rc.status, [m.question_id for m in rc.matches]


def test_job_maps_requirements_to_the_questions_that_train_them(coverage):
    pay, api = coverage["payments-backend"], coverage["logistics-api"]
    status, ids = _status(pay, "A solid grasp of the Node.js event loop")
    assert status == "covered" and ids[0] == "node-event-loop-phases"
    status, ids = _status(pay, "Make calls to card networks")
    assert status == "covered" and ids[0] == "ms-circuit-breaker"
    status, ids = _status(api, "Catch breaking changes between our services")
    assert status == "covered" and ids[0] == "test-contract"
    status, ids = _status(api, "Comfortable with role-based access control")
    assert status == "covered" and ids[0] == "auth-rbac-vs-abac"
    # what the bank has nothing for is a gap, not a forced match
    for cov, start in [(pay, "Infrastructure as code with Terraform"), (pay, "Working knowledge of PCI DSS"),
                       (api, "Fluent in Go")]:
        assert _status(cov, start) == ("gap", [])
    assert 6 <= len(pay.covered) and 3 <= len(pay.gaps)
    assert pay.topics and all(t.requirements >= 1 for t in pay.topics)


def test_job_round_spans_the_covered_requirements(coverage):
    pay = coverage["payments-backend"]
    ids = job_round(pay, 5, seed=1)
    assert len(ids) == len(set(ids)) == 5
    trains = {m.question_id for r in pay.requirements if r.status != "gap" for m in r.matches}
    assert set(ids) <= trains
    # one question per requirement before any requirement gets a second one
    firsts = [next(m.question_id for m in r.matches) for r in pay.covered]
    reqs_hit = {i for i, r in enumerate(pay.requirements) for m in r.matches if m.question_id in ids}
    assert len(reqs_hit) >= 5 and firsts
    assert job_round(pay, 5, seed=1) == ids  # a seed repeats the round
    only_caching = job_round(pay, 5, seed=1, allowed=[q for q in trains if q.startswith("cache-")])
    assert only_caching and all(q.startswith("cache-") for q in only_caching)


def test_job_command_prints_the_coverage_table(main):
    r = main("job", str(JOBS / "logistics-api.md"))
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Job: Platform API Engineer (Logistics)" in out
    assert "✓ Catch breaking changes between our services" in out and "test-contract 0.7" in out
    assert "✗ Fluent in Go" in out and "gap: no question trains this" in out
    assert "mockint round --job" in out
    j = main("job", str(JOBS / "logistics-api.md"), "--json")
    doc = json.loads(j.stdout)
    assert doc["title"] == "Platform API Engineer (Logistics)"
    assert {r["status"] for r in doc["requirements"]} == {"covered", "partial", "gap"}
    bad = main("job", str(JOBS))
    assert bad.returncode == 2 and "is a folder" in bad.stderr and "Traceback" not in bad.stderr


# ---------- drafting questions for the gaps with Claude (real SDK, loopback Messages API) ----------

DRAFT = json.loads((JOBS / "claude-draft-payments.json").read_text())


def _broken_draft() -> dict:
    bad = json.loads(json.dumps(DRAFT))
    q = bad["topics"][0]["questions"][0]
    q["key_points"] = q["key_points"][:2]             # the schema needs 4 to 8
    q["follow_ups"] = q["follow_ups"][:1]              # ... and 2 to 4 follow-ups
    return bad


@pytest.fixture
def claude(monkeypatch):
    from .fake_anthropic import FakeAnthropic

    with FakeAnthropic() as srv:
        yield srv, {"ANTHROPIC_API_KEY": "sk-ant-test-draft", "ANTHROPIC_BASE_URL": srv.url}


def test_drafts_are_validated_corrected_once_and_written_marked_as_drafts(main, claude, tmp_path):
    srv, env = claude
    srv.then(kind="text", text=json.dumps(_broken_draft())).then(kind="text", text=json.dumps(DRAFT))
    out = tmp_path / "drafts"
    r = main("job", str(JOBS / "payments-backend.md"), "--draft-questions", str(out), env=env)
    assert r.returncode == 0, r.stderr
    assert "Drafted 1 question" in r.stdout and "pci-scope-tokenisation" in r.stdout
    assert "not drafted: You have mentored" in r.stdout
    written = out / "payments-security.toml"
    text = written.read_text()
    assert text.startswith("# DRAFT: written by Claude (claude-haiku-5-5)") and "payments-backend.md" in text
    assert "# trains: Working knowledge of PCI DSS" in text
    assert main("bank", "validate", str(out)).returncode == 0  # the same loader accepts what was written
    first, second = srv.requests
    # explicit thinking and a structured-output schema with no bounds the API would refuse
    assert first["thinking"]["type"] == "adaptive" and first["output_config"]["format"]["type"] == "json_schema"
    assert "minimum" not in json.dumps(first["output_config"]["format"]["schema"])
    user = first["messages"][0]["content"]
    assert "<requirements>" in user and "Infrastructure as code with Terraform on AWS." in user
    assert "Design PostgreSQL schemas" not in user  # covered requirements are not gaps
    # the loader's problems went back to Claude, verbatim
    fix = second["messages"][-1]["content"]
    assert fix.startswith("The validator rejected that draft") and "key_points" in fix


def test_an_invalid_draft_is_rejected_with_the_problems_and_nothing_is_written(main, claude, tmp_path):
    srv, env = claude
    srv.then(kind="text", text=json.dumps(_broken_draft()))  # repeats: the correction is broken too
    out = tmp_path / "drafts"
    r = main("job", str(JOBS / "payments-backend.md"), "--draft-questions", str(out), env=env)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "did not pass `mockint bank validate` after 2 attempts, so nothing was written" in r.stderr
    assert "key_points: at least 4 allowed, found 2" in r.stderr
    assert "follow_ups: at least 2 allowed, found 1" in r.stderr
    assert not out.exists() and len(srv.requests) == 2


def test_drafting_refuses_the_bank_itself_and_needs_a_key(main, tmp_path):
    r = main("job", str(JOBS / "payments-backend.md"), "--draft-questions", str(ROOT / "question_bank"),
             env={"ANTHROPIC_API_KEY": "sk-ant-test"})
    assert r.returncode == 2 and "is the question bank itself" in r.stderr and "hint:" in r.stderr
    r = main("job", str(JOBS / "payments-backend.md"), "--draft-questions", str(tmp_path / "d"))
    assert r.returncode == 2 and "ANTHROPIC_API_KEY is not set" in r.stderr and not (tmp_path / "d").exists()


# ---------- end to end: rounds on disk -> schedule -> a due round ----------

def _calibration_answer(qid: str, kind: str = "strong") -> str:
    data = json.loads((ROOT / "tests" / "data" / "calibration" / "tune.json").read_text())
    return next(i["answer"] for i in data["items"] if i["question_id"] == qid and i["kind"] == kind)


def _age(session_dir: Path, days: int) -> None:
    """Move a session `days` into the past, as if it had been answered then (every event time and the start)."""
    path = session_dir / "journal.jsonl"
    lines = []
    for line in path.read_text().splitlines():
        ev = json.loads(line)
        for key in ("t", "created"):
            if isinstance(ev.get(key), str) and ev[key]:
                t = datetime.fromisoformat(ev[key]) - timedelta(days=days)
                ev[key] = t.isoformat().replace("+00:00", "Z")
        lines.append(json.dumps(ev))
    path.write_text("\n".join(lines) + "\n")


def _round(cli, sessions: Path, tmp_path: Path, *args: str, answers: list[str]) -> tuple:
    f = tmp_path / f"answers-{len(list(sessions.iterdir()))}.json"
    f.write_text(json.dumps(answers))
    r = cli("--sessions", str(sessions), "round", "--headless", "--json", "--text", "--no-tts", "--follow-ups", "0",
            "--answers-file", str(f), *args)
    events = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
    return r, events


def test_two_rounds_a_retry_the_schedule_and_round_due(main, cli, sessions_dir, tmp_path):
    # round 1, yesterday: a strong answer and an "I don't know"
    r, ev = _round(cli, sessions_dir, tmp_path, "--only", "db-postgres-indexing,node-event-loop-phases",
                   answers=[_calibration_answer("db-postgres-indexing"), "I don't know, I've never looked into it."])
    assert r.returncode == 0, r.stderr
    first = next(e["session_id"] for e in ev if e["type"] == "round_started")
    _age(sessions_dir / first, 1)
    # round 2, today: a confident wrong answer, its score, then "try again" with a sound one
    r, ev = _round(cli, sessions_dir, tmp_path, "--only", "cache-patterns", "--retry",
                   answers=[_calibration_answer("cache-patterns", "wrong_facts"),
                            _calibration_answer("cache-patterns")])
    assert r.returncode == 0, r.stderr
    kinds = [(e["type"], e.get("attempt")) for e in ev if e["type"] in ("question_asked", "scored")]
    assert kinds == [("question_asked", 1), ("scored", 1), ("question_asked", 2), ("scored", 2)]  # score first
    second = next(e["session_id"] for e in ev if e["type"] == "round_started")
    summary = next(e for e in ev if e["type"] == "round_finished")["summary"]
    (cmp,) = summary["attempts"]
    one, two = cmp["attempts"]
    assert cmp["question_id"] == "cache-patterns" and (one["attempt"], two["attempt"]) == (1, 2)
    assert one["wrong_claims"] and two["fixed_claims"] == one["wrong_claims"] and not two["wrong_claims"]
    assert two["overall"] > one["overall"] and two["new_points"]
    assert summary["overall"] == one["overall"]  # the round is graded on first attempts; retries are practice
    report = (sessions_dir / second / "report.md").read_text()
    assert "## Attempts side by side" in report and "(attempt 2)" in report

    due = json.loads(main("--sessions", str(sessions_dir), "due", "--json").stdout)
    assert [d["question_id"] for d in due["due"]] == ["node-event-loop-phases"]
    assert due["due"][0]["latest_score"] <= 1 and due["due"][0]["rating"] == "again"
    later = {d["question_id"]: d for d in due["upcoming"]}
    # answered at the same time, the strong answer comes back later than the weak one (due today)
    assert later["db-postgres-indexing"]["rating"] in ("good", "easy") and later["db-postgres-indexing"]["days"] >= 1
    assert later["cache-patterns"]["reviews"] == 2  # both attempts are reviews
    text = main("--sessions", str(sessions_dir), "due").stdout
    assert text.startswith("Due today: 1 question") and "node-event-loop-phases" in text

    r, ev = _round(cli, sessions_dir, tmp_path, "--due", answers=["The event loop runs callbacks in phases."])
    assert r.returncode == 0, r.stderr
    assert [e["question_id"] for e in ev if e["type"] == "question_asked"] == ["node-event-loop-phases"]
    assert "Due for review: 1 question" in r.stderr

    # try again later, in the first session (as the summary and replay do): attempt 2 is kept there
    r, ev = _round(cli, sessions_dir, tmp_path, "--only", "db-postgres-indexing", "--retry", first,
                   answers=["B-tree by default; GIN for arrays and jsonb."])
    assert r.returncode == 0, r.stderr
    assert next(e for e in ev if e["type"] == "round_started")["session_id"] == first
    report = json.loads(main("--sessions", str(sessions_dir), "report", first, "--format", "json").stdout)
    assert [(t["question_id"], t["attempt"]) for t in report["threads"]] == [
        ("db-postgres-indexing", 1), ("node-event-loop-phases", 1), ("db-postgres-indexing", 2)]
    assert report["status"] == "complete" and report["summary"]["attempts"][0]["question_id"] == "db-postgres-indexing"

    # readiness: the weak answers keep their topics from "ready"
    rows = {t["topic"]: t for t in json.loads(main("--sessions", str(sessions_dir), "progress", "--json").stdout)}
    assert rows["node-internals"]["verdict"] == "not yet" and rows["testing"]["verdict"] == "not yet"


def test_round_due_with_nothing_due_says_when(cli, sessions_dir):
    r = cli("--sessions", str(sessions_dir), "round", "--due", "--headless", "--text")
    assert r.returncode == 0 and "no scored answers yet" in r.stdout
    assert not any(sessions_dir.iterdir())  # no empty session was started


def test_round_job_starts_a_round_weighted_to_the_job(cli, sessions_dir, tmp_path, coverage):
    r, ev = _round(cli, sessions_dir, tmp_path, "--job", str(JOBS / "logistics-api.md"), "--questions", "2",
                   "--seed", "3", answers=["I don't know.", "I don't know."])
    assert r.returncode == 0, r.stderr
    asked = [e["question_id"] for e in ev if e["type"] == "question_asked"]
    trains = {m.question_id for rc in coverage["logistics-api"].requirements for m in rc.matches}
    assert len(asked) == 2 and set(asked) <= trains
    assert "Practice for Platform API Engineer (Logistics)" in r.stderr


def test_retry_key_during_a_round_asks_again_after_the_score(bank, sessions_dir):
    """The face's "try again" key (engine command `retry`): pressed once a score is shown, the question comes back
    as its next attempt when the question being asked meanwhile is done; the store rebuilds both attempts."""
    from .harness import FakePanel, Harness, run_virtual

    async def main():
        h = Harness(bank, sessions_dir, ["cache-stampede", "cache-patterns"], panel=FakePanel(score=4))
        h.command("retry")  # nothing answered yet: said, and ignored
        await h.until("notice", text="Nothing to try again yet: answer a question first.")
        await h.until("listening")
        h.command("submit", "A lock per key so one request rebuilds the value.")
        await h.until("scored", question_id="cache-stampede")
        h.command("retry")  # the key after the score (the next question is already on its way)
        await h.until("notice", text="You will try cache-stampede again as soon as its score is in.")
        await h.until("listening")
        h.command("submit", "Cache-aside.")
        asked = await h.until("question_asked", kind="main", question_id="cache-stampede", attempt=2)
        assert asked.index == 1 and asked.turn_id == "q01-r2"
        await h.until("listening")
        h.command("submit", "Request coalescing, early refresh with jitter, and stale-while-revalidate.")
        end = await h.finish()
        assert end.type == "round_finished" and end.reason == "completed"
        state = h.store.load(h.interview.session_id)
        assert [(t.question_id, t.attempt, t.index) for t in state.threads] == [
            ("cache-stampede", 1, 1), ("cache-patterns", 1, 2), ("cache-stampede", 2, 1)]
        assert all(t.score is not None for t in state.threads) and state.answered == 2
        assert [c.question_id for c in end.summary.attempts] == ["cache-stampede"]
        assert [(e.question_id, e.attempt) for e in h.of("scored")][-1] == ("cache-stampede", 2)

    run_virtual(main)


def test_a_nice_to_have_line_after_the_bullets_is_a_requirement():
    """Found trying it as a new user: "Nice to have: Rust, PCI DSS." on one line was dropped as an intro sentence."""
    from mockint.practice.jobs import split_requirements

    reqs = split_requirements("Senior Backend Engineer\nYou will run the payment services.\n"
                              "- Own PostgreSQL schemas and zero-downtime migrations\n"
                              "- Design event-driven flows with Kafka\n"
                              "Nice to have: experience with Rust, fraud detection, PCI DSS.\n")
    assert [(r.text, r.priority) for r in reqs][-1] == ("experience with Rust, fraud detection, PCI DSS.", "nice")
    assert not any("payment services" in r.text for r in reqs)  # the opening paragraph is still not a requirement
