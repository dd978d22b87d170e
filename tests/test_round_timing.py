"""The engine's clocks on virtual time (tests/harness.py): pause, resume, repeat, answer budget, grace, round time.

Each test runs a real Interview (real journal, store, plan, listener, speaking loop) with a fake voice and a
scripted interviewer; minutes of interview time pass in milliseconds."""

from __future__ import annotations

import asyncio

from mockint.interview.listen import TYPED_GRACE

from .harness import FakePanel, Harness, run_virtual

Q1, Q2 = "node-event-loop-phases", "cache-stampede"


def test_answer_budget_warns_then_gives_a_grace_period(bank, sessions_dir):
    async def main():
        h = Harness(bank, sessions_dir, [Q1], answer_seconds=60, warn_seconds=15)
        await h.until("listening")
        t0 = h.now
        warn = await h.until("time_warning", scope="answer")
        assert warn.seconds_left == 15 and round(h.now - t0) == 45
        await h.until("notice")  # "Time is up for this answer: submit what you have."
        assert round(h.now - t0) == 60
        finished = await h.until("answer_finished")
        assert finished.ended_by == "budget" and finished.text == ""
        assert round(h.now - t0) == 60 + TYPED_GRACE
        end = await h.finish()
        assert end.type == "round_finished" and end.reason == "completed"

    run_virtual(main)


def test_an_answer_handed_in_during_the_grace_period_is_kept(bank, sessions_dir):
    async def main():
        h = Harness(bank, sessions_dir, [Q1], answer_seconds=30)
        await h.until("listening")
        await h.until("notice")
        await asyncio.sleep(TYPED_GRACE / 2)
        h.command("submit", "Timers, then poll, then check.")
        finished = await h.until("answer_finished")
        assert finished.ended_by == "candidate" and finished.text.startswith("Timers")
        await h.finish()
        state = h.store.load(h.interview.session_id)
        assert state.threads[0].turns[0].transcript.text.startswith("Timers")

    run_virtual(main)


def test_pause_stops_the_answer_and_round_clocks(bank, sessions_dir):
    async def main():
        h = Harness(bank, sessions_dir, [Q1, Q2], answer_seconds=60, round_minutes=2)
        await h.until("listening")
        t0 = h.now
        await asyncio.sleep(20)
        h.command("pause")
        await h.until("paused", paused=True)
        await asyncio.sleep(600)  # ten minutes away: neither the answer nor the round runs out meanwhile
        assert not h.of("time_warning") and not h.of("answer_finished")
        h.command("resume")
        await h.until("paused", paused=False)
        finished = await h.until("answer_finished")
        assert finished.ended_by == "budget"
        assert round(h.now - t0) == 600 + 60 + TYPED_GRACE  # 60 s of answer time, not counting the pause
        end = await h.finish()
        # the round's 120 s: 70 s on the first question, the rest on the second, then time is up
        assert end.reason == "time_up"

    run_virtual(main)


def test_pause_during_the_question_says_it_again_from_the_start(bank, sessions_dir):
    async def main():
        h = Harness(bank, sessions_dir, [Q1])
        await h.until("speaking_started")
        await asyncio.sleep(1.0)
        h.command("pause")
        first = await h.until("speaking_finished")
        assert first.interrupted
        await asyncio.sleep(30)
        assert not h.of("listening")  # not "Your turn" while paused
        h.command("resume")
        await h.until("speaking_started")  # the question again, from its start
        again = await h.until("speaking_finished")
        assert not again.interrupted
        await h.until("listening")
        assert len(h.player.plays) == 2 and not h.player.plays[0][2] and h.player.plays[1][2]
        assert h.player.plays[1][1] == h.player.plays[0][1]  # the whole question, not the rest of it
        h.command("submit", "An answer.")
        await h.finish()

    run_virtual(main)


def test_repeating_the_question_pauses_the_answer_clock(bank, sessions_dir):
    async def main():
        h = Harness(bank, sessions_dir, [Q1], answer_seconds=60)
        await h.until("listening")
        t0 = h.now
        await asyncio.sleep(10)
        h.command("repeat_question")
        await h.until("speaking_started")
        done = await h.until("speaking_finished")
        assert not done.interrupted
        spoken = h.player.plays[-1][1]
        assert spoken > 3  # the question takes a while to say
        finished = await h.until("answer_finished")
        assert finished.ended_by == "budget"
        # the budget's 60 s do not include the time spent listening to the question again
        assert abs((h.now - t0) - (60 + TYPED_GRACE + spoken)) < 0.5
        await h.finish()

    run_virtual(main)


