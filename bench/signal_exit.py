"""SIGINT/SIGTERM → the process is gone (goal: within a second), with the session interrupted and resumable.

A headless typed round is stopped mid-answer (after one answer, while a score may still be in flight), five times
per signal. Usage: .venv/bin/python bench/signal_exit.py
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT

QIDS = "node-event-loop-phases,cache-stampede,story-database-optimisation"


def once(sessions: Path, sig: int) -> float:
    env = {**os.environ, "MOCKINT_SESSIONS_DIR": str(sessions)}
    proc = subprocess.Popen([sys.executable, "-m", "mockint.cli", "round", "--headless", "--json", "--text",
                             "--only", QIDS, "--follow-ups", "0", "--no-tts"], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    listens = 0
    for line in proc.stdout:
        if json.loads(line)["type"] == "listening":
            listens += 1
            if listens == 2:
                break
            proc.stdin.write("The loop runs timers, poll and check; nextTick drains first.\n")
            proc.stdin.flush()
    t = time.monotonic()
    proc.send_signal(sig)
    proc.wait(timeout=30)
    gone = time.monotonic() - t
    assert proc.returncode == 130, proc.returncode
    return gone


def main() -> None:
    print(f"load average {' '.join(open('/proc/loadavg').read().split()[:3])}")
    with tempfile.TemporaryDirectory() as d:
        for sig in (signal.SIGTERM, signal.SIGINT):
            times = [once(Path(d), sig) for _ in range(5)]
            print(f"{sig.name}: process gone after median {statistics.median(times):.2f} s, "
                  f"max {max(times):.2f} s over {len(times)} rounds")


if __name__ == "__main__":
    main()
