"""Formatting and loading shared by the TUI's screens (kept here so screens never import each other)."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Sequence

from ..store.report import session_summary
from .messages import SessionLoaded

if TYPE_CHECKING:
    from textual.widgets import DataTable

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


def fill_table(table: DataTable, labels: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]) -> None:
    """Replace a DataTable's columns and rows, each column as wide as its widest cell.

    The widths are measured here, not left to the table: Textual measures auto-width columns when it is next idle,
    and rows painted before that stay cached at the narrow width (CI caught the Replay list with every column as
    narrow as its heading). Cells are plain strings.
    """
    from rich.text import Text

    def width(cell: str) -> int:
        return Text.from_markup(cell).cell_len

    table.clear(columns=True)
    for i, label in enumerate(labels):
        table.add_column(label, width=max([width(label)] + [width(cells[i]) for _, cells in rows]))
    for key, cells in rows:
        table.add_row(*cells, key=key)
