"""The conversation so far in this round: questions, follow-ups (with why) and answers."""

from __future__ import annotations

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static


def exchange_text(who: str, text: str, note: str | None = None) -> Text:
    styles = {"Interviewer": "bold cyan", "Follow-up": "bold magenta", "You": "bold green", "Score": "bold yellow"}
    out = Text(f"{who}: ", style=styles.get(who, "bold"))
    out.append(text or "(no answer)")
    if note:
        out.append(f"\n  {note}", style="dim italic")
    return out


class ThreadView(VerticalScroll):
    """Scrolls to the newest line as the round goes on."""

    def add(self, who: str, text: str, note: str | None = None) -> None:
        self.mount(Static(exchange_text(who, text, note), classes=f"line {who.lower().replace('-', '')}"))
        self.scroll_end(animate=False)
