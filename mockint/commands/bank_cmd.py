"""`mockint bank list|validate`."""

from __future__ import annotations

import argparse
import json

from ..bank import load_bank
from ..errors import MockintError
from ..text import counted
from . import Context


def run(ctx: Context, a: argparse.Namespace) -> int:
    if a.bank_command == "validate":
        paths = a.paths or [ctx.bank_dir]
        bank = load_bank(*paths)
        kinds = {k: sum(1 for q in bank.questions if q.kind == k) for k in ("technical", "design", "story")}
        print(f"ok: {counted(len(bank.questions), 'question')} in {counted(len(bank.topics), 'topic')} "
              f"({', '.join(f'{v} {k}' for k, v in kinds.items() if v)}) from {', '.join(map(str, paths))}")
        return 0
    bank = ctx.bank
    qs = bank.questions
    if a.topic:
        if a.topic not in bank.topics:
            raise MockintError(f"unknown topic {a.topic!r}; topics: {', '.join(bank.topics)}")
        qs = bank.by_topic(a.topic)
    if a.json:
        print(json.dumps([q.model_dump() for q in qs], indent=2, ensure_ascii=False))
        return 0
    width = max((len(q.id) for q in qs), default=10)
    current = None
    for q in qs:
        if q.topic != current:
            current = q.topic
            print(f"\n{bank.topic_name(q.topic)} ({q.topic})")
        print(f"  {q.id:<{width}}  {q.kind:<9} d{q.difficulty} {q.answer_seconds:>3}s  {q.prompt}")
    print(f"\n{len(qs)} questions")
    return 0
