"""The Interview: runs the turn loop of DESIGN.md §3, journals every step, publishes events, takes commands."""

from __future__ import annotations

import asyncio
import errno
import threading
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Coroutine

from pydantic import ValidationError

from ..bank import Bank
from ..config import Settings
from ..errors import DeviceError, MockintError
from ..models import FollowUp, Question, Score
from ..store.journal import Journal
from ..store.report import session_summary, write_summary
from ..store.sessions import SessionState, SessionStore, write_atomic
from .backends import Panel
from .control import Control
from .events import (AnswerFinished, Command, Event, FinishReason, Notice, NoticeLevel, Paused, QuestionAsked,
                     QuestionKind, RoundEnd, RoundFailed, RoundFinished, RoundStarted, Scored, ScorePending, Skipped,
                     Thinking, TimeWarning)
from .interviewer import Exchange, ScoreUnavailable, ThreadInput
from .listen import Answer, Listener
from .plan import RoundPlan
from .speaking import Mouth, Utterance
from .voice import SpeechKit

SCORE_GRACE_ON_QUIT = 10.0  # a local score takes well under a second once the judge is warm
INTERRUPT_GRACE = 0.3  # after SIGINT/SIGTERM the current step gets this long to stop on its own, then is cancelled
# caps on what one turn may put in the journal (a runaway model reply or a pasted novel must not fill the disk)
MAX_ANSWER_CHARS = 20_000
MAX_ANSWER_WORDS = 5_000
MAX_QUESTION_CHARS = 2_000
MAX_NOTE_CHARS = 500
MAX_SCORE_ITEMS = 12
DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
INPUT_CLOSED = "\x00input-closed"  # the typed-answer queue's end marker (typed text never contains NUL)


