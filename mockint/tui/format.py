"""Formatting and loading shared by the TUI's screens (kept here so screens never import each other)."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from ..store.report import session_summary
from .messages import SessionLoaded

if TYPE_CHECKING:
    from ..commands import Context


def fmt(v: float | None) -> str:
    """A score or rate for display: '–' when there is none."""
    return "–" if v is None else f"{v:g}"


def load_session(ctx: "Context", session_id: str) -> SessionLoaded:
    """Rebuild a session from its journal with its summary (blocking: call from a worker thread)."""
    state = ctx.store.load(session_id)
    return SessionLoaded(state, session_summary(state, ctx.bank_or_none()))


def delete_session(ctx: "Context", session_id: str) -> None:
    """Remove a session folder (journal, audio, summary, report); raises MockintError or OSError.

    `path_of` only accepts ids of sessions inside the store, so nothing outside it can be removed."""
    shutil.rmtree(ctx.store.path_of(session_id))
