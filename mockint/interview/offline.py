"""The built-in offline interviewer: curated follow-ups on missed key points, rubric scores; no network."""

from __future__ import annotations

from typing import Callable

from ..models import STAR_T, FollowUp, Question, Score, SpeechMetrics
from .interviewer import Exchange, ThreadInput
from .rubric import Analysis, analyze
from .scoring import enforce_invariants, is_empty_answer, strip_injection


def _clamp(x: float) -> int:
    return int(max(0, min(10, round(x))))


def choose_follow_up(thread: ThreadInput) -> FollowUp | None:
    """The curated follow-up on the most important point not yet shown; None to move on."""
    q = thread.question
    asked = thread.follow_ups_asked
    if len(asked) >= thread.max_follow_ups:
        return None
    answer = strip_injection(thread.answer_text)
    if is_empty_answer(answer):
        return None  # nothing to build on: a real interviewer moves to the next question
    a = analyze(q, answer, thread.topic_glossary)
    asked_texts = {e.asked for e in asked}
    unasked = [(i, f) for i, f in enumerate(q.follow_ups) if f.text not in asked_texts]
    weight = {k.id: k.weight for k in q.key_points}
    missed = [(i, f) for i, f in unasked if f.probes not in a.hits]
    if missed:
        i, f = min(missed, key=lambda x: (-weight.get(x[1].probes, 1), x[0]))
        kp = q.key_point(f.probes)
        return FollowUp(text=f.text, probes=f.probes, backend="offline",
                        reason=f"The answer did not show “{kp.point}” (importance {kp.weight}/3).")
    # everything probed was mentioned: dig into an important point that was only named in passing
    shallow = [(i, f) for i, f in unasked if weight.get(f.probes) == 3 and a.depth.get(f.probes, 0) <= 1]
    if shallow and a.coverage < 0.9:
        i, f = shallow[0]
        kp = q.key_point(f.probes)
        return FollowUp(text=f.text, probes=f.probes, backend="offline",
                        reason=f"“{kp.point}” was only mentioned in passing; checking the depth behind it.")
    return None


def communication_score(metrics: list[SpeechMetrics], a: Analysis, budget: float | None) -> tuple[int, list[str], list[str]]:
    """Delivery from speech metrics (spoken) or from length and fillers (typed)."""
    good, bad = [], []
    spoken = [m for m in metrics if m.wpm > 0]
    score = 8.0
    if spoken:
        wpm = sum(m.wpm for m in spoken) / len(spoken)
        fpm = sum(m.fillers_per_min for m in spoken) / len(spoken)
        pauses = sum(len(m.long_pauses) for m in spoken)
        ttfw = [m.time_to_first_word for m in spoken if m.time_to_first_word is not None]
        if 110 <= wpm <= 175:
            score += 1
            good.append(f"steady pace ({wpm:.0f} words per minute)")
        elif wpm > 190:
            score -= min(3, (wpm - 175) / 20)
            bad.append(f"slow down: {wpm:.0f} words per minute is hard to follow (aim for 120–170)")
        elif wpm < 95:
            score -= min(3, (110 - wpm) / 15)
            bad.append(f"pace is slow ({wpm:.0f} words per minute); aim for 120–170")
        if fpm > 3:
            score -= min(4, (fpm - 3) / 2)
            fillers = sorted({f for m in spoken for f in m.fillers})
            bad.append(f"cut the fillers: {fpm:.1f} per minute ({', '.join(fillers)})")
        elif fpm <= 1:
            score += 1
            good.append("almost no filler words")
        if pauses > 2:
            score -= min(2, (pauses - 2) * 0.5)
            bad.append(f"{pauses} long pauses; think in short chunks and signpost ('first…, second…')")
        if ttfw and max(ttfw) > 10:
            score -= 1
            bad.append(f"it took {max(ttfw):.0f} s to start; open with a one-line summary while you think")
    else:
        fillers = sum(m.filler_count for m in metrics)
        if fillers > max(2, a.words / 40):
            score -= 2
            bad.append(f"{fillers} filler words")
    if a.words < 40:
        score -= 4 if a.words < 20 else 2
        bad.append("the answer is too short to show your depth; aim for one to two minutes")
    elif budget and spoken and sum(m.duration for m in spoken) > budget * 1.05:
        score -= 1
        bad.append("went over the time budget; lead with the key point")
    if len(a.reasoning) >= 3:
        score += 1
    return _clamp(score), good, bad


