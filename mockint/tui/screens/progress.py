"""Progress: per-topic scores across sessions with a trend, weakest first; one key drills the weak topics."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from ...store.progress import sparkline, topic_history
from ..messages import ProgressLoaded
from ..format import fmt

WEAK_BELOW = 7.0


class ProgressScreen(Screen):
    """How each topic is going."""

    BINDINGS = [("escape", "app.pop_screen", "Back"), ("d", "drill", "Drill weakest")]

    def __init__(self) -> None:
        super().__init__()
        self.history: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="progress-head")
        yield DataTable(id="progress-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "progress"
        self.load()

    @work(thread=True, exclusive=True, group="progress-load")
    def load(self) -> None:
        bank = self.app.ctx.bank_or_none()
        names = {t.id: t.name for t in bank.topics.values()} if bank else {}
        self.post_message(ProgressLoaded(topic_history(self.app.ctx.store.list(), names)))

    def on_progress_loaded(self, message: ProgressLoaded) -> None:
        self.history = message.history
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns("Topic", "Sessions", "Latest", "Average", "Trend", "History")
        for h in message.history:
            trend = "–" if h.trend is None else f"{'▲' if h.trend > 0 else '▼' if h.trend < 0 else '='} {h.trend:+g}"
            table.add_row(h.name, str(len(h.points)), fmt(h.latest), fmt(h.average), trend,
                          sparkline([v for _, v in h.points[-12:]]))
        weak = self._weak()
        head = ("Weakest topics first. " + (f"[b]d[/b] drills: {', '.join(h.name for h in weak)}" if weak
                                            else "Nothing below 7/10 — well done."))
        if not message.history:
            head = "No scored sessions yet: finish a round to see progress here."
        self.query_one("#progress-head", Static).update(head)
        table.focus()

    def _weak(self) -> list:
        return [h for h in self.history if h.latest is not None and h.latest < WEAK_BELOW][:3]

    def action_drill(self) -> None:
        weak = self._weak()
        if not weak:
            self.notify("No weak topics to drill yet.")
            return
        # only what a drill changes: voice, round length, answer time and the rest stay as configured
        self.app.start_round(overrides={"round": {"topics": [h.topic for h in weak], "order": "drill",
                                                  "questions": min(5, 2 * len(weak))}})
