"""Taking one answer: spoken (record, transcribe while speaking, end on key/silence/budget) or typed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import DeviceError
from ..models import SpeechMetrics, Transcript
from ..speech.metrics import compute
from .control import Clock, Control
from .events import Level, Listening, Notice, PartialTranscript, TimeWarning
from .voice import SpeechKit

TYPED_GRACE = 10.0


@dataclass
class Answer:
    """One captured answer."""

    transcript: Transcript
    metrics: SpeechMetrics
    audio: Path | None
    ended_by: str
    device_lost: str | None = None
    speech_check: dict | None = None  # the end-of-answer coverage check (journaled with answer_finished)


def _wav_16k(path: Path):
    """The saved answer as 16 kHz samples (what the decoder works on)."""
    from ..audio.wavio import read_wav, resample
    from ..speech.stt import SAMPLE_RATE

    audio, sr = read_wav(path, repair=False)
    return resample(audio, sr, SAMPLE_RATE)


class Listener:
    """Captures answers for the engine; only ever emits events, never blocks the loop."""

    def __init__(self, kit: SpeechKit, control: Control, emit: Callable, emit_threadsafe: Callable,
                 round_left: Callable[[], float], warn_seconds: float, silence_end: float,
                 on_repeat: Callable[[], None] = lambda: None):
        self.kit = kit
        self.control = control
        self.emit = emit
        self.emit_threadsafe = emit_threadsafe
        self.round_left = round_left
        self.warn = warn_seconds
        self.silence_end = silence_end
        self.on_repeat = on_repeat

    def _repeat_requested(self) -> None:
        if self.control.repeat.is_set():
            self.control.repeat.clear()
            self.on_repeat()

    def _check_clock(self, budget: float, warned: bool) -> tuple[str | None, bool]:
        left = budget - self.control.answer.elapsed()
        if not warned and left <= self.warn and budget > 2 * self.warn:
            self.emit(TimeWarning(scope="answer", seconds_left=max(0.0, round(left))))
            warned = True
        if left <= 0:
            return "budget", warned
        if self.round_left() <= 0:
            return "round_time", warned
        return None, warned

    async def spoken(self, turn_id: str, budget: float, wav: Path, prompt: str | None,
                     on_draft: Callable[[str], None] | None = None) -> Answer:
        """Record and transcribe; raises DeviceError if the microphone cannot be opened. `on_draft` gets the whole
        answer as it would read if the candidate stopped at a pause (called from the decoding thread)."""
        from ..audio.wavio import resample
        from ..speech.endpoint import Endpointer
        from ..speech.streaming import StreamingTranscriber, ensure_coverage
        from ..speech.stt import SAMPLE_RATE

        c = self.control
        transcriber, make_recorder = self.kit.transcriber, self.kit.make_recorder
        assert transcriber is not None and make_recorder is not None  # only spoken rounds record (SpeechKit.spoken)
        endpointer = Endpointer()
        streamer = StreamingTranscriber(transcriber, prompt, on_partial=lambda text: self.emit_threadsafe(
            PartialTranscript(turn_id=turn_id, text=text)))
        streamer.on_draft = on_draft

        recorder = make_recorder()
        rate = getattr(recorder, "sample_rate", SAMPLE_RATE)

        def on_chunk(chunk) -> None:
            if rate != SAMPLE_RATE:  # the WAV keeps the device's rate; Whisper and the VAD want 16 kHz
                chunk = resample(chunk, rate, SAMPLE_RATE)
            endpointer.feed(chunk)
            streamer.feed(chunk)

        try:
            await asyncio.to_thread(recorder.start, wav, on_chunk,
                                    lambda v: self.emit_threadsafe(Level(value=round(v, 3))), None)
        except DeviceError:
            streamer.cancel()
            raise
        c.answer = Clock()
        self.emit(Listening(turn_id=turn_id, budget=budget, mode="spoken"))
        ended_by, warned = None, False
        while ended_by is None:
            await c.wait_any(c.finish, c.skip, c.quit, c.repeat, timeout=0.1)
            self._repeat_requested()
            if c.finish.is_set():
                ended_by = "candidate"
            elif c.quit.is_set():
                ended_by = "quit"
            elif c.skip.is_set():
                ended_by = "skipped"
            elif recorder.stalled:
                ended_by = "device_lost"
            elif c.paused:
                continue
            elif self.silence_end and endpointer.should_end(self.silence_end):
                ended_by = "silence"
            else:
                ended_by, warned = self._check_clock(budget, warned)
        recording = await asyncio.to_thread(recorder.stop)
        transcript = await asyncio.to_thread(streamer.finish, self.kit.model_name())
        checked = await asyncio.to_thread(ensure_coverage, streamer, transcript,
                                          lambda: _wav_16k(recording.path))
        if checked.redecoded and checked.before is not None:  # a re-decode always keeps the first coverage
            self.emit(Notice(text=f"Part of your answer was missing from the live transcript "
                                  f"({checked.before.uncovered:.0f} s of speech); it was transcribed again "
                                  "from the recording.", level="info"))
        transcript = checked.transcript
        metrics = compute(transcript, budget)
        lost = recording.error if ended_by == "device_lost" else None
        check = checked.journal()
        if recording.overflows:
            # the sound system had audio for us and we were too slow to take it: those blocks are gone from the
            # recording too, so no re-decode can bring their words back; say so rather than score a shorter answer
            check["overflows"] = recording.overflows
            self.emit(Notice(text=f"The microphone dropped audio {recording.overflows} time(s) while you spoke "
                                  "(the computer was too busy); a few words may be missing from this answer.",
                             level="warning"))
        return Answer(transcript, metrics, wav, ended_by, lost, check)

    async def typed(self, turn_id: str, budget: float) -> Answer:
        c = self.control
        c.answer = Clock()
        self.emit(Listening(turn_id=turn_id, budget=budget, mode="typed"))
        ended_by, warned, text = None, False, ""
        getter = asyncio.ensure_future(c.typed.get())
        grace_until: float | None = None
        try:
            while ended_by is None:
                waiters = [getter, asyncio.ensure_future(c.skip.wait()), asyncio.ensure_future(c.quit.wait())]
                await asyncio.wait(waiters, timeout=0.1, return_when=asyncio.FIRST_COMPLETED)
                self._repeat_requested()
                for w in waiters[1:]:
                    w.cancel()
                if getter.done():
                    text, ended_by = getter.result(), "candidate"
                elif c.quit.is_set():
                    ended_by = "quit"
                elif c.skip.is_set():
                    ended_by = "skipped"
                elif not c.paused:
                    why, warned = self._check_clock(budget, warned)
                    if why and grace_until is None:
                        # give the face a moment to hand in what has been typed so far
                        grace_until = c.answer.elapsed() + TYPED_GRACE
                        self.emit(TimeWarning(scope="answer", seconds_left=0))
                        self.emit(Notice(text="Time is up for this answer: submit what you have.", level="info"))
                    elif why and grace_until is not None and c.answer.elapsed() >= grace_until:
                        ended_by = why
        finally:
            if not getter.done():
                getter.cancel()
        transcript = Transcript(text=text.strip(), typed=True, duration=round(c.answer.elapsed(), 2))
        metrics = compute(transcript, budget)
        metrics.duration = 0.0  # typing time is not speaking time
        return Answer(transcript, metrics, None, ended_by)
