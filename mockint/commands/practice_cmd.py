"""`mockint due`, `mockint progress`, `mockint job`: the practice loop from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import MockintError
from . import Context

if TYPE_CHECKING:
    from ..practice.schedule import QuestionCard, Schedule


def _schedule(ctx: Context) -> tuple["Schedule", list]:
    from ..practice.schedule import build_schedule

    listing = ctx.store.scan()
    for sid, why in listing.damaged:
        print(f"mockint: skipped damaged session {sid}: {why}", file=sys.stderr)
    return build_schedule(listing.sessions), listing.sessions


def _now() -> datetime:
    from ..practice.schedule import utc_now

    return utc_now()


def _card_row(c: "QuestionCard", now: datetime, prompts: dict[str, str]) -> dict[str, Any]:
    from ..practice.schedule import days_until

    return {"question_id": c.question_id, "topic": c.topic, "prompt": prompts.get(c.question_id, ""),
            "due": c.due.isoformat(), "days": days_until(c.due, now), "latest_score": c.latest_score,
            "rating": c.last.rating.name.lower(), "reviews": len(c.history),
            "last_review": c.last.at.isoformat(), "wrong_claims_last": c.last.wrong_claims,
            "stability_days": round(c.card.stability or 0.0, 2),
            "retrievability": round(c.retrievability(now), 3), "in_bank": c.question_id in prompts}


def due(ctx: Context, a: argparse.Namespace) -> int:
    """Questions due for review, weakest first, and when the others come back."""
    from ..practice.schedule import when

    sched, _sessions = _schedule(ctx)
    now = _now()
    bank = ctx.bank_or_none()
    prompts = {q.id: q.prompt for q in bank.questions} if bank is not None else {}
    among = list(prompts) if bank is not None else None
    due_cards = sched.due(now, among)
    later = sched.upcoming(now, among)
    if a.json:
        print(json.dumps({"now": now.isoformat(), "due": [_card_row(c, now, prompts) for c in due_cards],
                          "upcoming": [_card_row(c, now, prompts) for c in later]}, indent=2))
        return 0
    if not sched.cards:
        print(f"nothing scheduled yet: no scored answers in {ctx.store.root}. Answer a round "
              "(`mockint` or `mockint round --headless --text`) and every question you answer gets a review date.")
        return 0
    if due_cards:
        print(f"Due today: {len(due_cards)} question{'s' if len(due_cards) != 1 else ''} (weakest first) — "
              "practise them with `mockint round --due`")
        _table(due_cards, now, prompts)
    else:
        nxt = later[0] if later else None
        print("Nothing is due today." + (f" Next: {nxt.question_id} {when(nxt.due, now)}." if nxt else ""))
    if later and (a.all or not due_cards):
        print(f"\nComing up ({len(later)}):")
        _table(later if a.all else later[:5], now, prompts)
        if not a.all and len(later) > 5:
            print(f"  … and {len(later) - 5} more (`mockint due --all`)")
    elif later:
        print(f"\n{len(later)} more scheduled; next: {later[0].question_id} {when(later[0].due, now)} "
              "(`mockint due --all`)")
    gone = [c for c in sched.cards.values() if bank is not None and c.question_id not in prompts]
    if gone:
        print(f"\nnote: {len(gone)} answered question(s) are no longer in the bank and are left out: "
              + ", ".join(sorted(c.question_id for c in gone)[:5]), file=sys.stderr)
    return 0


def _table(cards: list["QuestionCard"], now: datetime, prompts: dict[str, str]) -> None:
    from ..practice.schedule import when

    width = max(len(c.question_id) for c in cards)
    for c in cards:
        prompt = prompts.get(c.question_id, "")
        short = prompt if len(prompt) <= 60 else prompt[:59] + "…"
        wrong = f", {c.last.wrong_claims} wrong" if c.last.wrong_claims else ""
        print(f"  {c.question_id:<{width}}  last {c.latest_score:>2}/10{wrong:<9}  "
              f"{len(c.history)} review{'s' if len(c.history) != 1 else ' '}  {when(c.due, now):<26} {short}")


def progress(ctx: Context, a: argparse.Namespace) -> int:
    """Readiness per topic: latest score, trend, next due date, and a verdict with its reason."""
    from ..practice.readiness import readiness
    from ..practice.schedule import when
    from ..store.progress import sparkline

    sched, sessions = _schedule(ctx)
    now = _now()
    bank = ctx.bank_or_none()
    rows = readiness(sessions, sched, now, bank)
    if a.json:
        print(json.dumps([r.model_dump(mode="json") for r in rows], indent=2))
        return 0
    if not rows:
        print("no topics yet: no bank and no sessions")
        return 0
    width = max(len(r.name) for r in rows)
    print(f"{'TOPIC':<{width}}  {'LATEST':>6} {'TREND':>6}  {'HISTORY':<8} {'NEXT DUE':<22} READINESS")
    for r in rows:
        latest = "–" if r.latest is None else f"{r.latest:.1f}"
        trend = "–" if r.trend is None else f"{r.trend:+.1f}"
        spark = sparkline(r.history[-8:]) if r.history else ""
        nxt = "–" if r.next_due is None else ("now" if r.due_now else when(r.next_due, now))
        print(f"{r.name:<{width}}  {latest:>6} {trend:>6}  {spark:<8} {nxt:<22} {r.verdict}: {r.reason}")
    return 0


def job_coverage(ctx: Context, path) -> Any:
    """The coverage of a job description against the bank (local embeddings, bank vectors cached on disk)."""
    from ..config import resolve_cache_dir
    from ..embeddings import VectorCache, shared_embedder
    from ..practice.jobs import map_job, read_job

    text = read_job(path)
    bank = ctx.bank
    embedder = shared_embedder()
    return map_job(text, bank, embedder, VectorCache(embedder, resolve_cache_dir(ctx.settings)), source=str(path))


MARK = {"covered": "✓", "partial": "~", "gap": "✗"}


def print_coverage(cov: Any) -> None:
    from ..practice.jobs import TOUCHES, TRAINS

    n = len(cov.requirements)
    print(f"Job: {cov.title or cov.source}")
    print(f"{n} requirement{'s' if n != 1 else ''}: {len(cov.covered)} covered, {len(cov.partial)} partly, "
          f"{len(cov.gaps)} gap{'s' if len(cov.gaps) != 1 else ''}")
    print(f"(✓ trains it: similarity ≥ {TRAINS:.2f} · ~ touches on it: ≥ {TOUCHES:.2f} · ✗ nothing in the bank)")
    section = None
    for rc in cov.requirements:
        r = rc.requirement
        if r.section != section:
            section = r.section
            nice = r.priority == "nice" and "nice" not in section.lower()
            print(f"\n{section or 'What the job asks for'}" + (" (nice to have)" if nice else ""))
        print(f"  {MARK[rc.status]} {_wrap(r.text, 76, 4)}")
        if rc.matches:
            print("      " + _wrap(" · ".join(f"{m.question_id} {m.similarity:.2f}" for m in rc.matches), 74, 6))
        else:
            print(f"      gap: no question trains this (closest {rc.best:.2f})")
    if cov.topics:
        print("\n" + _wrap("Topics this job weighs: " + ", ".join(f"{t.name} ({t.requirements})" for t in cov.topics),
                           80, 2))
    if cov.gaps:
        print(f"Gaps the bank lacks: {len(cov.gaps)} — draft questions for them with "
              f"`mockint job {cov.source} --draft-questions DIR` (needs ANTHROPIC_API_KEY)")
    if cov.dropped:
        print(f"note: {cov.dropped} more requirements were not mapped (at most 60)", file=sys.stderr)
    if cov.covered or cov.partial:
        print(f"Practise it: `mockint round --job {cov.source}`")


def _wrap(text: str, width: int, indent: int) -> str:
    import textwrap

    return ("\n" + " " * indent).join(textwrap.wrap(text, width - indent, break_on_hyphens=False) or [""])


def job(ctx: Context, a: argparse.Namespace) -> int:
    """Map a job description to the bank and print the coverage table (or JSON); optionally draft gap questions."""
    folder = a.draft_questions
    if folder is not None:
        from ..practice.drafts import preflight

        preflight(folder, ctx.bank_dir)  # before the model loads: a missing key or a bad folder fails at once
    cov = job_coverage(ctx, a.file)
    if folder is not None:
        from ..practice.drafts import draft_questions

        if not a.json:
            print_coverage(cov)
            print(f"\nAsking Claude ({ctx.settings.interviewer.model}) to draft questions for "
                  f"{min(len(cov.gaps), 8)} gap(s)…", flush=True)
        result = draft_questions(cov, ctx.bank, ctx.bank_dir, folder, ctx.settings)
        if a.json:
            print(json.dumps({**cov.model_dump(mode="json"), "drafts": result.model_dump(mode="json")}, indent=2))
        else:
            for line in result.lines():
                print(line)
        return 0
    if a.json:
        print(json.dumps(cov.model_dump(mode="json"), indent=2))
        return 0
    print_coverage(cov)
    return 0


def practice_round(ctx: Context, a: argparse.Namespace) -> tuple[list[str], list[str]] | None:
    """The questions of `mockint round --due` or `--job FILE`, and notes for the candidate; None when the round
    would be empty (the reason has been printed)."""
    from ..practice.schedule import when

    if getattr(a, "resume", None):
        raise MockintError("--due and --job choose the questions of a new round; they cannot be used with --resume")
    bank = ctx.bank
    r = ctx.settings.round
    unknown = [t for t in r.topics if t not in bank.topics]
    if unknown:
        raise MockintError(f"unknown topic(s): {', '.join(unknown)}; available: {', '.join(bank.topics)}")
    allowed = [q.id for q in bank.questions if not r.topics or q.topic in r.topics]
    where = f" in {', '.join(r.topics)}" if r.topics else ""
    if a.due:
        sched, _ = _schedule(ctx)
        now = _now()
        due_cards = sched.due(now, allowed)
        if not due_cards:
            later = sched.upcoming(now, allowed)
            if later:
                print(f"Nothing is due today{where}. Next: {later[0].question_id} {when(later[0].due, now)} "
                      f"({len(later)} scheduled; see `mockint due --all`).")
            else:
                print(f"Nothing is due{where}: no scored answers yet. Answer a round first; every question you "
                      "answer gets a review date.")
            return None
        ids = [c.question_id for c in due_cards][: r.questions]
        more = len(due_cards) - len(ids)
        notes = [f"Due for review: {len(ids)} question{'s' if len(ids) != 1 else ''}, weakest first"
                 + (f" ({more} more due: `--questions {len(due_cards)}` for all)." if more else ".")]
        return ids, notes
    from ..practice.jobs import job_round

    cov = job_coverage(ctx, a.job)
    ids = job_round(cov, r.questions, seed=getattr(a, "seed", None), allowed=allowed)
    if not ids:
        print(f"No question in the bank{where} trains what {a.job} asks for "
              f"(see `mockint job {a.job}`); draft some with --draft-questions.")
        return None
    trained = len(cov.covered) + len(cov.partial)
    notes = [f"Practice for {cov.title or a.job}: {len(ids)} questions across {trained} of "
             f"{len(cov.requirements)} requirements ({len(cov.gaps)} the bank lacks)."]
    return ids, notes