def test_round_time_runs_out_mid_answer_then_the_round_closes(bank, sessions_dir):
    async def main():
        panel = FakePanel(follow_ups=["How would you measure event loop lag?"])
        h = Harness(bank, sessions_dir, [Q1, Q2], follow_ups=1, round_minutes=1, panel=panel)
        await h.until("listening")
        await h.until("notice")  # the round's minute ran out while the candidate was still typing
        assert "Time is up" in h.of("notice")[-1].text
        h.command("submit", "Timers, poll and check phases.")
        end = await h.finish()
        assert end.type == "round_finished" and end.reason == "time_up"
        assert not h.of("thinking")  # no follow-up once the round's time is over
        state = h.store.load(h.interview.session_id)
        assert state.status == "complete" and state.finished_reason == "time_up"
        assert state.answered == 1 and len(state.threads) == 1 and state.threads[0].score_status == "scored"

    run_virtual(main)


def test_skip_and_quit(bank, sessions_dir):
    async def main():
        h = Harness(bank, sessions_dir, [Q1, Q2, "story-database-optimisation"])
        await h.until("listening")
        h.command("skip")
        await h.until("skipped")
        await h.until("listening")
        h.command("submit", "Request coalescing with a per-key lock.")
        await h.until("scored")
        await h.until("listening")
        h.command("quit")
        end = await h.finish()
        assert end.reason == "quit"
        state = h.store.load(h.interview.session_id)
        assert state.status == "interrupted" and state.remaining_question_ids() == ["story-database-optimisation"]

    run_virtual(main)


def test_the_models_load_once_the_first_question_is_spoken(bank, sessions_dir):
    """Whisper and the judge load while the first question is heard, not at launch: loading them beside the voice
    made the first sentence take twice as long to synthesise (bench/turn_latency.py: launch -> first question
    audible 1.55 s before, 1.39 s after)."""
    import threading

    class LoadingTranscriber:
        name = "fake-whisper"

        def __init__(self, speaker):
            self.speaker, self.calls, self.loaded = speaker, [], threading.Event()

        def start_loading(self):
            self.calls.append(list(self.speaker.said))  # what had been synthesised by then
            self.loaded.set()

        def transcribe(self, audio, prompt=None, word_timestamps=True):
            raise AssertionError("typed answers")

    class WarmPanel(FakePanel):
        warmed: list[list[str]] = []

        def warm(self, questions):
            self.warmed.append([q.id for q in questions])

    async def main():
        panel = WarmPanel()
        h = Harness(bank, sessions_dir, [Q1, Q2], panel=panel)
        whisper = LoadingTranscriber(h.speaker)
        h.interview.kit.transcriber = whisper
        await h.until("question_asked")
        await h.until("listening")
        assert await asyncio.to_thread(whisper.loaded.wait, 10)
        assert len(whisper.calls) == 1 and whisper.calls[0], whisper.calls  # after the first question's speech
        h.command("submit", "Timers, poll, check.")
        await h.until("listening")
        h.command("quit")
        await h.finish()
        assert len(whisper.calls) == 1 and panel.warmed == [[Q1, Q2]]  # once a round

    run_virtual(main)


def test_a_round_that_ends_before_its_first_question_loads_nothing(bank, sessions_dir):
    class Whisper:
        name, calls = "fake-whisper", 0

        def start_loading(self):
            Whisper.calls += 1

    async def main():
        h = Harness(bank, sessions_dir, [Q1], voice=False)
        h.interview.kit.transcriber = Whisper()  # type: ignore[assignment]
        h.command("quit")
        await h.finish()

    run_virtual(main)
    import threading

    for t in threading.enumerate():
        if t.name == "mockint-warm":
            t.join(5)  # the warm-up thread has seen the round close
    assert Whisper.calls == 0


def test_a_model_that_cannot_load_early_does_not_break_the_round(bank, sessions_dir, monkeypatch):
    """The warm-up runs in its own thread: a load that fails there is left to say so on first real use (no
    traceback from the thread, the round goes on)."""
    import threading

    seen: list = []
    monkeypatch.setattr(threading, "excepthook", lambda args: seen.append(args.exc_value))

    class BrokenPanel(FakePanel):
        def warm(self, questions):
            raise RuntimeError("no embedding model")

    class Whisper:
        name = "fake-whisper"

        def start_loading(self):
            raise RuntimeError("no speech model")

    async def main():
        h = Harness(bank, sessions_dir, [Q1], panel=BrokenPanel())
        h.interview.kit.transcriber = Whisper()  # type: ignore[assignment]
        await h.until("listening")
        h.command("submit", "Timers, poll, check.")
        end = await h.finish()
        assert end.type == "round_finished" and end.reason == "completed"

    run_virtual(main)
    for t in threading.enumerate():
        if t.name == "mockint-warm":
            t.join(5)
    assert seen == []
