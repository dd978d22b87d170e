"""Turn latency measured at the speaker: a scripted spoken round through PulseAudio (answers played into the
'microphone', Enter pressed when done) while the speaker sink's monitor is recorded with parec.

Prints launch -> first question audible, and end of answer (the key) -> next audio audible (the offline
follow-up, or the next main question), quiet and with a CPU hog burning both cores; and the round process's
peak RSS. The recording's clock is calibrated from parec's delivery times and checked against a tone.

Usage: scripts/with-pulse.sh .venv/bin/python bench/turn_latency.py [--quick] [--no-hog]
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
from _common import ROOT, median

QIDS = ["db-mikroorm-n-plus-one", "ms-circuit-breaker", "comm-kafka-vs-rabbitmq", "db-postgres-indexing"]
FOLLOW = "I would measure it first with a load test, then watch the ninety fifth percentile latency and the error rate."
PAUSE_BEFORE_KEY = 0.5  # the candidate finishes the sentence, then presses the key
SR = 16000
BLOCK = 160  # 10 ms
ONSET = 10 ** (-40 / 20)  # -40 dBFS over 10 ms is sound


class SpeakerTap:
    """Records the speaker sink's monitor with parec; maps sample positions to the monotonic clock."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(["parec", "-d", "mockint_speaker.monitor", "--raw", "--format=s16le",
                                      f"--rate={SR}", "--channels=1", "--latency-msec=10"], stdout=subprocess.PIPE)
        self.chunks: list[np.ndarray] = []
        self.samples = 0
        self.origin = float("inf")  # monotonic time of sample 0 (lower envelope of arrival - position)
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            data = self.proc.stdout.read(BLOCK * 2)
            if not data:
                return
            now = time.monotonic()
            x = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768
            with self._lock:
                self.chunks.append(x)
                self.samples += len(x)
                # the block's last sample cannot have been captured after it arrived
                self.origin = min(self.origin, now - self.samples / SR)

    def audio(self) -> np.ndarray:
        with self._lock:
            return np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.float32)

    def onset_after(self, t: float, until: float | None = None) -> float | None:
        """Monotonic time of the first 10 ms block of sound after time t."""
        a = self.audio()
        start = max(0, int((t - self.origin) * SR))
        end = len(a) if until is None else min(len(a), int((until - self.origin) * SR))
        for i in range(start, end - BLOCK, BLOCK // 2):
            if np.sqrt(np.mean(a[i : i + BLOCK] ** 2)) > ONSET:
                return self.origin + i / SR
        return None

    def close(self) -> None:
        self.proc.terminate()


def tone_check(tap: SpeakerTap) -> float:
    """Play a tone with a 10 ms-latency client and find it: the delay between the write and its onset."""
    tone = (0.3 * np.sin(2 * np.pi * 1000 * np.arange(int(SR * 0.2)) / SR) * 32767).astype("<i2").tobytes()
    p = subprocess.Popen(["pacat", "-p", "-d", "mockint_speaker", "--raw", "--format=s16le", f"--rate={SR}",
                          "--channels=1", "--latency-msec=10"], stdin=subprocess.PIPE)
    time.sleep(0.3)
    t = time.monotonic()
    p.stdin.write(tone)
    p.stdin.close()
    p.wait(timeout=5)
    time.sleep(0.3)
    onset = tap.onset_after(t - 0.05)
    return (onset - t) if onset else float("nan")


def espeak(text: str, path: Path) -> Path:
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", str(path), text], check=True)
    return path


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def one_round(tmp: Path, wavs: dict, follow: Path, tap: SpeakerTap, qids: list[str]) -> dict:
    env = {**os.environ, "MOCKINT_SESSIONS_DIR": str(tmp / f"sessions-{time.monotonic_ns()}")}
    t_launch = time.monotonic()
    # the round with an event-loop probe beside it (bench/loop_probe_round.py; mockint itself carries none)
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "loop_probe_round.py"), "--headless", "--json",
                             "--only", ",".join(qids), "--follow-ups", "1", "--silence-end", "30"], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    events: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [events.put((time.monotonic(), json.loads(line))) for line in proc.stdout]
                     and events.put(None), daemon=True).start()
    asked: dict[str, str] = {}
    keys: list[tuple[float, str]] = []  # (key time, what comes next: follow-up or main)
    first_question = None
    rss = float("nan")
    voice_notice = ""
    probe = None
    parts: dict[str, list[float]] = {}  # key -> answer_finished event, key -> question_asked event
    while True:
        try:
            ev = events.get(timeout=300)
        except queue.Empty:
            break
        if ev is None:
            break
        at, ev = ev
        rss = max(peak_rss_mb(proc.pid), rss) if rss == rss else peak_rss_mb(proc.pid)
        kind = ev["type"]
        if kind == "loop_probe":
            probe = ev
        if kind == "notice":
            voice_notice += ev.get("text", "")
        if kind == "answer_finished" and keys:
            parts.setdefault("transcribed", []).append(at - keys[-1][0])
        if kind == "question_asked":
            asked[ev["turn_id"]] = ev["question_id"]
            if keys:
                parts.setdefault("asked", []).append(at - keys[-1][0])
        elif kind == "listening":
            turn = ev["turn_id"]
            if first_question is None:
                first_question = tap.onset_after(t_launch)
            wav = follow if "-f" in turn else wavs[asked[turn]]
            subprocess.run(["paplay", "-d", "mockint_mic", str(wav)], check=True)
            time.sleep(PAUSE_BEFORE_KEY)
            keys.append((time.monotonic(), "main" if "-f" in turn else "follow-up"))
            proc.stdin.write("\n")
            proc.stdin.flush()
    proc.wait(timeout=60)
    time.sleep(0.5)
    gaps: dict[str, list[float]] = {"follow-up": [], "main": []}
    for i, (t, nxt) in enumerate(keys):
        until = keys[i + 1][0] if i + 1 < len(keys) else None
        onset = tap.onset_after(t, until)
        if onset is not None:
            gaps[nxt].append(onset - t)
    return {"first": (first_question - t_launch) if first_question else float("nan"), "gaps": gaps, "rss": rss,
            "notice": voice_notice, "parts": parts, "probe": probe}


