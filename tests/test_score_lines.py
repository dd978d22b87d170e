"""How a score reads: one line per key point, wrong claims with corrections, STAR+T, no repeated tips — the same
lines in report.md, `mockint score` and the TUI."""

from __future__ import annotations

from mockint.models import KeyPointHit, Score, StarT, WrongClaim
from mockint.score_lines import OFFLINE_SCOPE, in_fact, markdown_lines, plain_lines, score_lines, scope_note, star_text


def make_score(q, **kw) -> Score:
    ids = [k.id for k in q.key_points]
    base = dict(technical=4, coverage=5, structure=6, communication=7, overall=5,
                key_points_hit=[KeyPointHit(id=ids[1], quote="the loop goes through timers")],
                missed_points=[i for i in ids if i != ids[1]],
                strengths=[f"covered: {q.key_points[1].point}", "reasoned through trade-offs"],
                improvements=[f"missed: {q.key_points[0].point}", "cut the fillers: 6.0 per minute (um)"])
    return Score(**{**base, **kw})


def test_each_key_point_once_in_rubric_order_with_its_quote(bank):
    q = bank.question("node-event-loop-phases")
    lines = score_lines(make_score(q), q)
    points = [ln for ln in lines if ln.kind in ("hit", "missed")]
    assert [ln.text for ln in points] == [k.point for k in q.key_points]
    assert points[1].kind == "hit" and points[1].detail == "the loop goes through timers"
    assert all(ln.kind == "missed" for ln in points if ln is not points[1])
    # the tips that restate a key point are gone; the others stay
    assert [ln.text for ln in lines if ln.kind in ("strength", "tip")] == [
        "reasoned through trade-offs", "cut the fillers: 6.0 per minute (um)"]


def test_wrong_claims_come_first_with_their_correction(bank):
    q = bank.question("node-event-loop-phases")
    m = q.misconception("thread-per-request")
    s = make_score(q, wrong_claims=[WrongClaim(quote="each request runs on its own thread", correction=m.correction,
                                               misconception=m.id)])
    first = score_lines(s, q)[0]
    assert first.kind == "wrong" and first.text == "You said “each request runs on its own thread”"
    assert first.detail == "in fact, all of a process's JavaScript runs on one main thread, and the event loop " \
                           "interleaves requests by running their callbacks as I/O completes. That is why one slow " \
                           "synchronous handler delays every other request."
    text = "\n".join(plain_lines(s, q))
    assert "✗ You said “each request runs on its own thread”; in fact, all of a process's" in text
    assert "- ✗ **You said “each request runs on its own thread”**; in fact, all of" in "\n".join(markdown_lines(s, q))


def test_in_fact_keeps_names_capitalised_and_does_not_double():
    assert in_fact("Node empties the queues first.") == "in fact, Node empties the queues first."
    assert in_fact("In fact, the pool has four threads.") == "in fact, the pool has four threads."
    assert in_fact("JSON is text.") == "in fact, JSON is text."


def test_star_t_five_ticks():
    assert star_text(StarT(situation=True, task=True, action=True, result=False, technical=True)) == \
        "Situation ✓ · Task ✓ · Action ✓ · Result ✗ · Technical ✓"
    assert star_text(None) == ""


def test_cli_score_prints_the_same_lines(main, bank):
    q = bank.question("node-event-loop-phases")
    r = main("score", "--question", q.id, "--backend", "offline", "--answer",
             "JavaScript runs on one main thread. The loop has phases: timers, poll where it waits for I/O, then check "
             "for setImmediate, and nextTick runs before promise callbacks after each callback.")
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[0].startswith("overall ") and "[offline]" in out[0]
    marks = [ln.strip()[:1] for ln in out[1:] if ln.strip()[:1] in "✓✗"]
    assert len(marks) >= len(q.key_points)  # one line per key point (plus any wrong claims)
    assert not any(ln.strip().startswith(("+ covered", "→ missed")) for ln in out)  # said once, not three times


def test_what_an_offline_grade_cannot_see_is_said_once_offline_grades_are_shown():
    assert scope_note(["claude", "offline"]) == OFFLINE_SCOPE  # one thread fell back to the offline judge
    assert scope_note(["claude"]) is None and scope_note([]) is None
