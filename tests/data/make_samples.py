"""Regenerate tests/data/sample_sessions: real engine rounds (typed, offline interviewer) at fixed times.

Run from the repository root: .venv/bin/python tests/data/make_samples.py
The output is committed so snapshot tests see the same sessions every time.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import mockint.store.journal as journal_mod
from mockint.bank import load_bank
from mockint.config import Settings
from mockint.interview.backends import Panel
from mockint.interview.engine import Interview
from mockint.interview.plan import make_plan
from mockint.interview.voice import SpeechKit
from mockint.store.sessions import SessionStore

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "sample_sessions"

ROUNDS = [
    (datetime(2026, 11, 20, 9, 0), ["node-event-loop-phases", "cache-stampede"], [
        "JavaScript runs on a single main thread. The loop goes through timers, poll where it waits for I/O, "
        "then check for setImmediate. After each callback nextTick and then promise microtasks are drained.",
        "I think libuv uses a thread pool for file system calls, four threads by default.",
        "Um, I'm not sure.",
        "When a hot key expires many requests recompute it at once. I would use a lock per key so only one "
        "request rebuilds it, serve stale data meanwhile, and add jitter to TTLs.", "", ""], None),
    (datetime(2026, 11, 24, 18, 30), ["db-mikroorm-n-plus-one", "ms-circuit-breaker", "story-database-optimisation"], [
        "The N+1 problem is one query for the list and one per row. In MikroORM I use populate or a QueryBuilder "
        "join, and DataLoader in GraphQL resolvers.", "I would check the query count in logs.", "",
        "A circuit breaker stops calling a failing service: closed, open, half open. We use opossum with a "
        "fallback to cached data.", "Around fifty percent errors over ten seconds.", "",
        "At the time our orders page took four seconds at p95. My task was to fix it. I ran EXPLAIN ANALYZE, "
        "added a composite index and keyset pagination, and p95 dropped to 180 milliseconds.", "", ""], None),
    (datetime(2026, 11, 27, 7, 45), ["db-postgres-indexing", "auth-sessions-vs-jwt", "comm-kafka-vs-rabbitmq"], [
        "B-tree for equality and ranges, GIN for jsonb and full text, BRIN for huge append-only time series.",
        "I would compare with EXPLAIN.", ""], 2),
]


async def run_round(store: SessionStore, bank, when: datetime, qids: list[str], answers: list[str],
                    stop_after: int | None) -> str:
    settings = Settings(round={"answers": "typed"}, tts={"enabled": False}, interviewer={"max_follow_ups": 1})
    clock = (when + timedelta(seconds=7 * i) for i in itertools.count())
    journal_mod.utcnow = lambda: next(clock).isoformat(timespec="milliseconds") + "Z"
    real_create = store.create
    store.create = lambda title, now=None: real_create(title, now=when)
    plan = make_plan(bank, settings, question_ids=qids)
    iv = Interview(bank, plan, settings, store, SpeechKit(), Panel(None), answers=answers)
    task = asyncio.ensure_future(iv.run())
    finished = 0
    async for ev in iv.events():
        if ev.type == "answer_finished":
            finished += 1
            if stop_after is not None and finished >= stop_after:
                iv.command("quit")
    await task
    store.create = real_create
    return iv.session_id


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    store = SessionStore(OUT)
    bank = load_bank(ROOT / "question_bank")
    ids = [asyncio.run(run_round(store, bank, *r)) for r in ROUNDS]
    torn = OUT / ids[-1] / "journal.jsonl"
    with open(torn, "ab") as f:
        f.write(b'{"v":1,"t":"2026-11-27T07:47:00.000Z","type":"answer_fin')  # a crash mid-write
    print("\n".join(ids))


if __name__ == "__main__":
    main()
