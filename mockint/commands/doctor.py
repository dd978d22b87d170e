"""`mockint doctor`: the set-up checks, with a fix for each problem."""

from __future__ import annotations

import argparse

from ..doctor import run_checks
from . import Context


def run(ctx: Context, a: argparse.Namespace) -> int:
    checks = run_checks(ctx.settings)
    for c in checks:
        print(f"{'ok ' if c.ok else 'NO '} {c.name:<13} {c.detail}")
        if c.hint and not c.ok:
            print(f"    fix: {c.hint}")
        elif c.hint:
            print(f"    tip: {c.hint}")
    bank = ctx.bank_or_none()
    print(f"{'ok ' if bank else 'NO '} {'question bank':<13} "
          + (f"{len(bank.questions)} questions in {len(bank.topics)} topics ({ctx.bank_dir})" if bank else
             f"cannot load {ctx.bank_dir}: run `mockint bank validate`"))
    print(f"ok  {'sessions':<13} {ctx.store.root}")
    return 0 if all(c.ok for c in checks) and bank else 1
