"""The practice loop in the app: Due today and readiness on Home, readiness in Progress, "try again" (g) from the
summary, kept in the same session as the next attempt."""

from __future__ import annotations

from datetime import datetime, timezone

from mockint.commands import Context
from mockint.config import load_settings
from mockint.store.sessions import SessionStore
from mockint.tui.app import MockintApp
from mockint.tui.screens.home import HomeScreen
from mockint.tui.screens.progress import ProgressScreen
from mockint.tui.screens.round import RoundScreen
from mockint.tui.screens.summary import SummaryScreen

from .test_snapshots import CHECKS
from .test_tui import footer_keys, samples, screen_text, wait_for, warm_judge  # noqa: F401

TODAY = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


def make(sessions) -> MockintApp:
    ctx = Context(load_settings({"sessions_dir": str(sessions), "tts": {"enabled": False},
                                 "round": {"answers": "typed"}, "interviewer": {"max_follow_ups": 0}}))
    return MockintApp(ctx, checks=lambda s: CHECKS, now=lambda: TODAY)


async def test_home_and_progress_show_what_is_due_and_how_ready_each_topic_is(tmp_path):
    app = make(samples(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.due)
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "Due today: 7 (d practises them) · 0 ready · 1 almost · 10 not yet" in text
        assert "interviewer: offline" in text  # 80x24: the checks still fit below the menu
        assert "1 wrong claim last time" not in text and footer_keys(app)["d"] == "Due round"
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen) and app.screen.history)
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "Ready?" in text and "Review" in text and "not yet" in text
        assert "Node.js internals: not yet — 1 wrong claim last time" in text  # the highlighted topic's reason
    async with make(samples(tmp_path / "big")).run_test(size=(120, 40)) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.due)
        await pilot.pause(0.1)
        text = screen_text(app)  # room for one line per topic, least ready first
        assert "✗ Node.js internals: not yet — 1 wrong claim last time\n" in text
        assert "✗ Caching strategies: not yet — latest score 4.0/10 (weakest: cache-stampede)" in text


async def test_try_again_from_the_summary_adds_an_attempt_to_the_session(tmp_path):
    sessions = samples(tmp_path)
    app = make(sessions)
    sid = "20261120-090000-mixed"
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(SummaryScreen(sid))
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen) and len(app.screen.query(".thread")) == 2)
        assert footer_keys(app)["g"] == "Retry"
        await pilot.press("g")  # the first question has the focus
        await wait_for(pilot, lambda: isinstance(app.screen, RoundScreen) and app.screen.state == "listening")
        round_screen = app.screen
        assert "attempt 2" in screen_text(app)
        box = round_screen.query_one("#typed")
        box.value = ("Node runs JavaScript on one thread; libuv's event loop goes through timers, poll and check "
                     "phases, and process.nextTick and promise callbacks run between them.")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.state is not None,
                       timeout=60)
        summary = app.screen
        assert summary.session_id == sid
        attempts = str(summary.query_one("#summary-attempts").render())
        assert attempts.startswith("Attempts node-event-loop-phases: 1/10 → ")
        await pilot.pause(0.5)  # let the new screen finish mounting before the app closes
    state = SessionStore(sessions).load(sid)
    assert [(t.question_id, t.attempt) for t in state.threads][-1] == ("node-event-loop-phases", 2)
    assert state.status == "complete" and state.thread("node-event-loop-phases", 2).score is not None
