"""Offline judge: model load, time to decide a follow-up and to score one answer, and the memory it adds.

Goals (issue 9): score p95 <= 150 ms per answer with the model warm; model load <= 1 s (done in the background while
the first question is spoken); added RSS <= 250 MB.

Usage: .venv/bin/python bench/scoring_speed.py
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from pathlib import Path

from _common import ROOT, median


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    from mockint.bank import load_bank
    from mockint.interview.interviewer import Exchange, ThreadInput

    bank = load_bank(ROOT / "question_bank")
    items = json.loads((ROOT / "tests" / "data" / "calibration" / "tune.json").read_text())["items"]
    before = rss_mb()
    t0 = time.perf_counter()
    from mockint.embeddings import MiniLM

    model = MiniLM().load()
    load_s = time.perf_counter() - t0
    from mockint.interview.offline import Judge, choose_follow_up, final_score

    with tempfile.TemporaryDirectory() as cache:
        judge = Judge(bank, embedder=model, cache_dir=Path(cache))
        t0 = time.perf_counter()
        judge.index.warm()
        cold_bank_s = time.perf_counter() - t0
        judge2 = Judge(bank, embedder=model, cache_dir=Path(cache))
        t0 = time.perf_counter()
        judge2.index.warm()
        cached_bank_s = time.perf_counter() - t0
    follow, score = [], []
    for _ in range(2):
        for it in items:
            q = bank.question(it["question_id"])
            t = ThreadInput(q, (Exchange("main", q.prompt, it["answer"]),), tuple(bank.topics[q.topic].glossary), 2)
            model._recent.clear()  # every answer is new speech: nothing of it is in memory yet
            a = time.perf_counter()
            choose_follow_up(t, judge)
            b = time.perf_counter()
            final_score(t, judge)
            c = time.perf_counter()
            follow.append((b - a) * 1000)
            score.append((c - b) * 1000)
    after = rss_mb()
    load = open("/proc/loadavg").read().split()[0]
    print(f"model load                      {load_s * 1000:7.0f} ms")
    print(f"bank anchors embedded (cold)    {cold_bank_s * 1000:7.0f} ms"
          f"   (from the disk cache: {cached_bank_s * 1000:.0f} ms)")
    for name, xs in (("follow-up decision", follow), ("score", score)):
        xs.sort()
        print(f"{name:30} median {median(xs):6.1f} ms   p95 {xs[int(len(xs) * 0.95)]:6.1f} ms   max {xs[-1]:6.1f} ms"
              f"   ({len(xs)} answers)")
    print(f"added RSS                       {after - before:7.0f} MB   (load average {load})")


if __name__ == "__main__":
    main()
