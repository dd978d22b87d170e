"""Settings precedence (defaults < file < env < flags), provenance, and no secret in the output."""

from __future__ import annotations

from mockint.config import load_settings


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


def test_cli_config_reports_origin_and_hides_key(cli, tmp_path):
    (tmp_path / "mockint.toml").write_text("[tts]\nrate = 150\n")
    r = cli("config", env={"ANTHROPIC_API_KEY": "sk-ant-secret-123", "MOCKINT_SESSIONS_DIR": str(tmp_path)},
            cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "sk-ant-secret-123" not in r.stdout + r.stderr
    assert "value not shown" in r.stdout and "claude" in r.stdout
    line = next(l for l in r.stdout.splitlines() if l.startswith("tts.rate"))
    assert "150" in line and "mockint.toml" in line


def test_bad_settings_are_clear(cli, tmp_path):
    (tmp_path / "bad.toml").write_text("[round]\nquestions = 'many'\n")
    r = cli("--config", str(tmp_path / "bad.toml"), "config")
    assert r.returncode == 2 and "round.questions" in r.stderr and "Traceback" not in r.stderr
    r = cli("--config", str(tmp_path / "nope.toml"), "config")
    assert r.returncode == 2 and "does not exist" in r.stderr
    (tmp_path / "broken.toml").write_text("[round\n")
    r = cli("--config", str(tmp_path / "broken.toml"), "config")
    assert r.returncode == 2 and "invalid TOML" in r.stderr
