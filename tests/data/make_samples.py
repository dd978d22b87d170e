"""Regenerate tests/data/sample_sessions: three real spoken engine rounds (offline interviewer) at fixed times.

Run from the repository root: .venv/bin/python tests/data/make_samples.py
The output is committed so snapshot tests and screenshots see the same sessions every time.

Each answer is spoken by espeak-ng (a different pace and more or fewer fillers per session, so Progress has a
delivery trend), fed to the engine through a microphone stand-in, and transcribed by the real Whisper model; the
questions are synthesised by the real TTS. To keep the repository small, audio is stored at 8 kHz without the
silence after each answer, and only the middle session keeps its WAVs: the other two still name theirs in the
journal (so Replay shows what it does when a recording has gone missing). The answers are
written per question (a strong story with STAR+T, confident wrong facts on Node and auth) so the summary has
every kind of line to show.
Every score is the real offline scorer's; the script says so when it misses a wrong claim planted on purpose.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import subprocess
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

import mockint.store.journal as journal_mod
from mockint.audio.recorder import Recording
from mockint.audio.wavio import WavWriter, read_wav, resample, write_wav
from mockint.bank import load_bank
from mockint.config import Settings
from mockint.interview.backends import Panel
from mockint.interview.engine import Interview
from mockint.interview.plan import make_plan
from mockint.interview.voice import SpeechKit
from mockint.speech.stt import WhisperTranscriber
from mockint.speech.tts import Pyttsx3Speaker
from mockint.store.sessions import SessionStore

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "sample_sessions"
RATE = 8000
FOLLOW_UP = "follow-up"

# (when, espeak words per minute, {question id: main answer, FOLLOW_UP key: follow-up answers in order},
#  quit after this many answers, {question id with a wrong claim planted on purpose: the misconception's id})
ROUNDS = [
    (datetime(2026, 11, 20, 9, 0), 190, ["node-event-loop-phases", "cache-stampede"], {
        "node-event-loop-phases": "Um, so, uh, Node creates a new thread for every request that comes in, so "
                                  "requests run in parallel. The loop goes through timers, then poll, where it, uh, "
                                  "waits for I/O, then check for setImmediate.",
        "cache-stampede": "Uh, when a hot key expires, um, lots of requests all hit the database at once. I would, "
                          "like, add a lock so only one of them rebuilds it.",
        FOLLOW_UP: ["Um, I am not sure, uh, maybe a bigger thread pool.", "Uh, I would add more cache servers."],
    }, None, {"node-event-loop-phases": "thread-per-request"}),
    (datetime(2026, 11, 24, 18, 30), 165, ["db-mikroorm-n-plus-one", "ms-circuit-breaker",
                                           "story-database-optimisation"], {
        "db-mikroorm-n-plus-one": "The N plus one problem is one query for the list and then one more query for "
                                  "every row. I turn on debug logging to count the queries per request, then I "
                                  "use populate or a query builder join to load the customers and line items "
                                  "together.",
        "ms-circuit-breaker": "Um, a circuit breaker stops calling a service that keeps failing, so our threads "
                              "and sockets are not all stuck waiting. It has three states: closed, open and "
                              "half open, where one trial request checks if the service is back.",
        "story-database-optimisation": "Last year our orders page took four seconds at the ninety fifth "
                                       "percentile with twenty million rows. I owned fixing it, and the target "
                                       "was under half a second. I ran explain analyze, saw a sequential scan, "
                                       "and added a composite index on customer and created at, built "
                                       "concurrently. The planner could then walk the index in order, and p95 "
                                       "dropped to one hundred and eighty milliseconds.",
        FOLLOW_UP: ["Um, I would check the identity map per request.", "About fifty percent errors over ten "
                    "seconds, with a thirty second reset.", "The plan went from a sequential scan to an index "
                    "scan with no sort step."],
    }, None, {}),
    (datetime(2026, 11, 27, 7, 45), 150, ["db-postgres-indexing", "auth-sessions-vs-jwt", "comm-kafka-vs-rabbitmq"], {
        "db-postgres-indexing": "I start from the real queries. A B-tree handles equality, ranges and sorting, "
                                "and in a composite index the equality columns go first. GIN is for jsonb and "
                                "full text search, and BRIN suits huge append-only tables like time series.",
        "auth-sessions-vs-jwt": "Sessions keep an opaque id in a cookie and the state in Redis, so logout is "
                                "instant. A JWT is signed and checked locally. The JWT is encrypted so nobody "
                                "can read what's in it, so we can put anything in the claims.",
        FOLLOW_UP: ["Every index slows down writes, so I drop the ones that are never used.",
                    "I would keep access tokens short lived and refresh them."],
    }, 3, {"auth-sessions-vs-jwt": "jwt-payload-encrypted"}),
]


def espeak(text: str, wpm: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as d:
        wav = Path(d) / "a.wav"
        subprocess.run(["espeak-ng", "-s", str(wpm), "-w", str(wav), text], check=True)
        audio, sr = read_wav(wav)
    return resample(audio, sr, 16000)


class SmallSpeaker:
    """The real TTS, with its WAV stored at 8 kHz."""

    def __init__(self) -> None:
        self.inner = Pyttsx3Speaker(None, 175)

    def synthesize(self, text: str, path: Path) -> Path:
        tmp = self.inner.synthesize(text, path.with_name(path.stem + "-full.wav"))
        audio, sr = read_wav(tmp)
        tmp.unlink()
        write_wav(path, resample(audio, sr, RATE), RATE)
        path.chmod(0o600)
        return path


class SampleMicrophone:
    """A microphone stand-in: the spoken answer, then silence, faster than real time (the engine ends on silence)."""

    sample_rate = 16000  # what the engine hears; the WAV keeps an 8 kHz copy
    stalled = False

    def __init__(self, audio: np.ndarray) -> None:
        self.audio = audio
        self._stop = threading.Event()

    def start(self, path, on_chunk=None, on_level=None, on_stall=None) -> None:
        self.writer = WavWriter(path, RATE)
        self._thread = threading.Thread(target=self._run, args=(on_chunk, on_level), daemon=True)
        self._thread.start()

    def _run(self, on_chunk, on_level) -> None:
        sr = self.sample_rate
        lead = np.zeros(int(sr * 0.6), dtype=np.float32)  # the candidate draws breath before speaking
        sound = np.concatenate([lead, self.audio])
        keep = len(sound) + 2 * sr  # the WAV keeps two seconds of the silence that follows
        step = sr // 20
        for i in itertools.count(0, step):
            if self._stop.is_set():
                return
            chunk = sound[i : i + step] if i < len(sound) else np.zeros(step, dtype=np.float32)
            if len(chunk) < step:
                chunk = np.concatenate([chunk, np.zeros(step - len(chunk), dtype=np.float32)])
            if i < keep:
                self.writer.write(resample(chunk, sr, RATE))
            on_level and on_level(float(min(1.0, np.abs(chunk).max() * 2)))
            on_chunk and on_chunk(chunk)
            time.sleep(0.02)

    @property
    def seconds(self) -> float:
        return self.writer.seconds

    def stop(self) -> Recording:
        self._stop.set()
        self._thread.join()
        self.writer.close()
        return Recording(self.writer.path, self.writer.seconds, 0, False)


async def run_round(store: SessionStore, bank, transcriber, when: datetime, wpm: int, qids: list[str],
                    answers: dict, stop_after: int | None) -> str:
    settings = Settings(round={"answers": "spoken", "end_on_silence_seconds": 1.5}, interviewer={"max_follow_ups": 1})
    clock = (when + timedelta(seconds=9 * i) for i in itertools.count())
    journal_mod.utcnow = lambda: next(clock).isoformat(timespec="milliseconds") + "Z"
    real_create = store.create
    store.create = lambda title, now=None: real_create(title, now=when)
    follow_ups = iter(answers[FOLLOW_UP])
    current = {"qid": "", "kind": "main"}

    def microphone() -> SampleMicrophone:
        text = answers[current["qid"]] if current["kind"] == "main" else next(follow_ups, "I am not sure.")
        return SampleMicrophone(espeak(text, wpm))

    kit = SpeechKit(speaker=SmallSpeaker(), make_recorder=microphone, transcriber=transcriber)
    plan = make_plan(bank, settings, question_ids=qids)
    iv = Interview(bank, plan, settings, store, kit, Panel(None))
    task = asyncio.ensure_future(iv.run())
    finished = 0
    async for ev in iv.events():
        if ev.type == "question_asked":
            current.update(qid=ev.question_id, kind=ev.kind)
        elif ev.type == "answer_finished":
            print(f"  {ev.turn_id}: {ev.metrics.wpm:.0f} wpm, {ev.metrics.filler_count} fillers: {ev.text[:70]}")
            finished += 1
            if stop_after is not None and finished >= stop_after:
                iv.command("quit")
    await task
    store.create = real_create
    return iv.session_id


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    store = SessionStore(OUT)
    bank = load_bank(ROOT / "question_bank")
    s = Settings().stt
    transcriber = WhisperTranscriber(s.model, s.cpu_threads, 5, s.no_speech_threshold).load()
    ids = []
    for when, wpm, qids, answers, stop_after, wrong in ROUNDS:
        sid = asyncio.run(run_round(store, bank, transcriber, when, wpm, qids, answers, stop_after))
        state = store.load(sid)
        for qid in wrong:
            th = state.thread(qid)
            if th is not None and th.score is not None and not th.score.wrong_claims:
                print(f"  note: the scorer did not catch the wrong claim planted in {qid}")
        ids.append(sid)
    for sid in (ids[0], ids[2]):
        for f in (OUT / sid / "audio").glob("*.wav"):
            f.unlink()
    torn = OUT / ids[-1] / "journal.jsonl"
    with open(torn, "ab") as f:
        f.write(b'{"v":1,"t":"2026-11-27T07:47:00.000Z","type":"answer_fin')  # a crash mid-write
    print("\n".join(ids))


if __name__ == "__main__":
    main()
