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


@pytest.fixture(scope="module", autouse=True)
def warm_judge(judge):
    """The offline interviewer reads answers against the bank's sentence vectors: embed them once, into the
    run's shared vector cache, so no round here waits on that (the full suite has usually done it already)."""
    judge.index.warm()


def make_app(sessions: Path, player_factory=None, **flags) -> MockintApp:
    settings = {"sessions_dir": str(sessions), "tts": {"enabled": False}, **flags}
    return MockintApp(Context(load_settings(settings)), checks=lambda s: CHECKS, player_factory=player_factory)


def samples(tmp_path: Path) -> Path:
    sessions = tmp_path / "sessions"
    shutil.copytree(SAMPLES, sessions)
    return sessions


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def screen_text(app) -> str:
    """The characters on the screen (from the SVG screenshot, without markup)."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")


def footer_keys(app) -> dict[str, str]:
    """What the footer offers now: key -> description (shown bindings only)."""
    return {k: b.binding.description for k, b in app.active_bindings.items() if b.binding.show and b.enabled}


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
            await wait_for(pilot, lambda before=before: thread_text(app).count("You:") > before
                           or not isinstance(app.screen, RoundScreen))
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout=60)
        summary = app.screen
        await wait_for(pilot, lambda: summary.state is not None)
        head = str(summary.query_one("#summary-head").render())
        assert "Overall" in head and "complete" in head and "completed" not in head
        await wait_for(pilot, lambda: len(summary.query(".thread > CollapsibleTitle")) == 2)
        titles = [str(t.render()) for t in summary.query(".thread > CollapsibleTitle")]
        assert titles and all("Caching strategies · " in t for t in titles)  # the question's topic and text, not its id
        assert not any(th.question_id in t for t in titles for th in summary.state.threads)
        assert summary.query_one("#topic-table").row_count == 1
        assert len(summary.query(".reference")) == 2 and all(c.collapsed for c in summary.query(".thread"))
        await pilot.press("a")
        assert not any(c.collapsed for c in summary.query(".thread"))
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

    def __init__(self, audio: np.ndarray, gate: threading.Event | None = None):
        self.audio = audio
        self.stalled = False
        self._stop = threading.Event()
        self.gate = gate  # stop() waits for it: the end of the answer takes as long as the test wants

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
        if self.gate is not None:
            self.gate.wait(30)
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


def _spoken_app(sessions_dir, make_recorder, transcriber) -> MockintApp:
    """The app with spoken answers from a fake microphone and transcriber, the interviewer's voice off."""
    def kit(settings, typed):
        return SpeechKit(make_recorder=make_recorder, transcriber=transcriber)

    return MockintApp(Context(load_settings({"sessions_dir": str(sessions_dir), "tts": {"enabled": False}})),
                      kit_factory=kit, checks=lambda s: CHECKS)


async def test_spoken_round_with_fake_microphone(sessions_dir, speech_audio):
    said = ("Um, the event loop runs callbacks on one thread and libuv has a pool of four threads. " * 6).strip()
    levels: list[float] = []
    transcriber = FakeTranscriber(said)
    gate = threading.Event()
    gate.set()

    app = _spoken_app(sessions_dir, lambda: FakeRecorder(speech_audio, gate), transcriber)
    async with app.run_test(size=(100, 32)) as pilot:
        app.start_round(only=["node-event-loop-phases"])
        await wait_for(pilot, lambda: isinstance(app.screen, RoundScreen) and app.screen.state == "listening")
        screen = app.screen
        assert screen.query_one("#level").display and not screen.query_one("#typed").display
        await wait_for(pilot, lambda: screen.query_one("#level").level > 0.1)
        levels.append(screen.query_one("#level").level)
        await wait_for(pilot, lambda: "heard so far" in str(screen.query_one("#partial").render()))
        box = screen.query_one("#partial-box")
        await wait_for(pilot, lambda: box.max_scroll_y > 0 and box.scroll_y == box.max_scroll_y)  # newest words shown
        gate.clear()  # hold the end of the answer: the wait after it must be visible
        await pilot.press("space")  # done answering
        clock = screen.query_one("#answer-clock")
        await wait_for(pilot, lambda: screen.state == "transcribing")  # held there until the gate opens
        assert clock._paused_at is not None  # the answer clock stopped with the answer
        left = clock.left
        await pilot.pause(0.3)
        assert "Transcribing the end of your answer" in str(screen.query_one("#who").render())
        assert clock.left == left
        gate.set()
        await wait_for(pilot, lambda: "Follow-up" in thread_text(app) or isinstance(app.screen, SummaryScreen))
        assert "wpm" in thread_text(app)
        await wait_for(pilot, lambda: screen.state == "listening" or isinstance(app.screen, SummaryScreen))
        await pilot.press("s")  # skip the follow-up: on to the end
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen), timeout=60)
        await wait_for(pilot, lambda: app.screen.state is not None)
        await pilot.pause(0.1)
    (sid,) = [p.name for p in sessions_dir.iterdir()]
    state = SessionStore(sessions_dir).load(sid)
    main = state.threads[0].turns[0]
    assert main.transcript.text == said and main.metrics.filler_count == 6 and main.ended_by == "candidate"
    audio, _ = read_wav(state.path / main.answer_audio)
    assert len(audio) > 16000 and levels


