"""Whole rounds with the Claude interviewer against the faithful fake API: a matrix of what the real API does to a
round (clean, heavy thinking, rate limits, overload mid-stream, refusal after a spoken sentence, a refused key, an
outage), in process with the real engine and SDK, plus the command-line round and `mockint rescore` as a user runs
them."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import numpy as np
import pytest

from mockint.audio.wavio import write_wav
from mockint.config import InterviewerSettings, RoundSettings, Settings
from mockint.interview.events import Notice
from mockint.interview.factory import build_interview
from mockint.interview.voice import SpeechKit
from mockint.store.journal import read_journal
from mockint.store.sessions import SessionStore

from .claude_model import InterviewerModel
from .conftest import ROOT
from .fake_anthropic import FakeAnthropic

QIDS = ["node-event-loop-phases", "cache-stampede", "story-database-optimisation"]
_CAL = {e["question_id"]: e["answers"] for e in json.loads((ROOT / "tests/data/calibration.json").read_text())}
ANSWERS = [a for q in QIDS for a in (_CAL[q]["strong"], _CAL[q]["partial"], _CAL[q]["vague"])]
STAR = {"situation": True, "task": True, "action": True, "result": True, "technical": False}


class RecordingVoice:
    """Speaker and player in one: remembers which text each played sound was (to check what the candidate heard)."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.heard: list[str] = []
        self._lock = threading.Lock()  # the engine synthesises in worker threads, sometimes two at once

    def synthesize(self, text: str, target: Path) -> Path:
        with self._lock:
            self.texts.append(text)
            n = len(self.texts)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_wav(target, np.zeros(160 * n, dtype=np.float32), 16000)  # the length says which text it is
        return target

    def play(self, audio, sample_rate=None, on_progress=None) -> bool:
        self.heard.append(self.texts[len(audio) // 160 - 1])
        return True

    def play_stream(self, chunks, sample_rate, on_progress=None, total=None) -> bool:
        return self.play(np.concatenate(list(chunks)), sample_rate, on_progress)

    def stop(self) -> None:
        pass


def play_round(tmp_path: Path, srv: FakeAnthropic, monkeypatch, qids: list[str] = QIDS,
               **interviewer) -> tuple[list, object, RecordingVoice]:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-round")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", srv.url)
    base = dict(backend="claude", max_follow_ups=2, turn_deadline_seconds=5.0, score_deadline_seconds=10.0,
                max_retries=1, timeout_seconds=3.0)
    settings = Settings(round=RoundSettings(answers="typed"),
                        interviewer=InterviewerSettings(**{**base, **interviewer}))
    store = SessionStore(tmp_path / "sessions")
    voice = RecordingVoice()
    kit = SpeechKit(speaker=voice, player=voice)
    from mockint.bank import load_bank

    bank = load_bank(ROOT / "question_bank")
    answers = [a for q in qids for a in (_CAL[q]["strong"], _CAL[q]["partial"], _CAL[q]["vague"])]
    interview = build_interview(bank, settings, store, only=qids, answers=answers,
                                kit_factory=lambda _s, _typed: kit)

    async def go():
        runner = asyncio.ensure_future(interview.run())
        events = [ev async for ev in interview.events()]
        await runner
        return events

    events = asyncio.run(go())
    return events, store.load(interview.session_id), voice


def follow_ups(state) -> list:
    return [t for th in state.threads for t in th.turns if t.kind == "follow_up"]


def notices(events) -> list[str]:
    return [e.text for e in events if isinstance(e, Notice)]


@pytest.mark.parametrize("think", [None, 2500], ids=["default-thinking", "scores-think-hard"])
def test_clean_round_every_follow_up_and_score_from_claude(tmp_path, monkeypatch, think):
    model = InterviewerModel(think_tokens=think)
    with FakeAnthropic(route=model) as srv:
        events, state, voice = play_round(tmp_path, srv, monkeypatch)
    fus = follow_ups(state)
    assert len(fus) == 6 and all(t.text.startswith("You said") for t in fus)  # every follow-up is Claude's
    assert all("offline" not in (t.reason or "") for t in fus) and not notices(events)
    assert [th.score_status for th in state.threads] == ["scored"] * 3
    assert all(th.score.backend == "claude" for th in state.threads)
    story = state.thread("story-database-optimisation")
    assert story.score.star is not None and story.score.star.model_dump() == STAR  # STAR+T arrives
    # one request per follow-up and per score, none sent twice, thinking set explicitly on each
    assert len(srv.requests) == 9 and len({json.dumps(b, sort_keys=True) for b in srv.requests}) == 9
    assert len(srv.bodies("follow_up")) == 6 and len(srv.bodies("score")) == 3
    assert all(b["thinking"]["type"] == "disabled" for b in srv.bodies("follow_up"))
    assert all(b["thinking"]["type"] == "adaptive" and b["output_config"]["effort"] == "low"
               for b in srv.bodies("score"))
    assert all(r["stop_reason"] == "end_turn" for r in srv.responses)
    # what the candidate heard of each follow-up: its first sentence as soon as it arrived, then the rest
    for t in fus:
        first = t.text.split(". ")[0] + "."
        assert first in voice.heard


@pytest.mark.parametrize("fault, extra_requests", [
    ({("follow_up", 1): {"kind": "status", "status": 429, "retry_after": 1}}, 1),
    ({("follow_up", 2): {"kind": "error_event", "text": "", "error_type": "overloaded_error"}}, 1),
    ({("score", 1): {"kind": "status", "status": 529}}, 1),
], ids=["429-retry-after-fits", "overloaded-mid-stream", "score-overloaded"])
def test_transient_failures_are_absorbed(tmp_path, monkeypatch, fault, extra_requests):
    with FakeAnthropic(route=InterviewerModel(faults=fault)) as srv:
        events, state, _ = play_round(tmp_path, srv, monkeypatch)
    assert all(t.text.startswith("You said") for t in follow_ups(state))
    assert [th.score_status for th in state.threads] == ["scored"] * 3
    assert all(th.score.backend == "claude" for th in state.threads)
    assert len(srv.requests) == 9 + extra_requests and not notices(events)


def test_refusal_after_the_first_sentence_was_spoken(tmp_path, monkeypatch):
    partial = "ASK: You said the loop has phases. What would happen if a callback"
    with FakeAnthropic(route=InterviewerModel(faults={("follow_up", 1): {"kind": "refusal", "text": partial}})) as srv:
        events, state, voice = play_round(tmp_path, srv, monkeypatch)
    first = follow_ups(state)[0]
    assert not first.text.startswith("You said")  # the offline interviewer asked instead...
    assert "You said the loop has phases." in voice.heard  # ...after the candidate had heard Claude's first sentence
    assert voice.heard.index("You said the loop has phases.") < voice.heard.index(first.text)  # and it was spoken
    assert "first sentence" in first.reason and "declined" in first.reason  # the journal says what happened
    (note,) = notices(events)
    assert "disregard" in note and "You said the loop has phases." in note
    assert all(t.text.startswith("You said") for t in follow_ups(state)[1:])  # Claude asks the rest
    assert [th.score_status for th in state.threads] == ["scored"] * 3
    journal = [r for r in read_journal(state.path / "journal.jsonl").records if r.type == "question_asked"]
    assert any("first sentence" in (r.data.get("reason") or "") for r in journal)


def test_refused_key_told_once_and_the_round_continues_offline(tmp_path, monkeypatch):
    with FakeAnthropic(route=InterviewerModel(faults={("follow_up", 1): {"kind": "status", "status": 401}})) as srv:
        # two questions, one follow-up each: every turn after the refusal is the offline interviewer's
        events, state, _ = play_round(tmp_path, srv, monkeypatch, QIDS[:2], max_follow_ups=1)
    assert len(srv.requests) == 1
    (note,) = notices(events)
    assert "refused the API key" in note and "offline" in note
    assert len(follow_ups(state)) == 2 and not any(t.text.startswith("You said") for t in follow_ups(state))
    assert [th.score_status for th in state.threads] == ["scored"] * 2  # nothing left pending
    assert all(th.score.backend == "offline" for th in state.threads)


def test_rate_limit_longer_than_anything_can_wait(tmp_path, monkeypatch):
    fault = {("follow_up", 1): {"kind": "status", "status": 429, "retry_after": 45}}
    with FakeAnthropic(route=InterviewerModel(faults=fault)) as srv:
        events, state, _ = play_round(tmp_path, srv, monkeypatch, QIDS[:2], max_follow_ups=1,
                                      score_deadline_seconds=2.0)
    assert len(srv.requests) == 1  # during the 45 s nothing more is sent
    texts = notices(events)
    assert texts and all("rate limit" in t for t in texts)
    assert "45 s" in texts[0] and "offline interviewer" in texts[0]
    assert [th.score_status for th in state.threads] == ["pending"] * 2
    pending = [r for r in read_journal(state.path / "journal.jsonl").records if r.type == "score_pending"]
    assert all("rate limit" in r.data["reason"] for r in pending)


def _outage_round(cli, sessions_dir: Path, tmp_path: Path, follow_ups: int = 1) -> str:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS))
    with FakeAnthropic() as srv:
        srv.then(kind="status", status=500)
        env = {"ANTHROPIC_API_KEY": "sk-ant-x", "ANTHROPIC_BASE_URL": srv.url, "MOCKINT_INTERVIEWER__MAX_RETRIES": "0"}
        r = cli("--sessions", str(sessions_dir), "round", "--headless", "--text", "--only", ",".join(QIDS),
                "--follow-ups", str(follow_ups), "--no-tts", "--backend", "claude", "--answers-file", str(answers),
                env=env)
    assert r.returncode == 0, r.stderr
    if follow_ups:
        assert "internal error (500); the offline interviewer takes this follow-up" in r.stdout
    assert "Error code" not in r.stdout + r.stderr and "Traceback" not in r.stderr
    (sid,) = [p.name for p in sessions_dir.iterdir()]
    assert [t.score_status for t in SessionStore(sessions_dir).load(sid).threads] == ["pending"] * 3
    return sid


