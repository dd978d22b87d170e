"""The payload of each journal event type, validated on read: a line whose fields have the wrong type is skipped
(and reported), never a traceback further on."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from ..models import Score, SpeechMetrics, Transcript

# audio paths come from disk and are later opened for replay: only files inside the session's audio/ folder
AudioPath = Annotated[str, Field(pattern=r"^audio/[A-Za-z0-9][A-Za-z0-9._-]{0,80}\.wav$")]
Id = Annotated[str, Field(min_length=1, max_length=200)]


class _Record(BaseModel):
    # newer versions may add fields: ignore them, but the fields we use must have the right type
    model_config = ConfigDict(extra="ignore")

    t: str = ""
    """When the event was written (UTC, ISO 8601)."""


class SessionStarted(_Record):
    type: Literal["session_started"]
    session_id: str = ""
    created: str = ""
    title: str = ""
    topics: list[str] = []
    question_ids: list[Id] = []
    backend: str = "offline"
    answers: Literal["spoken", "typed"] = "typed"
    plan: dict[str, Any] = {}


class SessionResumed(_Record):
    type: Literal["session_resumed"]
    remaining: list[str] = []


class QuestionAsked(_Record):
    type: Literal["question_asked"]
    question_id: Id
    topic: str = ""
    turn_id: Id
    kind: Literal["main", "follow_up"] = "main"
    text: str = ""
    reason: str | None = None
    probes: str | None = None
    audio: AudioPath | None = None
    index: int | None = None
    attempt: Annotated[int, Field(ge=1, le=99)] = 1


class AnswerStarted(_Record):
    type: Literal["answer_started"]
    question_id: Id
    turn_id: Id


class AnswerFinished(_Record):
    type: Literal["answer_finished"]
    question_id: Id
    turn_id: Id
    transcript: Transcript = Transcript()
    metrics: SpeechMetrics | None = None
    audio: AudioPath | None = None
    ended_by: str | None = None


class QuestionSkipped(_Record):
    type: Literal["question_skipped"]
    question_id: Id
    topic: str = ""
    attempt: Annotated[int, Field(ge=1, le=99)] = 1


class TurnScored(_Record):
    type: Literal["turn_scored"]
    question_id: Id
    score: Score
    rescored: bool = False
    attempt: Annotated[int, Field(ge=1, le=99)] = 1


class ScorePending(_Record):
    type: Literal["score_pending"]
    question_id: Id
    reason: str = ""
    attempt: Annotated[int, Field(ge=1, le=99)] = 1


class Notice(_Record):
    type: Literal["notice"]
    text: str = ""
    level: str = "warning"


class RoundFinished(_Record):
    type: Literal["round_finished"]
    reason: str | None = None


RECORDS: dict[str, type[_Record]] = {
    "session_started": SessionStarted, "session_resumed": SessionResumed, "question_asked": QuestionAsked,
    "answer_started": AnswerStarted, "answer_finished": AnswerFinished, "question_skipped": QuestionSkipped,
    "turn_scored": TurnScored, "score_pending": ScorePending, "notice": Notice, "round_finished": RoundFinished,
}


# a whole journal validated in one call (parsing and validation in pydantic-core): linear and fast
# (the union is built from RECORDS at run time, which no static type can spell: the checker sees list[_Record])
_JOURNAL_TYPE: Any = list[Annotated[Union[tuple(RECORDS.values())], Field(discriminator="type")]]  # type: ignore[misc]
JOURNAL: TypeAdapter[list[_Record]] = TypeAdapter(_JOURNAL_TYPE)
