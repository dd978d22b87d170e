"""A Score as display lines: the one source of truth for how a grade reads in the TUI summary and replay, in
report.md and in `mockint score`'s text output (pure; each face only adds its own styling).

Order is what a candidate needs first: the grade, the STAR+T ticks of a story, what they got wrong with the
correction, one line per key point (shown with their words, or missed), then a few tips that say something the
key-point lines do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

from .models import STAR_T, Question, Score, StarT, WrongClaim

LineKind = Literal["flag", "held", "wrong", "hit", "missed", "strength", "tip"]
# the tip that says which rule held the overall down (interview/offline.py): shown right under the grade, since it is
# the reason for the grade, not advice among the others
HELD = "overall held at "
STAR_LABELS = {"situation": "Situation", "task": "Task", "action": "Action", "result": "Result",
               "technical": "Technical"}
FLAG_TEXT = {"empty": "no real answer", "off_topic": "does not answer this question",
             "injection_attempt": "tried to instruct the grader (ignored)"}
# corrections are whole sentences; after "in fact," a leading function word reads better in lower case, while a
# name ("Node", "Redis", "JSON") must keep its capital
_LOWER_OK = {"the", "a", "an", "all", "it", "its", "this", "that", "these", "those", "there", "each", "every", "no",
             "only", "both", "most", "many", "some", "any", "one", "you", "your", "they", "we", "nothing", "none",
             "not", "sockets", "requests", "writes", "reads", "retries", "tokens", "indexes", "caches", "queues"}
# tips that restate a key point, or a STAR+T part, repeat what the ✓/✗ lines already say
_RESTATING = ("covered:", "missed:", "star+t:")


@dataclass(frozen=True)
class ScoreLine:
    """One line of a grade: `text` is the main words, `detail` the candidate's quote or the correction."""

    kind: LineKind
    text: str
    detail: str | None = None


def dimensions(score: Score) -> list[tuple[str, int]]:
    """The five numbers, overall first."""
    return [("overall", score.overall), ("technical", score.technical), ("coverage", score.coverage),
            ("structure", score.structure), ("communication", score.communication)]


def grade_text(score: Score) -> str:
    """'overall 7/10 · technical 6 · coverage 5 · structure 4 · communication 8'."""
    (_, overall), *rest = dimensions(score)
    return f"overall {overall}/10 · " + " · ".join(f"{name} {value}" for name, value in rest)


def star_ticks(star: StarT | None) -> list[tuple[str, bool]]:
    """The five STAR+T parts with whether the story showed each (empty when the score has no STAR+T)."""
    return [] if star is None else [(STAR_LABELS[p], star.get(p)) for p in STAR_T]


def star_text(star: StarT | None) -> str:
    """'Situation ✓ · Task ✓ · Action ✓ · Result ✗ · Technical ✓' (empty when there is no STAR+T)."""
    return " · ".join(f"{label} {'✓' if ok else '✗'}" for label, ok in star_ticks(star))


def in_fact(correction: str) -> str:
    """A correction as the words after "You said …;": 'in fact, …'."""
    text = correction.strip()
    low = text.lower()
    for lead in ("in fact,", "in fact:", "in fact"):
        if low.startswith(lead):
            text = text[len(lead):].strip()
            break
    first = (text.split(" ", 1)[0] if text else "").rstrip(",.;:")
    if first.lower() in _LOWER_OK and (len(first) == 1 or first[1:].islower()):
        text = text[:1].lower() + text[1:]
    return f"in fact, {text}"


def said_text(w: WrongClaim) -> str:
    """'You said “…”' (and that it was taken back later, when it was)."""
    return f"You said “{w.quote}”" + (", then took it back" if w.taken_back else "")


def wrong_claim_text(w: WrongClaim) -> str:
    """'You said “…”; in fact, …' — the form used everywhere a wrong claim is shown."""
    return f"{said_text(w)}; {in_fact(w.correction)}"


def _restates(text: str, points: list[str]) -> bool:
    low = text.lower()
    return low.startswith(_RESTATING) or any(p.lower() in low for p in points if len(p) > 12)


def score_lines(score: Score, q: Question | None, tips: int = 3) -> list[ScoreLine]:
    """Everything a grade says, once each, in reading order (the grade and STAR+T are separate: see above)."""
    names = {k.id: k.point for k in q.key_points} if q else {}
    out = [ScoreLine("flag", FLAG_TEXT.get(f, f)) for f in score.flags]
    out += [ScoreLine("held", s) for s in score.improvements if s.startswith(HELD)][:1]
    out += [ScoreLine("wrong", said_text(w), in_fact(w.correction)) for w in score.wrong_claims]
    hits = {h.id: h for h in score.key_points_hit}
    order = [k.id for k in q.key_points] if q else []
    order += [i for i in list(hits) + score.missed_points if i not in order]
    for kid in order:
        if kid in hits:
            out.append(ScoreLine("hit", names.get(kid, kid), hits[kid].quote))
        elif kid in score.missed_points:
            out.append(ScoreLine("missed", names.get(kid, kid)))
    points = list(names.values())
    out += [ScoreLine("strength", s) for s in score.strengths if not _restates(s, points)][:2]
    out += [ScoreLine("tip", s) for s in score.improvements
            if not _restates(s, points) and not s.startswith(HELD)][:tips]
    return out


MARK = {"flag": "!", "held": "!", "wrong": "✗", "hit": "✓", "missed": "✗", "strength": "+", "tip": "→"}


def plain_line(line: ScoreLine) -> str:
    """One line as plain text (the CLI): '✓ point — “quote”', '✗ You said “…”; in fact, …'."""
    if line.kind == "hit":
        return f"✓ {line.text} — “{line.detail}”"
    if line.kind == "wrong":
        return f"✗ {line.text}; {line.detail}"
    if line.kind == "missed":
        return f"✗ missed: {line.text}"
    if line.kind == "flag":
        return f"! flagged: {line.text}"
    return f"{MARK[line.kind]} {line.text}"


# what an offline grade cannot see, said wherever offline grades are shown: on fresh calibration sets (writers E and
# J) answers whose wrong facts are not among the bank's known mistakes scored like right ones (median 5-6, band 2-4)
OFFLINE_SCOPE = ("Offline grades only catch each question's known mistakes; other wrong facts can pass. "
                 "--backend claude judges every claim.")


def scope_note(backends: Iterable[str]) -> str | None:
    """The note that goes with grades from these backends (None when none of them is offline)."""
    return OFFLINE_SCOPE if "offline" in set(backends) else None


def plain_lines(score: Score, q: Question | None) -> list[str]:
    """A whole grade as plain text lines."""
    out = [grade_text(score) + (f"  [{score.backend}]" if score.backend else "")]
    if score.star is not None:
        out.append("STAR+T: " + star_text(score.star))
    out += ["  " + plain_line(line) for line in score_lines(score, q)]
    return out


def markdown_lines(score: Score, q: Question | None) -> list[str]:
    """A whole grade as Markdown (report.md)."""
    (_, overall), *rest = dimensions(score)
    out = [f"**Score:** overall **{overall}**/10 · " + " · ".join(f"{n} {v}" for n, v in rest)]
    if score.star is not None:
        out.append(f"**STAR+T:** {star_text(score.star)}")
    out.append("")
    for line in score_lines(score, q):
        if line.kind == "wrong":
            out.append(f"- ✗ **{line.text}**; {line.detail}")
        elif line.kind == "flag":
            out.append(f"- ! **flagged:** {line.text}")
        else:
            out.append("- " + plain_line(line))
    return out
