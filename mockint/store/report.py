"""Render a session as Markdown or JSON: every question, follow-up, answer, score and speech metric."""

from __future__ import annotations

import json
from typing import Any

from ..bank import Bank
from ..models import AttemptsCompared, Score, Summary
from ..score_lines import markdown_lines, scope_note
from ..text import counted
from .results import summarize
from .sessions import SessionState, gc_paused, write_atomic


def session_summary(state: SessionState, bank: Bank | None) -> Summary:
    prompts = {q.id: q.prompt for q in bank.questions} if bank else {}
    names = {t.id: t.name for t in bank.topics.values()} if bank else {}
    with gc_paused():
        return summarize(state, prompts, names)


def write_summary(state: SessionState, bank: Bank | None) -> Summary:
    """summary.json and report.md, both rebuilt from the journal (after a round, or a rescore changed scores)."""
    summary = session_summary(state, bank)
    write_atomic(state.path / "summary.json", summary.model_dump_json(indent=2))
    write_atomic(state.path / "report.md", render_markdown(state, bank, summary))
    return summary


def status_text(status: str, reason: str | None) -> str:
    """'complete', 'complete (time up)', 'ended early (quit)', 'interrupted' — never 'complete (completed)'."""
    if status == "complete" and reason == "quit":
        return "ended early (quit)"
    if status == "complete" and reason and reason != "completed":
        return f"complete ({reason.replace('_', ' ')})"
    return status


def _fmt(v: float | None, unit: str = "") -> str:
    return "–" if v is None else f"{v:g}{unit}"


def render_json(state: SessionState, bank: Bank | None, summary: Summary | None = None) -> str:
    summary = summary or session_summary(state, bank)
    doc: dict[str, Any] = {
        "session": state.meta.model_dump(),
        "status": state.status,
        "summary": summary.model_dump(),
        "threads": [t.model_dump() for t in state.threads],
        "skipped_lines": state.skipped_lines,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def render_markdown(state: SessionState, bank: Bank | None, summary: Summary | None = None) -> str:
    with gc_paused():
        return _markdown(state, bank, summary or session_summary(state, bank))


def _markdown(state: SessionState, bank: Bank | None, summary: Summary) -> str:
    names = {t.id: t.name for t in bank.topics.values()} if bank else {}
    out = [f"# mockint session {state.id}", ""]
    out.append(f"- Started: {state.meta.created or 'unknown'}")
    out.append(f"- Status: {status_text(state.status, state.finished_reason)}")
    out.append(f"- Interviewer: {state.meta.backend} · answers: {state.meta.answers}")
    out.append(f"- Overall: {_fmt(summary.overall, '/10')} · questions answered: {state.answered}"
               f" of {len(state.meta.question_ids) or len(state.threads)}")
    if summary.wpm is not None:
        out.append(f"- Answering time: {summary.speaking_seconds:g} s · words per minute: {_fmt(summary.wpm)}"
                   f" · fillers per minute: {_fmt(summary.fillers_per_min)}")
    note = scope_note(th.score.backend for th in summary.threads if th.score is not None)
    if note:
        out.append(f"- Note: {note}")
    if state.skipped_lines:
        out.append(f"- Journal lines skipped while reading: {'; '.join(state.skipped_lines)}")
    out += ["", "## Scores by topic", "",
            "| Topic | Threads | Overall | Technical | Coverage | Structure | Communication |",
            "|---|---|---|---|---|---|---|"]
    for tp in summary.topics:
        out.append(f"| {tp.name} | {tp.threads} | {_fmt(tp.overall)} | {_fmt(tp.technical)} | {_fmt(tp.coverage)} |"
                   f" {_fmt(tp.structure)} | {_fmt(tp.communication)} |")
    if summary.attempts:
        out += ["", "## Attempts side by side", ""]
        for cmp in summary.attempts:
            out += attempts_table(cmp, bank), ""
        out.pop()
    for th, ts in zip(state.threads, summary.threads):
        q = bank.question(th.question_id) if bank else None
        again = f" (attempt {th.attempt})" if th.attempt > 1 else ""
        out += ["", f"## Q{th.index}. {names.get(th.topic, th.topic)}{again}", "",
                f"_{ts.prompt}_ (`{th.question_id}`)", ""]
        if th.skipped and not any(t.answered for t in th.turns):
            out += ["_Skipped._"]
        for turn in th.turns:
            who = "Interviewer" if turn.kind == "main" else "Follow-up"
            out.append(f"**{who}:** {turn.text}")
            if turn.reason:
                out.append(f"> _Why this follow-up:_ {turn.reason}")
            out.append("")
            if turn.transcript is not None:
                text = turn.transcript.text or "_(no answer)_"
                out.append(f"**Candidate:** {text}")
                m = turn.metrics
                if turn.transcript.typed and m:
                    out.append(f"_typed · {counted(m.word_count, 'word')}_")
                elif m and m.word_count:
                    pauses = len(m.long_pauses)
                    named = f" ({', '.join(m.fillers)})" if m.fillers else ""
                    first = (f" · first word after {m.time_to_first_word:.1f} s"
                             if m.time_to_first_word is not None else "")
                    out.append(f"_{m.headline()}{named} · {counted(pauses, 'long pause')}{first}_")
                out.append("")
            elif turn.answer_audio:
                out += ["_(answer interrupted; audio kept)_", ""]
        out += _score_block(th.score, th.score_status, q)
    return "\n".join(out).rstrip() + "\n"


def attempts_table(cmp: AttemptsCompared, bank: Bank | None) -> str:
    """One question's attempts as a Markdown table, then what changed from each attempt to the next."""
    q = bank.question(cmp.question_id) if bank else None
    points = {k.id: k.point for k in q.key_points} if q else {}
    atts = cmp.attempts
    head = "| | " + " | ".join(f"Attempt {a.attempt}" for a in atts) + " |"
    rows = [f"**`{cmp.question_id}`**", "", head, "|---" * (len(atts) + 1) + "|"]
    for d in ("overall", "technical", "coverage", "structure", "communication"):
        rows.append(f"| {d} | " + " | ".join(_fmt(getattr(a, d)) for a in atts) + " |")
    rows.append("| key points | " + " | ".join(str(len(a.key_points)) for a in atts) + " |")
    rows.append("| wrong claims | " + " | ".join(str(len(a.wrong_claims)) for a in atts) + " |")
    rows.append("| words | " + " | ".join(str(a.words) for a in atts) + " |")
    rows.append("| words/min | " + " | ".join(_fmt(a.wpm) for a in atts) + " |")
    rows.append("| fillers/min | " + " | ".join(_fmt(a.fillers_per_min) for a in atts) + " |")
    for a in atts[1:]:
        changes = [f"newly shown: {', '.join(points.get(p, p) for p in a.new_points)}" if a.new_points else "",
                   f"wrong claims fixed: {'; '.join('“' + c + '”' for c in a.fixed_claims)}" if a.fixed_claims else "",
                   f"no longer shown: {', '.join(points.get(p, p) for p in a.lost_points)}" if a.lost_points else ""]
        changes = [c for c in changes if c]
        rows.append(f"- Attempt {a.attempt}: " + ("; ".join(changes) if changes else "no change in key points "
                                                                                     "or wrong claims"))
    return "\n".join(rows)


def _score_block(score: Score | None, status: str, q: Any) -> list[str]:
    if score is None:
        return ["", f"**Score:** {'pending (run `mockint rescore`)' if status == 'pending' else 'not scored'}"]
    return [""] + markdown_lines(score, q)
