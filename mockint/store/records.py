"""The payload of each journal event type, validated on read: a line whose fields have the wrong type is skipped
(and reported), never a traceback further on."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..models import Score, SpeechMetrics, Transcript

# audio paths come from disk and are later opened for replay: only files inside the session's audio/ folder
AudioPath = Annotated[str, Field(pattern=r"^audio/[A-Za-z0-9][A-Za-z0-9._-]{0,80}\.wav$")]
Id = Annotated[str, Field(min_length=1, max_length=200)]


class _Record(BaseModel):
    # newer versions may add fields: ignore them, but the fields we use must have the right type
    model_config = ConfigDict(extra="ignore")


class SessionStarted(_Record):
    session_id: str = ""
    created: str = ""
    title: str = ""
    topics: list[str] = []
    question_ids: list[Id] = []
    backend: str = "offline"
    answers: Literal["spoken", "typed"] = "typed"
    plan: dict[str, Any] = {}


class SessionResumed(_Record):
    remaining: list[str] = []


class QuestionAsked(_Record):
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
    question_id: Id
    turn_id: Id


class AnswerFinished(_Record):
    question_id: Id
    turn_id: Id
    transcript: Transcript = Transcript()
    metrics: SpeechMetrics | None = None
    audio: AudioPath | None = None
    ended_by: str | None = None


class QuestionSkipped(_Record):
    question_id: Id
    topic: str = ""
    attempt: Annotated[int, Field(ge=1, le=99)] = 1


class TurnScored(_Record):
    question_id: Id
    score: Score
    rescored: bool = False
    attempt: Annotated[int, Field(ge=1, le=99)] = 1


class ScorePending(_Record):
    question_id: Id
    reason: str = ""
    attempt: Annotated[int, Field(ge=1, le=99)] = 1


class Notice(_Record):
    text: str = ""
    level: str = "warning"


class RoundFinished(_Record):
    reason: str | None = None


RECORDS: dict[str, type[_Record]] = {
    "session_started": SessionStarted, "session_resumed": SessionResumed, "question_asked": QuestionAsked,
    "answer_started": AnswerStarted, "answer_finished": AnswerFinished, "question_skipped": QuestionSkipped,
    "turn_scored": TurnScored, "score_pending": ScorePending, "notice": Notice, "round_finished": RoundFinished,
}
