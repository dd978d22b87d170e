"""Shared fixtures: the shipped bank, a private sessions folder, CLI runners."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import mockint  # noqa: F401  (its thread defaults apply before any test module loads numpy)

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "question_bank"

# Three xdist workers share two cores (scripts/test.sh), so the models a worker runs in-process get one thread each:
# on a second thread the sentence model spends ~20 % more CPU on a short batch, and Whisper ~35 % more for about the
# same wall time, CPU the other workers need. Vectors and words are bit-for-bit the same either way
# (test_embeddings.py::test_the_thread_count_changes_no_vector, test_stt.py::test_the_thread_count_changes_no_word);
# rounds started as subprocesses use the user's defaults.
IN_PROCESS_THREADS = 1 if os.environ.get("PYTEST_XDIST_WORKER") else 0
if IN_PROCESS_THREADS:
    from mockint import embeddings as _embeddings

    _embeddings._shared = _embeddings.MiniLM(threads=IN_PROCESS_THREADS)


# module-scoped fixtures that are expensive (scoring a whole calibration set, mapping the sample jobs): the tests
# that use one share an xdist worker, so it is computed once; every other test spreads over the workers
SHARED_FIXTURES = {"heldout_scores", "heldout_e_scores", "heldout_j_scores", "coverage"}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook turns xdist_group marks into scheduling groups
def pytest_collection_modifyitems(items):
    for item in items:
        shared = sorted(SHARED_FIXTURES & set(getattr(item, "fixturenames", ())))
        if shared:
            item.add_marker(pytest.mark.xdist_group(shared[0]))


@pytest.fixture(scope="session")
def vector_cache(tmp_path_factory, worker_id):
    """One on-disk cache of the bank's sentence vectors for the whole run (subprocesses, xdist workers and both
    parts of scripts/test.sh included).

    Filled once up front, as a user's cache is after the first round: a round started by a test then scores at the
    speed a user sees, instead of racing its own first-time embedding of the bank.
    """
    from filelock import FileLock

    from mockint.bank import load_bank
    from mockint.interview.offline import Judge

    shared = os.environ.get("MOCKINT_TEST_VECTORS")
    if shared:
        root = Path(shared)
    else:  # xdist workers each get a base temp folder; their parent belongs to the run
        root = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    folder = root / "vectors"
    with FileLock(str(root / "vectors.lock")):
        if not (root / "vectors.done").exists():
            folder.mkdir(exist_ok=True)
            bank = load_bank(BANK)
            Judge(bank, cache_dir=folder).index.warm(bank.questions)
            (root / "vectors.done").touch()
    return folder


@pytest.fixture(autouse=True)
def _isolate(tmp_path_factory, monkeypatch, vector_cache):
    """No test reads the developer's config or state, or talks to a real API."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    for k in list(os.environ):
        if k.startswith("MOCKINT_") and k not in ("MOCKINT_TEST_PULSE", "MOCKINT_PULSE_DIR"):
            monkeypatch.delenv(k)
    monkeypatch.setenv("MOCKINT_CACHE_DIR", str(vector_cache))  # a real setting (cache_dir)


@pytest.fixture(autouse=True)
def _quiet_microphone():
    """No answer played into the null-sink microphone outlives its test."""
    yield
    from .pulse import silence_the_mic

    silence_the_mic()


@pytest.fixture(scope="session", autouse=True)
def _checkout_stays_clean():
    """No test may write a session into the checkout's ./sessions (a round run without --sessions would)."""
    folder = ROOT / "sessions"
    before = set(os.listdir(folder)) if folder.is_dir() else set()
    yield
    leaked = (set(os.listdir(folder)) if folder.is_dir() else set()) - before
    assert not leaked, f"tests wrote into {folder}: {sorted(leaked)} (pass --sessions or MOCKINT_SESSIONS_DIR)"


@pytest.fixture(scope="session")
def bank():
    from mockint.bank import load_bank

    return load_bank(BANK)


@pytest.fixture(scope="session")
def judge(bank, vector_cache):
    """The offline judge with the real embedding model, shared by every test (the model loads once)."""
    from mockint.interview.offline import Judge

    return Judge(bank, cache_dir=vector_cache)


@pytest.fixture
def sessions_dir(tmp_path):
    d = tmp_path / "sessions"
    d.mkdir()
    return d


def run_cli(*args: str, env: dict | None = None, input: str | None = None, timeout: float = 120,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m mockint.cli ARGS` in a fresh process, as a user would run `mockint`."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "mockint.cli", *args], capture_output=True, text=True,
                          env=full_env, input=input, timeout=timeout, cwd=cwd or ROOT)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(scope="session")
def whisper():
    """The bundled tiny.en, loaded once for every test that transcribes (default settings: beam 5)."""
    from mockint.speech.stt import WhisperTranscriber

    return WhisperTranscriber("tiny.en", cpu_threads=IN_PROCESS_THREADS).load()


@pytest.fixture
def main(monkeypatch, capsys):
    """`mockint ARGS` in this process (no interpreter start-up): for commands that only read and write files.
    Rounds run in a subprocess (they install signal handlers and may leave the process at once)."""
    import io

    from mockint.cli import main as cli_main

    def run(*args: str, env: dict | None = None, input: str | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
        assert "round" not in args, "run rounds with `cli` (a subprocess)"
        with monkeypatch.context() as m:
            for k, v in (env or {}).items():
                m.setenv(k, v)
            if cwd is not None:
                m.chdir(cwd)
            m.setattr(sys, "stdin", io.StringIO(input or ""))
            capsys.readouterr()
            try:
                code = cli_main(list(args))
            except SystemExit as e:  # argparse usage errors
                code = e.code if isinstance(e.code, int) else 2
            out, err = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out, err)

    return run
