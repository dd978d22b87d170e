"""The Claude interviewer through the anthropic SDK: streamed follow-ups, structured scores, bounded retries."""

from __future__ import annotations

import asyncio
import os
import re
from typing import Any, Callable

from pydantic import BaseModel, ValidationError

from ..config import InterviewerSettings
from ..models import FollowUp, Score
from . import prompts
from .interviewer import ScoreUnavailable, ThreadInput
from .scoring import enforce_invariants, parse_score

_SENTENCE_END = re.compile(r"[.?!](?=\s)")


class BackendFailure(Exception):
    """Claude did not give a usable answer in time (HTTP error, stall, refusal, malformed output)."""


class _HitOut(BaseModel):
    id: str
    quote: str


class ScoreOut(BaseModel):
    """The structured output asked of Claude (validated again, strictly, as a Score)."""

    overall: int
    technical: int
    coverage: int
    structure: int
    communication: int
    key_points_hit: list[_HitOut]
    missed_points: list[str]
    strengths: list[str]
    improvements: list[str]
    flags: list[str]
    star: dict[str, bool] | None = None


def make_client(s: InterviewerSettings) -> Any:
    """An AsyncAnthropic client: key from ANTHROPIC_API_KEY, base URL from ANTHROPIC_BASE_URL (read by the SDK)."""
    import anthropic

    return anthropic.AsyncAnthropic(
        api_key=os.environ.get("ANTHROPIC_API_KEY"), max_retries=s.max_retries,
        timeout=anthropic.Timeout(s.timeout_seconds, connect=min(3.0, s.timeout_seconds)))


def parse_follow_up(text: str) -> FollowUp | None:
    """The ASK/WHY reply as a FollowUp, None for MOVE ON; BackendFailure when it is neither."""
    body = text.strip()
    why = ""
    m = re.search(r"^\s*WHY:\s*(.+)$", body, re.MULTILINE | re.IGNORECASE)
    if m:
        why = m.group(1).strip()
    if re.match(r"^\s*MOVE ON\b", body, re.IGNORECASE):
        return None
    ask = re.match(r"^\s*ASK:\s*(.+?)(?:\n\s*WHY:|\Z)", body, re.IGNORECASE | re.DOTALL)
    if not ask or not ask.group(1).strip():
        raise BackendFailure("malformed follow-up reply")
    question = " ".join(ask.group(1).split())
    if len(question.split()) > 60:
        raise BackendFailure("follow-up too long to speak")
    return FollowUp(text=question, reason=why or "Claude chose this follow-up.", backend="claude")


class ClaudeInterviewer:
    """Interviewer and Scorer backed by Claude; raises BackendFailure / ScoreUnavailable instead of hanging."""

    name = "claude"

    def __init__(self, settings: InterviewerSettings, client: Any = None):
        self.settings = settings
        self.client = client if client is not None else make_client(settings)

    async def follow_up(self, thread: ThreadInput, on_sentence: Callable[[str], None] | None = None) -> FollowUp | None:
        if len(thread.follow_ups_asked) >= thread.max_follow_ups:
            return None
        import anthropic

        buf, spoken = "", False
        try:
            async with asyncio.timeout(self.settings.turn_deadline_seconds):
                async with self.client.messages.stream(
                    model=self.settings.model, max_tokens=self.settings.max_tokens,
                    system=prompts.follow_up_system(thread.question),
                    messages=[{"role": "user", "content": prompts.follow_up_user(thread)}],
                ) as stream:
                    async for delta in stream.text_stream:
                        buf += delta
                        if not spoken and on_sentence is not None:
                            first = _first_sentence(buf)
                            if first:
                                spoken = True
                                on_sentence(first)
                    final = await stream.get_final_message()
        except TimeoutError:
            raise BackendFailure(f"no follow-up within {self.settings.turn_deadline_seconds:g} s") from None
        except anthropic.APIStatusError as e:
            raise BackendFailure(f"Claude API error {e.status_code}") from None
        except anthropic.APIError as e:
            raise BackendFailure(f"Claude API unreachable ({type(e).__name__})") from None
        if final.stop_reason == "refusal":
            raise BackendFailure("Claude declined to answer")
        if final.stop_reason == "max_tokens" and "WHY:" not in buf.upper():
            raise BackendFailure("follow-up cut off at max_tokens")
        fu = parse_follow_up(buf)
        if fu is not None and not spoken and on_sentence is not None:
            on_sentence(fu.text)
        return fu

    async def score(self, thread: ThreadInput) -> Score:
        import anthropic

        q, answer = thread.question, thread.answer_text
        last = "no attempt"
        try:
            async with asyncio.timeout(self.settings.turn_deadline_seconds):
                for _attempt in range(2):  # one retry for a malformed or out-of-range score
                    try:
                        msg = await self.client.messages.parse(
                            model=self.settings.model, max_tokens=self.settings.score_max_tokens,
                            system=prompts.score_system(q),
                            messages=[{"role": "user", "content": prompts.score_user(thread)}],
                            output_format=ScoreOut)
                    except (ValidationError, ValueError) as e:
                        last = f"malformed score ({type(e).__name__})"
                        continue
                    if msg.stop_reason in ("refusal", "max_tokens"):
                        last = f"stopped: {msg.stop_reason}"
                        continue
                    parsed = next((getattr(b, "parsed_output", None) for b in msg.content
                                   if getattr(b, "type", "") == "text"), None)
                    score = parse_score({**parsed.model_dump(), "backend": "claude"}) if parsed else None
                    if score is None:
                        last = "score out of range or wrong shape"
                        continue
                    return enforce_invariants(score, q, answer)
        except TimeoutError:
            last = f"no score within {self.settings.turn_deadline_seconds:g} s"
        except anthropic.APIStatusError as e:
            last = f"Claude API error {e.status_code}"
        except anthropic.APIError as e:
            last = f"Claude API unreachable ({type(e).__name__})"
        raise ScoreUnavailable(last)


def _first_sentence(buf: str) -> str | None:
    """The first complete sentence of the ASK line, once it is certain (punctuation followed by a space)."""
    m = re.match(r"^\s*ASK:\s*", buf, re.IGNORECASE)
    if not m:
        return None
    rest = buf[m.end():].split("\n", 1)[0] + (" " if "\n" in buf[m.end():] else "")
    end = _SENTENCE_END.search(rest)
    if end is None:
        return None
    return rest[: end.end()].strip()
