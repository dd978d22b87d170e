"""The Claude interviewer through the anthropic SDK: streamed follow-ups and scores, explicit thinking, typed failures.

Every request sets thinking explicitly (the default model, claude-haiku-5-5, thinks adaptively unless told not to,
and thinking tokens count toward `max_tokens`):
- follow-ups: thinking disabled. A follow-up is one short question spoken from its first sentence; thinking would
  only delay that sentence and could eat the whole token budget before any text.
- scores: adaptive thinking at effort low, thinking text omitted from the stream. Judging benefits from a little
  reasoning, and the round never waits for a score.

Retries are ours, not the SDK's (its client is built with max_retries=0): the SDK would obey any `retry-after`,
however long; here a wait that does not fit the call's deadline is not waited out, and the candidate is told it was
a rate limit. Every failure becomes a BackendFailure whose `reason` is a sentence for the candidate.
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import random
import re
import time
from typing import Any, Awaitable, Callable, TypeVar

from pydantic import ValidationError

from ..config import InterviewerSettings
from ..models import FollowUp, Question, Score
from . import prompts
from .claude_schema import parse_reply, score_schema, to_score
from .interviewer import Exchange, ScoreUnavailable, ThreadInput
from .scoring import enforce_invariants, injection_spans, strip_injection

T = TypeVar("T")

FOLLOW_UP_THINKING: dict[str, Any] = {"type": "disabled"}
SCORE_THINKING: dict[str, Any] = {"type": "adaptive", "display": "omitted"}
SCORE_EFFORT = "low"
SCORE_READ_TIMEOUT = 30.0
"""Longest silence tolerated inside a score stream (thinking happens before the first text byte)."""
MIN_ATTEMPT_SECONDS = 1.0
"""A retry that would leave less time than this before the deadline is not worth sending."""
RETRYABLE = frozenset({"rate_limit", "overloaded", "server", "network", "timeout"})
_SENTENCE_END = re.compile(r"[.?!](?=\s)")


class BackendFailure(Exception):
    """Claude gave no usable reply. `reason` is a sentence for the candidate, never a raw exception or a bare code.

    `kind`: auth, model, rate_limit, overloaded, server, network, timeout, refusal, truncated, malformed,
    bad_request, too_large or error. `spoken` is the first sentence of a follow-up that had already been handed to
    the speaker when the failure happened (the caller must say it is void)."""

    def __init__(self, reason: str, kind: str = "error", *, retry_after: float | None = None,
                 retryable: bool | None = None, spoken: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.retry_after = retry_after
        self.retryable = kind in RETRYABLE if retryable is None else retryable
        self.spoken = spoken

    @property
    def permanent(self) -> bool:
        """Nothing in this round will fix it: the key was refused or the model does not exist."""
        return self.kind in ("auth", "model")


def make_client(s: InterviewerSettings) -> Any:
    """An AsyncAnthropic client: key from ANTHROPIC_API_KEY, base URL from ANTHROPIC_BASE_URL (read by the SDK)."""
    import anthropic

    return anthropic.AsyncAnthropic(
        api_key=os.environ.get("ANTHROPIC_API_KEY"), max_retries=0,
        timeout=anthropic.Timeout(s.timeout_seconds, connect=min(3.0, s.timeout_seconds)))


# ---- failures ----
_TYPE_BY_STATUS = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
                   404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error", 529: "overloaded_error"}


def parse_retry_after(headers: Any) -> float | None:
    """Seconds the API asked us to wait (`retry-after-ms`, `retry-after` in seconds or as an HTTP date)."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    return _retry_after_s(headers.get("retry-after"))


