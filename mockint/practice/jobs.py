"""Practice for a job: a job description split into requirements, each mapped to the bank's questions by meaning.

A requirement is a bullet or a sentence of the description (sections about pay, perks, the company or how to apply
are left out). Each one is compared with every question's *anchors* — its prompt, its key points and its topic's
description — with the same local sentence embeddings the offline judge uses (all-MiniLM-L6-v2), plus a small bonus
when the requirement names a term of the question's glossary (a cheap extra signal, never the judge). A requirement
is *covered* by the questions close enough to train it, *partly* covered by ones that touch on it, and a *gap* when
nothing in the bank does: that is what `--draft-questions` asks Claude to fill.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Sequence

import numpy as np
from pydantic import BaseModel

from ..errors import MockintError
from ..interview.claims import split_claims
from ..text import find_phrase, tokenize

if TYPE_CHECKING:
    from ..bank import Bank
    from ..embeddings import Embedder, VectorCache

MAX_BYTES = 200_000      # a job description is a page or two; anything bigger is not one
MAX_REQUIREMENTS = 60
MIN_WORDS = 4            # "Node.js" or "Remote" alone is not a requirement to map

# Similarity of a requirement to a question (see `question_similarity`), set on the sample descriptions in
# tests/data/jobs against the bank: requirements a question was written for score 0.42-0.72 (median 0.55), ones the
# bank has nothing for 0.23-0.45 (median 0.32). 0.47 covers 13 of 17 such pairs and no requirement without one;
# 0.40 ("partly") catches most of the rest, and the two unrelated requirements that land there are honestly "near".
TRAINS = 0.47
TOUCHES = 0.40
GLOSSARY_BONUS = 0.05
SHOW = 3                 # questions listed per requirement

Status = Literal["covered", "partial", "gap"]
Priority = Literal["required", "nice"]

_SKIP_SECTION = re.compile(
    r"\b(benefits?|perks|we offer|what you get|compensation|salary|salaries|pay and|how to apply|apply|"
    r"equal opportunit\w*|eeo|diversity|inclusion|our values|culture|who we are|about us|about the company|"
    r"interview process|hiring process|logistics of|location|the company)\b", re.IGNORECASE)
_NICE_SECTION = re.compile(r"\b(nice[- ]to[- ]have|bonus|preferred|plus(es)?|desirable|optional|extra credit)\b",
                           re.IGNORECASE)
_SKIP_SENTENCE = re.compile(
    r"\b(we offer|salary|equity|holiday|vacation|paid time off|pto|equal opportunity|how to apply|send us|"
    r"apply now|benefits|remote-first company|health insurance|visa sponsorship)\b", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*+•·▪‣◦]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_SETEXT = re.compile(r"^\s*(=+|-+)\s*$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


class JobError(MockintError):
    """A job description that cannot be used; the message says why."""


def _inline(text: str) -> str:
    """Markdown inline markup removed: links keep their text, emphasis and code marks go."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]{1,200}>", " ", text)
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"(?<!\w)[*_](\S[^*_]*?)[*_](?!\w)", r"\1", text)
    return " ".join(text.split())


def read_job(path: Path) -> str:
    """The text of a job description file, or JobError saying what is wrong with it."""
    try:
        if path.is_dir():
            raise JobError(f"{path} is a folder; give the job description file (text or Markdown)")
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise JobError(f"{path}: no such file") from None
    except OSError as e:
        raise JobError(f"{path}: cannot read: {e.strerror or e}") from None
    if len(raw) > MAX_BYTES:
        raise JobError(f"{path} is over {MAX_BYTES // 1000} kB: that is not a job description "
                       "(save the posting's text as a .md or .txt file)")
    if b"\0" in raw:
        raise JobError(f"{path} is a binary file; save the job description as plain text or Markdown")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise JobError(f"{path}: not UTF-8 text (byte {e.start}); save it as UTF-8 text or Markdown") from None
    if not text.strip():
        raise JobError(f"{path} is empty")
    return text


class Requirement(BaseModel):
    """One thing the job asks for."""

    text: str
    section: str = ""
    priority: Priority = "required"


