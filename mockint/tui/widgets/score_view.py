"""One question thread's grade: dimensions, STAR+T, key points with quotes, strengths, improvements, delivery."""

from __future__ import annotations

from rich.text import Text

from ...models import STAR_T, Question, Score, ThreadSummary


def score_text(score: Score | None, status: str, q: Question | None, ts: ThreadSummary | None = None) -> Text:
    out = Text()
    if score is None:
        out.append("Score pending — run `mockint rescore`" if status == "pending" else "Not scored", style="yellow")
        return out
    out.append(f"Overall {score.overall}/10", style="bold")
    out.append(f" · technical {score.technical} · coverage {score.coverage} · structure {score.structure}"
               f" · communication {score.communication}")
    if score.flags:
        out.append(f" · flags: {', '.join(score.flags)}", style="bold red")
    if score.star:
        out.append("\nSTAR+T  ", style="bold")
        for k in STAR_T:
            ok = score.star.get(k)
            out.append(f"{k.capitalize()} {'✓' if ok else '✗'}  ", style="green" if ok else "red")
    points = {k.id: k.point for k in q.key_points} if q else {}
    for h in score.key_points_hit:
        out.append("\n✓ ", style="green")
        out.append(points.get(h.id, h.id))
        out.append(f"  “{h.quote}”", style="italic dim")
    for m in score.missed_points:
        out.append("\n✗ ", style="red")
        out.append(points.get(m, m), style="dim")
    for s in score.strengths:
        out.append("\n+ ", style="green")
        out.append(s)
    for s in score.improvements:
        out.append("\n→ ", style="yellow")
        out.append(s)
    if ts is not None and ts.wpm:
        out.append(f"\nDelivery: {ts.wpm:.0f} words/min · {ts.fillers_per_min or 0:.1f} fillers/min"
                   f"{' (' + ', '.join(ts.fillers) + ')' if ts.fillers else ''} · {ts.long_pauses} long pauses"
                   f" · {ts.speaking_seconds:.0f} s speaking", style="cyan")
    return out
