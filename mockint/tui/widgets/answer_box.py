"""The typed answer: a multi-line box that wraps; Enter hands it in, Ctrl+J (or Alt+Enter where the terminal sends
it) starts a new line."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.widgets import TextArea

NEWLINE_KEYS = ("alt+enter", "ctrl+j", "shift+enter")


class AnswerBox(TextArea):
    """Soft-wrapped so a long answer stays readable; `value` is the text (like an Input's)."""

    @dataclass
    class Submitted(Message):
        box: "AnswerBox"
        value: str

    def __init__(self, **kwargs) -> None:
        super().__init__(soft_wrap=True, show_line_numbers=False, tab_behavior="focus", **kwargs)
        self.border_title = "Your answer"
        self.border_subtitle = "Enter sends · Ctrl+J new line · Esc keys"

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.text))
            return
        if event.key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self._replace_via_keyboard("\n", start, end)
            return
        await super()._on_key(event)
