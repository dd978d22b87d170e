"""Pydantic models shared by every part: bank, transcripts, metrics, scores, turns, summaries."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Kind = Literal["technical", "design", "story"]
Flag = Literal["empty", "off_topic", "injection_attempt"]
KEBAB = r"^[a-z0-9]+(-[a-z0-9]+)*$"
STAR_T = ("situation", "task", "action", "result", "technical")
DIMENSIONS = ("overall", "technical", "coverage", "structure", "communication")


class Strict(BaseModel):
    """Base for on-disk records: unknown fields are errors, so typos in a bank are caught."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class KeyPoint(Strict):
    """One thing a strong answer shows, with the spoken phrases that show it."""

    id: Annotated[str, Field(pattern=KEBAB)]
    point: Annotated[str, Field(min_length=3)]
    weight: Annotated[int, Field(ge=1, le=3)] = 2
    phrases: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1, max_length=16)]
    examples: Annotated[list[Annotated[str, Field(min_length=10, max_length=400)]], Field(max_length=5)] = []
    """Sentences a candidate who shows the point might say (at least one in plain words): evidence by meaning."""

    @field_validator("phrases")
    @classmethod
    def _lowercase(cls, phrases: list[str]) -> list[str]:
        bad = [p for p in phrases if p != p.lower()]
        if bad:
            raise ValueError(f"phrases must be lowercase: {bad[:3]}")
        return phrases


class FollowUpSpec(Strict):
    """A curated deep-dive question tied to the key point it probes."""

    probes: str
    text: Annotated[str, Field(min_length=5)]


class Misconception(Strict):
    """A wrong statement a candidate might make about a question, and what is true instead."""

    id: Annotated[str, Field(pattern=KEBAB)]
    claim: Annotated[str, Field(min_length=10, max_length=400)]
    examples: Annotated[list[Annotated[str, Field(min_length=5, max_length=400)]], Field(max_length=5)] = []
    """Other ways a candidate might say the wrong claim out loud."""
    correct_examples: Annotated[list[Annotated[str, Field(min_length=5, max_length=400)]], Field(max_length=5)] = []
    """What a candidate who gets it right says about the same thing (the near neighbours a judge must tell apart)."""
    correction: Annotated[str, Field(min_length=10, max_length=600)]
    contradicts: str | None = None
    """The key point this claim denies, if any (a candidate who says it has not shown that point)."""
    swap: Annotated[list[Annotated[str, Field(min_length=2, max_length=40)]], Field(min_length=2, max_length=2)] \
        | None = None
    """The two terms this mistake exchanges (["session", "transaction"]): a sentence says almost the same words either
    way, so the judge checks which term it says them of."""

    @model_validator(mode="after")
    def _swap_terms_said(self) -> "Misconception":
        if self.swap is not None:
            a, b = (t.lower() for t in self.swap)
            if a == b:
                raise ValueError("swap needs two different terms")
            said = " ".join([self.claim, *self.examples]).lower()
            if not any(re.search(rf"(?<![\w-]){re.escape(t)}s?(?![\w-])", said) for t in (a, b)):
                raise ValueError(f"neither swap term ({a!r}, {b!r}) is in the claim or its examples")
        return self


class Question(Strict):
    """One main interview question with its rubric."""

    id: Annotated[str, Field(pattern=KEBAB)]
    topic: Annotated[str, Field(pattern=KEBAB)]
    kind: Kind
    difficulty: Annotated[int, Field(ge=1, le=5)]
    answer_seconds: Annotated[int, Field(ge=30, le=600)]
    prompt: Annotated[str, Field(min_length=10)]
    glossary: Annotated[list[str], Field(max_length=15)] = []
    reference_answer: Annotated[str, Field(min_length=20)]
    key_points: Annotated[list[KeyPoint], Field(min_length=4, max_length=8)]
    follow_ups: Annotated[list[FollowUpSpec], Field(min_length=2, max_length=4)]
    misconceptions: Annotated[list[Misconception], Field(max_length=12)] = []

    @field_validator("prompt")
    @classmethod
    def _prompt_short(cls, v: str) -> str:
        if len(v.split()) > 45:
            raise ValueError(f"prompt has {len(v.split())} words; at most 45 (it is spoken aloud)")
        return v

    @field_validator("reference_answer")
    @classmethod
    def _reference_short(cls, v: str) -> str:
        if len(v.split()) > 180:
            raise ValueError(f"reference_answer has {len(v.split())} words; at most 180")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> "Question":
        ids = [k.id for k in self.key_points]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate key point ids: {', '.join(dupes)}")
        for f in self.follow_ups:
            if f.probes not in ids:
                raise ValueError(
                    f"follow-up probes unknown key point {f.probes!r}; expected one of: {', '.join(ids)}"
                )
        mids = [m.id for m in self.misconceptions]
        mdupes = sorted({i for i in mids if mids.count(i) > 1})
        if mdupes:
            raise ValueError(f"duplicate misconception ids: {', '.join(mdupes)}")
        for m in self.misconceptions:
            if m.contradicts is not None and m.contradicts not in ids:
                raise ValueError(f"misconception {m.id!r} contradicts unknown key point {m.contradicts!r}; "
                                 f"expected one of: {', '.join(ids)}")
        return self

    def key_point(self, kp_id: str) -> KeyPoint | None:
        return next((k for k in self.key_points if k.id == kp_id), None)

    def misconception(self, m_id: str) -> Misconception | None:
        return next((m for m in self.misconceptions if m.id == m_id), None)


