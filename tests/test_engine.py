"""Whole rounds through the CLI: scripted typed rounds, resume, quit, and faults that must not stop a round."""

from __future__ import annotations

import json
import signal

import pytest

from mockint.store.sessions import SessionStore

from .fake_anthropic import FakeAnthropic, request_kind
from .rounds import SCORE_JSON, Round, journal, journal_types

QIDS = "node-event-loop-phases,cache-stampede,story-database-optimisation"


@pytest.fixture
def answers_file(tmp_path):
    def make(answers):
        p = tmp_path / "answers.json"
        p.write_text(json.dumps(answers))
        return str(p)
    return make


def test_scripted_typed_round_writes_everything(main, cli, sessions_dir, answers_file):
    answers = ["JavaScript runs on a single main thread and libuv hands I/O to the kernel.",
               "I would check the thread pool size with UV_THREADPOOL_SIZE.", "Not sure.",
               "Use a lock so one request recomputes while the others wait, plus jitter on TTLs.", "", "",
               "At my last job the orders page took four seconds; I added an index and it fell to 200 ms.", "", ""]
    r = cli("--sessions", str(sessions_dir), "round", "--headless", "--text", "--answers-file", answers_file(answers),
            "--only", QIDS, "--follow-ups", "2", "--no-tts")
    assert r.returncode == 0, r.stderr
    assert "round completed" in r.stdout and "Q3/3" in r.stdout
    (sid,) = [p.name for p in sessions_dir.iterdir()]
    path = sessions_dir / sid
    types = journal_types(path)
    assert types[0] == "session_started" and types[-1] == "round_finished"
    assert types.count("turn_scored") == 3 and types.count("question_asked") >= 4
    # every answer is journaled after its question, and each thread is scored after its last answer
    recs = journal(path)
    order = [(r.type, r.data.get("turn_id")) for r in recs if r.type in ("question_asked", "answer_finished")]
    for i in range(0, len(order), 2):
        assert order[i][0] == "question_asked" and order[i + 1] == ("answer_finished", order[i][1])
    state = SessionStore(sessions_dir).load(sid)
    assert state.status == "complete" and [t.question_id for t in state.threads] == QIDS.split(",")
    assert state.threads[2].score.star is not None  # a story gets its STAR+T breakdown
    assert all(t.score_status == "scored" for t in state.threads)
    follow = [t for t in state.threads[0].turns if t.kind == "follow_up"]
    assert follow and all(t.reason for t in follow)
    summary = json.loads((path / "summary.json").read_text())
    assert summary["status"] == "complete" and len(summary["threads"]) == 3 and summary["overall"] is not None
    report = (path / "report.md").read_text()
    assert "Why this follow-up" in report and "STAR+T" in report
    assert "- Note: Offline grades only catch each question's known mistakes" in report  # scored offline
    assert oct((path / "summary.json").stat().st_mode & 0o777) == "0o600"
    r = main("sessions", "--json", env={"MOCKINT_SESSIONS_DIR": str(sessions_dir)})
    assert json.loads(r.stdout)[0]["status"] == "complete"


def test_answers_running_out_leave_the_session_resumable(cli, sessions_dir, answers_file):
    """Input that ends early is not a row of empty answers scored 1 in a "complete" session (issue 12)."""
    r = cli("--sessions", str(sessions_dir), "round", "--headless", "--text", "--answers-file",
            answers_file(["An answer to the first question only."]), "--questions", "2", "--follow-ups", "0",
            "--no-tts", "--json")
    assert r.returncode == 1 and "--resume" in r.stderr, r.stderr
    events = [json.loads(line) for line in r.stdout.splitlines()]
    assert [e["text"] for e in events if e["type"] == "answer_finished"] == ["An answer to the first question only."]
    assert events[-1]["type"] == "round_finished" and events[-1]["reason"] == "input_closed"
    (sid,) = [p.name for p in sessions_dir.iterdir()]
    state = SessionStore(sessions_dir).load(sid)
    assert state.status == "interrupted" and state.answered == 1 and len(state.remaining_question_ids()) == 1
    assert sum(1 for t in state.threads if t.score_status == "scored") == 1
    r = cli("--sessions", str(sessions_dir), "round", "--headless", "--text", "--resume", sid, "--no-tts",
            input="The second answer, typed on stdin.\n")
    assert r.returncode == 0, r.stderr
    state = SessionStore(sessions_dir).load(sid)
    assert state.status == "complete" and state.answered == 2


def test_stdin_closing_early_does_not_answer_for_the_candidate(cli, sessions_dir):
    r = cli("--sessions", str(sessions_dir), "round", "--headless", "--text", "--questions", "3", "--follow-ups", "0",
            "--no-tts", input="Only one answer was typed before the input closed.\n")
    assert r.returncode == 1 and "input ended" in r.stderr, r.stderr
    (sid,) = [p.name for p in sessions_dir.iterdir()]
    state = SessionStore(sessions_dir).load(sid)
    assert state.status == "interrupted" and state.answered == 1
    assert all(t.score_status == "scored" for t in state.threads if t.turns and t.turns[0].answered)
    assert len(state.remaining_question_ids()) == 2