def test_typed_round_on_the_command_line(cli, sessions_dir, tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(ANSWERS))
    with FakeAnthropic(route=InterviewerModel()) as srv:
        env = {"ANTHROPIC_API_KEY": "sk-ant-x", "ANTHROPIC_BASE_URL": srv.url}
        r = cli("--sessions", str(sessions_dir), "round", "--headless", "--text", "--only", ",".join(QIDS),
                "--follow-ups", "2", "--no-tts", "--backend", "claude", "--answers-file", str(answers), env=env)
    assert r.returncode == 0, r.stderr
    assert "interviewer claude" in r.stdout and "[warning]" not in r.stdout and "offline interviewer" not in r.stdout
    assert " pending: " not in r.stdout and r.stdout.count("  scored ") == 3
    assert r.stdout.count("follow-up [") == 6 and r.stdout.count("You said") >= 6
    assert len(srv.requests) == 9 and len(srv.bodies("score")) == 3
    (sid,) = [p.name for p in sessions_dir.iterdir()]
    summary = json.loads((sessions_dir / sid / "summary.json").read_text())
    story = next(t for t in summary["threads"] if t["question_id"] == "story-database-optimisation")
    assert story["score"]["star"] == STAR and story["score"]["backend"] == "claude"


def test_rescore_sends_one_request_per_pending_thread(main, cli, sessions_dir, tmp_path):
    sid = _outage_round(cli, sessions_dir, tmp_path)
    with FakeAnthropic(route=InterviewerModel()) as srv:
        env = {"ANTHROPIC_API_KEY": "sk-ant-x", "ANTHROPIC_BASE_URL": srv.url,
               "MOCKINT_SESSIONS_DIR": str(sessions_dir)}
        r = main("rescore", sid, "--backend", "claude", env=env)
    assert r.returncode == 0, r.stderr
    assert "re-scored 3" in r.stdout and "RuntimeError" not in r.stderr and "Event loop" not in r.stderr
    assert len(srv.requests) == 3 and len(srv.bodies("score")) == 3  # one event loop, one client, no resends
    assert {s["messages"][0]["content"] for s in srv.requests}.__len__() == 3
    state = SessionStore(sessions_dir).load(sid)
    assert all(t.score_status == "scored" and t.score.backend == "claude" for t in state.threads)
    assert state.thread("story-database-optimisation").score.star.model_dump() == STAR


def test_rescore_with_a_refused_key_stops_and_keeps_threads_pending(main, cli, sessions_dir, tmp_path):
    sid = _outage_round(cli, sessions_dir, tmp_path, follow_ups=0)
    with FakeAnthropic() as srv:
        srv.then(kind="status", status=401)
        env = {"ANTHROPIC_API_KEY": "sk-ant-x", "ANTHROPIC_BASE_URL": srv.url,
               "MOCKINT_SESSIONS_DIR": str(sessions_dir)}
        r = main("rescore", sid, "--backend", "claude", env=env)
    assert r.returncode == 5 and len(srv.requests) == 1
    assert r.stderr.count("refused the API key") == 1 and "Traceback" not in r.stderr
    assert "3 still pending" in r.stdout
    assert [t.score_status for t in SessionStore(sessions_dir).load(sid).threads] == ["pending"] * 3
