"""Rounds that always end and never lose an answer: a round that cannot start says so and exits, a full disk stops
the round cleanly with every answer up to that point saved, signals end the process at once keeping the session
resumable, and two processes can never append to one session."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from mockint.store.journal import read_journal
from mockint.store.sessions import SessionStore

from .conftest import ROOT
from .harness import Harness, run_virtual
from .rounds import Round

QIDS = "node-event-loop-phases,cache-stampede,story-database-optimisation"
ANSWERS = ["The loop runs timers, then poll for I/O, then check for setImmediate; nextTick drains first.",
           "A per-key lock so one request recomputes while the others wait, and jitter on the TTLs.",
           "Our orders page took four seconds; I added a composite index and it fell to 200 ms."]


# ---- a round that cannot start ----

def test_unusable_sessions_folder_ends_the_round_with_a_message(cli, tmp_path):
    """It used to wait in select() forever, deaf to Ctrl-C, printing nothing."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the sessions folder should be")
    r = cli("--sessions", str(blocker), "round", "--headless", "--text", "--questions", "1", "--no-tts",
            input="an answer\n", timeout=60)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "cannot create a session" in r.stderr and "nothing was saved" in r.stderr
    assert "Traceback" not in r.stderr


def test_round_failed_is_the_last_event_and_cleans_up(bank, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")

    async def main():
        h = Harness(bank, blocker, ["cache-stampede"])
        end = await h.finish()
        assert end.type == "round_failed" and end.session_id == "" and end.resume is None
        assert "cannot create a session" in end.reason and end.saved == "nothing was saved"
        assert [e.type for _, e in h.events] == ["round_failed"]
        tts_tmp = Path(h.interview.mouth._tmp.name)
        assert not tts_tmp.exists()  # a failed round leaves no /tmp/mockint-tts-* behind

    run_virtual(main)


# ---- disk full, for real ----

@contextlib.contextmanager
def small_disk(tmp_path: Path, kib: int):
    """A tmpfs of `kib` KiB when this process may mount one (root); else None (RLIMIT_FSIZE is used instead)."""
    mnt = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    ok = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k,mode=0700", "tmpfs",
                                                str(mnt)], capture_output=True).returncode == 0
    try:
        yield mnt if ok else None
    finally:
        if ok:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fill(folder: Path, leave: int) -> Path:
    """Fill a tmpfs until `leave` bytes are free."""
    st = os.statvfs(folder)
    free = st.f_bavail * st.f_frsize
    filler = folder / "filler"
    with open(filler, "wb") as f:
        f.write(b"\0" * max(0, free - leave))
    return filler


def _limit_file_size(limit: int):
    def pre() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return pre


def _assert_clean_journal(path: Path) -> list:
    raw = (path / "journal.jsonl").read_bytes()
    assert raw.endswith(b"\n")
    for line in raw.splitlines():
        json.loads(line)  # no torn line: a failed append leaves nothing behind
    return read_journal(path / "journal.jsonl").records


