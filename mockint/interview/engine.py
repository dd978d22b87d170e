"""The Interview: runs the turn loop of DESIGN.md §3, journals every step, publishes events, takes commands."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import AsyncIterator

from ..bank import Bank
from ..config import Settings
from ..errors import DeviceError, MockintError
from ..models import FollowUp, Question
from ..store.journal import Journal
from ..store.report import render_markdown, write_summary
from ..store.sessions import SessionState, SessionStore, write_atomic
from .backends import Panel
from .control import Control
from .events import (AnswerFinished, Event, Notice, Paused, QuestionAsked, RoundFinished, RoundStarted, Scored,
                     ScorePending, Skipped, Thinking, TimeWarning)
from .interviewer import Exchange, ScoreUnavailable, ThreadInput
from .listen import Answer, Listener
from .plan import RoundPlan
from .speaking import Mouth
from .voice import SpeechKit

SCORE_GRACE_ON_QUIT = 3.0


class Interview:
    """One round. Faces iterate `events()` and call `command()`; `run()` drives everything."""

    def __init__(self, bank: Bank, plan: RoundPlan, settings: Settings, store: SessionStore, kit: SpeechKit,
                 panel: Panel, resume: SessionState | None = None, answers: list[str] | None = None):
        self.bank, self.plan, self.settings, self.store, self.kit, self.panel = bank, plan, settings, store, kit, panel
        self.resume = resume
        self.scripted = list(answers) if answers is not None else None
        self.control = Control()
        self.queue: asyncio.Queue[Event] = asyncio.Queue()
        self.journal: Journal | None = None
        self.session_id = resume.id if resume else ""
        self.path: Path | None = resume.path if resume else None
        self._scoring: set[asyncio.Task] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.started = threading.Event()  # set once commands can be taken
        self._warned_round = False
        self._current: tuple[str, Path | None] = ("", None)
        self._current_text = ""
        self._next_main: tuple[str, Path] | None = None
        self._replay: asyncio.Future | None = None
        self.mode = "spoken" if kit.spoken else "typed"
        panel.on_notice = lambda text: self.emit(Notice(text=text, level="warning"))

    # ---- faces ----
    def emit(self, event: Event) -> None:
        self.queue.put_nowait(event)

    def emit_threadsafe(self, event: Event) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.queue.put_nowait, event)

    async def events(self) -> AsyncIterator[Event]:
        while True:
            ev = await self.queue.get()
            yield ev
            if isinstance(ev, RoundFinished):
                return

    def command(self, name: str, text: str | None = None) -> None:
        """start_answer | finish_answer | repeat_question | skip | pause | resume | toggle_pause | quit |
        submit (text) | input_closed; callable from any thread."""
        if self._loop is None:
            raise RuntimeError("the round has not started")
        self._loop.call_soon_threadsafe(self._command, name, text)

    def _command(self, name: str, text: str | None) -> None:
        c = self.control
        if name in ("pause", "resume", "toggle_pause"):
            paused = {"pause": True, "resume": False}.get(name, not c.paused)
            if paused != c.paused:
                c.set_paused(paused)
                self.emit(Paused(paused=paused))
            return
        if c.paused and name != "quit":
            c.set_paused(False)
            self.emit(Paused(paused=False))
        events = {"start_answer": c.start, "finish_answer": c.finish, "repeat_question": c.repeat,
                  "skip": c.skip, "quit": c.quit}
        if name == "submit":
            c.typed.put_nowait(text or "")
        elif name == "input_closed":
            c.input_closed = True
            c.typed.put_nowait("")
        elif name in events:
            events[name].set()
        else:
            raise ValueError(f"unknown command {name!r}")

    # ---- journal ----
    async def _record(self, type_: str, **data) -> None:
        await asyncio.to_thread(self.journal.append, type_, **data)

    def _round_left(self) -> float:
        return self.plan.round_seconds - self.control.round.elapsed()

    # ---- the round ----
    async def run(self) -> RoundFinished:
        self._loop = asyncio.get_running_loop()
        self.started.set()
        self.mouth = Mouth(self.kit, self.control, self.emit, self.emit_threadsafe)
        self.listener = Listener(self.kit, self.control, self.emit, self.emit_threadsafe, self._round_left,
                                 self.plan.warn_seconds, self.plan.end_on_silence, self._repeat)
        await self._open_session()
        for n in self.kit.notices + self.plan.notes:
            await self._notice(n)
        reason = "completed"
        try:
            total = len(self.resume.meta.question_ids) if self.resume else len(self.plan.questions)
            for offset, q in enumerate(self.plan.questions):
                index = self._index_of(q, offset + 1)
                nxt = self.plan.questions[offset + 1] if offset + 1 < len(self.plan.questions) else None
                # synthesised while the candidate answers this one (see _answer)
                self._next_main = (nxt.prompt, self.path / "audio" / f"q{self._index_of(nxt, offset + 2):02d}.wav") \
                    if nxt is not None else None
                if self.control.quit.is_set():
                    reason = "quit"
                    break
                if self._round_left() <= 0:
                    reason = "time_up"
                    break
                await self._question(q, index, total)
                if self.control.quit.is_set():
                    reason = "quit"
                    break
            if reason == "completed" and self._round_left() <= 0:
                reason = "time_up"
        except Exception as e:  # keep everything recorded so far; the session stays resumable
            await self._notice(f"The round stopped on an unexpected error: {type(e).__name__}: {e}", "error")
            reason = "quit"
        return await self._finish(reason)

    def _index_of(self, q: Question, default: int) -> int:
        if self.resume and q.id in self.resume.meta.question_ids:
            return self.resume.meta.question_ids.index(q.id) + 1
        return default

    async def _open_session(self) -> None:
        backend = self.panel.name
        if self.resume is not None:
            self.journal = Journal(self.path / "journal.jsonl")
            await self._record("session_resumed", remaining=[q.id for q in self.plan.questions])
            for th in self.resume.threads:  # answered before the interruption but never scored
                q = self.bank.question(th.question_id)
                answered = [Exchange(t.kind, t.text, t.transcript.text, t.metrics, t.probes)
                            for t in th.turns if t.transcript is not None]
                if q is not None and answered and th.score_status != "scored":
                    self._schedule_score(q, answered)
        else:
            self.session_id, self.path, self.journal = self.store.create(self.plan.title)
            p = self.plan
            await self._record("session_started", session_id=self.session_id, title=p.title,
                               topics=list(dict.fromkeys(q.topic for q in p.questions)),
                               question_ids=[q.id for q in p.questions], backend=backend, answers=self.mode,
                               plan={"order": p.order, "answer_seconds": p.answer_seconds,
                                     "round_seconds": p.round_seconds, "max_follow_ups": p.max_follow_ups,
                                     "end_on_silence": p.end_on_silence, "model": self.kit.model_name()})
        total = len(self.resume.meta.question_ids) if self.resume else len(self.plan.questions)
        self.emit(RoundStarted(session_id=self.session_id, total=total, backend=backend, answers=self.mode,
                               resumed=self.resume is not None))

    async def _notice(self, text: str, level: str = "warning") -> None:
        await self._record("notice", text=text, level=level)
        self.emit(Notice(text=text, level=level))

    async def _question(self, q: Question, index: int, total: int) -> None:
        c = self.control
        c.skip.clear()
        turn = f"q{index:02d}"
        exchanges: list[Exchange] = []
        await self._ask(q, index, total, turn, "main", q.prompt)
        answer = await self._answer(q, turn)
        if answer is None and c.quit.is_set():
            return  # asked but never answered: a resumed session asks it again
        if answer is None or (answer.ended_by == "skipped" and not answer.transcript.text):
            await self._record("question_skipped", question_id=q.id, topic=q.topic)
            self.emit(Skipped(question_id=q.id))
            return
        exchanges.append(Exchange("main", q.prompt, answer.transcript.text, answer.metrics))
        for n in range(1, self.plan.max_follow_ups + 1):
            if c.interrupted or answer.ended_by in ("round_time", "quit", "skipped") or self._round_left() <= 0:
                break
            fu = await self._follow_up(q, exchanges, index, total, f"{turn}-f{n}")
            if fu is None:
                break
            answer = await self._answer(q, f"{turn}-f{n}")
            if answer is None:
                break
            exchanges.append(Exchange("follow_up", fu.text, answer.transcript.text, answer.metrics, fu.probes))
        self._schedule_score(q, exchanges)

    async def _ask(self, q: Question, index: int, total: int, turn: str, kind: str, text: str,
                   fu: FollowUp | None = None, pre_spoken: asyncio.Task | None = None) -> None:
        self.control.new_turn()
        wav = await self.mouth.speech(text, self.path / "audio" / f"{turn}.wav")  # plays from its first sentence
        self._current = (turn, wav)
        self._current_text = text
        await self._record("question_asked", question_id=q.id, topic=q.topic, turn_id=turn, kind=kind, text=text,
                           reason=fu.reason if fu else None, probes=fu.probes if fu else None,
                           audio=f"audio/{turn}.wav" if wav else None, index=index)
        self.emit(QuestionAsked(index=index, total=total, question_id=q.id, topic=q.topic, turn_id=turn, kind=kind,
                                text=text, reason=fu.reason if fu else None))
        if pre_spoken is not None:
            first = await pre_spoken
            rest = text[len(first):].strip() if first and text.startswith(first) else ("" if first else text)
            if rest and not self.control.interrupted and not self.control.start.is_set():
                await self.mouth.play(turn, await self.mouth.synthesize(rest))
        else:
            await self.mouth.play(turn, wav)

    def _repeat(self) -> None:
        """Say the current question again (the candidate asked while answering)."""
        turn, wav = self._current
        if wav is not None and (self._replay is None or self._replay.done()):
            self._replay = asyncio.ensure_future(self.mouth.play(turn, wav))

    async def _follow_up(self, q: Question, exchanges: list[Exchange], index: int, total: int, turn: str):
        self.emit(Thinking(turn_id=turn))
        topic = self.bank.topics.get(q.topic)
        thread = ThreadInput(q, tuple(exchanges), tuple(topic.glossary if topic else ()), self.plan.max_follow_ups)
        first: dict[str, asyncio.Task] = {}

        async def speak_first(sentence: str) -> str:
            await self.mouth.play(turn, await self.mouth.synthesize(sentence))
            return sentence

        def on_sentence(sentence: str) -> None:
            # the first sentence is spoken while the rest of the follow-up is still arriving
            if "task" not in first:
                first["task"] = asyncio.ensure_future(speak_first(sentence))

        fu = await self.panel.follow_up(thread, on_sentence)
        if fu is None:
            if "task" in first:
                first["task"].cancel()
            return None
        await self._ask(q, index, total, turn, "follow_up", fu.text, fu, first.get("task"))
        return fu

    async def _answer(self, q: Question, turn: str) -> Answer | None:
        c = self.control
        while c.paused and not c.interrupted:
            await c.wait_any(c.resumed, c.quit, c.skip, timeout=0.5)
        if c.interrupted:
            return None
        budget = self.plan.budget_for(q)
        await self._record("answer_started", question_id=q.id, turn_id=turn)
        if self.mode == "spoken" and self._next_main:
            self.mouth.prefetch(*self._next_main)
        if self.scripted is not None:
            text = self.scripted.pop(0) if self.scripted else ""
            c.typed.put_nowait(text)
        answer: Answer | None = None
        if self.mode == "spoken":
            wav = self.path / "audio" / f"{turn}-a.wav"
            try:
                answer = await self.listener.spoken(turn, budget, wav, self._prompt(q, self._current_text))
            except DeviceError as e:
                await self._to_typed(f"Microphone unavailable ({e.message}).")
        if answer is None:
            answer = await self.listener.typed(turn, budget)
        if answer.ended_by == "quit" and not answer.transcript.text:
            return None  # nothing was said: a resumed session asks this again
        if answer.device_lost:
            await self._to_typed(f"The microphone stopped ({answer.device_lost}); your audio so far is kept.")
        await self._record("answer_finished", question_id=q.id, turn_id=turn,
                           transcript=answer.transcript.model_dump(), metrics=answer.metrics.model_dump(),
                           audio=f"audio/{answer.audio.name}" if answer.audio else None, ended_by=answer.ended_by,
                           **({"speech_check": answer.speech_check} if answer.speech_check else {}))
        self.emit(AnswerFinished(turn_id=turn, text=answer.transcript.text, metrics=answer.metrics,
                                 ended_by=answer.ended_by))
        self._check_round_warning()
        return answer

    async def _to_typed(self, why: str) -> None:
        self.mode = "typed"
        await self._notice(f"{why} Switching to typed answers for the rest of the round.", "error")

    def _check_round_warning(self) -> None:
        left = self._round_left()
        if not self._warned_round and 0 < left <= max(60, self.plan.warn_seconds):
            self._warned_round = True
            self.emit(TimeWarning(scope="round", seconds_left=round(left)))

    def _prompt(self, q: Question, asked: str) -> str | None:
        if not self.kit.domain_prompt:
            return None
        from ..speech.stt import build_prompt

        return build_prompt(self.bank.glossary(q), context=asked)

    def _schedule_score(self, q: Question, exchanges: list[Exchange]) -> None:
        topic = self.bank.topics.get(q.topic)
        thread = ThreadInput(q, tuple(exchanges), tuple(topic.glossary if topic else ()), self.plan.max_follow_ups)
        task = asyncio.ensure_future(self._score(q, thread))
        self._scoring.add(task)
        task.add_done_callback(self._scoring.discard)

    async def _score(self, q: Question, thread: ThreadInput) -> None:
        try:
            score = await self.panel.score(thread)
        except ScoreUnavailable as e:
            await self._record("score_pending", question_id=q.id, reason=str(e))
            self.emit(ScorePending(question_id=q.id, reason=str(e)))
            return
        await self._record("turn_scored", question_id=q.id, score=score.model_dump())
        self.emit(Scored(question_id=q.id, score=score))

    async def _finish(self, reason: str) -> RoundFinished:
        if self._scoring:
            timeout = SCORE_GRACE_ON_QUIT if reason == "quit" else None
            done, pending = await asyncio.wait(set(self._scoring), timeout=timeout)
            for t in pending:
                t.cancel()
        if reason != "quit":
            await self._record("round_finished", reason=reason)
        self.journal.close()
        self.mouth.close()
        state = self.store.load(self.session_id)
        summary = await asyncio.to_thread(write_summary, state, self.bank)
        report = self.path / "report.md"
        await asyncio.to_thread(write_atomic, report, render_markdown(state, self.bank))
        ev = RoundFinished(reason=reason, session_id=self.session_id, summary=summary, report=str(report))
        self.emit(ev)
        return ev


def check_resumable(state: SessionState) -> None:
    if state.status == "complete":
        raise MockintError(f"session {state.id} is already complete; start a new round instead")
    if not state.remaining_question_ids():
        raise MockintError(f"session {state.id} has no unanswered questions left")
