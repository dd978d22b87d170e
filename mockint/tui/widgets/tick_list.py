"""A SelectionList whose ticks read without colour: Textual draws the same "X" for a ticked and an unticked item and
tells them apart by colour alone, so in a monochrome terminal, with NO_COLOR, or to a colour-blind candidate every
topic looked ticked ("none ticked = all" next to eleven X's)."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import SelectionList
from textual.widgets.option_list import OptionDoesNotExist


class TickList(SelectionList[str]):
    """Topics to tick: a ticked one shows its X, an unticked one an empty box."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip  # a row without an option has no box
        # with an option the parent draws [left edge, mark, right edge, space, *prompt]
        segments = list(strip)
        if option.value not in self.selected and len(segments) >= 4:
            mark = segments[1]
            segments[1] = Segment(" " * len(mark.text), mark.style)
        return Strip(segments, strip.cell_length)
