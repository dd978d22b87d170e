"""Home screen status: microphone, speech model, voice, interviewer, each with a fix hint when missing."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

SHOWN = ("microphone", "speech model", "voice", "interviewer")


class StatusLine(Static):
    """One line per check; problems in red with their fix."""

    def show(self, checks: list) -> None:
        out = Text()
        for c in checks:
            if c.name not in SHOWN:
                continue
            out.append("✓ " if c.ok else "✗ ", style="green" if c.ok else "bold red")
            out.append(f"{c.name}: ", style="bold")
            out.append(c.detail, style="" if c.ok else "red")
            if c.hint and not c.ok:
                out.append(f"  → {c.hint}", style="yellow")
            out.append("\n")
        out.rstrip()
        self.update(out if out.plain else "checking…")
