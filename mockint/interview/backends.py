"""Choose the interviewer backend and fall back to the offline one when Claude fails, telling the candidate."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Callable, Hashable

from ..config import Settings, anthropic_key_present, effective_backend, resolve_cache_dir
from ..errors import MockintError
from ..models import FollowUp, Score
from .interviewer import ScoreUnavailable, ThreadInput
from .offline import OfflineInterviewer

if TYPE_CHECKING:
    from pathlib import Path

    from ..bank import Bank

NoticeFn = Callable[[str], None]


class Panel:
    """The interviewer the engine talks to: Claude when configured, the offline interviewer otherwise or on failure.

    A key Claude refuses (401/403) or a model it does not know is reported once; the rest of the round is offline
    (or, with `offline_after_refusal=False`, as for `mockint rescore`, scores stay pending)."""

    def __init__(self, primary: Any | None, on_notice: NoticeFn | None = None, bank: "Bank | None" = None,
                 cache_dir: "Path | None" = None, offline_after_refusal: bool = True):
        self.primary = primary
        self.offline = OfflineInterviewer(bank=bank, cache_dir=cache_dir)
        self.on_notice = on_notice or (lambda _text: None)
        self.offline_after_refusal = offline_after_refusal
        self.refused: str | None = None  # why Claude is out for good, once it is
        self._draft: tuple[Hashable, asyncio.Future[FollowUp | None]] | None = None

    def warm(self, questions: list) -> None:
        """Get the offline judge ready in the background (it also stands in whenever Claude fails)."""
        self.offline.judge.warm(questions)

    @property
    def name(self) -> str:
        return self.primary.name if self.primary is not None else self.offline.name

    @property
    def active(self) -> bool:
        return self.primary is not None and self.refused is None

    async def aclose(self) -> None:
        close = getattr(self.primary, "aclose", None)
        if close is not None:
            await close()

    def _refuse(self, reason: str) -> None:
        if self.refused is None:
            self.refused = reason
            rest = ("The rest of this round uses the offline interviewer and scorer"
                    if self.offline_after_refusal else "Nothing more is sent to Claude")
            self.on_notice(f"{_sentence(reason)}. {rest}; check ANTHROPIC_API_KEY and interviewer.model.")

    def draft_follow_up(self, thread: ThreadInput) -> "asyncio.Future[FollowUp | None] | None":
        """Start choosing the offline follow-up for an answer as it reads so far (the candidate has paused), so
        that if the answer ends there the follow-up is ready at the key press. Claude streams its own follow-up
        (and gets the final answer only): None for it. The offline choice depends on the words alone, so a draft
        whose words are the final answer's is exactly the follow-up `follow_up` would choose."""
        if self.active:
            return None
        key = _draft_key(thread)
        if self._draft is not None and self._draft[0] == key:
            return self._draft[1]
        if self._draft is not None and not self._draft[1].done():
            return None  # one at a time: the reader is busy with the previous pause's draft
        fut = asyncio.ensure_future(self.offline.follow_up(thread, None))
        self._draft = (key, fut)
        return fut

    async def follow_up(self, thread: ThreadInput, on_sentence: Callable[[str], None] | None = None) -> FollowUp | None:
        primary = self.primary
        if primary is None or self.refused is not None:
            draft, self._draft = self._draft, None
            if draft is not None and draft[0] == _draft_key(thread):
                try:
                    fu = await asyncio.shield(draft[1])
                except Exception:  # noqa: BLE001 - a failed draft is only a missed head start
                    return await self.offline.follow_up(thread, on_sentence)
                if fu is not None and on_sentence is not None:
                    on_sentence(fu.text)
                return fu
            return await self.offline.follow_up(thread, on_sentence)
        spoken: list[str] = []

        def relay(sentence: str) -> None:
            spoken.append(sentence)
            if on_sentence is not None:
                on_sentence(sentence)

        try:
            return await primary.follow_up(thread, relay)
        except Exception as e:  # BackendFailure, or anything unexpected: the round goes on
            failure = _failure(e)
            reason = getattr(failure, "reason", None) or _short(e)
        # a sentence already spoken is void: the candidate must not answer half a question from Claude
        heard = spoken[0] if spoken else None
        fu = await self.offline.follow_up(thread, None if heard else on_sentence)
        if failure is not None and failure.permanent:
            self._refuse(reason)
        if heard:
            what = f"Claude's follow-up broke off after its first sentence (“{heard}”) was spoken: {reason}"
            self.on_notice(f"{what}. Please disregard that sentence; "
                           + ("the offline interviewer asks instead." if fu else "moving on."))
            if fu is not None:
                why = f"{what}; the offline interviewer asked this instead. {fu.reason}"
                fu = fu.model_copy(update={"reason": why})
        else:
            if failure is None or not failure.permanent:
                self.on_notice(f"{_sentence(reason)}; the offline interviewer takes this follow-up.")
            if fu is not None:
                fu = fu.model_copy(update={"reason": f"{fu.reason} (Asked by the offline interviewer: {reason}.)"})
        return fu

    async def score(self, thread: ThreadInput) -> Score:
        """A validated score, or ScoreUnavailable (the engine marks the thread pending)."""
        if self.primary is None:
            return await self.offline.score(thread)
        if self.refused is not None:
            if self.offline_after_refusal:
                return await self.offline.score(thread)
            raise ScoreUnavailable(self.refused)
        try:
            return await self.primary.score(thread)
        except Exception as e:
            failure = _failure(e)
            reason = getattr(failure, "reason", None) or _short(e)
            if failure is not None and failure.permanent:
                self._refuse(reason)
                if self.offline_after_refusal:
                    return await self.offline.score(thread)
            else:
                self.on_notice(f"Scoring of {thread.question.id} is pending ({reason}); run `mockint rescore` later.")
            raise ScoreUnavailable(reason) from None


def _draft_key(thread: ThreadInput) -> Hashable:
    """What the offline follow-up depends on (not the speech metrics, which only scoring reads)."""
    return (thread.question.id, thread.topic_glossary, thread.max_follow_ups,
            tuple((e.kind, e.asked, e.answer, e.probes) for e in thread.exchanges))


def _failure(e: BaseException) -> Any:
    """The BackendFailure behind an exception (a ScoreUnavailable is raised from one), if any."""
    from .claude import BackendFailure  # only reached when Claude was configured

    for x in (e, e.__cause__):
        if isinstance(x, BackendFailure):
            return x
    return None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _short(e: BaseException) -> str:
    text = str(e) or type(e).__name__
    return text[:160]


def build_panel(settings: Settings, backend: str | None = None, client: Any = None,
                on_notice: NoticeFn | None = None, bank: "Bank | None" = None,
                offline_after_refusal: bool = True) -> Panel:
    """A Panel for the chosen backend; asking for claude without a key is a clear error."""
    choice = backend or settings.interviewer.backend
    if choice == "auto":
        choice = effective_backend(settings)
    cache_dir = resolve_cache_dir(settings)
    if choice == "offline":
        return Panel(None, on_notice, bank, cache_dir)
    if not anthropic_key_present() and client is None:
        raise MockintError("the claude interviewer needs ANTHROPIC_API_KEY in the environment",
                           hint="export ANTHROPIC_API_KEY=... or use --backend offline")
    from .claude import ClaudeInterviewer

    return Panel(ClaudeInterviewer(settings.interviewer, client), on_notice, bank, cache_dir, offline_after_refusal)
