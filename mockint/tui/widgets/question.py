"""The current question, highlighted word by word while it is spoken."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class QuestionView(Static):
    """Question text; `spoken` (0..1) is how far the voice has got."""

    text: reactive[str] = reactive("", layout=True)
    kind: reactive[str] = reactive("main")
    spoken: reactive[float] = reactive(1.0)
    label: reactive[str] = reactive("")

    def render(self) -> Text:
        if not self.text:
            return Text("Preparing the interview…", style="dim italic")
        words = self.text.split()
        done = int(round(self.spoken * len(words)))
        label = self.label or ("Follow-up" if self.kind == "follow_up" else "Question")
        out = Text(label + "  ", style="bold magenta" if self.kind == "follow_up" else "bold cyan")
        out.append(" ".join(words[:done]), style="bold")
        if done < len(words):
            out.append((" " if done else "") + " ".join(words[done:]), style="dim")
        return out