def _retry_after_s(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        return max(0.0, email.utils.mktime_tz(parsed) - time.time()) if parsed else None


def classify(e: BaseException) -> BackendFailure:
    """Any exception from a Claude call as a BackendFailure with a human reason."""
    if isinstance(e, BackendFailure):
        return e
    import anthropic
    import httpx2

    if isinstance(e, anthropic.APIStatusError):
        status = e.status_code
        etype = e.type or _TYPE_BY_STATUS.get(status) or ("api_error" if status >= 500 else "error")
        msg = " ".join((e.api_message or "").split())[:160]
        mid = status < 400  # an `error` event inside a stream that had started with 200
        code = "mid-reply" if mid else str(status)
        headers = None if mid else e.response.headers
        wait = parse_retry_after(headers)
        should = (headers.get("x-should-retry") if headers is not None else None)
        retryable = {"true": True, "false": False}.get(should or "")
        if etype == "authentication_error":
            return BackendFailure(f"Claude refused the API key ({code}: {msg or 'authentication error'})", "auth")
        if etype == "permission_error":
            return BackendFailure(f"the API key is not allowed to use Claude here ({code}: {msg or 'permission'})",
                                  "auth")
        if etype == "not_found_error":
            return BackendFailure(f"the Claude API does not know this model ({code}: {msg or 'not found'}); "
                                  "check interviewer.model", "model")
        if etype == "rate_limit_error":
            return BackendFailure(f"Claude's API rate limit was reached ({code})", "rate_limit", retry_after=wait,
                                  retryable=retryable)
        if etype == "overloaded_error":
            return BackendFailure(f"Claude's API is overloaded ({code})", "overloaded", retry_after=wait,
                                  retryable=retryable)
        if etype == "request_too_large":
            return BackendFailure(f"the request was too large for the Claude API ({code})", "too_large")
        if etype == "invalid_request_error":
            return BackendFailure(f"the Claude API rejected the request ({code}: {msg or 'invalid request'})",
                                  "bad_request", retryable=retryable)
        if etype == "api_error" or status >= 500:
            return BackendFailure(f"Claude's API had an internal error ({code})", "server", retry_after=wait,
                                  retryable=retryable)
        return BackendFailure(f"the Claude API answered with an error ({code}: {etype}{': ' + msg if msg else ''})",
                              "error", retryable=retryable)
    if isinstance(e, anthropic.APITimeoutError):
        return BackendFailure("the Claude API stopped answering (request timed out)", "timeout")
    if isinstance(e, anthropic.APIConnectionError):
        return BackendFailure("cannot reach the Claude API (connection failed)", "network")
    if isinstance(e, httpx2.TimeoutException):
        return BackendFailure("the Claude API stopped answering mid-reply (read timed out)", "timeout")
    if isinstance(e, httpx2.TransportError):
        return BackendFailure("the connection to the Claude API dropped mid-reply", "network")
    if isinstance(e, anthropic.APIResponseValidationError):
        return BackendFailure("the Claude API sent a reply mockint cannot read", "malformed")
    if isinstance(e, ValueError):  # the SDK's SSE/JSON decoding of a broken stream
        return BackendFailure("the Claude API sent a reply mockint cannot read", "malformed")
    return BackendFailure(f"unexpected error from the Claude client ({type(e).__name__})", "error", retryable=False)


# ---- follow-up text ----
def first_sentence(buf: str) -> str | None:
    """The first complete sentence of the ASK line once it is certain (end punctuation followed by a space or line
    break), whitespace-normalised exactly as `parse_follow_up` normalises the question."""
    m = re.match(r"^\s*\**\s*ASK\s*\**\s*:\s*\**\s*", buf, re.IGNORECASE)
    if not m:
        return None
    rest = buf[m.end():]
    line = rest.split("\n", 1)[0] + (" " if "\n" in rest else "")
    for end in _SENTENCE_END.finditer(line):
        sentence = " ".join(line[: end.end()].split())
        if len(sentence.split()) >= 4:  # "e.g." or "Node." alone is not a sentence worth speaking
            return sentence
    return None


def parse_follow_up(text: str, q: Question | None = None, complete: bool = True) -> FollowUp | None:
    """The ASK/PROBES/WHY reply as a FollowUp, None for MOVE ON; BackendFailure when it is neither.

    `complete` is False when the reply stopped at max_tokens: it is still usable when the whole ASK line arrived."""
    body = "\n".join(line.strip().strip("*").strip() for line in text.strip().splitlines())
    fields = {k.upper(): v.strip() for k, v in re.findall(r"^(ASK|PROBES|WHY)\s*\**\s*:\s*\**\s*(.*)$", body,
                                                           re.MULTILINE | re.IGNORECASE)}
    why = fields.get("WHY", "")
    if re.match(r"^MOVE ON\b", body, re.IGNORECASE):
        return None
    ask = fields.get("ASK", "")
    if not ask or (not complete and not re.search(r"^ASK\s*:.*\n", body, re.IGNORECASE | re.MULTILINE)):
        if not complete:
            raise BackendFailure("Claude's follow-up was cut off at max_tokens", "truncated")
        raise BackendFailure("Claude's reply was not in the follow-up format", "malformed")
    question = " ".join(ask.split())
    if len(question.split()) > 60:
        raise BackendFailure("Claude's follow-up was too long to speak", "malformed")
    probes = _probed_point(fields.get("PROBES", ""), q)
    return FollowUp(text=question, reason=" ".join(why.split()) or "Claude chose this follow-up.", probes=probes,
                    backend="claude")


def _probed_point(value: str, q: Question | None) -> str | None:
    """A key point id (a challenged misconception counts as probing the point it denies)."""
    if q is None:
        return None
    pid = value.strip().strip("[]`\"' ").split()[0] if value.strip() else ""
    if q.key_point(pid) is not None:
        return pid
    m = q.misconception(pid)
    return m.contradicts if m is not None else None


def genuine(thread: ThreadInput) -> ThreadInput:
    """The thread as Claude sees it: sentences that try to instruct the grader removed, so they gain nothing (the
    invariants flag the attempt on the original words)."""
    if not any(injection_spans(e.answer) for e in thread.exchanges):
        return thread
    ex = tuple(Exchange(e.kind, e.asked, strip_injection(e.answer) if injection_spans(e.answer) else e.answer,
                        e.metrics, e.probes) for e in thread.exchanges)
    return ThreadInput(thread.question, ex, thread.topic_glossary, thread.max_follow_ups)


class ClaudeInterviewer:
    """Interviewer and Scorer backed by Claude; raises BackendFailure / ScoreUnavailable instead of hanging."""

    name = "claude"

    def __init__(self, settings: InterviewerSettings, client: Any = None,
                 clock: Callable[[], float] = time.monotonic):
        self.settings = settings
        self.client = client if client is not None else make_client(settings)
        self.clock = clock
        self._not_before = 0.0  # the API asked us not to send before this (clock time)

    async def aclose(self) -> None:
        await self.client.close()

    # ---- one call with bounded retries ----
    def _timeout(self, left: float, read: float | None = None) -> Any:
        import anthropic

        return anthropic.Timeout(min(read or self.settings.timeout_seconds, left), connect=min(3.0, left))

    async def _with_retries(self, send: Callable[[float], Awaitable[T]], budget: float, what: str,
                            can_retry: Callable[[], bool] = lambda: True) -> T:
        end = self.clock() + budget
        attempt = 0
        while True:
            await self._respect_cooldown(end, what)
            left = end - self.clock()
            try:
                async with asyncio.timeout(left):
                    return await send(left)
            except TimeoutError:
                raise BackendFailure(f"no {what} from Claude within {budget:g} s", "timeout",
                                     retryable=False) from None
            except Exception as e:  # everything the SDK or the transport can raise is typed here
                failure = classify(e)
            if failure.retry_after:
                self._not_before = max(self._not_before, self.clock() + failure.retry_after)
            if not failure.retryable or not can_retry() or attempt >= self.settings.max_retries:
                raise failure
            wait = failure.retry_after if failure.retry_after is not None else _backoff(attempt)
            if wait + MIN_ATTEMPT_SECONDS > end - self.clock():
                if failure.kind == "rate_limit" and failure.retry_after is not None:
                    raise BackendFailure(f"{failure.reason}: it asked to wait {wait:.0f} s, longer than this {what} "
                                         "can wait", "rate_limit", retry_after=wait, retryable=False)
                raise failure
            attempt += 1
            await asyncio.sleep(wait)

    async def _respect_cooldown(self, end: float, what: str) -> None:
        wait = self._not_before - self.clock()
        if wait <= 0:
            return
        if wait + MIN_ATTEMPT_SECONDS > end - self.clock():  # the request would be refused: don't send it
            raise BackendFailure(f"Claude's API rate limit: it accepts requests again in {wait:.0f} s, longer than "
                                 f"this {what} can wait", "rate_limit", retry_after=wait, retryable=False)
        await asyncio.sleep(wait)

    # ---- follow-ups ----
    async def follow_up(self, thread: ThreadInput, on_sentence: Callable[[str], None] | None = None) -> FollowUp | None:
        if len(thread.follow_ups_asked) >= thread.max_follow_ups:
            return None
        s = self.settings
        q = thread.question
        request = dict(model=s.model, max_tokens=s.max_tokens, thinking=FOLLOW_UP_THINKING,
                       system=prompts.follow_up_system(q),
                       messages=[{"role": "user", "content": prompts.follow_up_user(genuine(thread))}])
        spoken: list[str] = []

        async def send(left: float) -> tuple[str, Any]:
            buf = ""
            async with self.client.messages.stream(**request, timeout=self._timeout(left)) as stream:
                async for event in stream:
                    if event.type != "text":
                        continue
                    buf += event.text
                    if not spoken and on_sentence is not None:
                        first = first_sentence(buf)
                        if first:
                            spoken.append(first)
                            on_sentence(first)
                final = await stream.get_final_message()
            return buf, final

        try:
            # once a sentence has been spoken, a retry would speak a different question: no retries then
            buf, final = await self._with_retries(send, s.turn_deadline_seconds, "follow-up",
                                                  can_retry=lambda: not spoken)
            if final.stop_reason == "refusal":
                raise BackendFailure("Claude declined to write this follow-up (refusal)", "refusal")
            if final.stop_reason is None:
                raise BackendFailure("Claude's reply ended before it was complete", "network")
            fu = parse_follow_up(buf, q, complete=final.stop_reason != "max_tokens")
        except BackendFailure as f:
            f.spoken = spoken[0] if spoken else None
            raise
        if fu is not None and not spoken and on_sentence is not None:
            on_sentence(fu.text)
        return fu

    # ---- scores ----
    async def score(self, thread: ThreadInput) -> Score:
        """A validated score; ScoreUnavailable (caused by a BackendFailure) when none could be had in time."""
        s = self.settings
        q = thread.question
        system, user = prompts.score_system(q), prompts.score_user(genuine(thread))
        fmt = {"type": "json_schema", "schema": score_schema(q)}
        thinking: dict[str, Any] = dict(SCORE_THINKING)

        async def send(left: float) -> Any:
            async with self.client.messages.stream(
                    model=s.model, max_tokens=s.score_max_tokens, thinking=thinking,
                    output_config={"effort": SCORE_EFFORT, "format": fmt}, system=system,
                    messages=[{"role": "user", "content": user}],
                    timeout=self._timeout(left, max(s.timeout_seconds, SCORE_READ_TIMEOUT))) as stream:
                return await stream.get_final_message()

        end = self.clock() + s.score_deadline_seconds
        last = BackendFailure("no score attempt was made", "error")
        for _attempt in range(2):  # one more try for a reply that cannot be used
            left = end - self.clock()
            if left < MIN_ATTEMPT_SECONDS:
                break
            try:
                final = await self._with_retries(send, left, "score")
            except BackendFailure as f:
                raise ScoreUnavailable(f.reason) from f
            if final.stop_reason == "refusal":  # the same words would be refused again
                refusal = BackendFailure("Claude declined to grade this answer (refusal)", "refusal")
                raise ScoreUnavailable(refusal.reason) from refusal
            text = "".join(getattr(b, "text", "") for b in final.content if getattr(b, "type", "") == "text")
            try:
                reply = parse_reply(q, text)
            except ValidationError as e:
                if final.stop_reason == "max_tokens":
                    # thinking took the budget: the second try spends all of it on the score itself
                    thinking = {"type": "disabled"}
                    last = BackendFailure(f"Claude's score was cut off at max_tokens ({s.score_max_tokens})",
                                          "truncated")
                else:
                    last = BackendFailure(f"Claude's score did not match the contract ({_first_error(e)})",
                                          "malformed")
                continue
            return enforce_invariants(to_score(reply, q), q, thread.answer_text, thread.last_answer)
        raise ScoreUnavailable(last.reason) from last


def _backoff(attempt: int) -> float:
    return min(0.5 * 2 ** attempt, 4.0) * random.uniform(0.75, 1.0)


def _first_error(e: ValidationError) -> str:
    err = e.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "reply"
    return f"{where}: {err.get('msg', 'invalid')}"[:120]
