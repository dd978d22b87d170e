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


def test_cli_sessions_and_report(main, sessions_dir, tmp_path):
    store = SessionStore(sessions_dir)
    done = make_session(store, when=datetime(2026, 11, 27, 9, 0, 0))
    open_ = make_session(store, complete=False, when=datetime(2026, 11, 28, 9, 0, 0))
    env = {"MOCKINT_SESSIONS_DIR": str(sessions_dir)}
    r = main("sessions", "--json", env=env)
    rows = {row["id"]: row for row in json.loads(r.stdout)}
    assert rows[done]["status"] == "complete" and rows[open_]["status"] == "interrupted"
    assert rows[done]["overall"] == 6.0 and rows[done]["answered"] == 1
    r = main("sessions", env=env)
    assert done in r.stdout and "interrupted" in r.stdout
    r = main("report", done, env=env)
    assert r.returncode == 0
    for needle in ("Explain the event loop.", "What about the thread pool?", "Why this follow-up",
                   "Four threads by default.", "overall **6**/10", "the event loop", "Skipped"):
        assert needle in r.stdout, needle
    out = tmp_path / "r.json"
    r = main("report", done, "--format", "json", "--out", str(out), env=env)
    doc = json.loads(out.read_text())
    assert doc["summary"]["overall"] == 6.0 and doc["threads"][0]["turns"][1]["turn_id"] == "q01-f1"
    for bad in ("nope", "../x", str(tmp_path)):
        r = main("report", bad, env=env)
        assert r.returncode == 2 and "Traceback" not in r.stderr and "session" in r.stderr


# ---- a store one bad file cannot break ----

def _damage(store: SessionStore, tmp_path) -> dict[str, str]:
    """Sessions broken in the ways a disk, an editor or an attacker breaks them; id -> what is wrong."""
    when = iter(datetime(2026, 11, 20, 9, m, 0) for m in range(30))
    bad: dict[str, str] = {}
    sid = make_session(store, when=next(when))  # journal replaced by a folder: unreadable
    j = store.root / sid / "journal.jsonl"
    j.unlink()
    j.mkdir()
    bad[sid] = "cannot be read"
    sid = make_session(store, when=next(when))  # journal is a link to a file outside
    outside = tmp_path / "outside.jsonl"
    outside.write_text((store.root / sid / "journal.jsonl").read_text())
    (store.root / sid / "journal.jsonl").unlink()
    (store.root / sid / "journal.jsonl").symlink_to(outside)
    bad[sid] = "symbolic link"
    sid = make_session(store, when=next(when))  # first event garbage
    (store.root / sid / "journal.jsonl").write_bytes(b"\x00\xff garbage\n")
    bad[sid] = "no valid session_started"
    return bad


def _wrong_types(store: SessionStore) -> str:
    """Known events whose fields have the wrong type (each crashed something before)."""
    sid = make_session(store, complete=False, when=datetime(2026, 11, 25, 9, 0, 0))
    with open(store.root / sid / "journal.jsonl", "a") as f:
        for ev in ({"type": "question_asked", "question_id": "q-b", "turn_id": "q02", "kind": "main", "text": 5},
                   {"type": "question_asked", "question_id": "q-c", "turn_id": "q03", "text": "ok",
                    "audio": "../../../etc/passwd"},
                   {"type": "answer_finished", "question_id": "q-a", "turn_id": "q01", "transcript": {"text": 5}},
                   {"type": "answer_finished", "question_id": "q-a", "turn_id": "q01", "metrics": "fast"},
                   {"type": "turn_scored", "question_id": "q-a", "score": {"overall": "ten"}},
                   {"type": "round_finished", "reason": 5},
                   {"type": "notice", "text": ["not", "text"]},
                   {"type": "question_skipped", "question_id": None}):
            f.write(json.dumps({"v": 1, "t": "2026-11-25T09:00:00Z", **ev}) + "\n")
    return sid


