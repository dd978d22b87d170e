"""`mockint round`: a round in the TUI, or headless (one line or JSON object per event)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import threading
from dataclasses import replace
from pathlib import Path

from ..errors import MockintError
from . import Context

QUIET = {"level", "speaking_progress"}


def load_answers(path: Path) -> list[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MockintError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise MockintError(f"{path}: cannot read: {e}") from None
    except json.JSONDecodeError as e:
        raise MockintError(f"{path}: not JSON ({e.msg} at line {e.lineno}); expected an array of strings") from None
    if not isinstance(data, list) or not all(isinstance(x, str) for x in data):
        raise MockintError(f"{path}: expected a JSON array of strings, one per answer in the order asked")
    return data


def prepare(ctx: Context, a: argparse.Namespace):
    """The Interview for this command line (new, resumed, or chosen questions)."""
    from ..interview.factory import build_interview

    answers = None
    if getattr(a, "answers_file", None) is not None:
        if ctx.settings.round.answers != "typed":
            raise MockintError("--answers-file gives typed answers: add --text")
        answers = load_answers(a.answers_file)
    only = [i.strip() for i in a.only.split(",") if i.strip()] if getattr(a, "only", None) else None
    return build_interview(ctx.bank, ctx.settings, ctx.store, resume=getattr(a, "resume", None), only=only,
                           seed=getattr(a, "seed", None), answers=answers)


def run(ctx: Context, a: argparse.Namespace) -> int:
    if not a.headless:
        from .app import run_tui

        return run_tui(ctx, round_args=a)
    interview = prepare(ctx, a)
    if interview.mode == "spoken" and not interview.plan.end_on_silence and not sys.stdin.isatty():
        # nobody can press Enter: end answers on a pause instead
        p = interview.plan
        interview.plan = replace(p, end_on_silence=3.0,
                                 notes=[*p.notes, "No keyboard on stdin: each answer ends after 3 s of silence."])
    return asyncio.run(_headless(interview, a.json, read_stdin=a.answers_file is None))


async def _headless(interview, as_json: bool, read_stdin: bool) -> int:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: interview.command("quit"))
    runner = asyncio.ensure_future(interview.run())
    probe = asyncio.ensure_future(_loop_probe()) if os.environ.get("MOCKINT_LOOP_PROBE") else None
    if read_stdin:
        threading.Thread(target=_stdin_commands, args=(interview,), daemon=True).start()
    finished = None
    async for ev in interview.events():
        if ev.type in QUIET:
            continue
        if as_json:
            print(ev.model_dump_json(), flush=True)
        elif ev.type not in ("partial", "speaking_started", "speaking_finished"):
            print(ev.line(), flush=True)
        if ev.type == "round_finished":
            finished = ev
    await runner
    if probe is not None:
        probe.cancel()
        lags = sorted(_LAGS) or [0.0]
        print(json.dumps({"type": "loop_probe", "samples": len(lags), "p99_ms": round(lags[int(len(lags) * 0.99)] * 1000, 1),
                          "max_ms": round(lags[-1] * 1000, 1)}), flush=True)
    return 0 if finished is not None and finished.reason != "quit" else 130


_LAGS: list[float] = []


async def _loop_probe(period: float = 0.01) -> None:
    """How late the event loop wakes a 10 ms sleeper: the stall a face would feel (MOCKINT_LOOP_PROBE=1)."""
    loop = asyncio.get_running_loop()
    while True:
        t = loop.time()
        await asyncio.sleep(period)
        _LAGS.append(max(0.0, loop.time() - t - period))


def _stdin_commands(interview) -> None:
    """Each line on stdin answers (typed) or finishes the answer (spoken)."""
    interview.started.wait()
    for line in sys.stdin:
        try:
            if interview.mode == "typed":
                interview.command("submit", line.rstrip("\n"))
            else:
                interview.command("finish_answer")
        except RuntimeError:
            return
    try:
        interview.command("input_closed")
    except RuntimeError:
        pass
