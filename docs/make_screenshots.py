"""Save SVG screenshots of the real app on the sample sessions (used in the README).

Usage: .venv/bin/python docs/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mockint.commands import Context  # noqa: E402
from mockint.config import load_settings  # noqa: E402
from mockint.tui.app import MockintApp  # noqa: E402
from mockint.tui.screens.progress import ProgressScreen  # noqa: E402
from mockint.tui.screens.replay import SessionScreen  # noqa: E402
from mockint.tui.screens.round import RoundScreen  # noqa: E402
from mockint.tui.screens.summary import SummaryScreen  # noqa: E402
from tests.test_snapshots import CHECKS  # noqa: E402
from tests.test_tui import wait_for  # noqa: E402


async def shoot() -> None:
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(ROOT / "tests/data/sample_sessions", tmp / "sessions")
    ctx = Context(load_settings({"sessions_dir": str(tmp / "sessions"), "tts": {"enabled": False},
                                 "round": {"answers": "typed"}}))
    ctx.store.create = partial(ctx.store.create, now=datetime(2026, 11, 28, 10, 0))
    app = MockintApp(ctx, checks=lambda s: CHECKS, clock=lambda: 1000.0)
    app.microphone = (True, "default")
    async with app.run_test(size=(100, 30)) as pilot:
        app.start_round(only=["node-event-loop-phases", "cache-stampede"])
        await wait_for(pilot, lambda: isinstance(app.screen, RoundScreen) and app.screen.state == "listening")
        app.screen.query_one("#typed").value = "JavaScript runs on a single thread, and libuv hands file I/O to its pool."
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.state == "listening" and "Follow-up:" in "".join(
            str(w.render()) for w in app.screen.query("ThreadView Static")))
        app.screen.query_one("#typed").value = "It drains the nextTick queue, then promises, before moving on"
        app.screen.query_one("#typed").cursor_blink = False
        await pilot.pause(0.3)
        app.save_screenshot("round.svg", str(ROOT / "docs"))
        app.push_screen(SummaryScreen("20261120-090000-mixed"))
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen) and len(app.screen.query(".thread")) == 2)
        await pilot.press("enter")  # open the first question: its wrong claim, corrected, and its key points
        await pilot.pause(0.3)
        app.save_screenshot("summary.svg", str(ROOT / "docs"))
        app.push_screen(SessionScreen("20261124-183000-mixed"))
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen) and app.screen.state is not None)
        await pilot.pause(0.3)
        app.save_screenshot("replay.svg", str(ROOT / "docs"))
        app.push_screen(ProgressScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen) and app.screen.history)
        await pilot.pause(0.3)
        app.save_screenshot("progress.svg", str(ROOT / "docs"))
    # the practice loop on Home: due questions and readiness per topic (the samples seen from a fixed day)
    shutil.copytree(ROOT / "tests/data/sample_sessions", tmp / "practice")
    ctx = Context(load_settings({"sessions_dir": str(tmp / "practice"), "tts": {"enabled": False}}))
    app = MockintApp(ctx, checks=lambda s: CHECKS, clock=lambda: 1000.0,
                     now=lambda: datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc))
    async with app.run_test(size=(100, 34)) as pilot:
        from mockint.tui.screens.home import HomeScreen

        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.due
                       and "interviewer" in str(app.screen.query_one("#status").render()))
        await pilot.pause(0.3)
        app.save_screenshot("practice.svg", str(ROOT / "docs"))


if __name__ == "__main__":
    asyncio.run(shoot())
    print("wrote docs/round.svg docs/summary.svg docs/replay.svg docs/progress.svg docs/practice.svg")
