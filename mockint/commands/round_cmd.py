"""`mockint round`: a round in the TUI, or headless (one line or JSON object per event)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Coroutine

from ..errors import MockintError
from ..interview.events import Round, RoundEnd, RoundFailed, RoundFinished
from . import Context

if TYPE_CHECKING:
    from ..interview.engine import Interview

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


def prepare(ctx: Context, a: argparse.Namespace) -> Interview:
    """The Interview for this command line (new, resumed, or chosen questions)."""
    from ..interview.factory import build_interview

    answers = None
    if getattr(a, "answers_file", None) is not None:
        if ctx.settings.round.answers != "typed":
            raise MockintError("--answers-file gives typed answers: add --text")
        answers = load_answers(a.answers_file)
    only = [i.strip() for i in a.only.split(",") if i.strip()] if getattr(a, "only", None) else None
    retry = getattr(a, "retry", None)
    retry_in = retry if isinstance(retry, str) else None
    if retry_in and getattr(a, "resume", None):
        raise MockintError("--retry SESSION already continues that session: drop --resume")
    return build_interview(ctx.bank, ctx.settings, ctx.store, resume=getattr(a, "resume", None), only=only,
                           seed=getattr(a, "seed", None), answers=answers, explicit=ctx.loaded.explicit("flag"),
                           notes=getattr(a, "plan_notes", ()), retries=1 if retry is True else 0,
                           retry_in=retry_in)


def run(ctx: Context, a: argparse.Namespace) -> int:
    if getattr(a, "due", False) or getattr(a, "job", None) is not None:
        from .practice_cmd import practice_round

        picked = practice_round(ctx, a)
        if picked is None:
            return 0
        ids, notes = picked
        a.only = ",".join(ids)  # both faces ask exactly these, in this order
        a.plan_notes = notes
        for n in notes:
            print(f"mockint: {n}", file=sys.stderr)
    if not a.headless:
        from .app import run_tui

        return run_tui(ctx, round_args=a)
    interview = prepare(ctx, a)
    if interview.mode == "spoken" and not interview.plan.end_on_silence and not sys.stdin.isatty():
        # nobody can press Enter: end answers on a pause instead
        p = interview.plan
        interview.plan = replace(p, end_on_silence=3.0,
                                 notes=[*p.notes, "No keyboard on stdin: each answer ends after 3 s of silence."])
    code = run_loop(_headless(interview, a.json, read_stdin=a.answers_file is None))
    exit_promptly(code)
    return code


# exit codes of a headless round
EXIT = {"completed": 0, "time_up": 0, "input_closed": 1, "failed": 2, "quit": 130}
HARD_EXIT_AFTER = 0.9  # seconds after SIGINT/SIGTERM: the process is gone by then, whatever is still running


def run_loop(main: Coroutine[Any, Any, int]) -> int:
    """asyncio.run without waiting for executor threads still busy at the end (a transcription or a synthesis
    of a turn that was abandoned): everything that matters is journaled and closed by then."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(main)
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()  # shuts the default executor down without waiting


def exit_promptly(code: int) -> None:
    """If worker threads are still busy (their results are no longer wanted), leave without waiting for them."""
    deadline = time.monotonic() + 0.2
    for t in threading.enumerate():
        if t is not threading.main_thread() and not t.daemon:
            t.join(max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _hard_exit() -> None:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(EXIT["quit"])


async def _headless(interview: Round, as_json: bool, read_stdin: bool) -> int:
    loop = asyncio.get_running_loop()
    watchdog: list[threading.Timer] = []

    def on_signal() -> None:
        # quit now (scores still in flight are done on resume); if anything holds the loop, the watchdog ends it
        interview.command("interrupt")
        if not watchdog:
            watchdog.append(threading.Timer(HARD_EXIT_AFTER, _hard_exit))
            watchdog[0].daemon = True
            watchdog[0].start()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    runner = interview.start()
    if read_stdin:
        threading.Thread(target=_stdin_commands, args=(interview,), daemon=True).start()
    end: RoundEnd | None = None
    async for ev in interview.events():
        if ev.type in QUIET:
            continue
        if as_json:
            print(ev.model_dump_json(), flush=True)
        elif ev.type not in ("partial", "speaking_started", "speaking_finished"):
            print(ev.line(), flush=True)
        if isinstance(ev, (RoundFinished, RoundFailed)):
            end = ev
    await asyncio.wait({runner})
    for t in watchdog:
        t.cancel()
    if isinstance(end, RoundFailed) or end is None:
        text = end.line() if end is not None else "the round stopped unexpectedly"
        print(f"mockint: {text}", file=sys.stderr, flush=True)
        return EXIT["failed"]
    if end.reason == "input_closed":
        print(f"mockint: the input ended before the round did; continue with "
              f"`mockint round --resume {end.session_id}`", file=sys.stderr, flush=True)
    return EXIT[end.reason]


def _stdin_commands(interview: Interview) -> None:
    """Each line on stdin answers (typed) or finishes the answer (spoken)."""
    interview.started.wait()
    for line in sys.stdin:
        if interview.mode == "typed":
            interview.command("submit", line.rstrip("\n"))
        else:
            interview.command("finish_answer")
    interview.command("input_closed")
