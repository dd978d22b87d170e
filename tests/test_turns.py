"""What makes a turn quick (issue 10): the offline follow-up drafted while the candidate pauses is used only when
the final answer has exactly the drafted words; one synthesis of a follow-up serves both hearing and saving it.
(The end of an answer being decoded before the key is in test_stt.py; the audible latency is bench/turn_latency.py.)
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import numpy as np

from mockint.audio.wavio import write_wav
from mockint.interview.backends import Panel
from mockint.interview.control import Control
from mockint.interview.interviewer import Exchange, ThreadInput
from mockint.interview.speaking import Mouth
from mockint.interview.voice import SpeechKit
from mockint.models import FollowUp, Question


def _question(bank) -> Question:
    q = bank.question("cache-stampede")
    assert q is not None
    return q


class CountingOffline:
    """Stands in for the offline interviewer: the point is how often the Panel asks it, not what it asks."""

    name = "offline"

    def __init__(self) -> None:
        self.read: list[str] = []

    async def follow_up(self, thread: ThreadInput, on_sentence=None) -> FollowUp | None:
        self.read.append(thread.answer_text)
        fu = FollowUp(text=f"What happens after “{thread.answer_text}”?", reason="probe", backend="offline")
        if on_sentence is not None:
            on_sentence(fu.text)
        return fu


def test_a_drafted_follow_up_is_used_only_for_the_same_words(bank):
    q = _question(bank)

    def thread(answer: str, metrics=None) -> ThreadInput:
        return ThreadInput(q, (Exchange("main", q.prompt, answer, metrics),), ("TTL",), 2)

    async def go():
        panel = Panel(None)
        offline = CountingOffline()
        panel.offline = offline  # type: ignore[assignment]
        draft = panel.draft_follow_up(thread("Use a lock so one request recomputes."))
        assert draft is not None
        drafted = await draft
        spoken: list[str] = []
        # the answer ended at that pause: the drafted follow-up is the one asked, and nothing is read again
        fu = await panel.follow_up(thread("Use a lock so one request recomputes."), spoken.append)
        assert fu == drafted and spoken == [drafted.text] and len(offline.read) == 1
        # the candidate went on after the pause: the final words are read afresh
        await panel.draft_follow_up(thread("Add jitter."))  # type: ignore[misc]
        fu = await panel.follow_up(thread("Add jitter to the TTLs."))
        assert fu is not None and "TTLs" in fu.text and offline.read[-1] == "Add jitter to the TTLs."
        # a draft is used once: the next follow-up with the same words is read again
        await panel.follow_up(thread("Add jitter to the TTLs."))
        assert len(offline.read) == 4
        # Claude streams its own follow-up from the final answer: no draft
        claude = Panel(object())
        assert claude.draft_follow_up(thread("Use a lock.")) is None

    asyncio.run(go())


class CountingSpeaker:
    sample_rate = 16000

    def __init__(self) -> None:
        self.texts: list[str] = []
        self._lock = threading.Lock()

    def synthesize(self, text: str, path: Path) -> Path:
        with self._lock:
            self.texts.append(text)
        write_wav(path, np.full(1600, 0.1, dtype=np.float32), 16000)
        return path


def test_a_follow_up_is_synthesised_once_to_be_heard_and_saved():
    async def go():
        speaker = CountingSpeaker()
        kit = SpeechKit(speaker=speaker)
        events: list = []
        mouth = Mouth(kit, Control(), events.append, events.append)
        try:
            mouth.prefetch("Why a lock?")  # drafted while the candidate paused
            heard = await mouth.speech("Why a lock?")  # spoken at the key press
            saved = await mouth.synthesize("Why a lock?")  # and kept for replay
            assert heard is not None and saved is not None and saved.is_file()
            assert speaker.texts == ["Why a lock?"]
            await mouth.synthesize("Anything else?")
            assert speaker.texts == ["Why a lock?", "Anything else?"]
        finally:
            mouth.close()

    asyncio.run(go())
