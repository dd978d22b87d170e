"""Command-line entry point: parses arguments, builds the context, dispatches; no logic of its own."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Sequence

from . import __version__
from .errors import BankError, MockintError


def _round_flags(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("round")
    g.add_argument("--topics", help="comma-separated topic ids (default: all)")
    g.add_argument("--questions", type=int, metavar="N", help="main questions in the round (default 5)")
    g.add_argument("--order", choices=["shuffled", "weakest", "drill"], help="question order")
    g.add_argument("--answer-seconds", type=int, metavar="S", help="answer time budget (default: per question)")
    g.add_argument("--round-minutes", type=float, metavar="M", help="whole-round time limit (default 30)")
    g.add_argument("--follow-ups", type=int, metavar="N", help="follow-ups per question (default 2)")
    g.add_argument("--silence-end", type=float, metavar="S", help="end an answer after S seconds of silence")
    g.add_argument("--text", action="store_true", help="type answers instead of speaking them")
    g.add_argument("--no-tts", action="store_true", help="show questions without speaking them")
    g.add_argument("--backend", choices=["auto", "claude", "offline"], help="interviewer backend")
    g.add_argument("--seed", type=int, help="shuffle seed (repeatable rounds)")
    pick = g.add_mutually_exclusive_group()
    pick.add_argument("--only", metavar="IDS", help="comma-separated question ids to ask, in this order")
    pick.add_argument("--due", action="store_true",
                      help="the questions due for review (see `mockint due`), weakest first")
    pick.add_argument("--job", type=Path, metavar="FILE",
                      help="questions weighted toward a job description's requirements")
    g.add_argument("--retry", nargs="?", const=True, metavar="SESSION",
                   help="try again: ask each question a second time right after its score; with SESSION, ask the "
                        "--only questions again in that session, as their next attempt")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mockint", description="Voice mock interviews in the terminal. "
                                "With no command, opens the app.")
    p.add_argument("--version", action="version", version=f"mockint {__version__}")
    p.add_argument("--config", type=Path, metavar="FILE", help="settings file (default ./mockint.toml)")
    p.add_argument("--bank", type=Path, metavar="DIR", help="question bank folder")
    p.add_argument("--sessions", type=Path, metavar="DIR", help="sessions folder")
    p.add_argument("--model", metavar="NAME|DIR", help="Whisper model (default tiny.en)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    r = sub.add_parser("round", help="run an interview round (headless with --headless)")
    r.add_argument("--headless", action="store_true", help="no TUI: print one line per event")
    r.add_argument("--json", action="store_true", help="with --headless: JSON lines")
    r.add_argument("--answers-file", type=Path, metavar="FILE", help="JSON array of typed answers (with --text)")
    r.add_argument("--resume", metavar="SESSION", help="continue an interrupted session")
    _round_flags(r)

    b = sub.add_parser("bank", help="list or validate question banks")
    bsub = b.add_subparsers(dest="bank_command", metavar="ACTION", required=True)
    bl = bsub.add_parser("list", help="list questions")
    bl.add_argument("--topic", help="only this topic id")
    bl.add_argument("--json", action="store_true", help="full validated records as one JSON array")
    bv = bsub.add_parser("validate", help="validate the bank or the given files/folders")
    bv.add_argument("paths", nargs="*", type=Path)

    s = sub.add_parser("sessions", help="list saved sessions")
    s.add_argument("--json", action="store_true")

    rp = sub.add_parser("report", help="render one session")
    rp.add_argument("session")
    rp.add_argument("--format", choices=["md", "json"], default="md")
    rp.add_argument("--out", type=Path, metavar="FILE", help="write to FILE (default: stdout)")

    sub.add_parser("config", help="print the effective settings and where each came from")
    sub.add_parser("devices", help="list audio input and output devices")
    sub.add_parser("doctor", help="check microphone, speech model, voice and interviewer")

    say = sub.add_parser("say", help="speak a line (or save it) to check the voice")
    say.add_argument("text", nargs="?")
    say.add_argument("--out", type=Path, metavar="FILE.wav")
    say.add_argument("--voice")
    say.add_argument("--rate", type=int)
    say.add_argument("--list-voices", action="store_true")

    tr = sub.add_parser("transcribe", help="transcribe a WAV with the answer pipeline")
    tr.add_argument("file", type=Path)
    tr.add_argument("--question", metavar="ID", help="bias recognition with this question's glossary")
    tr.add_argument("--json", action="store_true")
    tr.add_argument("--no-prompt", action="store_true", help="no domain prompt (for comparison)")

    sc = sub.add_parser("score", help="score one answer, or a JSON-lines file of answers (--batch)")
    sc.add_argument("--question", metavar="ID", help="the question answered (not with --batch)")
    grp = sc.add_mutually_exclusive_group(required=True)
    grp.add_argument("--answer", metavar="TEXT")
    grp.add_argument("--answer-file", type=Path, metavar="FILE")
    grp.add_argument("--batch", type=Path, metavar="FILE.jsonl",
                     help='one {"question": ID, "answer": TEXT[, "metrics": {...}]} per line; one score per line out')
    sc.add_argument("--backend", choices=["auto", "claude", "offline"])
    sc.add_argument("--json", action="store_true")

    du = sub.add_parser("due", help="questions due for review (spaced repetition), weakest first")
    du.add_argument("--json", action="store_true")
    du.add_argument("--all", action="store_true", help="also list every question not due yet")

    pg = sub.add_parser("progress", help="readiness per topic: latest score, trend, next review, verdict")
    pg.add_argument("--json", action="store_true")

    jb = sub.add_parser("job", help="map a job description to the bank: what it asks, which questions train it, gaps")
    jb.add_argument("file", type=Path, help="the job description (text or Markdown)")
    jb.add_argument("--json", action="store_true")
    jb.add_argument("--draft-questions", type=Path, metavar="DIR",
                    help="with Claude: draft questions for the gaps into DIR (validated, marked as drafts)")

    rs = sub.add_parser("rescore", help="re-score pending (or all) threads of a session")
    rs.add_argument("session")
    rs.add_argument("--all", action="store_true", help="re-score every thread, not only pending ones")
    rs.add_argument("--backend", choices=["auto", "claude", "offline"])
    return p


def flags_to_settings(a: argparse.Namespace) -> dict[str, Any]:
    """Command-line flags as a partial settings dict (the highest-precedence layer)."""
    out: dict[str, Any] = {}

    def put(section: str | None, key: str, value: Any) -> None:
        if value is None:
            return
        (out.setdefault(section, {}) if section else out)[key] = value

    put(None, "bank_dir", getattr(a, "bank", None))
    put(None, "sessions_dir", getattr(a, "sessions", None))
    put("stt", "model", getattr(a, "model", None))
    put("interviewer", "backend", getattr(a, "backend", None))
    put("interviewer", "max_follow_ups", getattr(a, "follow_ups", None))
    topics = getattr(a, "topics", None)
    put("round", "topics", [t.strip() for t in topics.split(",") if t.strip()] if topics else None)
    put("round", "questions", getattr(a, "questions", None))
    put("round", "order", getattr(a, "order", None))
    put("round", "answer_seconds", getattr(a, "answer_seconds", None))
    put("round", "round_minutes", getattr(a, "round_minutes", None))
    put("round", "end_on_silence_seconds", getattr(a, "silence_end", None))
    if getattr(a, "text", False):
        put("round", "answers", "typed")
    if getattr(a, "no_tts", False):
        put("tts", "enabled", False)
    return out


def _dispatch(a: argparse.Namespace) -> int:
    from .commands import Context

    ctx = Context.from_args(a, flags_to_settings(a))
    for warning in ctx.loaded.warnings:
        print(f"mockint: warning: {warning}", file=sys.stderr)
    cmd = a.command
    if cmd is None:
        from .commands.app import run_tui

        return run_tui(ctx)
    if cmd == "bank":
        from .commands import bank_cmd

        return bank_cmd.run(ctx, a)
    if cmd in ("sessions", "report", "config"):
        from .commands import store_cmd

        return getattr(store_cmd, cmd)(ctx, a)
    if cmd in ("devices", "say", "transcribe"):
        from .commands import speech_cmd

        return getattr(speech_cmd, cmd)(ctx, a)
    if cmd in ("score", "rescore"):
        from .commands import score_cmd

        return getattr(score_cmd, cmd)(ctx, a)
    if cmd in ("due", "progress", "job"):
        from .commands import practice_cmd

        return getattr(practice_cmd, cmd)(ctx, a)
    if cmd == "round":
        from .commands import round_cmd

        return round_cmd.run(ctx, a)
    if cmd == "doctor":
        from .commands import doctor

        return doctor.run(ctx, a)
    raise MockintError(f"unknown command {cmd}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    a = parser.parse_args(argv)
    try:
        return _dispatch(a)
    except BankError as e:
        print(f"mockint: the question bank has {len(e.problems)} problem(s):", file=sys.stderr)
        for line in e.problems:
            print(f"  {line}", file=sys.stderr)
        return e.exit_code
    except MockintError as e:
        print(f"mockint: error: {e.message}", file=sys.stderr)
        if e.hint:
            print(f"  hint: {e.hint}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("mockint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