async def test_space_on_an_answer_with_nothing_heard_asks_for_a_second_press(sessions_dir):
    """A new user's round: space pressed to answer at the moment the question ended landed on the answer and ended
    it before a word was said; the follow-up was then asked over the candidate's answer. With nothing heard (no word
    transcribed, no voice on the meter), ending takes a second press."""
    app = _spoken_app(sessions_dir, lambda: FakeRecorder(np.zeros(16000, dtype=np.float32)),
                      FakeTranscriber("unused"))
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_round(only=["node-event-loop-phases"])
        await wait_for(pilot, lambda: isinstance(app.screen, RoundScreen) and app.screen.state == "listening")
        screen = app.screen
        await pilot.press("space")
        await pilot.pause(0.2)
        assert screen.state == "listening", screen.state
        assert "Nothing heard yet" in str(screen.query_one("#who").render())
        await pilot.press("space")  # meant it: the answer ends, empty
        await wait_for(pilot, lambda: screen.state != "listening")
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen) or "Follow-up" in thread_text(app),
                       timeout=60)
    (sid,) = [p.name for p in sessions_dir.iterdir()]
    main = SessionStore(sessions_dir).load(sid).threads[0].turns[0]
    assert main.answered and main.transcript.text == "" and main.ended_by == "candidate"


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
    app = make_app(samples(tmp_path))
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
        latest = [float(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert latest == sorted(latest)  # weakest first
        scores = str(app.screen.query_one("#score-chart").render())
        assert all(day in scores for day in ("Nov 20", "Nov 24", "Nov 27")) and "overall" in scores
        assert app.screen.history[0].name[:20] in scores  # the weakest topic has its own line
        await pilot.press("v")
        delivery = app.screen.query_one("#delivery-chart")
        await wait_for(pilot, lambda: delivery.display and delivery.size.height > 5)
        text = str(delivery.render())
        assert "words/min" in text and "fillers/min" in text and "Nov 24" in text
        wpms = [p.wpm for p in app.screen.points]
        assert len(wpms) == 3 and all(w and 100 < w < 260 for w in wpms)  # measured from the spoken samples
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.interrupted)
        assert app.screen.interrupted[0].id == "20261127-074500-mixed"


async def test_replay_reads_the_sessions_once_per_visit(tmp_path):
    app = make_app(samples(tmp_path))
    reads = []
    real_list = app.ctx.store.list
    app.ctx.store.list = lambda *a, **k: reads.append(1) or real_list(*a, **k)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.interrupted)
        await pilot.pause(0.5)
        reads.clear()  # Home's own reads
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen)
                       and app.screen.query_one("#sessions").row_count == 3)
        await pilot.pause(0.5)
        assert len(reads) == 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen) and app.screen.state is not None)
        await pilot.press("escape")  # back on the list: read again (a session may have changed meanwhile)
        await wait_for(pilot, lambda: len(reads) == 2 and isinstance(app.screen, ReplayScreen))
        await pilot.pause(0.5)
        assert len(reads) == 2 and app.screen.query_one("#sessions").row_count == 3


class FakePlayer:
    """Stands in for the speakers where the point is which WAV Replay asks for (the PulseAudio test hears it)."""

    def __init__(self):
        self.played: list[Path] = []
        self.stops = 0
        self._stop = threading.Event()

    def play(self, sound, sample_rate=None, on_progress=None) -> bool:
        self.played.append(Path(sound))
        self._stop.clear()
        for i in range(200):  # a two-second clip
            if self._stop.wait(0.01):
                return False
            if on_progress:
                on_progress(i / 200)
        return True

    def stop(self) -> None:
        self.stops += 1
        self._stop.set()


