"""Does a prompt answer keep its first words? Measured at the user's senses on the PulseAudio rig.

A scripted spoken round (headless, offline interviewer, the configured voice) asks each question out loud; the speaker
sink's monitor is recorded with parec. When the round says it is listening, the moment the question went silent
at the speaker is found in that recording (the gap between the two is the time a candidate could lose), and the
candidate starts talking a reaction time after that silence (default 0.2 s; people answer after 0.2-0.5 s; at
once if the app was slower than that), played into the null-sink microphone.

Prints the time from the question's last sound to the recording (what a candidate who answers faster than that
loses), and whether the answer's first word ("Honestly") is in the final transcript.

Usage: scripts/with-pulse.sh .venv/bin/python bench/answer_onset.py [REACTION_S ...]
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

import numpy as np
from _common import ROOT, SR, median
from turn_latency import SpeakerTap, espeak


QIDS = ["db-mikroorm-n-plus-one", "ms-circuit-breaker", "comm-kafka-vs-rabbitmq"]
# each answer opens with a word Whisper knows well, said at once (espeak puts ~0.1 s of silence before it)
OPENING = "Honestly, "


def last_sound_before(tap: SpeakerTap, since: float, until: float) -> float | None:
    """Monotonic time the sound at the speaker last stopped between `since` and `until`."""
    a = tap.audio()
    lo, hi = max(0, int((since - tap.origin) * SR)), min(len(a), int((until - tap.origin) * SR))
    seg = a[lo:hi]
    blocks = seg[: len(seg) // 160 * 160].reshape(-1, 160)
    loud = np.nonzero(np.sqrt((blocks ** 2).mean(1)) > 10 ** (-40 / 20))[0]
    return tap.origin + (lo + (int(loud[-1]) + 1) * 160) / SR if len(loud) else None


def one_round(tmp: Path, wavs: dict, tap: SpeakerTap, reaction: float) -> list[dict]:
    sessions = tmp / f"sessions-{time.monotonic_ns()}"
    env = {**os.environ, "MOCKINT_SESSIONS_DIR": str(sessions)}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "mockint"), "round", "--headless", "--json", "--only",
                             ",".join(QIDS), "--follow-ups", "0", "--silence-end", "1.5"], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    events: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [events.put((time.monotonic(), json.loads(line))) for line in proc.stdout]
                     and events.put(None), daemon=True).start()
    rows, asked, gaps = [], {}, []
    since = time.monotonic()
    while True:
        item = events.get(timeout=300)
        if item is None:
            break
        at, ev = item
        if ev["type"] == "question_asked":
            asked[ev["turn_id"]] = ev["question_id"]
            since = at
        elif ev["type"] == "listening":
            time.sleep(0.1)  # parec delivers in 10 ms blocks; let the tap catch up with the moment of the event
            end = last_sound_before(tap, since, at)
            gaps.append(at - end if end is not None else float("nan"))
            # the candidate starts `reaction` s after the question went quiet (or at once, if that moment has passed)
            time.sleep(max(0.0, (end or at) + reaction - time.monotonic()))
            subprocess.Popen(["paplay", "-d", "mockint_mic", str(wavs[asked[ev["turn_id"]]])])
        elif ev["type"] == "answer_finished":
            rows.append({"turn": ev["turn_id"], "qid": asked.get(ev["turn_id"]), "text": ev.get("text", "")})
    proc.wait(timeout=60)
    for r in rows:
        r["first_word"] = r["text"].lower().lstrip(" ,.").startswith("honestly")
    for r, g in zip(rows, gaps):
        r["gap"] = g
    return rows


def main() -> None:
    reactions = [float(x) for x in sys.argv[1:]] or [0.2]
    fixtures = {e["question_id"]: e for e in json.loads((ROOT / "tests/data/spoken_answers.json").read_text())}
    tmp = Path(tempfile.mkdtemp())
    wavs = {q: espeak(OPENING + fixtures[q]["say"], tmp / f"{q}.wav") for q in QIDS}
    tap = SpeakerTap()
    time.sleep(0.5)
    for reaction in reactions:
        rows = one_round(tmp, wavs, tap, reaction)
        kept = sum(r["first_word"] for r in rows)
        gaps = sorted(r["gap"] for r in rows)
        print(f"question's last sound at the speaker -> recording: median {median(gaps) * 1000:.0f} ms, "
              f"max {gaps[-1] * 1000:.0f} ms ({len(gaps)} questions); a candidate who starts r s after the last sound "
              f"loses max(0, that - r) of the start. Started {reaction:.1f} s after it: first word in the transcript "
              f"{kept}/{len(rows)}")
        for r in rows:
            print(f"    {r['qid']:26} {r['gap'] * 1000:4.0f} ms  {r['text'][:60]!r}")
    tap.close()


if __name__ == "__main__":
    main()
