"""The TUI driven with Pilot: whole typed and spoken rounds through every screen, and what they leave on disk."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from mockint.audio.recorder import Recording
from mockint.audio.wavio import WavWriter, read_wav, resample
from mockint.commands import Context
from mockint.config import load_settings
from mockint.doctor import Check
from mockint.interview.voice import SpeechKit
from mockint.speech.stt import Piece
from mockint.store.sessions import SessionStore
from mockint.tui.app import MockintApp
from mockint.tui.screens.home import HomeScreen
from mockint.tui.screens.progress import ProgressScreen
from mockint.tui.screens.replay import ReplayScreen, SessionScreen
from mockint.tui.screens.round import RoundScreen
from mockint.tui.screens.summary import SummaryScreen

SAMPLES = Path(__file__).parent / "data" / "sample_sessions"
CHECKS = [Check("microphone", True, "default"), Check("speech model", True, "tiny.en (bundled)"),
          Check("voice", False, "espeak-ng is missing", "sudo apt-get install espeak-ng"),
          Check("interviewer", True, "offline (built-in)")]


def make_app(sessions: Path, **flags) -> MockintApp:
    settings = {"sessions_dir": str(sessions), "tts": {"enabled": False}, **flags}
    return MockintApp(Context(load_settings(settings)), checks=lambda s: CHECKS)


async def wait_for(pilot, cond, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout

    def ok() -> bool:
        try:
            return bool(cond())
        except Exception:  # the screen may not be mounted yet
            return False

    while not ok():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting in the TUI")
        await pilot.pause(0.05)


def thread_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query("ThreadView Static"))


async def test_typed_round_through_every_screen(sessions_dir):
    app = MockintApp(Context(load_settings({"sessions_dir": str(sessions_dir), "tts": {"enabled": False},
                                            "round": {"answers": "typed"}})), checks=lambda s: CHECKS)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: "espeak-ng is missing" in str(app.screen.query_one("#status").render()))
        assert "sudo apt-get install espeak-ng" in str(app.screen.query_one("#status").render())
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "SetupScreen")
        topics = app.screen.query_one("#topics")
        topics.select("caching")
        app.screen.query_one("#questions").value = "2"
        app.screen.query_one("#follow").value = "1"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RoundScreen))
        screen = app.screen
        given = 0
        for answer in ["Cache-aside reads the cache first and falls back to the database, then fills the cache "
                       "with a TTL; write-through writes both.", "I would invalidate on write with an event.",
                       "A per-key lock with request coalescing and jitter.", "Probably Redis SETNX."]:
            await wait_for(pilot, lambda: screen.state == "listening" or not isinstance(app.screen, RoundScreen))
            if not isinstance(app.screen, RoundScreen):
                break
            box = screen.query_one("#typed")
            assert box.display and box.has_focus
            before = thread_text(app).count("You:")
            box.value = answer
            await pilot.press("enter")
            given += 1
            await wait_for(pilot, lambda: thread_text(app).count("You:") > before
                           or not isinstance(app.screen, RoundScreen))
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout=60)
        summary = app.screen
        await wait_for(pilot, lambda: summary.state is not None)
        head = str(summary.query_one("#summary-head").render())
        assert "Overall" in head and "complete" in head
        assert summary.query_one("#topic-table").row_count == 1
        assert len(summary.query(".reference")) == 2
        await pilot.press("a")
        assert not any(c.collapsed for c in summary.query(".reference"))
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen) and app.screen.state is not None)
        assert "why this follow-up" in "\n".join(str(s.render()) for s in app.screen.query("ListItem Static"))
        await pilot.press("e")
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen) and app.screen.history)
        assert app.screen.query_one("#progress-table").row_count == 1
    (sid,) = [p.name for p in sessions_dir.iterdir()]
    state = SessionStore(sessions_dir).load(sid)
    assert state.status == "complete" and len(state.threads) == 2
    assert all(t.topic == "caching" and t.score is not None for t in state.threads)
    # every turn asked got one of the answers typed above, and a follow-up was asked
    assert given == sum(len(th.turns) for th in state.threads) >= 3
    assert all(t.answered for th in state.threads for t in th.turns)
    assert (state.path / "summary.json").is_file() and (state.path / "report.md").is_file()


class FakeRecorder:
    """Plays a WAV into the engine as if a microphone heard it, in real time-ish, then silence."""

    def __init__(self, audio: np.ndarray):
        self.audio = audio
        self.stalled = False
        self._stop = threading.Event()

    def start(self, path, on_chunk=None, on_level=None, on_stall=None):
        self.writer = WavWriter(path, 16000)
        self._thread = threading.Thread(target=self._run, args=(on_chunk, on_level), daemon=True)
        self._thread.start()

    def _run(self, on_chunk, on_level):
        padded = np.concatenate([self.audio, np.zeros(16000 * 30, dtype=np.float32)])
        for i in range(0, len(padded), 800):
            if self._stop.is_set():
                return
            chunk = padded[i : i + 800]
            self.writer.write(chunk)
            on_level and on_level(float(min(1.0, np.abs(chunk).max() * 2)))
            on_chunk and on_chunk(chunk)
            time.sleep(0.01)

    @property
    def seconds(self):
        return self.writer.seconds

    def stop(self):
        self._stop.set()
        self._thread.join()
        self.writer.close()
        return Recording(self.writer.path, self.writer.seconds, 0, False)


class FakeTranscriber:
    """Returns scripted words for whatever speech it is given."""

    name = "fake"

    def __init__(self, text: str):
        self.text = text

    def transcribe(self, audio, prompt=None, word_timestamps=True):
        from mockint.models import Word

        words = [Word(word=w, start=0.3 * i, end=0.3 * i + 0.25) for i, w in enumerate(self.text.split())]
        return Piece(text=self.text, words=words)


@pytest.fixture(scope="module")
def speech_audio(tmp_path_factory):
    wav = tmp_path_factory.mktemp("tui") / "say.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "The event loop runs callbacks and libuv keeps a thread pool."],
                   check=True)
    audio, sr = read_wav(wav)
    return resample(audio, sr, 16000)


async def test_spoken_round_with_fake_microphone(sessions_dir, speech_audio):
    said = "Um, the event loop runs callbacks on one thread and libuv has a pool of four threads."
    levels: list[float] = []

    def kit(settings, typed):
        return SpeechKit(make_recorder=lambda: FakeRecorder(speech_audio), transcriber=FakeTranscriber(said))

    app = MockintApp(Context(load_settings({"sessions_dir": str(sessions_dir), "tts": {"enabled": False}})),
                     kit_factory=kit, checks=lambda s: CHECKS)
    async with app.run_test(size=(100, 32)) as pilot:
        app.start_round(only=["node-event-loop-phases"])
        await wait_for(pilot, lambda: isinstance(app.screen, RoundScreen) and app.screen.state == "listening")
        screen = app.screen
        assert screen.query_one("#level").display and not screen.query_one("#typed").display
        await wait_for(pilot, lambda: screen.query_one("#level").level > 0.1)
        levels.append(screen.query_one("#level").level)
        await wait_for(pilot, lambda: "heard so far" in str(screen.query_one("#partial").render()))
        await pilot.press("space")  # done answering
        await wait_for(pilot, lambda: "Follow-up" in thread_text(app) or isinstance(app.screen, SummaryScreen))
        assert "wpm" in thread_text(app)
        await wait_for(pilot, lambda: screen.state == "listening" or isinstance(app.screen, SummaryScreen))
        await pilot.press("s")  # skip the follow-up: on to the end
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout=60)
    (sid,) = [p.name for p in sessions_dir.iterdir()]
    state = SessionStore(sessions_dir).load(sid)
    main = state.threads[0].turns[0]
    assert main.transcript.text == said and main.metrics.filler_count == 1 and main.ended_by == "candidate"
    audio, _ = read_wav(state.path / main.answer_audio)
    assert len(audio) > 16000 and levels


async def test_quit_asks_first_and_keeps_the_answers(sessions_dir):
    app = MockintApp(Context(load_settings({"sessions_dir": str(sessions_dir), "tts": {"enabled": False},
                                            "round": {"answers": "typed"}})), checks=lambda s: CHECKS)
    async with app.run_test(size=(100, 32)) as pilot:
        app.start_round(only=["cache-stampede", "node-event-loop-phases"])
        await wait_for(pilot, lambda: isinstance(app.screen, RoundScreen) and app.screen.state == "listening")
        screen = app.screen
        screen.query_one("#typed").value = "A lock per key and jittered TTLs, plus stale-while-revalidate."
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.state == "listening" and "Follow-up" in thread_text(app))
        await pilot.press("escape", "q")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
        await pilot.press("n")
        assert isinstance(app.screen, RoundScreen)
        await pilot.press("q", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout=30)
    (sid,) = [p.name for p in sessions_dir.iterdir()]
    state = SessionStore(sessions_dir).load(sid)
    assert state.status == "interrupted" and state.answered == 1
    assert state.remaining_question_ids() == ["node-event-loop-phases"]


async def test_replay_and_progress_read_engine_sessions(tmp_path):
    sessions = tmp_path / "sessions"
    shutil.copytree(SAMPLES, sessions)
    app = make_app(sessions)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen)
                       and app.screen.query_one("#sessions").row_count == 3)
        assert "unreadable journal lines" in str(app.screen.query_one("#sessions-note").render())
        await pilot.press("enter")  # the newest: interrupted, with a torn last line
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen) and app.screen.state is not None)
        assert app.screen.state.status == "interrupted"
        assert "torn last line" in str(app.screen.query_one("#session-head").render())
        await pilot.press("escape", "escape", "p")
        await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen) and app.screen.history)
        table = app.screen.query_one("#progress-table")
        assert table.row_count >= 5
        first_latest = float(table.get_row_at(0)[2])
        assert all(float(table.get_row_at(i)[2]) >= first_latest for i in range(table.row_count))  # weakest first
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.interrupted)
        assert app.screen.interrupted[0].id == "20261127-074500-mixed"