def test_disk_full_stops_the_round_keeps_the_answers_and_resumes(main, tmp_path, cli):
    with small_disk(tmp_path, 256) as disk:
        sessions = (disk or tmp_path) / "sessions"
        sessions.mkdir(mode=0o700)
        pre = None
        if disk is not None:
            filler = _fill(disk, leave=4 * 1024)  # one page for the journal: the first question or so
        else:
            pre = _limit_file_size(3 * 1024)
        env = {**os.environ, "MOCKINT_SESSIONS_DIR": str(sessions)}
        proc = subprocess.Popen([sys.executable, "-m", "mockint.cli", "round", "--headless", "--json", "--text",
                                 "--only", QIDS, "--follow-ups", "0", "--no-tts"], cwd=ROOT, env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=pre)
        out, err = proc.communicate("\n".join(ANSWERS) + "\n", timeout=120)
        assert proc.returncode == 2, (out, err)
        assert "disk full: your answers up to Q" in err and "--resume" in err and "Traceback" not in err
        events = [json.loads(line) for line in out.splitlines()]
        assert events[-1]["type"] == "round_failed" and events[-1]["reason"] == "disk full"
        (sid,) = os.listdir(sessions)
        records = _assert_clean_journal(sessions / sid)
        printed = {e["turn_id"] for e in events if e["type"] == "answer_finished"}
        journaled = {r.data["turn_id"] for r in records if r.type == "answer_finished"}
        assert printed and printed <= journaled  # "saved" means on disk
        saved_upto = int(err.split("answers up to Q")[1].split()[0])
        assert saved_upto == len(journaled)
        # space is back: the session continues where it stopped
        if disk is not None:
            filler.unlink()
        state = SessionStore(sessions).load(sid)
        assert state.status == "interrupted"
        env2 = {"MOCKINT_SESSIONS_DIR": str(sessions)}
        if state.remaining_question_ids():
            r = cli("round", "--headless", "--text", "--resume", sid, "--no-tts", env=env2,
                    input="\n".join(ANSWERS[saved_upto:]) + "\n")
            assert r.returncode == 0, r.stderr
            state = SessionStore(sessions).load(sid)
            assert state.status == "complete"
        else:  # every answer was saved before a score could be: the scores are made afterwards
            r = main("rescore", sid, env=env2)
            assert r.returncode == 0, r.stderr
            state = SessionStore(sessions).load(sid)
        assert state.answered == 3 and all(t.score_status == "scored" for t in state.threads)
        assert [t.turns[0].transcript.text for t in state.threads] == ANSWERS


def test_disk_full_while_saving_the_question_audio_leaves_no_broken_wav(tmp_path):
    with small_disk(tmp_path, 64) as disk:
        if disk is None:
            pytest.skip("needs a small tmpfs (root)")
        sessions = disk / "sessions"
        sessions.mkdir(mode=0o700)
        _fill(disk, leave=12 * 1024)  # the journal fits; a spoken question (~100 KB of WAV) does not
        r = subprocess.run([sys.executable, "-m", "mockint.cli", "round", "--headless", "--text", "--only",
                            "cache-stampede", "--follow-ups", "0"], cwd=ROOT, capture_output=True, text=True,
                           # espeak-ng: which voice makes the WAV is beside the point, and it starts in a blink
                           env={**os.environ, "MOCKINT_SESSIONS_DIR": str(sessions), "MOCKINT_TTS__ENGINE": "espeak"},
                           input="x\n", timeout=120)
        assert r.returncode == 2 and "disk full" in r.stderr and "Traceback" not in r.stderr, r.stderr
        (sid,) = os.listdir(sessions)
        audio = os.listdir(sessions / sid / "audio")
        assert audio == []  # no 0-byte or half-written question WAV, no temp file
        _assert_clean_journal(sessions / sid)


# ---- signals ----

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_ends_the_process_at_once_and_the_session_resumes(sessions_dir, cli, sig):
    rd = Round("--text", "--only", QIDS, "--follow-ups", "0", "--no-tts", sessions=sessions_dir)
    rd.until("listening")
    rd.answer(ANSWERS[0])
    rd.until("answer_finished")
    rd.until("listening")
    t0 = time.monotonic()
    rd.proc.send_signal(sig)
    code = rd.drain(timeout=30)
    print(f"\n{sig.name}: process gone {time.monotonic() - t0:.2f} s after the signal "
          f"(load {open('/proc/loadavg').read().split()[0]})")
    assert code == 130
    assert "Traceback" not in rd.proc.stderr.read()
    state = SessionStore(sessions_dir).load(rd.session_id())
    assert state.status == "interrupted" and state.answered == 1
    assert state.remaining_question_ids() == QIDS.split(",")[1:]
    r = cli("round", "--headless", "--text", "--resume", rd.session_id(), "--no-tts",
            env={"MOCKINT_SESSIONS_DIR": str(sessions_dir)}, input="\n".join(ANSWERS[1:]) + "\n")
    assert r.returncode == 0, r.stderr
    assert SessionStore(sessions_dir).load(rd.session_id()).status == "complete"


def test_signal_while_a_round_is_starting_exits_cleanly(sessions_dir):
    proc = subprocess.Popen([sys.executable, "-m", "mockint.cli", "round", "--headless", "--text", "--questions",
                             "1", "--no-tts"], cwd=ROOT, env={**os.environ, "MOCKINT_SESSIONS_DIR": str(sessions_dir)},
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)  # somewhere in start-up (imports, bank, plan, session)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode in (130, -signal.SIGTERM) and "Traceback" not in err, err
    for state in SessionStore(sessions_dir).list():
        assert state.status == "interrupted"



