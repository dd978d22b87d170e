"""End of round: overall and per-topic scores, each thread's grade, delivery, reference answers on demand."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Collapsible, DataTable, Footer, Header, Static

from ..format import fmt, load_session
from ..messages import SessionLoaded
from ..widgets.score_view import score_text


class SummaryScreen(Screen):
    """Shows one session's results; also the landing screen after a round."""

    BINDINGS = [("escape", "home", "Home"), ("a", "answers", "Reference answers"), ("t", "transcript", "Transcript"),
                ("p", "progress", "Progress")]

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self.state = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="summary"):
            yield Static("Loading…", id="summary-head")
            yield DataTable(id="topic-table", cursor_type="row", zebra_stripes=True)
            yield VerticalScroll(id="summary-threads")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"session {self.session_id}"
        self.load()

    @work(thread=True, exclusive=True, group="summary-load")
    def load(self) -> None:
        self.post_message(load_session(self.app.ctx, self.session_id))

    def on_session_loaded(self, message: SessionLoaded) -> None:
        self.state, s = message.state, message.summary
        bank = self.app.ctx.bank_or_none()
        head = (f"[b]Overall {fmt(s.overall)}/10[/b] · {message.state.answered} answered · {s.status}"
                + (f" ({s.finished_reason})" if s.finished_reason else "") + f" · interviewer {s.backend}")
        if s.wpm:
            head += (f"\nDelivery: {s.speaking_seconds:.0f} s speaking · {s.wpm:g} words/min · "
                     f"{fmt(s.fillers_per_min)} fillers/min")
        self.query_one("#summary-head", Static).update(head)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns("Topic", "Threads", "Overall", "Technical", "Coverage", "Structure", "Comm.")
        for t in s.topics:
            table.add_row(t.name, str(t.threads), fmt(t.overall), fmt(t.technical), fmt(t.coverage),
                          fmt(t.structure), fmt(t.communication))
        box = self.query_one("#summary-threads", VerticalScroll)
        box.remove_children()
        for th, ts in zip(message.state.threads, s.threads):
            q = bank.question(th.question_id) if bank else None
            title = f"Q{th.index} · {bank.topic_name(th.topic) if bank else th.topic} · {th.question_id}"
            widgets = [Static(f"[b]{title}[/b]\n{ts.prompt}", classes="thread-title"),
                       Static("Skipped." if th.skipped and not th.score else score_text(th.score, th.score_status, q, ts),
                              classes="thread-score")]
            if q is not None:
                widgets.append(Collapsible(Static(q.reference_answer), title="Reference answer", collapsed=True,
                                           classes="reference"))
            box.mount_all(widgets)

    def action_answers(self) -> None:
        boxes = list(self.query(".reference").results(Collapsible))
        show = any(b.collapsed for b in boxes)
        for b in boxes:
            b.collapsed = not show

    def action_home(self) -> None:
        self.app.go_home()

    def action_transcript(self) -> None:
        from .replay import SessionScreen

        self.app.push_screen(SessionScreen(self.session_id))

    def action_progress(self) -> None:
        from .progress import ProgressScreen

        self.app.push_screen(ProgressScreen())
