"""Architecture rules: the core never loads Textual; heavy engines load only when used."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ["textual", "faster_whisper", "ctranslate2", "sounddevice", "anthropic", "pyttsx3", "onnxruntime"]


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(eval(out.strip().splitlines()[-1]))  # noqa: S307 - our own JSON list


def test_engine_does_not_import_textual():
    assert "textual" not in loaded_after("import mockint.interview.engine, mockint.interview.factory, "
                                         "mockint.store.report, mockint.doctor")


def test_core_imports_no_heavy_engine():
    assert loaded_after("import mockint.cli, mockint.interview.engine, mockint.bank, mockint.store.sessions") == set()


def test_help_and_light_commands_stay_light(tmp_path):
    code = ("import sys\nfrom mockint.cli import main\n"
            "for argv in (['sessions', '--json'], ['bank', 'list', '--json'], ['config'], ['due', '--json'],\n"
            "             ['progress']):\n"
            f"    main(['--sessions', {str(tmp_path)!r}] + argv)")
    assert loaded_after(code) == set()


def test_no_textual_outside_tui():
    import pathlib

    root = pathlib.Path(__file__).resolve().parent.parent / "mockint"
    offenders = [str(p) for p in root.rglob("*.py") if "tui" not in p.relative_to(root).parts
                 and any(line.strip().startswith(("import textual", "from textual"))
                         for line in p.read_text().splitlines())]
    assert offenders == []


def test_layer_contracts_hold():
    """import-linter (contracts in pyproject.toml): only mockint.tui imports Textual; store, speech and audio never
    import the interview engine or the TUI."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parent.parent
    code = ("import sys\nfrom importlinter.cli import lint_imports\n"
            "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "2 kept, 0 broken" in r.stdout


def test_engine_face_contract_is_typed():
    """Faces see typed events, the terminal RoundEnd and the Round protocol, never Any."""
    import typing

    from mockint.commands import round_cmd
    from mockint.interview.engine import Interview
    from mockint.interview.events import Event, Round, RoundEnd
    from mockint.tui.messages import EngineEvent

    assert typing.get_type_hints(Interview.run)["return"] == RoundEnd
    assert typing.get_type_hints(Interview.events)["return"] == typing.AsyncIterator[Event]
    assert typing.get_type_hints(EngineEvent)["event"] == Event
    assert typing.get_type_hints(round_cmd._headless)["interview"] is Round
    for name in ("start", "events", "command"):
        assert callable(getattr(Interview, name)) and hasattr(Round, name)


def test_ruff_is_clean():
    """The lint rules in pyproject.toml ([tool.ruff]) hold for the package, the tests and the benches."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parent.parent
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-fix", "mockint", "tests", "bench"],
                       capture_output=True, text=True, cwd=root)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]


def test_mypy_is_clean():
    """The package type-checks ([tool.mypy] in pyproject.toml; the cache in .mypy_cache keeps reruns quick)."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parent.parent
    r = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True, cwd=root)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