@pytest.mark.parametrize("stop", ["interrupt", "quit"])
def test_a_signal_or_quit_then_the_input_closing_ends_as_a_quit(bank, sessions_dir, stop):
    """A closing terminal sends SIGHUP/SIGTERM and then EOF on stdin: the round ends as interrupted by the signal
    (exit 130), not as "the input ended" (exit 1). test_signal_while_a_round_is_starting_exits_cleanly met this
    race under load."""
    from .harness import Harness, run_virtual

    async def main():
        h = Harness(bank, sessions_dir, ["cache-stampede"], voice=False)
        await h.until("listening")
        h.command(stop)
        h.command("input_closed")
        return await h.finish()

    end = run_virtual(main)
    assert end.type == "round_finished" and end.reason == "quit", end

# ---- one writer per session ----

def test_a_second_resume_of_one_session_refuses(main, sessions_dir, cli):
    rd = Round("--text", "--only", QIDS, "--follow-ups", "0", "--no-tts", sessions=sessions_dir)
    rd.until("listening")
    rd.answer(ANSWERS[0])
    rd.until("answer_finished")
    rd.until("listening")
    rd.proc.send_signal(signal.SIGINT)
    assert rd.drain() == 130
    sid = rd.session_id()
    env = {"MOCKINT_SESSIONS_DIR": str(sessions_dir)}
    first = Round("--text", "--resume", sid, "--no-tts", sessions=sessions_dir)
    first.until("listening")
    second = cli("round", "--headless", "--text", "--resume", sid, "--no-tts", env=env, input="x\n")
    assert second.returncode == 2 and "already open in another mockint" in second.stderr, second.stderr
    rescore = main("rescore", sid, "--all", "--backend", "offline", env=env)
    assert rescore.returncode == 2 and "already open" in rescore.stderr
    for a in ANSWERS[1:]:
        first.answer(a)
    first.close_input()
    assert first.drain() == 0
    recs = read_journal(sessions_dir / sid / "journal.jsonl").records
    assert [r.type for r in recs].count("round_finished") == 1 and [r.type for r in recs].count("session_resumed") == 1
    turns = [r.data["turn_id"] for r in recs if r.type == "answer_finished"]
    assert len(turns) == len(set(turns)) == 3


# ---- the TUI face ----

async def test_tui_shows_a_round_that_cannot_start(tmp_path):
    """It used to sit at "Preparing…" forever."""
    from mockint.commands import Context
    from mockint.config import load_settings
    from mockint.tui.app import MockintApp
    from mockint.tui.screens.round import RoundScreen

    from .test_tui import CHECKS, thread_text, wait_for

    blocker = tmp_path / "file"
    blocker.write_text("x")
    app = MockintApp(Context(load_settings({"sessions_dir": str(blocker), "tts": {"enabled": False},
                                            "round": {"answers": "typed"}})), checks=lambda s: CHECKS)
    async with app.run_test(size=(100, 32)) as pilot:
        app.start_round(only=["cache-stampede"])
        await wait_for(pilot, lambda: isinstance(app.screen, RoundScreen) and app.screen.state == "done")
        assert "The round stopped" in str(app.screen.query_one("#who").render())
        assert "cannot create a session" in thread_text(app) and "nothing was saved" in thread_text(app)
        await pilot.press("q")
        await wait_for(pilot, lambda: not isinstance(app.screen, RoundScreen))