class Topic(Strict):
    """A topic header: one per bank file."""

    id: Annotated[str, Field(pattern=KEBAB)]
    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    glossary: Annotated[list[str], Field(max_length=40)] = []


class Word(BaseModel):
    """One recognised word with its timing (seconds from the start of the answer)."""

    word: str
    start: float
    end: float
    probability: float = 1.0


class Transcript(BaseModel):
    """What the candidate said in one answer."""

    text: str = ""
    words: list[Word] = []
    duration: float = 0.0
    model: str = ""
    typed: bool = False


class Pause(BaseModel):
    """A silence longer than the threshold inside an answer."""

    at: float
    seconds: float


class SpeechMetrics(BaseModel):
    """Delivery measures computed from word timestamps."""

    wpm: float = 0.0
    word_count: int = 0
    filler_count: int = 0
    fillers_per_min: float = 0.0
    fillers: list[str] = []
    long_pauses: list[Pause] = []
    time_to_first_word: float | None = None
    duration: float = 0.0
    budget: float | None = None

    def headline(self, sep: str = " · ") -> str:
        """"41 s · 168 wpm · 1 filler", as every face shows an answer's delivery (the word count without timing)."""
        from .text import counted

        if not self.wpm:
            return counted(self.word_count, "word")
        return sep.join((f"{self.duration:.0f} s", f"{self.wpm:.0f} wpm", counted(self.filler_count, "filler")))


class KeyPointHit(BaseModel):
    """A rubric key point the answer showed, with the candidate's words that show it."""

    id: str
    quote: str


class WrongClaim(BaseModel):
    """Something the candidate asserted that is wrong: their words and what is true instead."""

    quote: str
    """The candidate's words, verbatim from the transcript."""
    correction: str
    """What is true instead, addressed to the candidate ("in fact, ...")."""
    misconception: str | None = None
    """The id of the bank's misconception it matches, when it matches one."""
    taken_back: bool = False
    """The candidate took it back in a later answer of the same thread (asked about it, they made the point it
    denies): still shown, as said, but it no longer caps the grade or hides that point."""


class StarT(BaseModel):
    """Which STAR+T parts a story showed with real content."""

    situation: bool = False
    task: bool = False
    action: bool = False
    result: bool = False
    """A quantified outcome of the candidate's action, not just the word "result"."""
    technical: bool = False

    def get(self, part: str, default: bool = False) -> bool:
        return bool(getattr(self, part, default))

    def shown(self) -> list[str]:
        return [p for p in STAR_T if getattr(self, p)]


_SCORE = Annotated[int, Field(ge=0, le=10, strict=True)]


class Score(BaseModel):
    """The grade of one question thread (main answer plus follow-ups); evidence first, numbers last."""

    model_config = ConfigDict(extra="ignore")

    key_points_hit: list[KeyPointHit] = []
    wrong_claims: list[WrongClaim] = []
    missed_points: list[str] = []
    star: StarT | None = None
    flags: list[Flag] = []
    strengths: list[str] = []
    improvements: list[str] = []
    technical: _SCORE
    coverage: _SCORE
    structure: _SCORE
    communication: _SCORE
    overall: _SCORE
    backend: str = ""

    @field_validator("star", mode="before")
    @classmethod
    def _star_from_dict(cls, v: object) -> object:
        # sessions written before STAR+T was a typed object stored it as {"situation": true, ...}
        if isinstance(v, dict):
            unknown = set(v) - set(STAR_T)
            if unknown:
                raise ValueError(f"star keys must be among {STAR_T}")
            if not v:
                return None
        return v


