"""Snapshots of every screen at 80x24 with fixed sample sessions (pytest --snapshot-update to accept changes)."""

from __future__ import annotations

import shutil
from datetime import datetime
from functools import partial
from pathlib import Path

import pytest

from mockint.commands import Context
from mockint.config import load_settings
from mockint.doctor import Check
from mockint.tui.app import MockintApp
from mockint.tui.screens.progress import ProgressScreen
from mockint.tui.screens.replay import ReplayScreen, SessionScreen
from mockint.tui.screens.round import RoundScreen
from mockint.tui.screens.summary import SummaryScreen

from .test_tui import wait_for

SAMPLES = Path(__file__).parent / "data" / "sample_sessions"
CHECKS = [Check("microphone", True, "default (PulseAudio)"), Check("speech model", True, "tiny.en (bundled)"),
          Check("voice", True, "espeak-ng default voice at 175 wpm"),
          Check("interviewer", True, "offline (built-in)", "set ANTHROPIC_API_KEY to interview with Claude")]
SIZE = (80, 24)


@pytest.fixture
def app(tmp_path):
    sessions = tmp_path / "sessions"
    shutil.copytree(SAMPLES, sessions)
    ctx = Context(load_settings({"sessions_dir": str(sessions), "tts": {"enabled": False},
                                 "round": {"answers": "typed"}}))
    ctx.store.create = partial(ctx.store.create, now=datetime(2026, 11, 28, 10, 0, 0))
    return MockintApp(ctx, checks=lambda s: CHECKS, clock=lambda: 1000.0)


def test_home(snap_compare, app):
    async def ready(pilot):
        await wait_for(pilot, lambda: "offline" in str(app.screen.query_one("#status").render())
                       and app.screen.interrupted)
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_setup(snap_compare, app):
    assert snap_compare(app, press=["n"], terminal_size=SIZE)


def test_round(snap_compare, app):
    async def mid_round(pilot):
        app.start_round(only=["node-event-loop-phases", "cache-stampede"])
        await wait_for(pilot, lambda: isinstance(app.screen, RoundScreen) and app.screen.state == "listening")
        app.screen.query_one("#typed").value = "JavaScript runs on a single thread and libuv has a pool."
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.state == "listening" and "Follow-up:" in "".join(
            str(w.render()) for w in app.screen.query("ThreadView Static")))
        app.screen.query_one("#typed").value = "It drains the nextTick queue first"
        await pilot.pause(0.2)
    assert snap_compare(app, terminal_size=SIZE, run_before=mid_round)


def test_summary(snap_compare, app):
    async def show(pilot):
        app.push_screen(SummaryScreen("20261124-183000-mixed"))
        await wait_for(pilot, lambda: app.screen.state is not None)
        await pilot.pause(0.2)
    assert snap_compare(app, terminal_size=SIZE, run_before=show)


def test_replay_list(snap_compare, app):
    async def show(pilot):
        app.push_screen(ReplayScreen())
        await wait_for(pilot, lambda: app.screen.query_one("#sessions").row_count == 3)
    assert snap_compare(app, terminal_size=SIZE, run_before=show)


def test_replay_session(snap_compare, app):
    async def show(pilot):
        app.push_screen(SessionScreen("20261120-090000-mixed"))
        await wait_for(pilot, lambda: app.screen.state is not None)
        await pilot.pause(0.2)
    assert snap_compare(app, terminal_size=SIZE, run_before=show)


def test_progress(snap_compare, app):
    async def show(pilot):
        app.push_screen(ProgressScreen())
        await wait_for(pilot, lambda: app.screen.history)
    assert snap_compare(app, terminal_size=SIZE, run_before=show)
