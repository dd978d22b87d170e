"""Claude path against the loopback Messages API (tests/fake_anthropic.py, which behaves like claude-haiku-5-5):

1. end of answer -> first sentence of the follow-up ready to speak, with a fixed injected time to first token
   (goal: injected latency + 300 ms); follow-ups are sent with thinking disabled, so nothing precedes the text;
2. what a round costs in tokens: a typed 3-question round (two technical questions and a story, 2 follow-ups each,
   answers from the calibration set) through the real engine and SDK; input tokens are the request's system prompt,
   messages and schema at characters / 4; output tokens are the replies at characters / 4 plus the thinking the fake
   spends at effort low (150 tokens per score; follow-ups do not think).

Usage: .venv/bin/python bench/claude_latency.py
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, median

sys.path.insert(0, str(ROOT))
from mockint.bank import load_bank  # noqa: E402
from mockint.config import InterviewerSettings, RoundSettings, Settings  # noqa: E402
from mockint.interview.backends import build_panel  # noqa: E402
from mockint.interview.factory import build_interview  # noqa: E402
from mockint.interview.interviewer import Exchange, ThreadInput  # noqa: E402
from mockint.interview.voice import SpeechKit  # noqa: E402
from mockint.store.sessions import SessionStore  # noqa: E402
from tests.claude_model import InterviewerModel  # noqa: E402
from tests.fake_anthropic import FakeAnthropic  # noqa: E402

TTFT = 0.5
REPLY = ("ASK: You said the pool has four threads. What happens to file reads when bcrypt hashing saturates it? "
         "And how would you prove it?\nPROBES: thread-pool\nWHY: probes the libuv thread pool.")
QIDS = ["node-event-loop-phases", "cache-stampede", "story-database-optimisation"]
PRICE_IN, PRICE_OUT = 0.10, 0.50  # USD per million tokens, claude-haiku-5-5, prompts up to 100k tokens


async def one(panel, thread) -> tuple[float, float]:
    first = {}
    t0 = time.perf_counter()
    await panel.follow_up(thread, lambda s: first.setdefault("t", time.perf_counter()))
    return first["t"] - t0, time.perf_counter() - t0


def latency(bank) -> None:
    q = bank.question("node-event-loop-phases")
    thread = ThreadInput(q, (Exchange("main", q.prompt, "The event loop runs callbacks; libuv has a thread pool."),),
                         tuple(bank.topics[q.topic].glossary), 2)
    reply = {"kind": "text", "text": REPLY, "ttft": TTFT, "chunk": 4, "gap": 0.01}
    with FakeAnthropic(route=lambda body: reply) as srv:
        os.environ.update(ANTHROPIC_API_KEY="sk-ant-bench", ANTHROPIC_BASE_URL=srv.url)
        panel = build_panel(Settings(), "claude")

        async def run_all():
            try:
                return [await one(panel, thread) for _ in range(10)]
            finally:
                await panel.aclose()

        results = asyncio.run(run_all())
        thinking = {b["thinking"]["type"] for b in srv.requests}
    firsts = [r[0] for r in results]
    fulls = [r[1] for r in results]
    print(f"injected time to first token: {TTFT * 1000:.0f} ms; reply streamed 4 characters per 10 ms; "
          f"thinking sent: {', '.join(sorted(thinking))}")
    print(f"first sentence ready to speak: median {median(firsts) * 1000:.0f} ms "
          f"(overhead {median(firsts) * 1000 - TTFT * 1000:.0f} ms; max {max(firsts) * 1000:.0f} ms)")
    print(f"whole follow-up received:      median {median(fulls) * 1000:.0f} ms")


def round_cost(bank) -> None:
    cal = {e["question_id"]: e["answers"] for e in json.loads((ROOT / "tests/data/calibration.json").read_text())}
    answers = [a for q in QIDS for a in (cal[q]["strong"], cal[q]["partial"], cal[q]["vague"])]
    with FakeAnthropic(route=InterviewerModel()) as srv, tempfile.TemporaryDirectory() as d:
        os.environ.update(ANTHROPIC_API_KEY="sk-ant-bench", ANTHROPIC_BASE_URL=srv.url)
        settings = Settings(round=RoundSettings(answers="typed"),
                            interviewer=InterviewerSettings(backend="claude", max_follow_ups=2))
        interview = build_interview(bank, settings, SessionStore(Path(d)), only=QIDS, answers=answers,
                                    kit_factory=lambda _s, _t: SpeechKit())

        async def go():
            runner = asyncio.ensure_future(interview.run())
            async for _ev in interview.events():
                pass
            await runner

        asyncio.run(go())
        system_chars = {k: [len(b["system"]) for b in srv.bodies(k)] for k in ("follow_up", "score")}
        usage = srv.responses
    print(f"one typed round: {len(QIDS)} questions, {sum(1 for u in usage if u['kind'] == 'follow_up')} follow-ups, "
          f"{sum(1 for u in usage if u['kind'] == 'score')} scores, {len(usage)} requests")
    tot_in = tot_out = 0
    for kind in ("follow_up", "score"):
        rows = [u for u in usage if u["kind"] == kind]
        i = sum(u["input_tokens"] for u in rows)
        o = sum(u["output_tokens"] for u in rows)
        th = sum(u["thinking_tokens"] for u in rows)
        tot_in, tot_out = tot_in + i, tot_out + o
        print(f"  {kind:9}: {len(rows)} calls, input {i:6,} tokens ({i // len(rows):,}/call; system prompt "
              f"~{median(system_chars[kind]) / 4:,.0f}), output {o:5,} ({o // len(rows)}/call, of which thinking {th})")
    cost = tot_in / 1e6 * PRICE_IN + tot_out / 1e6 * PRICE_OUT
    print(f"  total    : input {tot_in:,} + output {tot_out:,} tokens = ${cost:.4f} per round at "
          f"${PRICE_IN}/${PRICE_OUT} per MTok (the Haiku 5.5 tokenizer counts ~30% more than chars/4: "
          f"~${cost * 1.3:.4f})")


def main() -> None:
    bank = load_bank(ROOT / "question_bank")
    print(f"load average: {open('/proc/loadavg').read().split()[:3]}")
    latency(bank)
    round_cost(bank)


if __name__ == "__main__":
    main()
