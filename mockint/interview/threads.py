"""Turn a stored question thread into what an interviewer backend sees."""

from __future__ import annotations

from ..bank import Bank
from ..models import Question, Thread
from .interviewer import Exchange, ThreadInput


def thread_input(thread: Thread, question: Question, bank: Bank, max_follow_ups: int) -> ThreadInput:
    exchanges = tuple(
        Exchange(t.kind, t.text, t.transcript.text if t.transcript else "", t.metrics, t.probes)
        for t in thread.turns if t.transcript is not None
    )
    topic = bank.topics.get(question.topic)
    return ThreadInput(question, exchanges, tuple(topic.glossary if topic else ()), max_follow_ups)
