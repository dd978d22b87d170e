"""Snapshots of every screen at 80×24 and 120×40 with fixed sample sessions (pytest --snapshot-update to accept).

80×24 is the size the screens are designed for: each must fit without clipping or overlap."""

from __future__ import annotations

import asyncio
import shutil
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import pytest

from textual.widgets import DataTable

from mockint.commands import Context
from mockint.config import load_settings
from mockint.doctor import Check
from mockint.tui.app import MockintApp
from mockint.tui.screens.progress import ProgressScreen
from mockint.tui.screens.replay import ReplayScreen, SessionScreen
from mockint.tui.screens.round import RoundScreen
from mockint.tui.screens.summary import SummaryScreen

from .test_tui import wait_for, warm_judge  # noqa: F401 - the fixture warms the vector cache

SAMPLES = Path(__file__).parent / "data" / "sample_sessions"
CHECKS = [Check("microphone", True, "default (PulseAudio)"), Check("speech model", True, "tiny.en (bundled)"),
          Check("voice", True, "espeak-ng default voice at 175 wpm"),
          Check("interviewer", True, "offline (built-in)", "set ANTHROPIC_API_KEY to interview with Claude")]
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def app(tmp_path):
    sessions = tmp_path / "sessions"
    shutil.copytree(SAMPLES, sessions)
    ctx = Context(load_settings({"sessions_dir": str(sessions), "tts": {"enabled": False},
                                 "round": {"answers": "typed"}}))
    ctx.store.create = partial(ctx.store.create, now=datetime(2026, 11, 28, 10, 0, 0))
    # review dates are relative to today: the samples are seen from a fixed day
    app = MockintApp(ctx, checks=lambda s: CHECKS, clock=lambda: 1000.0,
                     now=lambda: datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc))
    app.microphone = (True, "default (PulseAudio)")  # Setup would otherwise ask the machine
    return app


async def settle(pilot) -> None:
    # a screen's loader workers first (a list loaded on mount and again on resume was caught half-redrawn under
    # load), then the messages they posted, then animations
    loaders = [w for w in pilot.app.workers if w.group not in ("round", "playback")]  # those run on purpose
    if loaders:  # (an empty list would mean "every worker")
        await asyncio.wait_for(pilot.app.workers.wait_for_complete(loaders), 30)
    await pilot.pause(0.3)
    # a DataTable measures its columns when it is next idle; under load a picture was once taken before that, with
    # every column as narrow as its heading ("2026", "databa"). Textual has no public flag for "measured".
    await wait_for(pilot, lambda: not any(t._require_update_dimensions or t._updated_cells
                                          for screen in pilot.app.screen_stack for t in screen.query(DataTable)))
    await pilot.wait_for_scheduled_animations()


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare, app, size):
    async def ready(pilot):
        await wait_for(pilot, lambda: "offline" in str(app.screen.query_one("#status").render())
                       and app.screen.interrupted)
    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_setup(snap_compare, app, size):
    async def ready(pilot):
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "SetupScreen")
        await settle(pilot)
    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES)
def test_round(snap_compare, app, size):
    async def mid_round(pilot):
        app.start_round(only=["node-event-loop-phases", "cache-stampede"])
        await wait_for(pilot, lambda: isinstance(app.screen, RoundScreen) and app.screen.state == "listening")
        app.screen.query_one("#typed").value = "JavaScript runs on a single thread and libuv has a pool."
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.state == "listening" and "Follow-up:" in "".join(
            str(w.render()) for w in app.screen.query("ThreadView Static")))
        box = app.screen.query_one("#typed")
        box.value = "It drains the nextTick queue first"
        box.cursor_blink = False  # a blinking cursor would make the picture depend on the moment it is taken
        await settle(pilot)
    assert snap_compare(app, terminal_size=size, run_before=mid_round)


@pytest.mark.parametrize("size", SIZES)
def test_summary(snap_compare, app, size):
    async def show(pilot):
        app.push_screen(SummaryScreen("20261124-183000-mixed"))
        await wait_for(pilot, lambda: len(app.screen.query(".thread")) == 3)
        await settle(pilot)
    assert snap_compare(app, terminal_size=size, run_before=show)


@pytest.mark.parametrize("size", SIZES)
def test_summary_details(snap_compare, app, size):
    """A question opened: its wrong claim with the correction, then one line per key point."""
    async def show(pilot):
        app.push_screen(SummaryScreen("20261120-090000-mixed"))
        await wait_for(pilot, lambda: len(app.screen.query(".thread")) == 2)
        # the first question takes focus after a refresh: Enter pressed before that opens nothing (a CI flake)
        await wait_for(pilot, lambda: app.focused is not None and app.focused.__class__.__name__ == "CollapsibleTitle")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.screen.query(".thread").first().collapsed)
        await settle(pilot)
    assert snap_compare(app, terminal_size=size, run_before=show)


@pytest.mark.parametrize("size", SIZES)
def test_replay_list(snap_compare, app, size):
    async def show(pilot):
        app.push_screen(ReplayScreen())
        await wait_for(pilot, lambda: app.screen.query_one("#sessions").row_count == 3)
        await settle(pilot)
    assert snap_compare(app, terminal_size=size, run_before=show)


@pytest.mark.parametrize("size", SIZES)
def test_replay_session(snap_compare, app, size):
    async def show(pilot):
        app.push_screen(SessionScreen("20261124-183000-mixed"))
        await wait_for(pilot, lambda: app.screen.state is not None)
        await settle(pilot)
    assert snap_compare(app, terminal_size=size, run_before=show)


@pytest.mark.parametrize("size", SIZES)
def test_replay_delete_confirm(snap_compare, app, size):
    async def show(pilot):
        app.push_screen(ReplayScreen())
        await wait_for(pilot, lambda: app.screen.query_one("#sessions").row_count == 3)
        await pilot.press("down", "d")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
        await settle(pilot)
    assert snap_compare(app, terminal_size=size, run_before=show)


@pytest.mark.parametrize("size", SIZES)
def test_progress(snap_compare, app, size):
    async def show(pilot):
        app.push_screen(ProgressScreen())
        await wait_for(pilot, lambda: app.screen.history)
        await settle(pilot)
    assert snap_compare(app, terminal_size=size, run_before=show)


@pytest.mark.parametrize("size", SIZES)
def test_progress_delivery(snap_compare, app, size):
    async def show(pilot):
        app.push_screen(ProgressScreen())
        await wait_for(pilot, lambda: app.screen.history)
        await pilot.press("v")
        await settle(pilot)
    assert snap_compare(app, terminal_size=size, run_before=show)