def test_tui_sigterm_restores_the_terminal_and_keeps_the_session(sessions_dir):
    """A TUI killed with SIGTERM used to leave the terminal in the alternate screen."""
    import fcntl
    import pty
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # the child: mockint's TUI on a terminal
        os.chdir(ROOT)
        os.environ.update({"TERM": "xterm-256color", "MOCKINT_SESSIONS_DIR": str(sessions_dir)})
        os.execv(sys.executable, [sys.executable, "-m", "mockint.cli", "round", "--text", "--no-tts",
                                  "--only", "cache-stampede,node-event-loop-phases", "--follow-ups", "0"])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 32, 100, 0, 0))
    out = bytearray()

    def read_some(seconds: float) -> None:
        import select

        end = time.monotonic() + seconds
        while time.monotonic() < end:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                out.extend(chunk)

    deadline = time.monotonic() + 60
    journal = None
    while time.monotonic() < deadline:  # wait until the first answer is being taken
        read_some(0.2)
        found = list(sessions_dir.glob("*/journal.jsonl"))
        if found and b"answer_started" in found[0].read_bytes():
            journal = found[0]
            break
    assert journal is not None, out[-2000:]
    t0 = time.monotonic()
    os.kill(pid, signal.SIGTERM)
    while True:
        read_some(0.2)
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        assert time.monotonic() - t0 < 15, "the TUI did not exit after SIGTERM"
    read_some(0.3)
    os.close(fd)
    print(f"\nTUI gone {time.monotonic() - t0:.2f} s after SIGTERM")
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 143
    entered, left = out.rfind(b"\x1b[?1049h"), out.rfind(b"\x1b[?1049l")
    assert entered >= 0 and left > entered  # back on the normal screen
    assert b"Traceback" not in out
    state = SessionStore(sessions_dir).load(journal.parent.name)
    assert state.status == "interrupted" and len(state.remaining_question_ids()) == 2


async def test_tui_crash_report_has_no_locals_and_no_transcript(sessions_dir):
    from rich.console import Console

    from mockint.commands import Context
    from mockint.config import load_settings
    from mockint.tui.app import MockintApp

    from .test_tui import CHECKS

    secret = "MY-PRIVATE-ANSWER-ABOUT-LIBUV"
    app = MockintApp(Context(load_settings({"sessions_dir": str(sessions_dir)})), checks=lambda s: CHECKS)
    console = Console(record=True, width=120, file=io.StringIO())
    app.error_console = console  # where Textual prints a crash (in the app: mockint.log)
    with pytest.raises(ValueError):
        async with app.run_test(size=(80, 24)) as pilot:
            def boom() -> None:
                transcript = secret  # noqa: F841 - a local a default crash report would print
                raise ValueError(f"bad answer {secret}\n" + secret * 100)

            app.call_later(boom)
            await pilot.pause(0.2)
    for r in app._exit_renderables:  # in case this Textual keeps them for the caller to print
        console.print(r)
    text = console.export_text()
    assert "ValueError" in text and "boom" in text
    assert "locals" not in text  # Textual's default report prints every frame's variables (the answers)
    assert text.count(secret) == 1  # the message's first line only


# ---- inputs are capped ----

def test_a_runaway_answer_or_model_reply_is_capped(bank, sessions_dir):
    from mockint.interview.engine import MAX_ANSWER_CHARS, MAX_NOTE_CHARS, MAX_QUESTION_CHARS

    from .harness import FakePanel

    class Verbose(FakePanel):
        async def score(self, thread):
            s = await super().score(thread)
            return s.model_copy(update={"strengths": ["x" * 5_000_000] * 50, "improvements": ["y" * 1000] * 3})

    async def main():
        panel = Verbose(follow_ups=["Why? " + "z" * 10_000_000])
        h = Harness(bank, sessions_dir, ["cache-stampede"], follow_ups=1, voice=False, panel=panel)
        await h.until("listening")
        h.command("submit", "w" * 10_000_000)  # a pasted novel
        await h.until("listening")
        h.command("submit", "A short follow-up answer.")
        await h.finish()
        return h.interview.session_id

    sid = run_virtual(main)
    journal = sessions_dir / sid / "journal.jsonl"
    assert journal.stat().st_size < 200_000  # not 10 MB + 10 MB + 250 MB
    state = SessionStore(sessions_dir).load(sid)
    main_turn, follow = state.threads[0].turns
    assert len(main_turn.transcript.text) == MAX_ANSWER_CHARS and len(follow.text) == MAX_QUESTION_CHARS
    score = state.threads[0].score
    assert len(score.strengths) <= 12 and all(len(x) <= MAX_NOTE_CHARS for x in score.strengths)
    assert any("cut to its first" in n for n in state.notices)