async def test_replay_plays_the_selected_line(tmp_path):
    sessions = samples(tmp_path)
    player = FakePlayer()
    app = make_app(sessions, player_factory=lambda: player)
    sid = "20261124-183000-mixed"
    audio = sessions / sid / "audio"
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(SessionScreen(sid))
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen) and app.screen.state is not None)
        screen = app.screen
        view = screen.query_one("#transcript")
        assert view.has_focus and view.highlighted_child.audio == audio / "q01.wav"  # first playable line
        assert footer_keys(app).get("enter") == "Play" and footer_keys(app).get("x") == "Stop"
        await pilot.press("enter")
        await wait_for(pilot, lambda: player.played == [audio / "q01.wav"])
        await wait_for(pilot, lambda: screen.query_one("#now-playing").display)
        assert "q01.wav" in str(screen.query_one("#now-playing").render())
        await pilot.press("x")
        await wait_for(pilot, lambda: player.stops and not screen.query_one("#now-playing").display)
        await pilot.press("down", "enter")  # the answer under the question
        await wait_for(pilot, lambda: player.played[-1:] == [audio / "q01-a.wav"])
        items = list(view.children)
        target = next(i for i in items if i.audio and i.audio.name == "q02-f1-a.wav")
        view.index = items.index(target)
        await pilot.pause(0.1)
        await pilot.click(target)  # a click plays too
        await wait_for(pilot, lambda: player.played[-1:] == [audio / "q02-f1-a.wav"])
        view.index = next(i for i, it in enumerate(items) if it.audio is None)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("No recording on this line" in n for n in notices(app)))
        assert len(player.played) == 3
        await pilot.press("escape")
        app.push_screen(SessionScreen("20261120-090000-mixed"))  # its WAVs were removed from the folder
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen) and app.screen.state is not None)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("q01.wav is missing" in n for n in notices(app)))
        assert len(player.played) == 3


async def test_delete_a_session_from_replay(tmp_path):
    sessions = samples(tmp_path)
    app = make_app(sessions)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen)
                       and app.screen.query_one("#sessions").row_count == 3)
        assert footer_keys(app).get("enter") == "Open" and footer_keys(app).get("d") == "Delete"
        await pilot.press("d")  # the newest: 20261127, the only one with auth questions
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
        assert "Delete session 20261127-074500-mixed?" in str(app.screen.query_one("#confirm-text").render())
        await pilot.press("n")
        assert (sessions / "20261127-074500-mixed").is_dir()
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen)
                       and app.screen.query_one("#sessions").row_count == 2)
        assert not (sessions / "20261127-074500-mixed").exists()
        await pilot.press("enter")  # and from inside a session
        await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen) and app.screen.state is not None)
        await pilot.press("d")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
        assert "and its 12 recordings?" in str(app.screen.query_one("#confirm-text").render())
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen)
                       and app.screen.query_one("#sessions").row_count == 1)
        assert sorted(p.name for p in sessions.iterdir()) == ["20261120-090000-mixed"]
        await pilot.press("escape", "p")
        await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen) and app.screen.history)
        assert {h.topic for h in app.screen.history} == {"node-internals", "caching"}  # progress follows
        assert len(app.screen.points) == 1


async def test_summary_shows_wrong_claims_star_and_one_line_per_question(tmp_path):
    from mockint.models import STAR_T
    from mockint.score_lines import wrong_claim_text
    from mockint.store.report import render_markdown

    sessions = samples(tmp_path)
    app = make_app(sessions)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(SummaryScreen("20261120-090000-mixed"))
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.state is not None)
        screen = app.screen
        await pilot.pause(0.1)
        await wait_for(pilot, lambda: len(screen.query(".thread")) == 2)
        folds = list(screen.query(".thread"))
        assert len(folds) == 2 and all(f.collapsed and f.outer_size.height == 1 for f in folds)  # one line each
        assert "Walk me through how the Node.js event loop" in str(folds[0].query_one("CollapsibleTitle").render())
        state = screen.state
        wrong = state.threads[0].score.wrong_claims[0]
        await pilot.press("enter")  # the first question is focused: Enter opens it
        await wait_for(pilot, lambda: not folds[0].collapsed)
        body = str(folds[0].query_one(".thread-score").render())
        said, fact = wrong_claim_text(wrong).split("; ", 1)
        assert said in body and fact in body
        report = render_markdown(state, app.ctx.bank)
        assert f"**{said}**; {fact}" in report  # the report says the same thing
        q = app.ctx.bank.question("node-event-loop-phases")
        assert body.count("✓ ") + body.count("✗ ") >= len(q.key_points)
        for k in q.key_points:
            assert body.count(k.point) == 1  # each key point once: no "+ covered" / "→ missed" repeats
        await pilot.press("escape")
        app.push_screen(SummaryScreen("20261124-183000-mixed"))
        await wait_for(pilot, lambda: isinstance(app.screen, SummaryScreen) and app.screen.state is not None)
        screen = app.screen
        story = screen.state.threads[2].score
        await pilot.press("a")
        await wait_for(pilot, lambda: not any(f.collapsed for f in screen.query(".thread")))
        body = str(list(screen.query(".thread-score"))[2].render())
        ticks = [("✓ " if story.star.get(p) else "✗ ") + p.capitalize() for p in STAR_T]
        assert all(t in body for t in ticks) and sum(story.star.get(p) for p in STAR_T) >= 3


