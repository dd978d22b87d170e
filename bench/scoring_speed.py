"""Offline judge: model load, time to decide a follow-up and to score one answer, and the memory it adds.

Goals (issue 9): score p95 <= 150 ms per answer with the model warm; model load <= 1 s (done in the background while
the first question is spoken); added RSS <= 250 MB.

Two per-answer times are printed. "cold" reads every sentence of the answer for the first time: the whole cost of an
answer the judge has never seen. "after drafts" is what a spoken round waits for at the key press: while the
candidate talks, each speculative transcript is read (offline follow-up drafts), so only the sentences said since the
last draft are new; here the draft is the answer without its last sentence.

Usage: .venv/bin/python bench/scoring_speed.py
"""

from __future__ import annotations

import json
import re
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


def p95(xs: list[float]) -> float:
    return sorted(xs)[int(len(xs) * 0.95)]


def main() -> None:
    from mockint.bank import load_bank
    from mockint.interview.interviewer import Exchange, ThreadInput

    bank = load_bank(ROOT / "question_bank")
    items = json.loads((ROOT / "tests" / "data" / "calibration" / "tune.json").read_text())["items"]
    before = rss_mb()
    t0 = time.perf_counter()
    from mockint.embeddings import shared_embedder  # the one model a round uses, for the judge and injections

    model = shared_embedder().load()
    load_s = time.perf_counter() - t0
    from mockint.interview.offline import Judge, choose_follow_up, final_score

    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as fresh:
        judge = Judge(bank, embedder=model, cache_dir=Path(fresh))
        judge.index.cache.seed = None  # as for a bank of your own: every sentence through the model
        t0 = time.perf_counter()
        judge.index.warm(list(bank.questions))
        cold_bank_s = time.perf_counter() - t0
        judge = Judge(bank, embedder=model, cache_dir=Path(cache))  # the default bank on a fresh install
        t0 = time.perf_counter()
        judge.index.warm(list(bank.questions))
        seeded_bank_s = time.perf_counter() - t0
        judge2 = Judge(bank, embedder=model, cache_dir=Path(fresh))
        t0 = time.perf_counter()
        judge2.index.warm(list(bank.questions))
        cached_bank_s = time.perf_counter() - t0
        del judge2  # one judge is what a round keeps

    def thread(q, text):
        return ThreadInput(q, (Exchange("main", q.prompt, text),), tuple(bank.topics[q.topic].glossary), 2)

    follow, score, drafted = [], [], []
    for _ in range(2):
        for it in items:
            q = bank.question(it["question_id"])
            t = thread(q, it["answer"])
            model._recent.clear()  # every answer is new speech: nothing of it is in memory yet
            a = time.perf_counter()
            choose_follow_up(t, judge)
            b = time.perf_counter()
            final_score(t, judge)
            c = time.perf_counter()
            follow.append((b - a) * 1000)
            score.append((c - b) * 1000)
            model._recent.clear()
            sentences = re.split(r"(?<=[.!?])\s+", it["answer"].strip())
            if len(sentences) > 1:
                choose_follow_up(thread(q, " ".join(sentences[:-1])), judge)  # the draft, read while talking
            a = time.perf_counter()
            choose_follow_up(t, judge)
            drafted.append((time.perf_counter() - a) * 1000)
    after = rss_mb()
    load = open("/proc/loadavg").read().split()[0]
    print(f"model load                      {load_s * 1000:7.0f} ms")
    print(f"bank anchors embedded (cold)    {cold_bank_s * 1000:7.0f} ms"
          f"   (default bank from the shipped vectors: {seeded_bank_s * 1000:.0f} ms;"
          f" from the user's cache: {cached_bank_s * 1000:.0f} ms)")
    for name, xs in (("follow-up decision, cold", follow), ("... after drafts", drafted),
                     ("score (after the decision)", score)):
        xs.sort()
        print(f"{name:30} median {median(xs):6.1f} ms   p95 {p95(xs):6.1f} ms   max {xs[-1]:6.1f} ms"
              f"   ({len(xs)} answers)")
    print(f"added RSS                       {after - before:7.0f} MB   (load average {load})")


if __name__ == "__main__":
    main()
