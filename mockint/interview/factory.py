"""Build an Interview from settings: plan (new, resumed or chosen questions), interviewer panel, speech kit."""

from __future__ import annotations

from typing import Any, Callable

from ..bank import Bank
from ..config import Settings
from ..errors import MockintError
from ..store.sessions import SessionStore
from .backends import build_panel
from .engine import Interview, check_resumable
from .plan import make_plan
from .voice import SpeechKit, build_speech_kit


def build_interview(bank: Bank, settings: Settings, store: SessionStore, *, resume: str | None = None,
                    only: list[str] | None = None, seed: int | None = None, answers: list[str] | None = None,
                    kit_factory: Callable[[Settings, bool], SpeechKit] | None = None,
                    panel_client: Any = None) -> Interview:
    """Everything a round needs; blocking (device queries, model load start), so call it off the UI thread."""
    state = None
    if resume:
        state = store.load(resume)
        check_resumable(state)
        plan = make_plan(bank, settings, question_ids=state.remaining_question_ids())
    elif only:
        unknown = [i for i in only if bank.question(i) is None]
        if unknown:
            raise MockintError(f"unknown question id(s): {', '.join(unknown)} (see `mockint bank list`)")
        plan = make_plan(bank, settings, question_ids=only)
    else:
        plan = make_plan(bank, settings, history=store.list(), seed=seed)
    panel = build_panel(settings, client=panel_client, bank=bank)
    typed = settings.round.answers == "typed"
    kit = (kit_factory or build_speech_kit)(settings, typed)
    return Interview(bank, plan, settings, store, kit, panel, resume=state, answers=answers)


def with_round(settings: Settings, **round_fields: Any) -> Settings:
    """A copy of settings with some round (and follow-up/voice) fields changed, validated."""
    follow = round_fields.pop("follow_ups", None)
    voice = round_fields.pop("voice", "unset")
    data = settings.model_dump()
    data["round"].update({k: v for k, v in round_fields.items()})
    if follow is not None:
        data["interviewer"]["max_follow_ups"] = follow
    if voice != "unset":
        data["tts"]["voice"] = voice or None
    return Settings(**data)
