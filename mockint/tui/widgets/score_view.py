"""One question thread's grade as Rich text: the lines of mockint.score_lines with the TUI's colours."""

from __future__ import annotations

from rich.text import Text

from ...models import Question, Score, ThreadSummary
from ...score_lines import dimensions, score_lines, star_ticks
from ...text import counted

STYLE = {"flag": ("! ", "bold red"), "held": ("! ", "bold yellow"), "wrong": ("✗ ", "bold red"),
         "hit": ("✓ ", "green"), "missed": ("✗ ", "red"), "strength": ("+ ", "green"), "tip": ("→ ", "yellow")}


def grade(score: Score) -> Text:
    """'7/10 · technical 6 · coverage 5 · structure 4 · communication 8' with the overall in bold."""
    (_, overall), *rest = dimensions(score)
    out = Text(f"{overall}/10", style="bold")
    out.append(" · " + " · ".join(f"{name} {value}" for name, value in rest), style="dim")
    return out


def star(score: Score) -> Text:
    """The five STAR+T ticks of a story."""
    out = Text("STAR+T  ", style="bold")
    for label, ok in star_ticks(score.star):
        out.append(f"{'✓' if ok else '✗'} {label}  ", style="green" if ok else "red")
    return out


def delivery(ts: ThreadSummary | None) -> Text | None:
    if ts is None or not ts.wpm:
        return None
    return Text(f"Delivery: {ts.wpm:.0f} words/min · {ts.fillers_per_min or 0:.1f} fillers/min"
                f"{' (' + ', '.join(ts.fillers) + ')' if ts.fillers else ''} · {counted(ts.long_pauses, 'long pause')}"
                f" · {ts.speaking_seconds:.0f} s answering", style="cyan")


def score_text(score: Score | None, status: str, q: Question | None, ts: ThreadSummary | None = None,
               head: bool = True) -> Text:
    """The whole grade: numbers, STAR+T, wrong claims with corrections, one line per key point, tips, delivery."""
    out = Text()
    if score is None:
        out.append("Score pending — run `mockint rescore`" if status == "pending" else "Not scored", style="yellow")
        return out
    parts: list[Text] = []
    if head:
        parts.append(Text("Score ", style="bold yellow") + grade(score))
    if score.star is not None:
        parts.append(star(score))
    for line in score_lines(score, q):
        mark, style = STYLE[line.kind]
        t = Text(mark, style=style)
        if line.kind == "wrong":
            t.append(line.text, style="bold")
            t.append(f"; {line.detail}")
        elif line.kind == "hit":
            t.append(line.text)
            t.append(f" — “{line.detail}”", style="italic dim")
        elif line.kind == "missed":
            t.append(line.text, style="dim")
        else:
            t.append(line.text)
        parts.append(t)
    d = delivery(ts)
    if d is not None:
        parts.append(d)
    return Text("\n").join(parts)