def test_damaged_sessions_are_listed_with_the_reason_and_skipped(cli, main, sessions_dir, tmp_path):
    store = SessionStore(sessions_dir)
    good = make_session(store, when=datetime(2026, 11, 28, 9, 0, 0))
    bad = _damage(store, tmp_path)
    typed = _wrong_types(store)
    listing = store.scan()
    assert {s.id for s in listing.sessions} == {good, typed}
    reasons = dict(listing.damaged)
    for sid, why in bad.items():
        assert why in reasons[sid], (sid, reasons[sid])
    st = store.load(typed)  # loads; every bad line is skipped and said
    assert len([s for s in st.skipped_lines if "invalid" in s]) == 8 and st.status == "interrupted"
    assert st.threads[0].score.overall == 6 and st.threads[0].turns[0].transcript.text.startswith("It is")
    assert all("../" not in (t.question_audio or "") for th in st.threads for t in th.turns)
    env = {"MOCKINT_SESSIONS_DIR": str(sessions_dir)}
    r = main("sessions", env=env)
    assert r.returncode == 0 and good in r.stdout and typed in r.stdout and "Traceback" not in r.stderr
    assert all(f"skipped damaged session {sid}" in r.stderr for sid in bad)
    rows = {row["id"]: row for row in json.loads(main("sessions", "--json", env=env).stdout)}
    assert all(rows[sid]["status"] == "damaged" and rows[sid]["reason"] for sid in bad)
    for sid in bad:
        r = main("report", sid, env=env)
        assert r.returncode == 2 and "damaged" in r.stderr and "Traceback" not in r.stderr
        r = cli("round", "--headless", "--text", "--resume", sid, env=env)
        assert r.returncode == 2 and "Traceback" not in r.stderr
    r = main("report", typed, env=env)
    assert r.returncode == 0 and "invalid" in r.stderr
    r = main("rescore", typed, "--backend", "offline", env=env)
    assert "Traceback" not in r.stderr
    # and a new round still starts, with history read from the good sessions
    r = cli("round", "--headless", "--text", "--questions", "1", "--follow-ups", "0", "--no-tts", "--order",
            "weakest", env=env, input="A per-key lock with jitter.\n")
    assert r.returncode == 0, r.stderr
    assert outside_untouched(tmp_path)


def outside_untouched(tmp_path) -> bool:
    return (tmp_path / "outside.jsonl").read_text().count("\n") == 8


def test_no_symlink_is_followed_inside_the_sessions_folder(sessions_dir, tmp_path):
    from mockint.store.report import write_summary

    store = SessionStore(sessions_dir)
    sid = make_session(store)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    for name in (".summary.json.tmp", ".report.md.tmp"):  # the old fixed temp names
        (sessions_dir / sid / name).symlink_to(victim)
    write_summary(store.load(sid), None)
    assert victim.read_text() == "precious"
    assert json.loads((sessions_dir / sid / "summary.json").read_text())["session_id"] == sid
    # a journal planted as a link is neither read nor appended to
    sid2 = make_session(store, complete=False, when=datetime(2026, 11, 28, 11, 0, 0))
    target = tmp_path / "target.jsonl"
    target.write_text((sessions_dir / sid2 / "journal.jsonl").read_text())
    (sessions_dir / sid2 / "journal.jsonl").unlink()
    (sessions_dir / sid2 / "journal.jsonl").symlink_to(target)
    before = target.read_text()
    with pytest.raises(MockintError):
        store.open_journal(sid2)
    assert target.read_text() == before and sid2 in dict(store.scan().damaged)


def test_a_sessions_folder_others_can_write_is_refused(cli, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    r = cli("--sessions", str(shared), "round", "--headless", "--text", "--questions", "1", "--no-tts",
            input="x\n")
    assert r.returncode == 2 and f"chmod go-w {shared}" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert os.listdir(shared) == []
    shared.chmod(0o700)
    store = SessionStore(shared)
    sid = make_session(store, complete=False)
    shared.chmod(0o757)
    with pytest.raises(MockintError, match="chmod go-w"):
        store.open_journal(sid)


def test_report_out_follows_a_link_and_refuses_a_folder(main, sessions_dir, tmp_path):
    sid = make_session(SessionStore(sessions_dir))
    env = {"MOCKINT_SESSIONS_DIR": str(sessions_dir)}
    real = tmp_path / "real.md"
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    r = main("report", sid, "--out", str(link), env=env)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and "Explain the event loop." in real.read_text()
    folder = tmp_path / "out"
    folder.mkdir()
    r = main("report", sid, "--out", str(folder), env=env)
    assert r.returncode == 2 and "is a folder" in r.stderr
    assert os.listdir(folder) == []  # no temp file with the transcript left behind


def test_rescore_rewrites_the_report(main, sessions_dir):
    store = SessionStore(sessions_dir)
    sid, path, j = store.create("node", now=datetime(2026, 11, 28, 12, 0, 0))
    j.append("session_started", session_id=sid, question_ids=["cache-stampede"], answers="typed")
    j.append("question_asked", question_id="cache-stampede", topic="caching", turn_id="q01", kind="main",
             text="What is a cache stampede?")
    j.append("answer_finished", question_id="cache-stampede", turn_id="q01",
             transcript={"text": "Many requests recompute the same key at once; a per-key lock stops it."})
    j.append("score_pending", question_id="cache-stampede", reason="Claude timed out")
    j.close()
    env = {"MOCKINT_SESSIONS_DIR": str(sessions_dir)}
    main("report", sid, "--out", str(path / "report.md"), env=env)
    assert "pending" in (path / "report.md").read_text()
    r = main("rescore", sid, "--backend", "offline", env=env)
    assert r.returncode == 0, r.stderr
    report = (path / "report.md").read_text()
    assert "pending" not in report and "overall **" in report