async def test_setup_fits_80x24_and_chooses_typed_without_microphone(tmp_path):
    from mockint.config import state_file
    from mockint.store.setup_state import save_choices

    save_choices(state_file(), {"round": {"answers": "spoken"}})
    app = make_app(samples(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        app.microphone = (False, "no audio input device found")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "SetupScreen")
        await pilot.pause(0.1)
        screen = app.screen
        assert screen.query_one("#answers").value == "typed" and screen.query_one("#answers-note").display
        form = screen.query_one("#setup-form")
        assert form.max_scroll_y == 0  # everything fits: nothing below the fold
        assert screen.query_one("#start").region.bottom <= 23
        topics = screen.query_one("#topics")
        names = [str(topics.get_option_at_index(i).prompt) for i in range(topics.option_count)]
        shown = screen_text(app)
        assert all(n in shown for n in names), names  # no topic name is cut
        assert topics.has_focus
        await pilot.press("tab")
        assert app.focused.id == "questions"  # no hidden Tab stop in between
    app = make_app(samples(tmp_path / "b"))
    async with app.run_test(size=(80, 24)) as pilot:
        app.microphone = (True, "default")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "SetupScreen")
        assert app.screen.query_one("#answers").value == "spoken"  # the remembered choice, when it can work


async def test_a_topic_reads_ticked_or_not_without_colour(tmp_path):
    """Textual drew the same X for a ticked and an unticked topic (colour alone told them apart): in plain text every
    topic looked ticked next to "none ticked = all"."""
    app = make_app(samples(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "SetupScreen")
        await pilot.pause(0.1)
        topics = app.screen.query_one("#topics")

        def marks() -> list[str]:
            return [topics.render_line(i).text[1] for i in range(topics.option_count)]

        assert marks() == [" "] * topics.option_count  # none ticked: all topics
        await pilot.press("space")  # ticks the first
        assert marks() == ["X"] + [" "] * (topics.option_count - 1)


async def test_drill_asks_first_and_keeps_the_configured_settings(tmp_path):
    app = make_app(samples(tmp_path), interviewer={"max_follow_ups": 1}, round={"answer_seconds": 90})
    started: list = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.start_round = lambda overrides=None, **kw: started.append(overrides)
        app.microphone = (False, "no audio input device found")
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ProgressScreen) and app.screen.history)
        weak = [h.topic for h in app.screen.history if h.latest < 7][:3]
        await pilot.press("d")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "ConfirmScreen")
        text = str(app.screen.query_one("#confirm-text").render())
        assert "typed answers" in text and "1 follow-up each" in text  # says what it will start
        await pilot.press("n")
        assert not started and isinstance(app.screen, ProgressScreen)
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: started)
    o = started[0]
    assert o == {"round": {"topics": weak, "order": "drill", "questions": min(5, 2 * len(weak)), "answers": "typed"}}


@pytest.mark.audio
async def test_replay_is_heard_on_the_speaker(tmp_path):
    """The real player, through PulseAudio: what Replay plays reaches the speaker sink."""
    from tests.pulse import SpeakerCapture, require_pulse

    require_pulse()
    sessions = samples(tmp_path)
    sid = "20261124-183000-mixed"
    wav = sessions / sid / "audio" / "q01-f1-a.wav"  # a short answer (about five seconds)
    expected, sr = read_wav(wav)
    app = make_app(sessions)
    capture = SpeakerCapture(tmp_path / "heard.wav")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            app.push_screen(SessionScreen(sid))
            await wait_for(pilot, lambda: isinstance(app.screen, SessionScreen) and app.screen.state is not None)
            screen = app.screen
            view = screen.query_one("#transcript")
            view.index = next(i for i, it in enumerate(view.children) if it.audio == wav)
            await pilot.press("enter")
            await wait_for(pilot, lambda: screen.query_one("#now-playing").display)
            await wait_for(pilot, lambda: not screen.query_one("#now-playing").display, timeout=60)
            assert not [n for n in notices(app) if "Cannot play" in n]
    finally:
        heard = capture.stop()
    speech = np.abs(expected) > 0.05
    assert speech.mean() > 0.1
    frame = 1600  # 0.1 s at 16 kHz
    rms = [float(np.sqrt(np.mean(heard[i : i + frame] ** 2))) for i in range(0, len(heard) - frame, frame)]
    loud = sum(r > 0.01 for r in rms) / 10  # seconds of sound heard
    voiced = (len(expected) / sr) * speech.mean()
    assert loud > 0.5 * voiced, (loud, voiced)  # most of the recording's speech was heard on the sink
