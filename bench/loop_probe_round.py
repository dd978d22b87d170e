"""`mockint round ...` with an event-loop probe beside it: how late the loop wakes a 10 ms sleeper (the stall a
face would feel). Prints one JSON line {"type": "loop_probe", ...} after the round's own output.

The probe lives here, not in mockint: production code carries no benchmark instrumentation.
Usage: .venv/bin/python bench/loop_probe_round.py --headless --json [round flags]
"""

from __future__ import annotations

import asyncio
import json
import sys

from _common import ROOT  # noqa: F401 - puts the checkout on sys.path

from mockint.cli import main
from mockint.commands import round_cmd

LAGS: list[float] = []


async def probe(period: float = 0.01) -> None:
    loop = asyncio.get_running_loop()
    while True:
        t = loop.time()
        await asyncio.sleep(period)
        LAGS.append(max(0.0, loop.time() - t - period))


def with_probe(headless):
    async def run(*args, **kwargs):
        task = asyncio.ensure_future(probe())
        try:
            return await headless(*args, **kwargs)
        finally:
            task.cancel()
            lags = sorted(LAGS) or [0.0]
            print(json.dumps({"type": "loop_probe", "samples": len(lags),
                              "p99_ms": round(lags[int(len(lags) * 0.99)] * 1000, 1),
                              "max_ms": round(lags[-1] * 1000, 1)}), flush=True)
    return run


if __name__ == "__main__":
    round_cmd._headless = with_probe(round_cmd._headless)
    sys.exit(main(["round", *sys.argv[1:]]))
