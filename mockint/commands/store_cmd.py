"""`mockint sessions`, `mockint report`, `mockint config`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..config import anthropic_key_present, config_file_candidates, effective_backend
from ..errors import MockintError
from ..store.report import render_json, render_markdown
from ..store.results import overall as overall_score
from ..store.sessions import write_atomic
from . import Context


def sessions(ctx: Context, a: argparse.Namespace) -> int:
    listing = ctx.store.scan()
    rows: list[dict] = []
    for s in listing.sessions:
        rows.append({
            "id": s.id, "date": s.meta.created, "topics": s.meta.topics,
            "questions": len(s.meta.question_ids), "answered": s.answered,
            "overall": overall_score(s), "status": s.status, "backend": s.meta.backend,
            "skipped_lines": s.skipped_lines,
        })
    damaged = [{"id": sid, "status": "damaged", "reason": why} for sid, why in listing.damaged]
    if a.json:
        print(json.dumps(rows + damaged, indent=2))
        return 0
    for d in damaged:  # never in the way of the others, always said
        print(f"mockint: skipped damaged session {d['id']}: {d['reason']}", file=sys.stderr)
    if not rows:
        print(f"no sessions yet in {ctx.store.root} — start one with `mockint` or `mockint round --headless --text`")
        return 0
    print(f"{'SESSION':<40} {'DATE':<17} {'ANSWERED':>8} {'OVERALL':>8}  STATUS       TOPICS")
    for r in rows:
        overall = "unscored" if r["overall"] is None else f"{r['overall']:.1f}"
        date = (r["date"] or "")[:16].replace("T", " ")
        topics = ", ".join(r["topics"]) or "–"
        print(f"{r['id']:<40} {date:<17} {r['answered']:>3}/{r['questions']:<4} {overall:>8}  "
              f"{r['status']:<12} {topics}")
        for line in r["skipped_lines"]:
            print(f"{'':<40} note: {line}")
    return 0


def report(ctx: Context, a: argparse.Namespace) -> int:
    state = ctx.store.load(a.session)
    bank = ctx.bank_or_none()
    text = render_json(state, bank) if a.format == "json" else render_markdown(state, bank)
    if a.out:
        out = a.out
        if out.is_dir():
            raise MockintError(f"{out} is a folder: give a file name, e.g. {out / (state.id + '.' + a.format)}")
        target = out.resolve() if out.is_symlink() else out  # like `>`: write where the link points
        if target.is_dir():
            raise MockintError(f"{out} points to a folder ({target}): give a file name")
        try:
            write_atomic(target, text)
        except OSError as e:
            raise MockintError(f"cannot write {out}: {e.strerror or e}") from None
        print(f"wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    for line in state.skipped_lines:
        print(f"note: journal {line}", file=sys.stderr)
    return 0


def config(ctx: Context, a: argparse.Namespace) -> int:
    loaded = ctx.loaded
    src = loaded.config_file or " or ".join(str(p) for p in config_file_candidates()) + " (none found)"
    print(f"# config file: {src}")
    print("# precedence: defaults < file < MOCKINT_* environment < flags")
    width = max(len(k) for k in loaded.origin)
    dump = loaded.settings.model_dump(mode="json")
    for key in sorted(loaded.origin):
        value: Any = dump
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        print(f"{key:<{width}} = {json.dumps(value):<28} # {loaded.origin[key]}")
    print(f"{'(resolved) bank_dir':<{width}} = {json.dumps(str(ctx.bank_dir))}")
    print(f"{'(resolved) sessions_dir':<{width}} = {json.dumps(str(ctx.store.root))}")
    key = "set (ANTHROPIC_API_KEY; value not shown)" if anthropic_key_present() else "not set"
    print(f"{'(env) anthropic key':<{width}} = {key}")
    print(f"{'(resolved) interviewer':<{width}} = {effective_backend(loaded.settings)}")
    return 0
