"""Claude path against a loopback Messages API with a fixed time-to-first-token: end of answer -> first
sentence of the follow-up ready to speak (goal: injected latency + 300 ms).

Usage: .venv/bin/python bench/claude_latency.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from _common import ROOT, median

sys.path.insert(0, str(ROOT))
from tests.fake_anthropic import FakeAnthropic  # noqa: E402

from mockint.bank import load_bank  # noqa: E402
from mockint.config import Settings  # noqa: E402
from mockint.interview.backends import build_panel  # noqa: E402
from mockint.interview.interviewer import Exchange, ThreadInput  # noqa: E402

TTFT = 0.5
REPLY = ("ASK: You said the pool has four threads. What happens to file reads when bcrypt hashing saturates it? "
         "And how would you prove it?\nWHY: probes the libuv thread pool.")


async def one(panel, thread) -> tuple[float, float]:
    first = {}
    t0 = time.perf_counter()
    await panel.follow_up(thread, lambda s: first.setdefault("t", time.perf_counter()))
    return first["t"] - t0, time.perf_counter() - t0


def main() -> None:
    bank = load_bank(ROOT / "question_bank")
    q = bank.question("node-event-loop-phases")
    thread = ThreadInput(q, (Exchange("main", q.prompt, "The event loop runs callbacks; libuv has a thread pool."),),
                         tuple(bank.topics[q.topic].glossary), 2)
    with FakeAnthropic(route=lambda body: {"kind": "text", "text": REPLY, "ttft": TTFT, "chunk": 4, "gap": 0.01}) as srv:
        os.environ.update(ANTHROPIC_API_KEY="sk-ant-bench", ANTHROPIC_BASE_URL=srv.url)
        panel = build_panel(Settings(), "claude")

        async def run_all():
            return [await one(panel, thread) for _ in range(10)]

        results = asyncio.run(run_all())
    firsts = [r[0] for r in results]
    fulls = [r[1] for r in results]
    print(f"injected time to first token: {TTFT * 1000:.0f} ms; reply streamed 4 characters per 10 ms")
    print(f"first sentence ready to speak: median {median(firsts) * 1000:.0f} ms "
          f"(overhead {median(firsts) * 1000 - TTFT * 1000:.0f} ms; max {max(firsts) * 1000:.0f} ms)")
    print(f"whole follow-up received:      median {median(fulls) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
