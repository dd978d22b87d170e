"""Small live widgets: the input level meter and the answer/round countdowns."""

from __future__ import annotations

import time
from typing import Callable

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class LevelMeter(Static):
    """A horizontal bar showing the microphone level."""

    level: reactive[float] = reactive(0.0)

    def render(self) -> Text:
        width = max(8, self.size.width - 6)
        filled = int(round(self.level * width))
        style = "bold red" if self.level > 0.92 else ("green" if self.level > 0.35 else "dark_green")
        bar = Text("mic ", style="dim")
        bar.append("█" * filled, style=style)
        bar.append("░" * (width - filled), style="grey23")
        return bar


class Countdown(Static):
    """Seconds left on a clock that can be paused; turns to warning colours near the end."""

    def __init__(self, label: str, warn_seconds: float = 15, clock: Callable[[], float] = time.monotonic,
                 **kwargs) -> None:
        super().__init__("", **kwargs)
        self.label = label
        self.warn = warn_seconds
        self.clock = clock
        self.budget: float | None = None
        self._started = 0.0
        self._paused_at: float | None = None

    def on_mount(self) -> None:
        self.set_interval(0.25, self.refresh_text)
        self.refresh_text()

    def start(self, budget: float, already_used: float = 0.0) -> None:
        self.budget = budget
        self._started = self.clock() - already_used
        self._paused_at = None
        self.refresh_text()

    def stop(self) -> None:
        self.budget = None
        self.refresh_text()

    def pause(self, paused: bool) -> None:
        if paused and self._paused_at is None:
            self._paused_at = self.clock()
        elif not paused and self._paused_at is not None:
            self._started += self.clock() - self._paused_at
            self._paused_at = None
        self.refresh_text()

    @property
    def left(self) -> float | None:
        if self.budget is None:
            return None
        now = self._paused_at if self._paused_at is not None else self.clock()
        return max(0.0, self.budget - (now - self._started))

    def refresh_text(self) -> None:
        left = self.left
        if left is None:
            self.update(f"{self.label} –:––")
            self.set_class(False, "warning")
            return
        m, s = divmod(int(left + 0.999), 60)
        self.update(f"{self.label} {m}:{s:02d}")
        self.set_class(left <= self.warn, "warning")
