"""`mockint score` (one answer) and `mockint rescore` (a saved session's pending or all threads)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from pydantic import ValidationError

from ..errors import MockintError
from ..interview.backends import build_panel
from ..interview.interviewer import Exchange, ScoreUnavailable, ThreadInput
from ..interview.threads import thread_input
from ..models import Question, Score, SpeechMetrics, Transcript
from ..score_lines import plain_lines, scope_note
from ..speech.metrics import compute
from ..store.report import write_summary
from . import Context

MAX_ANSWER_CHARS = 20_000  # about 3,000 words: far beyond any spoken answer; keeps a pasted novel out


def _print_score(score: Score, as_json: bool, q: Question | None = None) -> None:
    if as_json:
        print(score.model_dump_json(indent=2))
        return
    print("\n".join(plain_lines(score, q)))
    note = scope_note([score.backend])
    if note:
        print(f"\nnote: {note}")


def _typed_metrics(text: str) -> SpeechMetrics:
    """Delivery measures of a typed answer (word and filler counts; no timing)."""
    m = compute(Transcript(text=text, typed=True))
    m.duration = 0.0
    return m


def _thread(ctx: Context, q, answer: str, metrics: SpeechMetrics | None = None) -> ThreadInput:
    topic = ctx.bank.topics.get(q.topic)
    return ThreadInput(q, (Exchange("main", q.prompt, answer, metrics or _typed_metrics(answer)),),
                       tuple(topic.glossary if topic else ()), ctx.settings.interviewer.max_follow_ups)


def score(ctx: Context, a: argparse.Namespace) -> int:
    if a.batch is not None:
        return _score_batch(ctx, a)
    if not a.question:
        raise MockintError("--question ID is required (or use --batch FILE.jsonl)")
    q = ctx.bank.question(a.question)
    if q is None:
        raise MockintError(f"unknown question id {a.question!r} (see `mockint bank list`)")
    if a.answer_file is not None:
        try:
            answer = a.answer_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise MockintError(f"cannot read {a.answer_file}: {getattr(e, 'strerror', None) or e}") from None
    else:
        answer = a.answer
    if len(answer) > MAX_ANSWER_CHARS:
        raise MockintError(f"the answer is {len(answer):,} characters; at most {MAX_ANSWER_CHARS:,} are scored")
    notices: list[str] = []
    panel = build_panel(ctx.settings, a.backend, on_notice=notices.append, bank=ctx.bank)
    try:
        result = asyncio.run(panel.score(_thread(ctx, q, answer)))
    except ScoreUnavailable as e:
        raise MockintError(f"could not score with {panel.name}: {e}", exit_code=5) from None
    for n in notices:
        print(f"note: {n}", file=sys.stderr)
    _print_score(result, a.json, q)
    return 0


def _parse_batch_line(ctx: Context, raw: str) -> tuple[ThreadInput | None, str | None]:
    """The thread a batch line asks to score, or the reason it cannot be scored."""
    try:
        obj = json.loads(raw)
    except ValueError as e:
        return None, f"not JSON: {e}"
    if not isinstance(obj, dict):
        return None, 'expected an object like {"question": ID, "answer": TEXT}'
    qid, answer = obj.get("question"), obj.get("answer")
    if not isinstance(qid, str) or not isinstance(answer, str):
        return None, '"question" (an id) and "answer" (text) are required strings'
    q = ctx.bank.question(qid)
    if q is None:
        return None, f"unknown question id {qid!r}"
    if len(answer) > MAX_ANSWER_CHARS:
        return None, f"answer is {len(answer):,} characters; at most {MAX_ANSWER_CHARS:,}"
    metrics = None
    if obj.get("metrics") is not None:
        try:
            metrics = SpeechMetrics.model_validate(obj["metrics"])
        except ValidationError as e:
            return None, f"metrics: {e.errors()[0]['msg']} at {'.'.join(map(str, e.errors()[0]['loc']))}"
    return _thread(ctx, q, answer, metrics), None


def _score_batch(ctx: Context, a: argparse.Namespace) -> int:
    try:
        lines = a.batch.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise MockintError(f"cannot read {a.batch}: {getattr(e, 'strerror', None) or e}") from None
    panel = build_panel(ctx.settings, a.backend, bank=ctx.bank)
    failed = 0

    async def run() -> None:
        nonlocal failed
        # one event loop and one client for the whole file: each line is one request, in order
        for n, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            thread, error = _parse_batch_line(ctx, raw)
            if thread is not None:
                try:
                    print(json.dumps({"line": n, "score": (await panel.score(thread)).model_dump()}), flush=True)
                    continue
                except ScoreUnavailable as e:
                    error = f"could not score with {panel.name}: {e}"
            failed += 1
            print(json.dumps({"line": n, "error": error}), flush=True)

    asyncio.run(run())
    if failed:
        print(f"{failed} line(s) could not be scored; see the error objects", file=sys.stderr)
    return 2 if failed else 0


def rescore(ctx: Context, a: argparse.Namespace) -> int:
    state = ctx.store.load(a.session)
    bank = ctx.bank
    todo = [t for t in state.threads if any(turn.answered for turn in t.turns)
            and (a.all or t.score_status != "scored")]
    if not todo:
        print(f"nothing to re-score in {state.id} (use --all to re-score every thread)")
        return 0
    notices: list[str] = []
    panel = build_panel(ctx.settings, a.backend, on_notice=notices.append, bank=bank, offline_after_refusal=False)
    journal = ctx.store.open_journal(state.id)
    try:
        # one event loop and one client for every thread: one request per thread
        done, failed = asyncio.run(_rescore(ctx, panel, journal, todo, notices))
    finally:
        journal.close()
    write_summary(ctx.store.load(state.id), bank)
    print(f"re-scored {done} thread(s) in {state.id}" + (f"; {failed} still pending" if failed else ""))
    return 0 if not failed else 5


async def _rescore(ctx: Context, panel, journal, todo, notices: list[str]) -> tuple[int, int]:
    done = failed = 0
    try:
        for th in todo:
            q = ctx.bank.question(th.question_id)
            if q is None:
                print(f"  {th.question_id}: no longer in the bank; skipped", file=sys.stderr)
                failed += 1
                continue
            if panel.refused is not None:  # the key was refused: nothing more is sent
                print(f"  {th.question_id}: still pending")
                failed += 1
                continue
            try:
                s = await panel.score(thread_input(th, q, ctx.bank, ctx.settings.interviewer.max_follow_ups))
            except ScoreUnavailable as e:
                _flush(notices)
                journal.append("score_pending", question_id=th.question_id, reason=str(e),
                               **({"attempt": th.attempt} if th.attempt > 1 else {}))
                print(f"  {th.question_id}: still pending ({e})")
                failed += 1
                continue
            _flush(notices)
            journal.append("turn_scored", question_id=th.question_id, score=s.model_dump(), rescored=True,
                           **({"attempt": th.attempt} if th.attempt > 1 else {}))
            print(f"  {th.question_id}: overall {s.overall}/10 [{s.backend}]")
            done += 1
    finally:
        _flush(notices)
        await panel.aclose()
    return done, failed


def _flush(notices: list[str]) -> None:
    for n in notices:
        print(f"note: {n}", file=sys.stderr)
    notices.clear()