def split_requirements(text: str) -> list[Requirement]:
    """Bullets and sentences of the description, under the section they appear in; sections about pay, perks, the
    company or applying are left out, and so are sentences too short to be a requirement."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    items: list[tuple[str, str, bool, bool]] = []  # (text, section, is a bullet, in the opening paragraphs)
    section = ""
    headings = 0
    title_first = False  # the document starts with a heading: its title, not a section
    seen_text = False
    para: list[str] = []
    bullet: list[str] | None = None
    in_fence = False

    def flush() -> None:
        nonlocal bullet, para
        intro = headings == 0 or (headings == 1 and title_first)
        if bullet is not None:
            items.append((" ".join(bullet), section, True, intro))
            bullet = None
        if para:
            for sentence in _SENTENCE.split(" ".join(para)):
                items.append((sentence, section, False, intro))
            para = []

    def heading(text: str) -> None:
        nonlocal section, headings, title_first
        flush()
        if headings == 0 and not seen_text:
            title_first = True
        headings += 1
        section = text

    for i, raw in enumerate(lines):
        line = raw.rstrip()
        if line.strip().startswith("```"):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _SETEXT.match(nxt) and line.strip() and not _BULLET.match(line):
            heading(_inline(line))
            continue
        if _SETEXT.match(line):
            continue
        if _HEADING.match(line):
            heading(_inline(_HEADING.sub("", line)))
            continue
        stripped = _inline(line)
        if not stripped:
            flush()
            continue
        # "Requirements:" or "**What you'll do**" alone on a line is a heading too
        bold = re.fullmatch(r"\s*(\*\*|__)(.+?)(\*\*|__)\s*:?\s*", line)
        if (stripped.endswith(":") and len(stripped.split()) <= 6) or (bold and len(stripped.split()) <= 8):
            heading(stripped.rstrip(":"))
            continue
        seen_text = True
        m = _BULLET.match(line)
        if m:
            flush()
            bullet = [_inline(line[m.end():])]
            continue
        if bullet is not None and raw[:1].isspace():
            bullet.append(stripped)  # a wrapped bullet
            continue
        if bullet is not None:
            flush()
        # "About us: we are ..." and "Nice to have: Rust, PCI DSS" start their own little section
        lead = re.match(r"^([A-Z][\w ']{2,30}):\s+(.*)$", stripped)
        if lead and (_SKIP_SECTION.search(lead.group(1)) or _NICE_SECTION.search(lead.group(1))):
            heading(lead.group(1))
            para.append(lead.group(2))
            continue
        para.append(stripped)
    flush()

    # with bullets in the description, its opening paragraphs introduce the company and the team: not requirements
    has_bullets = any(is_bullet for _, _, is_bullet, _ in items)
    out: list[Requirement] = []
    seen: set[str] = set()
    for text_, sec, is_bullet, intro in items:
        if has_bullets and intro and not is_bullet:
            continue
        t = text_.strip().rstrip(";,").strip()
        if sec and _SKIP_SECTION.search(sec) and not _NICE_SECTION.search(sec):
            continue
        if len(t.split()) < MIN_WORDS or _SKIP_SENTENCE.search(t):
            continue
        key = t.lower()
        if key in seen:
            continue
        seen.add(key)
        out.append(Requirement(text=t, section=sec, priority="nice" if _NICE_SECTION.search(sec) else "required"))
    return out


class QuestionMatch(BaseModel):
    question_id: str
    topic: str
    similarity: float


class RequirementCoverage(BaseModel):
    """A requirement and the questions that train it."""

    requirement: Requirement
    status: Status
    best: float
    matches: list[QuestionMatch] = []


class TopicWeight(BaseModel):
    topic: str
    name: str
    requirements: int


class JobCoverage(BaseModel):
    """What a job asks for, which questions train it, and what the bank lacks."""

    source: str
    title: str = ""
    requirements: list[RequirementCoverage] = []
    topics: list[TopicWeight] = []
    dropped: int = 0
    """Requirements beyond MAX_REQUIREMENTS that were not mapped."""

    @property
    def covered(self) -> list[RequirementCoverage]:
        return [r for r in self.requirements if r.status == "covered"]

    @property
    def partial(self) -> list[RequirementCoverage]:
        return [r for r in self.requirements if r.status == "partial"]

    @property
    def gaps(self) -> list[RequirementCoverage]:
        return [r for r in self.requirements if r.status == "gap"]


@dataclass
class _Anchors:
    texts: list[str]
    owner: list[int]   # index of the question each anchor belongs to
    prompt: list[bool]  # the question's prompt (else one of its key points or reference sentences)


def _anchors(bank: "Bank") -> _Anchors:
    texts: list[str] = []
    owner: list[int] = []
    prompt: list[bool] = []
    for i, q in enumerate(bank.questions):
        details = [k.point for k in q.key_points]
        details += [c.text for c in split_claims(q.reference_answer) if c.words >= 4]
        texts += [q.prompt, *details]
        owner += [i] * (1 + len(details))
        prompt += [True] + [False] * len(details)
    return _Anchors(texts, owner, prompt)


def question_similarity(sims: np.ndarray, anchors: _Anchors, n_questions: int) -> np.ndarray:
    """requirements x questions: half the prompt's similarity, half the mean of the two closest details (key points,
    reference sentences). The prompt alone ranks best but sits low in absolute terms; one detail alone lets a single
    lucky sentence win; the mix ranked the intended question first for 16 of 17 requirements of the sample jobs."""
    owner = np.array(anchors.owner)
    is_prompt = np.array(anchors.prompt)
    out = np.full((sims.shape[0], n_questions), -1.0, dtype=np.float32)
    for qi in range(n_questions):
        mine = owner == qi
        p_cols = np.flatnonzero(mine & is_prompt)
        d_cols = np.flatnonzero(mine & ~is_prompt)
        if not p_cols.size:
            continue
        p = sims[:, p_cols].max(axis=1)
        if d_cols.size:
            d = np.sort(sims[:, d_cols], axis=1)[:, -2:].mean(axis=1)
            out[:, qi] = 0.5 * p + 0.5 * d
        else:
            out[:, qi] = p
    return out


def _title(text: str) -> str:
    for line in text.splitlines():
        t = _inline(_HEADING.sub("", line)).strip()
        if t:
            return t[:120]
    return ""


def map_job(text: str, bank: "Bank", embedder: "Embedder", cache: "VectorCache | None" = None,
            source: str = "") -> JobCoverage:
    """Map each requirement of a job description to the bank's questions (JobError when none can be found)."""
    reqs = split_requirements(text)
    if not reqs:
        raise JobError(f"{source or 'the job description'}: no requirements found (expected bullets or sentences "
                       f"of at least {MIN_WORDS} words saying what the job asks for)")
    dropped = max(0, len(reqs) - MAX_REQUIREMENTS)
    reqs = reqs[:MAX_REQUIREMENTS]
    anchors = _anchors(bank)
    # the same texts, split the same way, as the judge's anchors: their vectors are already in its "bank" cache
    a_vecs = cache.vectors("bank", anchors.texts) if cache is not None else embedder.embed(anchors.texts)
    r_vecs = embedder.embed([r.text for r in reqs])
    nq = len(bank.questions)
    per_q = question_similarity(r_vecs @ a_vecs.T, anchors, nq)
    terms = [[t for t in bank.glossary(q) if len(t) >= 3] for q in bank.questions]
    for ri, r in enumerate(reqs):
        toks = tokenize(r.text)
        for qi in range(nq):
            if any(find_phrase(toks, t) for t in terms[qi]):
                per_q[ri, qi] += GLOSSARY_BONUS
    out: list[RequirementCoverage] = []
    for ri, r in enumerate(reqs):
        order = np.argsort(-per_q[ri])
        best = float(per_q[ri, order[0]]) if nq else 0.0
        matches = [QuestionMatch(question_id=bank.questions[qi].id, topic=bank.questions[qi].topic,
                                 similarity=round(float(per_q[ri, qi]), 2))
                   for qi in order[:SHOW] if per_q[ri, qi] >= TOUCHES]
        status: Status = "covered" if best >= TRAINS else "partial" if best >= TOUCHES else "gap"
        out.append(RequirementCoverage(requirement=r, status=status, best=round(best, 2), matches=matches))
    counts: dict[str, int] = {}
    for rc in out:
        for t in dict.fromkeys(m.topic for m in rc.matches if m.similarity >= TRAINS):
            counts[t] = counts.get(t, 0) + 1
    topics = [TopicWeight(topic=t, name=bank.topic_name(t), requirements=n)
              for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return JobCoverage(source=source, title=_title(text), requirements=out, topics=topics, dropped=dropped)


def job_round(coverage: JobCoverage, n: int, seed: int | None = None,
              allowed: Sequence[str] | None = None) -> list[str]:
    """Up to `n` question ids weighted toward the job: requirements in turn (required before nice-to-have, best
    covered first), each contributing one of the questions that train it, drawn in proportion to how closely they
    match, so a round spans the job instead of drilling one requirement."""
    rng = random.Random(seed)
    ok = None if allowed is None else set(allowed)
    queues: list[list[QuestionMatch]] = []
    reqs = sorted((r for r in coverage.requirements if r.status != "gap"),
                  key=lambda r: (r.requirement.priority != "required", r.status != "covered", -r.best))
    for r in reqs:
        queues.append([m for m in r.matches if ok is None or m.question_id in ok])
    chosen: list[str] = []
    while len(chosen) < n and any(queues):
        for q in queues:
            options = [m for m in q if m.question_id not in chosen]
            q[:] = options
            if not options:
                continue
            # closer matches are likelier; the weight doubles every 0.1 of similarity above TOUCHES
            weights = [2 ** ((m.similarity - TOUCHES) * 10) for m in options]
            pick = rng.choices(options, weights=weights)[0]
            chosen.append(pick.question_id)
            q.remove(pick)
            if len(chosen) >= n:
                break
    return chosen