def _structure(q: Question, a: Analysis) -> tuple[int, list[str], list[str]]:
    good, bad = [], []
    if q.kind == "story":
        shown = [k for k in STAR_T if a.star.get(k)]
        score = 2 * len(shown)
        names = {"situation": "Situation", "task": "Task", "action": "Action", "result": "Result with numbers",
                 "technical": "Technical deep-dive"}
        if len(shown) >= 4:
            good.append("clear STAR+T structure")
        for k in STAR_T:
            if not a.star.get(k):
                bad.append(f"STAR+T: add the {names[k]}" + (" (quantify the impact)" if k == "result" else ""))
        return _clamp(score), good, bad
    score = 2 + 1.6 * min(len(a.reasoning), 4) + (1.5 if a.numbers else 0) + 1.5 * min(a.core_coverage * 2, 1)
    if len(a.reasoning) >= 3:
        good.append("reasoned through trade-offs")
    elif a.words >= 40:
        bad.append("explain the why: trade-offs, alternatives, when you would not do it")
    return _clamp(score), good, bad


def score_thread(thread: ThreadInput) -> Score:
    """The offline grade of a thread (before the invariants, which `score` applies)."""
    q = thread.question
    answer = strip_injection(thread.answer_text)
    a = analyze(q, answer, thread.topic_glossary)
    coverage = _clamp(10 * a.coverage ** 0.85 + (0.5 if a.coverage > 0 else 0))
    specificity = min(1.0, len(a.terms) / 5) * 0.6 + min(1.0, a.numbers / 3) * 0.4
    depth = min(1.0, sum(a.depth.values()) / (2.0 * len(q.key_points)))
    technical = _clamp(10 * (0.45 * a.coverage + 0.2 * a.core_coverage + 0.2 * specificity + 0.15 * depth)
                       - 0.5 * max(0, a.buzzwords - 2))
    structure, s_good, s_bad = _structure(q, a)
    budget = float(q.answer_seconds)
    communication, c_good, c_bad = communication_score(thread.metrics, a, budget)
    overall = 0.4 * coverage + 0.3 * technical + 0.15 * structure + 0.15 * communication
    flags = []
    off_topic = a.words >= 25 and a.coverage < 0.2 and a.relevance < 0.3
    if off_topic:
        flags.append("off_topic")
        overall = min(overall, 2)
    elif a.coverage < 0.15:
        overall = min(overall, 3)
    if a.buzzwords >= 3 and a.coverage < 0.35:
        overall -= 1
    strengths = [f"covered: {q.key_point(k).point}" for k in list(a.hits)[:3]]
    strengths += s_good + c_good
    if a.terms:
        strengths.append("used precise terms: " + ", ".join(a.terms[:5]))
    missed = sorted((k for k in q.key_points if k.id not in a.hits), key=lambda k: -k.weight)
    improvements = [f"missed: {k.point}" for k in missed[:3]]
    if off_topic:
        improvements.insert(0, "the answer does not address this question; restate the question before answering")
    if a.buzzwords >= 3:
        improvements.append("replace buzzwords (scalable, robust, best practices) with specifics: tools, numbers, trade-offs")
    if not a.numbers and q.kind != "technical":
        improvements.append("add concrete numbers (latency, throughput, cost, percentages)")
    improvements += s_bad + c_bad
    return Score(overall=_clamp(overall), technical=technical, coverage=coverage, structure=structure,
                 communication=communication, flags=flags, key_points_hit=list(a.hits.values()),
                 missed_points=[k.id for k in missed], star=a.star if q.kind == "story" else None,
                 strengths=strengths[:6], improvements=improvements[:6], backend="offline")


def score_answer_text(thread: ThreadInput, text: str) -> Score:
    """The offline grade of `text` as this thread's whole answer, keeping every exchange's speech metrics."""
    exchanges = tuple(Exchange(e.kind, e.asked, text if i == 0 else "", e.metrics, e.probes)
                      for i, e in enumerate(thread.exchanges)) or (Exchange("main", thread.question.prompt, text),)
    return score_thread(ThreadInput(thread.question, exchanges, thread.topic_glossary, thread.max_follow_ups))


def final_score(thread: ThreadInput) -> Score:
    """Offline score with the invariants applied (what gets journaled)."""
    raw = score_thread(thread)
    return enforce_invariants(raw, thread.question, thread.answer_text)


class OfflineInterviewer:
    """Interviewer and Scorer with no network and no key."""

    name = "offline"

    async def follow_up(self, thread: ThreadInput, on_sentence: Callable[[str], None] | None = None) -> FollowUp | None:
        fu = choose_follow_up(thread)
        if fu is not None and on_sentence is not None:
            on_sentence(fu.text)
        return fu

    async def score(self, thread: ThreadInput) -> Score:
        return final_score(thread)
