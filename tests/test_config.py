"""Settings precedence (defaults < file < env < flags), provenance, and no secret in the output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockint.config import load_settings, resolve_sessions_dir, with_overrides
from mockint.errors import MockintError


def test_precedence(tmp_path, monkeypatch):
    cfg = tmp_path / "mockint.toml"
    cfg.write_text('[round]\nquestions = 3\norder = "weakest"\n[stt]\nmodel = "base.en"\n')
    monkeypatch.setenv("MOCKINT_ROUND__QUESTIONS", "4")
    loaded = load_settings({"stt": {"model": "small.en"}}, cfg)
    s = loaded.settings
    assert (s.round.questions, s.round.order, s.stt.model) == (4, "weakest", "small.en")
    assert loaded.origin["round.order"].startswith("file")
    assert loaded.origin["round.questions"] == "env MOCKINT_ROUND__QUESTIONS"
    assert loaded.origin["stt.model"] == "flag" and loaded.origin["tts.rate"] == "default"


def test_cli_config_reports_origin_and_hides_key(main, tmp_path):
    (tmp_path / "mockint.toml").write_text("[tts]\nrate = 150\n")
    r = main("config", env={"ANTHROPIC_API_KEY": "sk-ant-secret-123", "MOCKINT_SESSIONS_DIR": str(tmp_path)},
             cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "sk-ant-secret-123" not in r.stdout + r.stderr
    assert "value not shown" in r.stdout and "claude" in r.stdout
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("tts.rate"))
    assert "150" in line and "mockint.toml" in line


def test_bad_settings_are_clear(main, tmp_path):
    (tmp_path / "bad.toml").write_text("[round]\nquestions = 'many'\n")
    r = main("--config", str(tmp_path / "bad.toml"), "config")
    assert r.returncode == 2 and "round.questions" in r.stderr and "Traceback" not in r.stderr
    r = main("--config", str(tmp_path / "nope.toml"), "config")
    assert r.returncode == 2 and "does not exist" in r.stderr
    (tmp_path / "broken.toml").write_text("[round\n")
    r = main("--config", str(tmp_path / "broken.toml"), "config")
    assert r.returncode == 2 and "invalid TOML" in r.stderr


@pytest.mark.parametrize("layer, key", [
    ({"round": {"answer_seconds": -3}}, "round.answer_seconds"),
    ({"round": {"round_minutes": 0}}, "round.round_minutes"),
    ({"round": {"round_minutes": float("nan")}}, "round.round_minutes"),
    ({"interviewer": {"max_follow_ups": -1}}, "interviewer.max_follow_ups"),
    ({"stt": {"beam_size": 0}}, "stt.beam_size"),
    ({"audio": {"stall_seconds": -1}}, "audio.stall_seconds"),
    ({"round": {"questions": 0}}, "round.questions"),
    ({"tts": {"rate": 0}}, "tts.rate"),
])
def test_out_of_range_settings_name_the_key_and_origin(layer, key):
    with pytest.raises(MockintError) as e:
        load_settings(layer)
    assert key in e.value.message and "(from flag)" in e.value.message


def test_bad_environment_values_name_the_variable(main, tmp_path):
    r = main("config", env={"MOCKINT_ROUND__ANSWER_SECONDS": "-3", "MOCKINT_ROUND__ROUND_MINUTES": "nan"})
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "round.answer_seconds = '-3'" in r.stderr and "env MOCKINT_ROUND__ANSWER_SECONDS" in r.stderr
    assert "round.round_minutes" in r.stderr and "finite" in r.stderr


def test_environment_lists_unknown_names_and_empty_values(cli, tmp_path, monkeypatch):
    loaded = load_settings(environ={"MOCKINT_ROUND__TOPICS": "caching, databases", "MOCKINT_SESSIONS_DIR": "",
                                    "MOCKINT_ROUND__QUESTOINS": "3", "MOCKINT_TTS__VOICE": ""})
    s = loaded.settings
    assert s.round.topics == ["caching", "databases"] and s.sessions_dir is None and s.tts.voice is None
    assert any("MOCKINT_ROUND__QUESTOINS" in w and "MOCKINT_ROUND__QUESTIONS" in w for w in loaded.warnings)
    # MOCKINT_SESSIONS_DIR= is "not set", not "the current folder"
    monkeypatch.chdir(tmp_path)
    assert resolve_sessions_dir(s) != Path(".") and resolve_sessions_dir(s).is_absolute()
    r = cli("config", env={"MOCKINT_ROUND__QUESTOINS": "3", "MOCKINT_ROUND__TOPICS": "caching"}, cwd=tmp_path)
    assert r.returncode == 0 and "warning: MOCKINT_ROUND__QUESTOINS is not a mockint setting" in r.stderr
    line = next(x for x in r.stdout.splitlines() if x.startswith("round.topics"))
    assert '["caching"]' in line and "MOCKINT_ROUND__TOPICS" in line


def test_resume_restores_the_saved_plan(cli, sessions_dir, tmp_path):
    env = {"MOCKINT_SESSIONS_DIR": str(sessions_dir)}
    first = tmp_path / "a.json"
    first.write_text(json.dumps(["The event loop has phases: timers, poll and check."]))
    r = cli("round", "--headless", "--text", "--only", "node-event-loop-phases,cache-stampede", "--follow-ups",
            "0", "--answer-seconds", "45", "--no-tts", "--answers-file", str(first), env=env)
    assert r.returncode == 1, r.stderr  # the answers ran out: interrupted
    (sid,) = [p.name for p in sessions_dir.iterdir()]
    # no --follow-ups on resume: the session's 0 holds, not the default 2
    r = cli("round", "--headless", "--text", "--json", "--resume", sid, "--no-tts", env=env,
            input="Use a lock per key and jitter the TTLs.\nMore.\nMore.\n")
    assert r.returncode == 0, r.stderr
    events = [json.loads(x) for x in r.stdout.splitlines()]
    assert not [e for e in events if e["type"] == "question_asked" and e["kind"] == "follow_up"]
    assert [e["budget"] for e in events if e["type"] == "listening"] == [45]
    plan = json.loads((sessions_dir / sid / "journal.jsonl").read_text().splitlines()[0])["plan"]
    assert plan["max_follow_ups"] == 0 and plan["answer_seconds"] == 45
    # a flag given on resume still wins over the saved plan
    from mockint.interview.factory import resumed_settings
    from mockint.store.sessions import SessionStore

    meta = SessionStore(sessions_dir).load(sid).meta
    s = load_settings({"interviewer": {"max_follow_ups": 1}}).settings
    assert resumed_settings(s, meta, explicit={"interviewer.max_follow_ups"}).interviewer.max_follow_ups == 1
    assert resumed_settings(s, meta).interviewer.max_follow_ups == 0


def test_settings_overrides_are_validated_the_same_way():
    s = load_settings({}).settings
    assert with_overrides(s, {"round": {"questions": 3}}).round.questions == 3
    with pytest.raises(MockintError, match=r"round.answer_seconds = 5: .* \(from setup\)"):
        with_overrides(s, {"round": {"answer_seconds": 5}})


# ---- one source of settings, all the way into the TUI ----

async def test_setup_and_drill_start_from_the_settings(tmp_path):
    import shutil

    from mockint.commands import Context
    from mockint.config import state_file
    from mockint.tui.app import MockintApp
    from mockint.tui.screens.progress import ProgressScreen
    from mockint.tui.screens.round import RoundScreen

    from .test_tui import CHECKS, SAMPLES, wait_for

    sessions = tmp_path / "sessions"
    shutil.copytree(SAMPLES, sessions)
    flags = {"sessions_dir": str(sessions), "tts": {"enabled": False, "voice": "gmw/en-US"},
             "round": {"answers": "typed", "round_minutes": 12, "answer_seconds": 90}}
    app = MockintApp(Context(load_settings(flags)), checks=lambda s: CHECKS)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen) and app.screen.history)
        await pilot.press("d")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, RoundScreen) and app.screen.interview is not None)
        iv = app.screen.interview
        # the drill changes topics and order only: the configured voice, round length and answer time stay
        assert iv.plan.order == "drill" and iv.plan.round_seconds == 720 and iv.plan.answer_seconds == 90
        assert iv.settings.tts.voice == "gmw/en-US"
        iv.command("interrupt")
        await wait_for(pilot, lambda: not isinstance(app.screen, RoundScreen), timeout=30)
        await pilot.pause(0.3)
        app.go_home()
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "SetupScreen")
        assert app.screen.query_one("#round").value == "12" and app.screen.query_one("#answer").value == "90"
        app.screen.query_one("#questions").value = "2"
        app.screen.query_one("#follow").value = "-1"
        await pilot.press("ctrl+s")
        assert app.screen.__class__.__name__ == "SetupScreen"  # refused, naming the field
        app.screen.query_one("#follow").value = "0"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RoundScreen) and app.screen.interview is not None)
        iv = app.screen.interview
        assert len(iv.plan.questions) == 2 and iv.plan.max_follow_ups == 0 and iv.plan.round_seconds == 720
        iv.command("interrupt")
        await wait_for(pilot, lambda: not isinstance(app.screen, RoundScreen), timeout=30)
        await pilot.pause(0.3)
    saved = json.loads(state_file().read_text())
    assert saved["round"]["questions"] == 2 and saved["interviewer"] == {"max_follow_ups": 0}
    assert set(saved) <= {"round", "interviewer", "tts"} and "sessions_dir" not in saved


def test_remembered_setup_is_overrides_and_a_stale_file_is_ignored(tmp_path):
    from mockint.store.setup_state import load_choices, save_choices

    s = load_settings({"round": {"round_minutes": 12}}).settings
    f = tmp_path / "last_setup.json"
    save_choices(f, {"round": {"questions": 3, "warn_seconds": 5}, "audio": {"input_device": "x"}})
    assert json.loads(f.read_text()) == {"round": {"questions": 3}}  # only what Setup asks for
    assert with_overrides(s, load_choices(f, s)).round.round_minutes == 12  # the rest comes from the settings
    f.write_text('{"round": {"questions": 0}}')
    assert load_choices(f, s) == {}
    f.write_text("not json")
    assert load_choices(f, s) == {}
