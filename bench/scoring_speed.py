"""Offline interviewer: time to decide a follow-up and to score one answer (goal: under 50 ms).

Usage: .venv/bin/python bench/scoring_speed.py
"""

from __future__ import annotations

import json
import time

from _common import ROOT, median

from mockint.bank import load_bank
from mockint.interview.interviewer import Exchange, ThreadInput
from mockint.interview.offline import choose_follow_up, final_score


def main() -> None:
    bank = load_bank(ROOT / "question_bank")
    cases = json.loads((ROOT / "tests" / "data" / "calibration.json").read_text())
    follow, score = [], []
    for _ in range(5):
        for c in cases:
            q = bank.question(c["question_id"])
            for answer in c["answers"].values():
                t = ThreadInput(q, (Exchange("main", q.prompt, answer),), tuple(bank.topics[q.topic].glossary), 2)
                t0 = time.perf_counter()
                choose_follow_up(t)
                t1 = time.perf_counter()
                final_score(t)
                t2 = time.perf_counter()
                follow.append((t1 - t0) * 1000)
                score.append((t2 - t1) * 1000)
    for name, xs in (("follow-up decision", follow), ("score", score)):
        xs.sort()
        print(f"{name:20} median {median(xs):6.1f} ms   p95 {xs[int(len(xs) * 0.95)]:6.1f} ms   max {xs[-1]:6.1f} ms"
              f"   ({len(xs)} answers)")


if __name__ == "__main__":
    main()