class Interview:
    """One round. Faces call `start()`, iterate `events()` and call `command()`.

    Whatever happens, the last event is a RoundFinished or a RoundFailed (`RoundEnd`), and `events()` ends after it
    (or as soon as the runner task ends, should it ever end without one)."""

    def __init__(self, bank: Bank, plan: RoundPlan, settings: Settings, store: SessionStore, kit: SpeechKit,
                 panel: Panel, resume: SessionState | None = None, answers: list[str] | None = None,
                 journal: Journal | None = None):
        self.bank, self.plan, self.settings, self.store, self.kit, self.panel = bank, plan, settings, store, kit, panel
        self.resume = resume
        self.scripted = list(answers) if answers is not None else None
        self.control = Control()
        self.queue: asyncio.Queue[Event] = asyncio.Queue()
        self.journal: Journal | None = journal  # a resumed session's journal, opened (and locked) by the factory
        self.session_id = resume.id if resume else ""
        self.path: Path | None = resume.path if resume else None
        self._scoring: set[asyncio.Task] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: asyncio.Task | None = None
        self._step_task: asyncio.Task | None = None
        self._early: list[tuple[str, str | None]] = []  # commands sent before the loop ran
        self._ended = False
        self._fatal: BaseException | None = None  # the first error that must stop the round (a failed write)
        self._stop_reason: FinishReason | None = None  # "input_closed" when typed input ran out
        self._urgent = False                      # SIGINT/SIGTERM: stop now, do not wait for scores
        self._saved_upto = _answered_upto(resume) if resume else 0
        self._index = 0
        self.mouth: Mouth | None = None
        self.started = threading.Event()  # set once commands can be taken
        self._warned_round = False
        self._warmed = False
        self._warm_gate = threading.Event()  # set when the first question's speech is made (see _warm_models)
        self._warm_cancelled = False
        self._current: tuple[str, Utterance | None] = ("", None)
        self._current_text = ""
        self._next_main: str | None = None  # the next main question's text, synthesised ahead
        self._replay: asyncio.Future | None = None
        self._score_tasks: dict[tuple[str, int], asyncio.Task] = {}
        self._retry_queue: list[str] = []          # "try again" asked during the round, in order
        self._asked: dict[str, tuple[Question, int]] = {}  # question id -> (question, its Q number) this round
        self._last_answered: str | None = None
        self._attempts: dict[str, int] = {}        # question id -> the attempt a new try gets
        if resume is not None:
            for th in resume.threads:
                self._attempts[th.question_id] = resume.next_attempt(th.question_id)
        self.mode = "spoken" if kit.spoken else "typed"
        panel.on_notice = lambda text: self.emit(Notice(text=text, level="warning"))

    # ---- faces ----
    def emit(self, event: Event) -> None:
        self.queue.put_nowait(event)

    def emit_threadsafe(self, event: Event) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.queue.put_nowait, event)

    def start(self) -> asyncio.Task[RoundEnd]:
        """Run the round as a task of the running loop (what faces call); `events()` watches this task."""
        if self._runner is None:
            self._runner = asyncio.ensure_future(self.run())
        return self._runner

    async def events(self) -> AsyncIterator[Event]:
        """Every event up to and including the terminal one; also ends if the runner task ends without one."""
        while True:
            runner = self._runner
            if self.queue.empty() and runner is not None and runner.done():
                if not self._ended:  # the task died (cancelled): still tell the face, once
                    self._ended = True
                    yield self._failure_event(RuntimeError("the round stopped unexpectedly"))
                return
            getter = asyncio.ensure_future(self.queue.get())
            waiters: set[asyncio.Future] = {getter}
            if runner is not None:
                waiters.add(runner)
            try:
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            finally:
                if not getter.done():
                    getter.cancel()
            if getter.done() and not getter.cancelled():
                ev = getter.result()
                yield ev
                if isinstance(ev, (RoundFinished, RoundFailed)):
                    return

    def command(self, name: Command, text: str | None = None) -> None:
        """start_answer | finish_answer | repeat_question | skip | pause | resume | toggle_pause | quit |
        interrupt (a signal: quit now, without waiting for scores) | submit (text) | input_closed |
        retry (text: a question id of this round, default the last one answered: ask it again, as its next attempt,
        once its score is in and the current question is done).

        Callable from any thread, before or during the round; after the round it does nothing."""
        loop = self._loop
        if loop is None:
            self._early.append((name, text))  # applied when the round starts
            return
        if loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._command(name, text)
        else:
            try:
                loop.call_soon_threadsafe(self._command, name, text)
            except RuntimeError:  # the loop closed meanwhile: the round is over
                pass

    def _command(self, name: str, text: str | None) -> None:
        c = self.control
        if name in ("pause", "resume", "toggle_pause"):
            paused = {"pause": True, "resume": False}.get(name, not c.paused)
            if paused != c.paused:
                c.set_paused(paused)
                self.emit(Paused(paused=paused))
            return
        if c.paused and name not in ("quit", "interrupt", "input_closed", "submit"):
            c.set_paused(False)
            self.emit(Paused(paused=False))
        events = {"start_answer": c.start, "finish_answer": c.finish, "repeat_question": c.repeat,
                  "skip": c.skip, "quit": c.quit}
        if name == "retry":
            self._queue_retry(text)
        elif name == "submit":
            c.typed.put_nowait((text or "").replace("\x00", "")[:MAX_ANSWER_CHARS + 1])
        elif name == "input_closed":
            # queued after any answers typed ahead, so it is read only when an answer is needed and none is left
            c.input_closed = True
            c.typed.put_nowait(INPUT_CLOSED)
        elif name == "interrupt":
            self._urgent = True
            # the signal is why the round ends, whatever comes after it: a terminal that closes sends SIGHUP/SIGTERM
            # and then EOF on stdin, and the round had reported "the input ended" (exit 1)
            self._stop("quit")
            step = self._step_task
            if step is not None and not step.done() and self._loop is not None:
                self._loop.call_later(INTERRUPT_GRACE, step.cancel)
        elif name == "quit":
            self._stop("quit")
        elif name in events:
            events[name].set()
        else:
            raise ValueError(f"unknown command {name!r}")

    def _queue_retry(self, question_id: str | None) -> None:
        qid = question_id or self._last_answered
        if qid is None or qid not in self._asked:
            self.emit(Notice(text="Nothing to try again yet: answer a question first.", level="info"))
            return
        if qid not in self._retry_queue:
            self._retry_queue.append(qid)
            self.emit(Notice(text=f"You will try {qid} again as soon as its score is in.", level="info"))

    def _stop(self, reason: FinishReason) -> None:
        """End the round as interrupted (resumable) for `reason`, like a quit."""
        if self._stop_reason is None:
            self._stop_reason = reason
        self.control.quit.set()

    def _fail(self, e: BaseException) -> None:
        """A background step (a score) hit an error that must stop the round; the round ends with RoundFailed."""
        if self._fatal is None:
            self._fatal = e
        self.control.quit.set()

    # ---- journal ----
    async def _record(self, type_: str, **data: Any) -> None:
        assert self.journal is not None
        await asyncio.to_thread(self.journal.append, type_, **data)

    def _round_left(self) -> float:
        return self.plan.round_seconds - self.control.round.elapsed()

    # ---- the round ----
    async def run(self) -> RoundEnd:
        """Drive the whole round; never raises (but for cancellation): any failure becomes a RoundFailed."""
        self._loop = asyncio.get_running_loop()
        if self._runner is None:
            self._runner = asyncio.current_task()
        self.control.round.restart()
        self.started.set()
        for name, text in self._early:
            self._command(name, text)
        self._early.clear()
        end: RoundEnd
        try:
            self.mouth = Mouth(self.kit, self.control, self.emit, self.emit_threadsafe)
            self.listener = Listener(self.kit, self.control, self.emit, self.emit_threadsafe, self._round_left,
                                     self.plan.warn_seconds, self.plan.end_on_silence, self._repeat)
            threading.Thread(target=self._warm_when_asked, name="mockint-warm", daemon=True).start()
            end = await self._round()
        except asyncio.CancelledError:
            self._close()
            raise
        except Exception as e:  # noqa: BLE001 - every failure ends the round with a clear event
            end = self._failure_event(self._fatal or e)
        self._close()
        self._ended = True
        self.emit(end)
        return end

    async def _round(self) -> RoundFinished:
        await self._open_session()
        for n in self.kit.notices + self.plan.notes:
            await self._notice(n)
        reason: FinishReason = "completed"
        total = len(self.resume.meta.question_ids) if self.resume else len(self.plan.questions)
        for offset, q in enumerate(self.plan.questions):
            index = self._index_of(q, offset + 1)
            nxt = self.plan.questions[offset + 1] if offset + 1 < len(self.plan.questions) else None
            self._next_main = nxt.prompt if nxt is not None else None  # synthesised during this answer
            if self.control.quit.is_set():
                break
            if self._round_left() <= 0:
                reason = "time_up"
                break
            await self._step(self._practise(q, index, total))
            if self.control.quit.is_set():
                break
            await self._step(self._queued_retries(total))
            if self.control.quit.is_set():
                break
        if self._fatal is not None:
            raise self._fatal
        if self.control.quit.is_set():
            reason = self._stop_reason or "quit"
        elif reason == "completed" and self._round_left() <= 0:
            reason = "time_up"
        return await self._finish(reason)

    async def _step(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run one question as a task, so an interrupt can cancel it if it does not stop by itself in time."""
        task = asyncio.ensure_future(coro)
        self._step_task = task
        try:
            await task
        except asyncio.CancelledError:
            me = asyncio.current_task()
            if not (self._urgent and task.cancelled() and (me is None or not me.cancelling())):
                raise
        finally:
            self._step_task = None

    def _index_of(self, q: Question, default: int) -> int:
        if self.resume and q.id in self.resume.meta.question_ids:
            return self.resume.meta.question_ids.index(q.id) + 1
        return default

    async def _open_session(self) -> None:
        backend = self.panel.name
        if self.resume is not None:
            if self.journal is None:
                self.journal = self.store.open_journal(self.resume.id)
            await self._record("session_resumed", remaining=[q.id for q in self.plan.questions])
            for th in self.resume.threads:  # answered before the interruption but never scored
                q = self.bank.question(th.question_id)
                answered = [Exchange(t.kind, t.text, t.transcript.text, t.metrics, t.probes)
                            for t in th.turns if t.transcript is not None]
                if q is not None and answered and th.score_status != "scored":
                    self._schedule_score(q, answered, th.attempt)
        else:
            self.session_id, self.path, self.journal = await asyncio.to_thread(self.store.create, self.plan.title)
            p = self.plan
            await self._record("session_started", session_id=self.session_id, title=p.title,
                               topics=list(dict.fromkeys(q.topic for q in p.questions)),
                               question_ids=[q.id for q in p.questions], backend=backend, answers=self.mode,
                               plan={"order": p.order, "answer_seconds": p.answer_seconds,
                                     "round_seconds": p.round_seconds, "max_follow_ups": p.max_follow_ups,
                                     "end_on_silence": p.end_on_silence, "warn_seconds": p.warn_seconds,
                                     "model": self.kit.model_name()})
        total = len(self.resume.meta.question_ids) if self.resume else len(self.plan.questions)
        self.emit(RoundStarted(session_id=self.session_id, total=total, backend=backend, answers=self.mode,
                               resumed=self.resume is not None))

    def _failure_event(self, e: BaseException) -> RoundFailed:
        """What went wrong, what is safe on disk, and how to go on."""
        reason = describe_error(e)
        if not self.session_id:
            return RoundFailed(reason=reason, saved="nothing was saved", session_id=self.session_id)
        n = self._saved_upto
        saved = f"your answers up to Q{n} are saved" if n else "the session is saved (no answers yet)"
        return RoundFailed(reason=reason, saved=saved, session_id=self.session_id,
                           resume=f"mockint round --resume {self.session_id}")

    def _close(self) -> None:
        """Release everything the round holds (idempotent): scores in flight, the journal and its lock, temp files."""
        self._warm_cancelled = True
        self._warm_gate.set()
        for t in list(self._scoring):
            t.cancel()
        if self._replay is not None and not self._replay.done():
            self._replay.cancel()
        if self.journal is not None:
            self.journal.close()
        if self.mouth is not None:
            self.mouth.close()

    def close(self) -> None:
        """For a face that built a round and never ran it: release the session lock."""
        self._close()

    async def _notice(self, text: str, level: NoticeLevel = "warning") -> None:
        await self._record("notice", text=text, level=level)
        self.emit(Notice(text=text, level=level))

    async def _practise(self, q: Question, index: int, total: int) -> None:
        """The question, then as many immediate retries as the plan asks for (each after the previous score)."""
        answered = await self._question(q, index, total, self._attempts.get(q.id, 1))
        for _ in range(self.plan.retries):
            if not answered or not await self._ready_to_retry(q.id):
                return
            answered = await self._question(q, index, total, self._attempts.get(q.id, 1))

    async def _queued_retries(self, total: int) -> None:
        """Retries the candidate asked for during the round, once the question they interrupt is done."""
        while self._retry_queue and not self.control.quit.is_set():
            qid = self._retry_queue.pop(0)
            q, index = self._asked[qid]
            if await self._ready_to_retry(qid):
                await self._question(q, index, total, self._attempts.get(qid, 1))

    async def _ready_to_retry(self, qid: str) -> bool:
        """Wait for the score of the question's latest attempt (a retry comes after the feedback); False when the
        round is over or out of time."""
        task = self._score_tasks.get((qid, self._attempts.get(qid, 1) - 1))
        while task is not None and not task.done() and not self.control.quit.is_set():
            await asyncio.wait({task}, timeout=0.2)
        return not self.control.quit.is_set() and self._round_left() > 0

    async def _question(self, q: Question, index: int, total: int, attempt: int = 1) -> bool:
        """Ask one attempt at a question with its follow-ups; True when it was answered (and will be scored)."""
        c = self.control
        c.skip.clear()
        self._index = index
        self._asked.setdefault(q.id, (q, index))
        turn = f"q{index:02d}" if attempt == 1 else f"q{index:02d}-r{attempt}"
        exchanges: list[Exchange] = []
        await self._ask(q, index, total, turn, "main", q.prompt, attempt=attempt)
        answer = await self._answer(q, turn, self._drafter(q, exchanges, "main", q.prompt, None, 0))
        if answer is None and c.quit.is_set():
            return False  # asked but never answered: a resumed session asks it again
        self._attempts[q.id] = attempt + 1
        if answer is None or (answer.ended_by == "skipped" and not answer.transcript.text):
            await self._record("question_skipped", question_id=q.id, topic=q.topic,
                               **({"attempt": attempt} if attempt > 1 else {}))
            self.emit(Skipped(question_id=q.id, attempt=attempt))
            return False
        self._last_answered = q.id
        exchanges.append(Exchange("main", q.prompt, answer.transcript.text, answer.metrics))
        for n in range(1, self.plan.max_follow_ups + 1):
            if c.interrupted or answer.ended_by in ("round_time", "quit", "skipped") or self._round_left() <= 0:
                break
            fu = await self._follow_up(q, exchanges, index, total, f"{turn}-f{n}", attempt)
            if fu is None:
                break
            draft = self._drafter(q, exchanges, "follow_up", fu.text, fu.probes, n)
            answer = await self._answer(q, f"{turn}-f{n}", draft)
            if answer is None:
                break
            exchanges.append(Exchange("follow_up", fu.text, answer.transcript.text, answer.metrics, fu.probes))
        self._schedule_score(q, exchanges, attempt)
        return True

    async def _ask(self, q: Question, index: int, total: int, turn: str, kind: QuestionKind, text: str,
                   fu: FollowUp | None = None, pre_spoken: asyncio.Task | None = None, attempt: int = 1) -> None:
        assert self.mouth is not None and self.path is not None
        self.control.new_turn()
        # heard from its first sentence (a long first question took 1.1 s to synthesise whole); the WAV kept for
        # replay is written when the last sentence is made, before the candidate answers
        speech = await self.mouth.speech(text)
        saving = asyncio.ensure_future(self._voice(text, turn)) if speech is not None else None
        self._warm_models()
        self._current = (turn, speech)
        self._current_text = text
        try:
            await self._record("question_asked", question_id=q.id, topic=q.topic, turn_id=turn, kind=kind,
                               text=text, reason=fu.reason if fu else None, probes=fu.probes if fu else None,
                               audio=f"audio/{turn}.wav" if speech is not None else None, index=index,
                               **({"attempt": attempt} if attempt > 1 else {}))
            self.emit(QuestionAsked(index=index, total=total, question_id=q.id, topic=q.topic, turn_id=turn,
                                    kind=kind, text=text, reason=fu.reason if fu else None, attempt=attempt))
            await self._speak(turn, text, speech, pre_spoken)
        finally:
            if saving is not None:
                await saving  # a failed write (disk full) stops the round here, as any other write does

    async def _speak(self, turn: str, text: str, speech: Utterance | None, pre_spoken: asyncio.Task | None) -> None:
        assert self.mouth is not None
        wav = speech
        if pre_spoken is not None:
            first = await pre_spoken
            # a follow-up that does not continue what was already spoken replaced it (Claude broke off after its
            # first sentence and the offline interviewer asks instead): speak all of it
            rest = text[len(first):].strip() if first and text.startswith(first) else text
            if self._paused_mid_question():
                await self._say(turn, wav)  # paused during the first sentence: the whole question again
            elif rest and not self.control.interrupted and not self.control.start.is_set():
                await self.mouth.play(turn, await self.mouth.synthesize(rest))
        else:
            await self._say(turn, wav)

    def _warm_models(self) -> None:
        """Once the first question's speech is made: Whisper loads and the judge reads the round's questions while
        it is heard (a question is seconds of speech; Whisper loads in under one). Started at launch, the judge's
        ~2 s of embedding competed with the voice for the two cores and the first question was heard 0.4 s later;
        Whisper's load, 0.8 s of it, made the first sentence take 0.66 s instead of 0.3 s (bench/turn_latency.py).
        The recording never waits for either: speech is buffered until Whisper can decode it.

        Only an event is set here: a thread started at this point waited ~0.3 s for the interpreter lock, held by
        the imports of the loads already under way, and the question was heard that much later."""
        if not self._warmed:
            self._warmed = True
            self._warm_gate.set()

    def _warm_when_asked(self) -> None:
        self._warm_gate.wait()
        if self._warm_cancelled:
            return
        warm = getattr(self.panel, "warm", None)
        load = getattr(self.kit.transcriber, "start_loading", None)
        steps = [lambda: warm(list(self.plan.questions))] if warm is not None else []  # each starts its own thread
        steps += [load] if load is not None else []
        for step in steps:
            try:
                step()
            except Exception:  # noqa: BLE001 - a model that cannot load says so, clearly, on its first real use
                pass

    async def _voice(self, text: str, turn: str) -> Path | None:
        """The question's audio, kept for replay: synthesised in a private temp folder, then put in the session
        atomically with mode 0600 (never a half-written or world-readable WAV, never through a planted link)."""
        assert self.mouth is not None and self.path is not None
        tmp = await self.mouth.synthesize(text)
        if tmp is None:
            return None
        dst = self.path / "audio" / f"{turn}.wav"
        await asyncio.to_thread(lambda: write_atomic(dst, tmp.read_bytes()))
        return dst

    def _paused_mid_question(self) -> bool:
        c = self.control
        return c.paused and not (c.start.is_set() or c.finish.is_set() or c.interrupted)

    async def _say(self, turn: str, wav: Utterance | None) -> None:
        """Play the question; a pause stops it, and resuming says it again from its start (not "your turn")."""
        assert self.mouth is not None
        c = self.control
        while True:
            if await self.mouth.play(turn, wav) or not self._paused_mid_question():
                return
            while c.paused and not c.interrupted:
                await c.wait_any(c.resumed, c.quit, c.skip, timeout=0.5)
            if c.interrupted or c.start.is_set() or c.finish.is_set():
                return

    def _repeat(self) -> None:
        """Say the current question again (the candidate asked while answering); the answer clock waits."""
        assert self.mouth is not None
        turn, wav = self._current
        if wav is not None and (self._replay is None or self._replay.done()):
            clock = self.control.answer
            clock.hold("repeat")
            self._replay = asyncio.ensure_future(self.mouth.play(turn, wav))
            self._replay.add_done_callback(lambda _f: clock.release("repeat"))

    async def _follow_up(self, q: Question, exchanges: list[Exchange], index: int, total: int,
                         turn: str, attempt: int = 1) -> FollowUp | None:
        assert self.mouth is not None
        mouth = self.mouth
        self.emit(Thinking(turn_id=turn))
        thread = self._thread(q, exchanges)
        first: dict[str, asyncio.Task] = {}

        async def speak_first(sentence: str) -> str:
            # played as it is synthesised (or at once, when it was made ahead); `_ask` saves the same speech
            await mouth.play(turn, await mouth.speech(sentence))
            return sentence

        def on_sentence(sentence: str) -> None:
            # the first sentence is spoken while the rest of the follow-up is still arriving
            if "task" not in first:
                first["task"] = asyncio.ensure_future(speak_first(sentence[:MAX_QUESTION_CHARS]))

        fu = await self.panel.follow_up(thread, on_sentence)
        if fu is None:
            if "task" in first:
                first["task"].cancel()
            return None
        fu = fu.model_copy(update={"text": fu.text[:MAX_QUESTION_CHARS], "reason": fu.reason[:MAX_NOTE_CHARS]})
        await self._ask(q, index, total, turn, "follow_up", fu.text, fu, first.get("task"), attempt=attempt)
        return fu

    def _thread(self, q: Question, exchanges: list[Exchange] | tuple[Exchange, ...]) -> ThreadInput:
        topic = self.bank.topics.get(q.topic)
        return ThreadInput(q, tuple(exchanges), tuple(topic.glossary if topic else ()), self.plan.max_follow_ups)

    def _drafter(self, q: Question, before: list[Exchange], kind: str, asked: str, probes: str | None,
                 follow_ups_so_far: int) -> Callable[[str], None] | None:
        """While the candidate pauses: get the follow-up to this answer-so-far chosen and its speech synthesised,
        so that if the answer ends there the next question is heard at once (issue 10: turns ≤ 0.5 s)."""
        if follow_ups_so_far >= self.plan.max_follow_ups or self.mode != "spoken":
            return None
        prior = tuple(before)
        loop = asyncio.get_running_loop()

        def on_loop(text: str) -> None:
            if self.control.interrupted:
                return
            fut = self.panel.draft_follow_up(self._thread(q, (*prior, Exchange(kind, asked, text, None, probes))))
            if fut is not None:
                fut.add_done_callback(self._prefetch_follow_up)

        def from_decoder(text: str) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(on_loop, text)

        return from_decoder

    def _prefetch_follow_up(self, fut: "asyncio.Future[FollowUp | None]") -> None:
        if fut.cancelled() or fut.exception() is not None or self.mouth is None:
            return
        fu = fut.result()
        if fu is not None:
            self.mouth.prefetch(fu.text[:MAX_QUESTION_CHARS])

    async def _answer(self, q: Question, turn: str, on_draft: Callable[[str], None] | None = None) -> Answer | None:
        c = self.control
        while c.paused and not c.interrupted:
            await c.wait_any(c.resumed, c.quit, c.skip, timeout=0.5)
        if c.interrupted:
            return None
        c.start.clear()  # it stopped the question; it must not stop a repeat of it
        if self.scripted is not None:
            if not self.scripted:
                self._stop("input_closed")  # the scripted answers ran out: nobody can answer this
                return None
            c.typed.put_nowait(self.scripted.pop(0))
        budget = self.plan.budget_for(q)
        await self._record("answer_started", question_id=q.id, turn_id=turn)
        if self.mode == "spoken" and self._next_main and self.mouth is not None:
            self.mouth.prefetch(self._next_main)
        answer: Answer | None = None
        if self.mode == "spoken":
            assert self.path is not None
            wav = self.path / "audio" / f"{turn}-a.wav"
            try:
                answer = await self.listener.spoken(turn, budget, wav, self._prompt(q, self._current_text), on_draft)
            except DeviceError as e:
                await self._to_typed(f"Microphone unavailable ({e.message}).")
        if answer is None:
            answer = await self.listener.typed(turn, budget)
            if answer.transcript.text == INPUT_CLOSED:
                self._stop("input_closed")  # nobody is left to answer: the session stays resumable
                return None
        if answer.ended_by == "quit" and not answer.transcript.text:
            return None  # nothing was said: a resumed session asks this again
        if answer.device_lost:
            await self._to_typed(f"The microphone stopped ({answer.device_lost}); your audio so far is kept.")
        await self._cap(answer)
        await self._record("answer_finished", question_id=q.id, turn_id=turn,
                           transcript=answer.transcript.model_dump(), metrics=answer.metrics.model_dump(),
                           audio=f"audio/{answer.audio.name}" if answer.audio else None, ended_by=answer.ended_by,
                           **({"speech_check": answer.speech_check} if answer.speech_check else {}))
        self._saved_upto = max(self._saved_upto, self._index)
        self.emit(AnswerFinished(turn_id=turn, text=answer.transcript.text, metrics=answer.metrics,
                                 ended_by=answer.ended_by))
        self._check_round_warning()
        return answer

    async def _cap(self, answer: Answer) -> None:
        t = answer.transcript
        if len(t.text) > MAX_ANSWER_CHARS or len(t.words) > MAX_ANSWER_WORDS:
            answer.transcript = t.model_copy(update={"text": t.text[:MAX_ANSWER_CHARS],
                                                     "words": t.words[:MAX_ANSWER_WORDS]})
            await self._notice(f"That answer was cut to its first {MAX_ANSWER_CHARS:,} characters.", "info")

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

    def _schedule_score(self, q: Question, exchanges: list[Exchange], attempt: int = 1) -> None:
        task = asyncio.ensure_future(self._score(q, self._thread(q, exchanges), attempt))
        self._scoring.add(task)
        self._score_tasks[(q.id, attempt)] = task
        task.add_done_callback(self._scoring.discard)

    async def _score(self, q: Question, thread: ThreadInput, attempt: int = 1) -> None:
        which = {"attempt": attempt} if attempt > 1 else {}  # journals of one-attempt rounds stay as they were
        try:
            try:
                score = await self.panel.score(thread)
            except ScoreUnavailable as e:
                await self._record("score_pending", question_id=q.id, reason=str(e)[:MAX_NOTE_CHARS], **which)
                self.emit(ScorePending(question_id=q.id, reason=str(e)[:MAX_NOTE_CHARS], attempt=attempt))
                return
            score = cap_score(score)
            await self._record("turn_scored", question_id=q.id, score=score.model_dump(), **which)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # noqa: BLE001 - a failed write (disk full) stops the round; the answer is kept
            self._fail(e)
            return
        self.emit(Scored(question_id=q.id, score=score, attempt=attempt))

    async def _finish(self, reason: FinishReason) -> RoundFinished:
        assert self.journal is not None and self.path is not None
        if self._scoring:
            interrupted = reason in ("quit", "input_closed")
            if self._urgent:
                for t in self._scoring:
                    t.cancel()  # a resumed session scores them
            else:
                _done, pending = await asyncio.wait(set(self._scoring),
                                                    timeout=SCORE_GRACE_ON_QUIT if interrupted else None)
                for t in pending:
                    t.cancel()
        if self._fatal is not None:
            raise self._fatal
        if reason not in ("quit", "input_closed"):
            await self._record("round_finished", reason=reason)
        self.journal.close()
        state = await asyncio.to_thread(self.store.load, self.session_id)
        if reason == "input_closed":
            left = len(state.remaining_question_ids())
            self.emit(Notice(text=f"The input ended with {left} question(s) unanswered; the session is saved: "
                                  f"continue with `mockint round --resume {self.session_id}`.", level="warning"))
        summary = session_summary(state, self.bank)
        report = self.path / "report.md"
        try:
            await asyncio.to_thread(write_summary, state, self.bank)
        except OSError as e:  # the journal has everything; these two are caches `mockint report` rebuilds
            self.emit(Notice(text=f"Could not write the summary and report ({describe_error(e)}); every answer "
                                  f"is in the journal: `mockint report {self.session_id}` rebuilds the report.",
                             level="warning"))
        return RoundFinished(reason=reason, session_id=self.session_id, summary=summary, report=str(report))


def _answered_upto(state: SessionState) -> int:
    ids = state.meta.question_ids
    return max((ids.index(th.question_id) + 1 for th in state.threads
                if th.question_id in ids and any(t.answered for t in th.turns)), default=0)


def cap_score(score: Score) -> Score:
    """A score with every free-text field and list cut to a sane size (a model can reply with megabytes)."""
    def cut(items: list[str]) -> list[str]:
        return [x[:MAX_NOTE_CHARS] for x in items[:MAX_SCORE_ITEMS]]

    return score.model_copy(update={
        "strengths": cut(score.strengths), "improvements": cut(score.improvements),
        "missed_points": cut(score.missed_points),
        "key_points_hit": [h.model_copy(update={"quote": h.quote[:MAX_NOTE_CHARS]})
                           for h in score.key_points_hit[:MAX_SCORE_ITEMS]],
        "wrong_claims": [w.model_copy(update={"quote": w.quote[:MAX_NOTE_CHARS],
                                              "correction": w.correction[:MAX_NOTE_CHARS]})
                         for w in score.wrong_claims[:MAX_SCORE_ITEMS]],
        "backend": score.backend[:40]})


def describe_error(e: BaseException) -> str:
    """A short, transcript-free description of why the round stopped."""
    seen: BaseException | None = e
    chain: set[int] = set()
    while seen is not None and id(seen) not in chain:  # disk full may be wrapped (e.g. by the store)
        if isinstance(seen, OSError) and seen.errno in DISK_FULL:
            return "disk full"
        chain.add(id(seen))
        seen = seen.__cause__ or seen.__context__
    if isinstance(e, MockintError):
        return e.message + (f" ({e.hint})" if e.hint else "")
    if isinstance(e, OSError):
        where = f" {e.filename}" if e.filename else ""
        return f"cannot write{where}: {e.strerror or type(e).__name__}"
    if isinstance(e, ValidationError):  # its text quotes the input, which may be the candidate's words
        return f"unexpected error: invalid {e.title} ({e.error_count()} problem(s))"
    text = str(e).splitlines()[0][:200] if str(e) else ""
    return f"unexpected error: {type(e).__name__}" + (f": {text}" if text else "")


def check_resumable(state: SessionState) -> None:
    if state.status == "complete":
        raise MockintError(f"session {state.id} is already complete; start a new round instead")
    if not state.remaining_question_ids():
        raise MockintError(f"session {state.id} has no unanswered questions left")
