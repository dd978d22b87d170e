"""Choose the interviewer backend and fall back to the offline one when Claude fails, telling the candidate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

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
    """The interviewer the engine talks to: Claude when configured, the offline interviewer otherwise or on failure."""

    def __init__(self, primary: Any | None, on_notice: NoticeFn | None = None, bank: "Bank | None" = None,
                 cache_dir: "Path | None" = None):
        self.primary = primary
        self.offline = OfflineInterviewer(bank=bank, cache_dir=cache_dir)
        self.on_notice = on_notice or (lambda _text: None)

    def warm(self, questions: list) -> None:
        """Get the offline judge ready in the background (it also stands in whenever Claude fails)."""
        self.offline.judge.warm(questions)

    @property
    def name(self) -> str:
        return self.primary.name if self.primary is not None else self.offline.name

    async def follow_up(self, thread: ThreadInput, on_sentence: Callable[[str], None] | None = None) -> FollowUp | None:
        if self.primary is None:
            return await self.offline.follow_up(thread, on_sentence)
        emitted: list[str] = []

        def relay(sentence: str) -> None:
            emitted.append(sentence)
            if on_sentence is not None:
                on_sentence(sentence)

        try:
            return await self.primary.follow_up(thread, relay)
        except Exception as e:  # BackendFailure, or anything unexpected from the SDK: the round goes on
            self.on_notice(f"Claude is unavailable ({_short(e)}); the offline interviewer takes this follow-up.")
            if emitted:
                return FollowUp(text=emitted[0], reason="Claude's reply was cut off after its first sentence.",
                                backend="claude")
            return await self.offline.follow_up(thread, on_sentence)

    async def score(self, thread: ThreadInput) -> Score:
        """A validated score, or ScoreUnavailable (the engine marks the thread pending)."""
        if self.primary is None:
            return await self.offline.score(thread)
        try:
            return await self.primary.score(thread)
        except ScoreUnavailable as e:
            self.on_notice(f"Scoring is pending ({_short(e)}); run `mockint rescore` later.")
            raise
        except Exception as e:
            self.on_notice(f"Scoring is pending ({_short(e)}); run `mockint rescore` later.")
            raise ScoreUnavailable(_short(e)) from None


def _short(e: Exception) -> str:
    text = str(e) or type(e).__name__
    return text[:120]


def build_panel(settings: Settings, backend: str | None = None, client: Any = None,
                on_notice: NoticeFn | None = None, bank: "Bank | None" = None) -> Panel:
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

    return Panel(ClaudeInterviewer(settings.interviewer, client), on_notice, bank, cache_dir)
