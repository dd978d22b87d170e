"""Drive `mockint round --headless --json` as a subprocess and react to its events, like a candidate would."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

from mockint.store.journal import read_journal

from .conftest import ROOT

SCORE_JSON = {"key_points_hit": [], "wrong_claims": [], "missed_points": [], "flags": [], "strengths": ["clear"],
              "improvements": ["depth"], "overall": 6, "technical": 6, "coverage": 5, "structure": 6,
              "communication": 7}
"""A score reply (the fake conforms it to each question's schema: a story's STAR+T is generated all false)."""


class Round:
    """A running headless round; `events` yields parsed JSON events as they are printed."""

    def __init__(self, *args: str, sessions: Path, env: dict | None = None):
        full_env = {**os.environ, "MOCKINT_SESSIONS_DIR": str(sessions), **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "mockint.cli", "round", "--headless", "--json", *args],
                                     cwd=ROOT, env=full_env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.seen: list[dict] = []
        self._q: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            try:
                self._q.put(json.loads(line))
            except ValueError:
                self._q.put({"type": "_unparsed", "line": line})
        self._q.put(None)

    def next(self, timeout: float = 120) -> dict | None:
        ev = self._q.get(timeout=timeout)
        if ev is not None:
            self.seen.append(ev)
        return ev

    def until(self, etype: str, timeout: float = 120) -> dict:
        while True:
            ev = self.next(timeout)
            if ev is None:
                raise AssertionError(f"round ended before {etype}: {self.proc.stderr.read()[-2000:]}")
            if ev["type"] == etype:
                return ev

    def answer(self, text: str) -> None:
        self.proc.stdin.write(text.replace("\n", " ") + "\n")
        self.proc.stdin.flush()

    def close_input(self) -> None:
        self.proc.stdin.close()

    def drain(self, timeout: float = 180) -> int:
        while self.next(timeout) is not None:
            pass
        return self.proc.wait(timeout=timeout)

    def session_id(self) -> str:
        return next(e["session_id"] for e in self.seen if e["type"] == "round_started")


def journal_types(session_dir: Path) -> list[str]:
    return [r.type for r in read_journal(session_dir / "journal.jsonl").records]


def journal(session_dir: Path) -> list:
    return read_journal(session_dir / "journal.jsonl").records
