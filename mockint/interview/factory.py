"""Build an Interview from settings: plan (new, resumed or chosen questions), interviewer panel, speech kit."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Collection

from ..bank import Bank
from ..config import Settings, with_overrides
from ..errors import MockintError
from ..store.journal import Journal
from ..models import SessionMeta
from ..store.sessions import SessionStore
from .backends import build_panel
from .engine import Interview, check_resumable
from .plan import make_plan
from .voice import SpeechKit, build_speech_kit

KitFactory = Callable[[Settings, bool], SpeechKit]


def build_interview(bank: Bank, settings: Settings, store: SessionStore, *, resume: str | None = None,
                    only: list[str] | None = None, seed: int | None = None, answers: list[str] | None = None,
                    kit_factory: KitFactory | None = None, panel_client: Any = None,
                    explicit: Collection[str] = (), notes: Collection[str] = (), retries: int = 0,
                    retry_in: str | None = None) -> Interview:
    """Everything a round needs; blocking (device queries, model load start), so call it off the UI thread.

    `explicit`: settings keys the user gave for this round (flags); on resume they win over the saved plan.
    `notes`: lines for the candidate about how the questions were chosen (a due round, a job's round).
    `retries`: ask each question again this many times, right after its score.
    `retry_in`: a session (complete or not) in which the `only` questions, already answered there, are asked again
    as their next attempt (the summary's and replay's "try again")."""
    state = None
    journal: Journal | None = None
    try:
        if retry_in:
            journal = store.open_journal(retry_in)
            state = store.load(retry_in)
            ids = list(dict.fromkeys(only or []))
            fresh = [i for i in ids if state.next_attempt(i) == 1]
            if not ids or fresh:
                raise MockintError(f"try again works on questions answered in session {state.id}"
                                   + (f"; not answered there: {', '.join(fresh)}" if fresh else "; give --only ID"),
                                   hint="answered there: " + ", ".join(dict.fromkeys(
                                       t.question_id for t in state.threads if state.next_attempt(t.question_id) > 1)))
            unknown = [i for i in ids if bank.question(i) is None]
            if unknown:
                raise MockintError(f"question(s) no longer in the bank: {', '.join(unknown)}")
            settings = resumed_settings(settings, state.meta, explicit)
            plan = make_plan(bank, settings, question_ids=ids)
        elif resume:
            journal = store.open_journal(resume)  # the lock first: a second --resume refuses here
            state = store.load(resume)
            check_resumable(state)
            settings = resumed_settings(settings, state.meta, explicit)
            plan = make_plan(bank, settings, question_ids=state.remaining_question_ids())
        elif only:
            unknown = [i for i in only if bank.question(i) is None]
            if unknown:
                raise MockintError(f"unknown question id(s): {', '.join(unknown)} (see `mockint bank list`)")
            plan = make_plan(bank, settings, question_ids=only)
            if notes:
                plan = replace(plan, notes=[*notes, *plan.notes])
        else:
            plan = make_plan(bank, settings, history=store.list(), seed=seed)
        if retries:
            plan = replace(plan, retries=retries)
        panel = build_panel(settings, client=panel_client, bank=bank)
        typed = settings.round.answers == "typed"
        kit = (kit_factory or build_speech_kit)(settings, typed)
    except BaseException:
        if journal is not None:
            journal.close()
        raise
    return Interview(bank, plan, settings, store, kit, panel, resume=state, answers=answers, journal=journal)


# what a session's journal saved of its plan, and the settings key each restores
SAVED_PLAN = {"answer_seconds": "round.answer_seconds", "max_follow_ups": "interviewer.max_follow_ups",
              "end_on_silence": "round.end_on_silence_seconds", "warn_seconds": "round.warn_seconds"}


def resumed_settings(settings: Settings, meta: SessionMeta, explicit: Collection[str] = ()) -> Settings:
    """The settings a session was started with (its saved plan and answer mode) over `settings`; keys the user
    gave explicitly for this run win."""
    saved: dict[str, Any] = {"round.answers": meta.answers} if meta.answers else {}
    plan = meta.plan or {}
    for field, key in SAVED_PLAN.items():
        if field in plan:
            saved[key] = plan[field]
    if isinstance(plan.get("round_seconds"), (int, float)):
        saved["round.round_minutes"] = plan["round_seconds"] / 60
    nested: dict[str, Any] = {}
    for key, value in saved.items():
        if key in explicit:
            continue
        section, name = key.split(".")
        nested.setdefault(section, {})[name] = value
    try:
        return with_overrides(settings, nested, origin=f"the saved plan of {meta.session_id}")
    except MockintError:
        return settings  # a plan saved by another version that no longer validates: today's settings