class CpuHog:
    def __enter__(self):
        self.procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            p.kill()


def main() -> None:
    quick = "--quick" in sys.argv
    qids = QIDS[:2] if quick else QIDS
    fixtures = {e["question_id"]: e for e in json.loads((ROOT / "tests/data/spoken_answers.json").read_text())}
    tmp = Path(tempfile.mkdtemp())
    wavs = {q: espeak(fixtures[q]["say"], tmp / f"{q}.wav") for q in qids}
    follow = espeak(FOLLOW, tmp / "follow.wav")
    from mockint.config import load_settings
    from mockint.speech.tts import build_speaker

    s = load_settings().settings
    speaker, _ = build_speaker(s.tts.engine, s.tts.voice, s.tts.rate)
    tap = SpeakerTap()
    time.sleep(0.5)
    checks = [tone_check(tap) for _ in range(3)]
    print(f"voice: {speaker.name}; speaker-monitor clock check: a 10 ms-latency tone is found "
          f"{median(checks) * 1000:.0f} ms after it was written (parec + pacat latency; error bound)")
    runs = [("quiet", False)] + ([] if "--no-hog" in sys.argv else [("CPU hog (2 busy processes)", True)])
    for label, hog in runs:
        load = open("/proc/loadavg").read().split()[:3]
        if hog:
            with CpuHog():
                r = one_round(tmp, wavs, follow, tap, qids)
        else:
            r = one_round(tmp, wavs, follow, tap, qids)
        allg = r["gaps"]["follow-up"] + r["gaps"]["main"]
        print(f"\n[{label}] load average before: {' '.join(load)}")
        print(f"  launch -> first question audible:        {r['first']:.2f} s")
        for k, xs in r["gaps"].items():
            if xs:
                print(f"  end of answer -> {k:9} audible:   median {median(xs):.2f} s, max {max(xs):.2f} s ({len(xs)})")
        if allg:
            print(f"  end of answer -> next audio (all turns): median {median(allg):.2f} s over {len(allg)} turns")
        for k, label2 in (("transcribed", "key -> final transcript (answer_finished)"),
                          ("asked", "key -> next question decided (question_asked)")):
            if r["parts"].get(k):
                print(f"    where the time goes: {label2}: median {median(r['parts'][k]):.2f} s")
        print(f"  peak RSS of the round process:           {r['rss']:.0f} MB")
        if r["probe"]:
            p = r["probe"]
            print(f"  event-loop stall: p99 {p['p99_ms']} ms, max {p['max_ms']} ms over {p['samples']} samples")
        if r["notice"]:
            print(f"  notices: {r['notice'][:200]}")
    tap.close()


if __name__ == "__main__":
    main()