class FollowUp(BaseModel):
    """A follow-up the interviewer decided to ask, and why."""

    text: str
    reason: str
    probes: str | None = None
    backend: str = ""


class Turn(BaseModel):
    """One ask and its answer inside a question thread."""

    turn_id: str
    kind: Literal["main", "follow_up"]
    text: str
    reason: str | None = None
    probes: str | None = None
    question_audio: str | None = None
    answer_audio: str | None = None
    transcript: Transcript | None = None
    metrics: SpeechMetrics | None = None
    ended_by: str | None = None

    @property
    def answered(self) -> bool:
        return self.transcript is not None


class Thread(BaseModel):
    """A main question, its follow-ups, and the score of the whole exchange: one attempt at the question."""

    question_id: str
    topic: str
    index: int
    attempt: int = 1
    """1 for the question as first asked; 2, 3... for each "try again" in the same session."""
    turns: list[Turn] = []
    score: Score | None = None
    score_status: Literal["none", "pending", "scored"] = "none"
    skipped: bool = False
    answered_at: str = ""
    """When the main answer was finished (UTC, from the journal): the review time of spaced repetition."""

    def answer_text(self) -> str:
        return "\n".join(t.transcript.text for t in self.turns if t.transcript and t.transcript.text)

    @property
    def speaking_seconds(self) -> float:
        return sum(t.metrics.duration for t in self.turns if t.metrics)


def slugify(text: str, limit: int = 32) -> str:
    """A short, filesystem-safe slug."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "round"


class SessionMeta(BaseModel):
    """What a session set out to do (the first journal event)."""

    session_id: str
    created: str = ""
    title: str = ""
    topics: list[str] = []
    question_ids: list[str] = []
    backend: str = "offline"
    answers: Literal["spoken", "typed"] = "typed"
    plan: dict = {}


class TopicScore(BaseModel):
    """Mean scores of one topic over the scored threads that count."""

    topic: str
    name: str = ""
    threads: int = 0
    scored: int = 0
    overall: float | None = None
    technical: float | None = None
    coverage: float | None = None
    structure: float | None = None
    communication: float | None = None
    missed_points: list[str] = []


class ThreadSummary(BaseModel):
    """One question thread (one attempt) in a summary."""

    question_id: str
    topic: str
    prompt: str
    attempt: int = 1
    score: Score | None = None
    score_status: str = "none"
    skipped: bool = False
    follow_ups: int = 0
    speaking_seconds: float = 0.0
    wpm: float | None = None
    fillers_per_min: float | None = None
    fillers: list[str] = []
    long_pauses: int = 0


class AttemptResult(BaseModel):
    """One attempt at a question, against the attempt before it."""

    attempt: int
    score_status: str = "none"
    overall: int | None = None
    technical: int | None = None
    coverage: int | None = None
    structure: int | None = None
    communication: int | None = None
    key_points: list[str] = []
    new_points: list[str] = []
    """Key points this attempt showed that the previous one did not."""
    lost_points: list[str] = []
    wrong_claims: list[str] = []
    """The quotes of this attempt's wrong claims."""
    fixed_claims: list[str] = []
    """Wrong claims of the previous attempt (quotes) that this attempt did not repeat."""
    words: int = 0
    wpm: float | None = None
    fillers_per_min: float | None = None
    speaking_seconds: float = 0.0


class AttemptsCompared(BaseModel):
    """Every attempt at one question in a session, side by side (only for questions tried more than once)."""

    question_id: str
    topic: str
    prompt: str = ""
    attempts: list[AttemptResult] = []


class Summary(BaseModel):
    """End-of-round results; a cache that can always be rebuilt from the journal.

    `overall` and `topics` grade each question's first attempt (the round as an interviewer would have seen it);
    later attempts are practice, compared side by side in `attempts`."""

    session_id: str
    status: Literal["complete", "interrupted"]
    finished_reason: str | None = None
    created: str = ""
    backend: str = ""
    overall: float | None = None
    threads: list[ThreadSummary] = []
    topics: list[TopicScore] = []
    speaking_seconds: float = 0.0
    wpm: float | None = None
    fillers_per_min: float | None = None
    attempts: list[AttemptsCompared] = []
