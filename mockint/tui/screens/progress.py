"""Progress: charts of scores and delivery over time, topics weakest first; one key drills the weak topics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import ContentSwitcher, DataTable, Footer, Header, Static
from textual_plotext import PlotextPlot

from ...config import with_overrides
from ...store.progress import sparkline, topic_history
from ...store.report import session_summary
from ..charts import session_points, topic_series
from ..format import fill_table, fmt
from ..messages import ProgressLoaded
from .confirm import ConfirmScreen

if TYPE_CHECKING:
    from textual import getters

    from ..app import MockintApp

WEAK_BELOW = 7.0
TOPIC_COLOURS = ["orange", "magenta+", "cyan"]
WPM_BAND = (120, 170)  # the pace the offline interviewer asks for


def _verdict(r) -> str:
    if r is None:
        return "–"
    colour = {"ready": "green", "almost": "yellow", "not yet": "red"}[r.verdict]
    return f"[{colour}]{r.verdict}[/]"


def _next_review(r, now) -> str:
    from ...practice.schedule import days_until

    if r is None or r.next_due is None:
        return "–"
    if r.due_now:
        return "now"
    d = days_until(r.next_due, now)
    return "tomorrow" if d == 1 else f"in {d} d"


class ProgressScreen(Screen):
    """How each topic is going, and how you sound."""

    if TYPE_CHECKING:  # the checker sees our app's attributes; at run time Textual's own `app` property serves
        app = getters.app(MockintApp)

    BINDINGS = [("escape", "app.pop_screen", "Back"), ("v", "switch", "Scores/Delivery"),
                ("d", "drill", "Drill weakest")]

    def __init__(self) -> None:
        super().__init__()
        self.history: list = []
        self.points: list = []
        self.readiness: dict = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="progress-head")
        with ContentSwitcher(initial="score-chart", id="charts"):
            yield PlotextPlot(id="score-chart")
            yield PlotextPlot(id="delivery-chart")
        yield DataTable(id="progress-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="readiness-reason")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "progress"
        self.load()

    @work(thread=True, exclusive=True, group="progress-load")
    def load(self) -> None:
        bank = self.app.ctx.bank_or_none()
        names = {t.id: t.name for t in bank.topics.values()} if bank else {}
        states = self.app.ctx.store.list()
        from ...practice.overview import overview

        ready = overview(states, bank, self.app.now()).readiness
        self.post_message(ProgressLoaded(topic_history(states, names),
                                         session_points(session_summary(s, bank) for s in states), ready))

    def on_progress_loaded(self, message: ProgressLoaded) -> None:
        self.history, self.points = message.history, message.points
        table = self.query_one(DataTable)
        self.readiness = {r.topic: r for r in (message.readiness or [])}
        now = self.app.now()
        rows = []
        for h in message.history:
            trend = "–" if h.trend is None else f"{'▲' if h.trend > 0 else '▼' if h.trend < 0 else '='} {h.trend:+g}"
            r = self.readiness.get(h.topic)
            rows.append((h.topic, [h.name, fmt(h.latest), trend, sparkline([v for _, v in h.points[-8:]]),
                                   _next_review(r, now), _verdict(r)]))
        fill_table(table, ("Topic (weakest first)", "Last", "Trend", "History", "Review", "Ready?"), rows)
        self._show_reason(message.history[0].topic if message.history else None)
        weak = self._weak()
        if not message.history:
            head = "No scored sessions yet: finish a round to see progress here."
        else:
            head = (f"[b]d[/b] drills {', '.join(h.name for h in weak)}" if weak
                    else "Every topic is at 7/10 or better — well done.")
            head += " · [b]v[/b] switches scores/delivery"
        self.query_one("#progress-head", Static).update(head)
        self._draw_scores()
        self._draw_delivery()
        table.focus()

    def _axis(self, plt) -> list[int]:
        xs = list(range(1, len(self.points) + 1))
        plt.xticks(xs, [p.label for p in self.points])
        plt.xlim(0.5, len(self.points) + 0.5)
        return xs

    def _draw_scores(self) -> None:
        widget = self.query_one("#score-chart", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("Scores by session (0–10)")
        scored = [(i + 1, p.overall) for i, p in enumerate(self.points) if p.overall is not None]
        if scored:
            self._axis(plt)
            plt.ylim(0, 10)
            plt.yticks([0, 2, 4, 6, 8, 10])
            plt.plot([x for x, _ in scored], [y for _, y in scored], label="overall", marker="hd", color="green+")
            for (name, xs, ys), colour in zip(topic_series(self.history, self.points), TOPIC_COLOURS):
                plot = plt.plot if len(xs) > 1 else plt.scatter
                plot(xs, ys, label=name[:22], marker="dot" if len(xs) > 1 else "●", color=colour)
        widget.refresh()

    def _draw_delivery(self) -> None:
        widget = self.query_one("#delivery-chart", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        spoken = [(i + 1, p) for i, p in enumerate(self.points) if p.wpm is not None]
        plt.title("Delivery: words/min (left) · fillers/min (right)" if spoken
                  else "Delivery: no spoken answers yet")
        if spoken:
            self._axis(plt)
            plt.hline(WPM_BAND[0], "gray")
            plt.hline(WPM_BAND[1], "gray")
            plt.plot([x for x, _ in spoken], [p.wpm for _, p in spoken], label="words/min", marker="hd",
                     color="cyan+")
            plt.plot([x for x, _ in spoken], [p.fillers_per_min or 0 for _, p in spoken], label="fillers/min",
                     marker="hd", color="orange", yside="right")
            # (the ignores below: textual-plotext's stub types yside as a float; plotext takes "left" or "right")
            top = 50 * (int(max(200, max(p.wpm for _, p in spoken)) // 50) + 1)
            plt.ylim(0, top, yside="left")  # type: ignore[arg-type]
            plt.yticks(list(range(0, top + 1, 50)), yside="left")  # type: ignore[arg-type]
            ftop = 5 * (int(max(10, max(p.fillers_per_min or 0 for _, p in spoken)) // 5) + 1)
            plt.ylim(0, ftop, yside="right")  # type: ignore[arg-type]
            plt.yticks(list(range(0, ftop + 1, 5)), yside="right")  # type: ignore[arg-type]
        widget.refresh()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_reason(str(event.row_key.value) if event.row_key is not None else None)

    def _show_reason(self, topic: str | None) -> None:
        r = self.readiness.get(topic) if topic else None
        text = (f"[b]{r.name}[/b]: {_verdict(r)} — {r.reason.replace(' on ' + r.name, '')}" if r is not None
                else "[dim]Readiness: answer a round to see how ready each topic is.[/]")
        self.query_one("#readiness-reason", Static).update(text)

    def action_switch(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "delivery-chart" if switcher.current == "score-chart" else "score-chart"

    def _weak(self) -> list:
        return [h for h in self.history if h.latest is not None and h.latest < WEAK_BELOW][:3]

    def action_drill(self) -> None:
        weak = self._weak()
        if not weak:
            self.notify("No weak topics to drill yet.")
            return
        # only what a drill changes (topics, order, length); voice, timings and follow-ups stay as configured,
        # and typed answers when no microphone was found
        overrides: dict = {"round": {"topics": [h.topic for h in weak], "order": "drill",
                                     "questions": min(5, 2 * len(weak))}}
        mic = getattr(self.app, "microphone", None)
        if mic is not None and not mic[0]:
            overrides["round"]["answers"] = "typed"
        s = with_overrides(self.app.ctx.settings, overrides)
        follow = s.interviewer.max_follow_ups
        text = (f"Drill {', '.join(h.name for h in weak)}?\n{s.round.questions} questions, lowest scores first · "
                f"{s.round.answers} answers · {follow} follow-up{'s' if follow != 1 else ''} each.")

        def answer(yes: bool | None) -> None:
            if yes:
                self.app.start_round(overrides=overrides)

        self.app.push_screen(ConfirmScreen(text), answer)
