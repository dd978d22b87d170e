"""SIGKILL a headless round at many moments (mid-answer, mid-score, mid-recording): nothing completed is lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from mockint.audio.wavio import read_wav
from mockint.store.sessions import SessionStore

from .fake_anthropic import FakeAnthropic, request_kind
from .pulse import play_into_mic, require_pulse
from .rounds import SCORE_JSON, Round, journal

QIDS = "node-event-loop-phases,cache-stampede,story-database-optimisation"
ANSWERS = ["The loop has timers, poll and check phases; nextTick drains before promises.",
           "Use a per-key lock and request coalescing, and add jitter to the TTL.",
           "At the time our orders page took four seconds; I added a composite index and it fell to 200 ms.",
           "I would measure with perf_hooks.", "Probably a mutex in Redis.", "We used EXPLAIN ANALYZE."]
TRIGGERS = ["listening", "score_in_flight", "random"]


def _route(body):
    if request_kind(body) == "follow_up":
        return {"kind": "text", "text": "ASK: What would you measure first?\nWHY: depth."}
    return {"kind": "json", "data": SCORE_JSON, "delay": 0.6}  # a slow score: a window to die in


def _kill_round(sessions: Path, env: dict, trigger: str, rng: random.Random) -> tuple[str | None, list[dict]]:
    """Run a round and SIGKILL it at `trigger`; the session id, or None if it died before creating one."""
    before = set(os.listdir(sessions))
    # Claude's score takes 0.6 s here: the window a kill mid-score needs. Elsewhere the offline interviewer serves
    # (what is journaled when does not depend on the backend, and each Claude round costs the SDK's 1 s import)
    backend = "claude" if trigger == "score_in_flight" else "offline"
    rd = Round("--text", "--only", QIDS, "--follow-ups", "1", "--no-tts", "--backend", backend,
               sessions=sessions, env=env)
    answers = iter(ANSWERS)
    kill_at = rng.uniform(0.2, 3.0) if trigger == "random" else None
    target = rng.randint(1, 3)  # which listening / which thread end to die at
    listens = ends = 0
    timer = threading.Timer(kill_at, rd.proc.kill) if kill_at else None
    if timer:
        timer.start()
    try:
        while True:
            ev = rd.next(timeout=60)
            if ev is None:
                break
            if ev["type"] == "listening":
                listens += 1
                if trigger == "listening" and listens == target:
                    time.sleep(rng.uniform(0, 0.2))
                    rd.proc.send_signal(signal.SIGKILL)  # mid-answer: the candidate is still typing
                    continue
                rd.answer(next(answers, ""))
            if ev["type"] == "answer_finished" and "-f" in ev["turn_id"]:
                ends += 1
                if trigger == "score_in_flight" and ends == min(target, 2):
                    time.sleep(rng.uniform(0.05, 0.4))
                    rd.proc.send_signal(signal.SIGKILL)  # the thread's score request is still being served
    finally:
        if timer:
            timer.cancel()
        rd.proc.wait(timeout=30)
    if any(e["type"] == "round_started" for e in rd.seen):
        return rd.session_id(), rd.seen
    # killed before it said round_started (a random kill during start-up): maybe before the session existed
    new = sorted(set(os.listdir(sessions)) - before)
    return (new[0] if new else None), rd.seen


def test_sigkill_many_times_keeps_every_completed_turn(sessions_dir, cli, main, tmp_path):
    rng = random.Random(20261128)
    store = SessionStore(sessions_dir)
    env = {"ANTHROPIC_API_KEY": "sk-ant-x", "MOCKINT_SESSIONS_DIR": str(sessions_dir)}
    kinds = {"interrupted_mid_score": 0, "interrupted_mid_answer": 0}
    answers_file = tmp_path / "rest.json"
    answers_file.write_text(json.dumps(ANSWERS))
    with FakeAnthropic(route=_route) as srv:
        env["ANTHROPIC_BASE_URL"] = srv.url
        for i in range(12):
            sid, seen = _kill_round(sessions_dir, env, TRIGGERS[i % 3], rng)
            if sid is None or not (sessions_dir / sid / "journal.jsonl").exists():
                continue  # killed before the session had a journal: nothing was created, nothing lost
            listing = store.scan()
            if sid in dict(listing.damaged):
                # created, then killed before its first event was on disk: said so, and skipped
                assert "session_started" in dict(listing.damaged)[sid]
                continue
            state = store.load(sid)
            # everything the process reported as done had been journaled first
            printed_answers = {e["turn_id"] for e in seen if e["type"] == "answer_finished"}
            journaled = {t.turn_id for th in state.threads for t in th.turns if t.answered}
            assert printed_answers <= journaled, (i, printed_answers, journaled)
            printed_scores = {e["question_id"] for e in seen if e["type"] == "scored"}
            assert printed_scores <= {t.question_id for t in state.threads if t.score_status == "scored"}
            if state.status == "complete":
                continue
            last = journal(state.path)[-1].type
            kinds["interrupted_mid_answer"] += last == "answer_started"
            # a thread whose every turn was answered but whose score never arrived: killed mid-score
            kinds["interrupted_mid_score"] += any(
                len(th.turns) == 2 and all(t.answered for t in th.turns) and th.score_status == "none"
                for th in state.threads)
            # the read-only commands in this process: the killed rounds are the subprocesses that matter here
            rows = {r["id"]: r for r in json.loads(main("sessions", "--json", env=env).stdout)}
            assert rows[sid]["status"] == "interrupted"
            rep = main("report", sid, env=env)
            assert rep.returncode == 0 and "Status: interrupted" in rep.stdout
            if i % 3 == 0:
                r = cli("round", "--headless", "--text", "--resume", sid, "--answers-file", str(answers_file),
                        "--follow-ups", "1", "--backend", "offline", "--no-tts", env=env)
                assert r.returncode == 0, r.stderr
                done = store.load(sid)
                assert done.status == "complete" and not done.remaining_question_ids()
                assert all(t.score_status == "scored" for t in done.threads if t.turns and t.turns[0].answered)
    assert kinds["interrupted_mid_answer"] >= 3 and kinds["interrupted_mid_score"] >= 3, kinds


@pytest.mark.audio
@pytest.mark.model
def test_sigkill_mid_recording_keeps_the_partial_audio(sessions_dir, cli, tmp_path):
    require_pulse()
    wav = tmp_path / "long.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), " ".join(ANSWERS[:3])], check=True)
    env = {"MOCKINT_SESSIONS_DIR": str(sessions_dir)}
    for n in range(3):
        rd = Round("--only", "node-event-loop-phases", "--follow-ups", "0", "--no-tts", sessions=sessions_dir)
        rd.until("listening")
        voice = play_into_mic(wav, wait=False)
        answer_wav = sessions_dir / rd.session_id() / "audio" / "q01-a.wav"
        deadline = time.monotonic() + 30
        want = 44 + 32000 * (1 + n)  # WAV header plus n + 1 seconds of 16 kHz 16-bit mono
        while time.monotonic() < deadline and (not answer_wav.exists() or answer_wav.stat().st_size < want):
            time.sleep(0.05)
        rd.proc.kill()
        rd.proc.wait(timeout=30)
        voice.terminate()  # the candidate stops too: the next round (or test) must not hear this answer
        voice.wait(timeout=10)
        audio, sr = read_wav(answer_wav)  # the header is repaired on load
        assert sr == 16000 and len(audio) >= sr * (1 + n)
        sid = rd.session_id()
        rep = cli("report", sid, env=env)
        assert rep.returncode == 0 and "Status: interrupted" in rep.stdout
        r = cli("round", "--headless", "--text", "--resume", sid, "--answers-file",
                str(_answers(tmp_path)), "--no-tts", "--follow-ups", "0", env=env)
        assert r.returncode == 0, r.stderr
        assert SessionStore(sessions_dir).load(sid).status == "complete"


def _answers(tmp_path: Path) -> Path:
    p = tmp_path / "a.json"
    p.write_text(json.dumps(["The event loop runs phases; libuv has a pool."]))
    return p
