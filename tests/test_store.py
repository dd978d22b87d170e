"""Session store: layout and permissions, rebuild from the journal, listing, reports, bad ids."""

from __future__ import annotations

import json
import os
from datetime import datetime

import pytest

from mockint.errors import MockintError
from mockint.store.sessions import SessionStore

SCORE = {"overall": 6, "technical": 6, "coverage": 5, "structure": 7, "communication": 8,
         "key_points_hit": [{"id": "kp", "quote": "the event loop"}], "missed_points": ["other"],
         "strengths": ["clear"], "improvements": ["depth"], "flags": [], "backend": "offline"}


def make_session(store: SessionStore, complete: bool = True, when: datetime | None = None) -> str:
    sid, path, j = store.create("node internals", now=when)
    j.append("session_started", session_id=sid, title="node internals", topics=["node-internals"],
             question_ids=["q-a", "q-b"], backend="offline", answers="typed")
    j.append("question_asked", question_id="q-a", topic="node-internals", turn_id="q01", kind="main",
             text="Explain the event loop.")
    j.append("answer_finished", question_id="q-a", turn_id="q01",
             transcript={"text": "It is the event loop, um, with libuv.", "typed": True},
             metrics={"wpm": 120.0, "word_count": 8, "filler_count": 1, "fillers": ["um"], "duration": 4.0})
    j.append("question_asked", question_id="q-a", topic="node-internals", turn_id="q01-f1", kind="follow_up",
             text="What about the thread pool?", reason="missed key point 'thread-pool'", probes="thread-pool")
    j.append("answer_finished", question_id="q-a", turn_id="q01-f1", transcript={"text": "Four threads by default."})
    j.append("turn_scored", question_id="q-a", score=SCORE)
    if complete:
        j.append("question_skipped", question_id="q-b", topic="node-internals")
        j.append("round_finished", reason="completed")
    j.close()
    return sid


def test_layout_permissions_and_rebuild(sessions_dir):
    store = SessionStore(sessions_dir)
    sid = make_session(store)
    path = sessions_dir / sid
    assert oct(path.stat().st_mode & 0o777) == "0o700"
    assert oct((path / "audio").stat().st_mode & 0o777) == "0o700"
    assert oct((path / "journal.jsonl").stat().st_mode & 0o777) == "0o600"
    st = store.load(sid)
    assert st.status == "complete" and st.meta.question_ids == ["q-a", "q-b"]
    a, b = st.threads
    assert [t.turn_id for t in a.turns] == ["q01", "q01-f1"]
    assert a.turns[1].reason.startswith("missed") and a.score.overall == 6 and b.skipped
    assert st.remaining_question_ids() == []


def test_interrupted_session_with_torn_line(sessions_dir):
    store = SessionStore(sessions_dir)
    sid = make_session(store, complete=False)
    with open(sessions_dir / sid / "journal.jsonl", "ab") as f:
        f.write(b'{"v":1,"type":"answer_fini')
    st = store.load(sid)
    assert st.status == "interrupted" and st.remaining_question_ids() == ["q-b"]
    assert any("torn" in s for s in st.skipped_lines)


def test_ids_unique_within_a_second(sessions_dir):
    store = SessionStore(sessions_dir)
    when = datetime(2026, 11, 28, 10, 0, 0)
    assert make_session(store, when=when) != make_session(store, when=when)
    assert len(store.list()) == 2


@pytest.mark.parametrize("bad", ["../etc", "/etc/passwd", "20261128-000000-nope", "x", "../../sessions"])
def test_bad_session_ids(sessions_dir, bad):
    with pytest.raises(MockintError):
        SessionStore(sessions_dir).load(bad)


def test_cli_sessions_and_report(cli, sessions_dir, tmp_path):
    store = SessionStore(sessions_dir)
    done = make_session(store, when=datetime(2026, 11, 27, 9, 0, 0))
    open_ = make_session(store, complete=False, when=datetime(2026, 11, 28, 9, 0, 0))
    env = {"MOCKINT_SESSIONS_DIR": str(sessions_dir)}
    r = cli("sessions", "--json", env=env)
    rows = {row["id"]: row for row in json.loads(r.stdout)}
    assert rows[done]["status"] == "complete" and rows[open_]["status"] == "interrupted"
    assert rows[done]["overall"] == 6.0 and rows[done]["answered"] == 1
    r = cli("sessions", env=env)
    assert done in r.stdout and "interrupted" in r.stdout
    r = cli("report", done, env=env)
    assert r.returncode == 0
    for needle in ("Explain the event loop.", "What about the thread pool?", "Why this follow-up",
                   "Four threads by default.", "overall **6**/10", "the event loop", "Skipped"):
        assert needle in r.stdout, needle
    out = tmp_path / "r.json"
    r = cli("report", done, "--format", "json", "--out", str(out), env=env)
    doc = json.loads(out.read_text())
    assert doc["summary"]["overall"] == 6.0 and doc["threads"][0]["turns"][1]["turn_id"] == "q01-f1"
    for bad in ("nope", "../x", str(tmp_path)):
        r = cli("report", bad, env=env)
        assert r.returncode == 2 and "Traceback" not in r.stderr and "session" in r.stderr
