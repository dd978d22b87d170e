"""A scripted spoken round through PulseAudio (answers played into the 'microphone', Enter pressed when done):
launch -> first question audio, end of answer -> first audio of the next question or follow-up (offline
interviewer, tiny.en), and the event loop's worst stalls.

Usage: scripts/with-pulse.sh .venv/bin/python bench/turn_latency.py
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import ROOT, median

QIDS = ["db-mikroorm-n-plus-one", "ms-circuit-breaker", "comm-kafka-vs-rabbitmq", "db-postgres-indexing"]
FOLLOW = "I would measure it first with a load test, then watch the ninety fifth percentile latency and the error rate."
PAUSE_BEFORE_KEY = 0.5  # the candidate finishes the sentence, then presses the key


def espeak(text: str, path: Path) -> Path:
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", str(path), text], check=True)
    return path


def main() -> None:
    fixtures = {e["question_id"]: e for e in json.loads((ROOT / "tests/data/spoken_answers.json").read_text())}
    tmp = Path(tempfile.mkdtemp())
    wavs = {q: espeak(fixtures[q]["say"], tmp / f"{q}.wav") for q in QIDS}
    follow = espeak(FOLLOW, tmp / "follow.wav")
    env = {**os.environ, "MOCKINT_SESSIONS_DIR": str(tmp / "sessions")}
    t_launch = time.monotonic()
    # the round with an event-loop probe beside it (bench/loop_probe_round.py; mockint itself carries none)
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "loop_probe_round.py"), "--headless", "--json",
                             "--only", ",".join(QIDS), "--follow-ups", "1"], cwd=ROOT, env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    events: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [events.put((time.monotonic(), json.loads(l))) for l in proc.stdout] and
                     events.put((time.monotonic(), None)), daemon=True).start()
    asked: dict[str, str] = {}
    first_audio = None
    key_at = None
    turn_gaps: list[float] = []
    probe = None
    while True:
        t, ev = events.get(timeout=300)
        if ev is None:
            break
        kind = ev["type"]
        if kind == "question_asked":
            asked[ev["turn_id"]] = ev["question_id"]
        elif kind == "speaking_started":
            if first_audio is None:
                first_audio = t - t_launch
            if key_at is not None:
                turn_gaps.append(t - key_at)
                key_at = None
        elif kind == "listening":
            wav = follow if "-f" in ev["turn_id"] else wavs[asked[ev["turn_id"]]]
            subprocess.run(["paplay", "-d", "mockint_mic", str(wav)], check=True)
            time.sleep(PAUSE_BEFORE_KEY)
            key_at = time.monotonic()
            proc.stdin.write("\n")
            proc.stdin.flush()
        elif kind == "answer_finished":
            print(f"  {ev['turn_id']:7} {ev['metrics']['wpm']:5.0f} wpm  {ev['text'][:70]}", flush=True)
        elif kind == "loop_probe":
            probe = ev
    proc.wait(timeout=60)
    print(f"\nlaunch -> first question audio: {first_audio:.2f} s")
    print(f"end of answer (key) -> first audio of next question/follow-up: median {median(turn_gaps):.2f} s, "
          f"max {max(turn_gaps):.2f} s over {len(turn_gaps)} turns")
    import resource

    print(f"peak RSS of the round process: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")
    if probe:
        print(f"event-loop stall: p99 {probe['p99_ms']} ms, max {probe['max_ms']} ms over {probe['samples']} samples")


if __name__ == "__main__":
    main()
