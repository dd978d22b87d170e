"""`mockint score` (one answer) and `mockint rescore` (a saved session's pending or all threads)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from ..errors import MockintError
from ..interview.backends import build_panel
from ..interview.interviewer import ScoreUnavailable
from ..interview.threads import thread_input
from ..interview.interviewer import Exchange, ThreadInput
from ..models import STAR_T, Score
from ..store.report import write_summary
from . import Context


def _print_score(score: Score, as_json: bool) -> None:
    if as_json:
        print(score.model_dump_json(indent=2))
        return
    print(f"overall {score.overall}/10 · technical {score.technical} · coverage {score.coverage} · "
          f"structure {score.structure} · communication {score.communication}  [{score.backend}]")
    if score.flags:
        print("flags: " + ", ".join(score.flags))
    if score.star:
        print("STAR+T: " + " ".join(f"{k}{'✓' if score.star.get(k) else '✗'}" for k in STAR_T))
    for h in score.key_points_hit:
        print(f"  ✓ {h.id}: “{h.quote}”")
    for m in score.missed_points:
        print(f"  ✗ {m}")
    for s in score.strengths:
        print(f"  + {s}")
    for s in score.improvements:
        print(f"  - {s}")


def score(ctx: Context, a: argparse.Namespace) -> int:
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
    notices: list[str] = []
    panel = build_panel(ctx.settings, a.backend, on_notice=notices.append)
    topic = ctx.bank.topics.get(q.topic)
    thread = ThreadInput(q, (Exchange("main", q.prompt, answer),), tuple(topic.glossary if topic else ()))
    try:
        result = asyncio.run(panel.score(thread))
    except ScoreUnavailable as e:
        raise MockintError(f"could not score with {panel.name}: {e}", exit_code=5) from None
    for n in notices:
        print(f"note: {n}", file=sys.stderr)
    _print_score(result, a.json)
    return 0


def rescore(ctx: Context, a: argparse.Namespace) -> int:
    state = ctx.store.load(a.session)
    bank = ctx.bank
    panel = build_panel(ctx.settings, a.backend)
    todo = [t for t in state.threads if any(turn.answered for turn in t.turns)
            and (a.all or t.score_status != "scored")]
    if not todo:
        print(f"nothing to re-score in {state.id} (use --all to re-score every thread)")
        return 0
    journal = ctx.store.open_journal(state.id)
    done = failed = 0
    try:
        for th in todo:
            q = bank.question(th.question_id)
            if q is None:
                print(f"  {th.question_id}: no longer in the bank; skipped", file=sys.stderr)
                failed += 1
                continue
            try:
                s = asyncio.run(panel.score(thread_input(th, q, bank, ctx.settings.interviewer.max_follow_ups)))
            except ScoreUnavailable as e:
                journal.append("score_pending", question_id=th.question_id, reason=str(e))
                print(f"  {th.question_id}: still pending ({e})")
                failed += 1
                continue
            journal.append("turn_scored", question_id=th.question_id, score=s.model_dump(), rescored=True)
            print(f"  {th.question_id}: overall {s.overall}/10 [{s.backend}]")
            done += 1
    finally:
        journal.close()
    write_summary(ctx.store.load(state.id), bank)
    print(f"re-scored {done} thread(s) in {state.id}" + (f"; {failed} still pending" if failed else ""))
    return 0 if not failed else 5
