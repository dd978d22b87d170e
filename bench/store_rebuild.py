"""Reading a session is linear in its events: time `mockint sessions` (list) and `mockint report` (rebuild and
render) on sessions of 6,000 and 100,000 events. Goal: 100,000 events list and report in under 2 s.

Usage: .venv/bin/python bench/store_rebuild.py
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from _common import ROOT  # noqa: F401 - puts the checkout on sys.path

from mockint.bank import load_bank
from mockint.cli import main
from mockint.store.sessions import SessionStore

SCORE = {"overall": 6, "technical": 6, "coverage": 5, "structure": 7, "communication": 8,
         "key_points_hit": [{"id": "kp", "quote": "the event loop"}], "missed_points": ["other"],
         "strengths": ["clear"], "improvements": ["depth"], "flags": [], "backend": "offline"}
METRICS = {"wpm": 130.0, "word_count": 40, "filler_count": 2, "fillers_per_min": 3.0, "fillers": ["um"],
           "long_pauses": [{"at": 3.2, "seconds": 2.4}], "time_to_first_word": 0.8, "duration": 18.0, "budget": 120}


def make_session(store: SessionStore, events: int, when: datetime) -> str:
    """A session of about `events` events: threads of ask, answer, follow-up, answer, score."""
    bank = load_bank(ROOT / "question_bank")
    qids = [q.id for q in bank.questions]
    threads = events // 8
    ids = [f"{qids[i % len(qids)]}-{i}" for i in range(threads)]  # distinct question ids: one thread each
    sid, _path, j = store.create("bench", now=when)
    j.append("session_started", session_id=sid, title="bench", question_ids=ids, answers="spoken")
    for n, qid in enumerate(ids, 1):
        for turn, kind in ((f"q{n:05d}", "main"), (f"q{n:05d}-f1", "follow_up")):
            j.append("question_asked", question_id=qid, topic="node-internals", turn_id=turn, kind=kind,
                     text="Walk me through the phases of the Node.js event loop.", index=n)
            j.append("answer_started", question_id=qid, turn_id=turn)
            j.append("answer_finished", question_id=qid, turn_id=turn, metrics=METRICS,
                     transcript={"text": "The loop runs timers, then poll, then check; um, nextTick drains first."})
        j.append("turn_scored", question_id=qid, score=SCORE)
        j.append("notice", text="bench")
    j.append("round_finished", reason="completed")
    j.close()
    return sid


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of `mockint ARGV` (in this process, like the command's own work)."""
    t, c = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    assert code == 0, code
    return time.perf_counter() - t, time.process_time() - c


def main_() -> None:
    load = open("/proc/loadavg").read().split()[:3]
    print(f"load average {' '.join(load)}")
    for events in (6_000, 100_000):
        with tempfile.TemporaryDirectory() as d:
            store = SessionStore(Path(d) / "sessions")
            sid = make_session(store, events, datetime(2026, 11, 28, 9, 0, 0))
            size = (store.root / sid / "journal.jsonl").stat().st_size
            n = sum(1 for _ in open(store.root / sid / "journal.jsonl", "rb"))
            base = ["--sessions", str(store.root)]
            (lw, lc), (rw, rc) = timed(base + ["sessions", "--json"]), timed(base + ["report", sid])
            print(f"{n:>7,} events ({size / 1e6:.1f} MB journal): sessions {lw:.2f} s, report {rw:.2f} s, "
                  f"both {lw + rw:.2f} s wall ({lc + rc:.2f} s CPU)")
    sys.stdout.flush()


if __name__ == "__main__":
    main_()