def test_bad_round_input_is_a_clear_error(cli, tmp_path):
    (tmp_path / "a.json").write_text('{"not": "a list"}')
    for args, needle in [(["--text", "--answers-file", str(tmp_path / "a.json")], "JSON array"),
                         (["--text", "--answers-file", str(tmp_path / "missing.json")], "no such file"),
                         (["--answers-file", str(tmp_path / "a.json")], "add --text"),
                         (["--text", "--topics", "nope"], "unknown topic"),
                         (["--text", "--only", "nope"], "unknown question"),
                         (["--text", "--resume", "20990101-000000-x"], "no session")]:
        r = cli("--sessions", str(tmp_path), "round", "--headless", *args)
        assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr, (args, r.stderr)


def test_quit_keeps_everything_and_resume_continues(main, sessions_dir, answers_file, cli):
    rd = Round("--text", "--only", QIDS, "--follow-ups", "0", "--no-tts", sessions=sessions_dir)
    rd.until("listening")
    rd.answer("The event loop runs the timers phase, then poll, then check; nextTick drains first.")
    rd.until("answer_finished")
    rd.until("listening")
    rd.proc.send_signal(signal.SIGINT)  # Ctrl-C: a graceful quit
    assert rd.drain() == 130
    sid = rd.session_id()
    state = SessionStore(sessions_dir).load(sid)
    assert state.status == "interrupted" and state.answered == 1
    # Ctrl-C ends the process at once: a score still being made is made on resume (checked below)
    assert state.threads[0].score_status in ("scored", "none")
    assert state.remaining_question_ids() == QIDS.split(",")[1:]
    env = {"MOCKINT_SESSIONS_DIR": str(sessions_dir)}
    assert "interrupted" in main("sessions", env=env).stdout
    r = cli("round", "--headless", "--text", "--resume", sid, "--answers-file",
            answers_file(["Request coalescing with a lock and early refresh.", "We cut p95 by 80 percent."]),
            "--follow-ups", "0", "--no-tts", env=env)
    assert r.returncode == 0, r.stderr
    assert "Q2/3" in r.stdout and "Q3/3" in r.stdout and "Q1/3" not in r.stdout
    state = SessionStore(sessions_dir).load(sid)
    assert state.status == "complete" and state.answered == 3
    assert all(t.score_status == "scored" for t in state.threads)
    r = cli("round", "--headless", "--text", "--resume", sid, env=env)
    assert r.returncode == 2 and "already complete" in r.stderr


def test_tts_failure_shows_text_and_round_goes_on(cli, sessions_dir, answers_file):
    r = cli("--sessions", str(sessions_dir), "round", "--headless", "--text", "--questions", "1", "--follow-ups", "0",
            "--answers-file", answers_file(["an answer"]), env={"MOCKINT_TTS__VOICE": "no-such-voice-xyz"})
    assert r.returncode == 0, r.stderr
    assert "Speech synthesis failed" in r.stdout and "Q1/1" in r.stdout and "round completed" in r.stdout


def test_backend_failure_falls_back_and_scores_stay_pending(main, cli, sessions_dir, answers_file):
    with FakeAnthropic() as srv:
        srv.then(kind="status", status=500)
        env = {"ANTHROPIC_API_KEY": "sk-ant-x", "ANTHROPIC_BASE_URL": srv.url,
               "MOCKINT_INTERVIEWER__MAX_RETRIES": "0", "MOCKINT_INTERVIEWER__TURN_DEADLINE_SECONDS": "3"}
        r = cli("--sessions", str(sessions_dir), "round", "--headless", "--text", "--only", QIDS,
                "--follow-ups", "1", "--no-tts", "--answers-file",
                answers_file(["The event loop has phases.", "Not sure", "Use a lock.", "", "A story.", ""]), env=env)
    assert r.returncode == 0, r.stderr
    assert "interviewer claude" in r.stdout and "offline interviewer takes this follow-up" in r.stdout
    assert "round completed" in r.stdout and r.stdout.count("pending") >= 3
    (sid,) = [p.name for p in sessions_dir.iterdir()]
    state = SessionStore(sessions_dir).load(sid)
    assert [t.score_status for t in state.threads] == ["pending"] * 3
    assert any(t.kind == "follow_up" for t in state.threads[0].turns)  # the offline interviewer asked it
    r = main("rescore", sid, "--backend", "offline", env={"MOCKINT_SESSIONS_DIR": str(sessions_dir)})
    assert r.returncode == 0 and "re-scored 3" in r.stdout
    state = SessionStore(sessions_dir).load(sid)
    assert all(t.score_status == "scored" and t.score.backend == "offline" for t in state.threads)
    assert json.loads((state.path / "summary.json").read_text())["overall"] is not None


def test_claude_round_end_to_end(cli, sessions_dir, answers_file):
    def route(body):
        if request_kind(body) == "follow_up":
            return {"kind": "text",
                    "text": "ASK: How would you measure event loop lag in production?\nWHY: probes lag."}
        return {"kind": "json", "data": SCORE_JSON}

    with FakeAnthropic(route=route) as srv:
        env = {"ANTHROPIC_API_KEY": "sk-ant-x", "ANTHROPIC_BASE_URL": srv.url}
        r = cli("--sessions", str(sessions_dir), "round", "--headless", "--text", "--only", "node-event-loop-phases",
                "--follow-ups", "1", "--no-tts", "--answers-file",
                answers_file(["The event loop has phases: timers, poll and check.",
                              "I would use perf_hooks monitorEventLoopDelay."]), env=env)
    assert r.returncode == 0, r.stderr
    assert "measure event loop lag" in r.stdout and "overall 6/10" in r.stdout
    assert len(srv.bodies("follow_up")) == 1 and len(srv.requests) == 2
