"""End of round: overall and per-topic scores, then one folded line per question (Enter opens its details)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Collapsible, DataTable, Footer, Header, Static

from ...errors import MockintError
from ...score_lines import scope_note
from ...store.report import status_text
from ..format import fill_table, fmt, load_session
from ..messages import LoadFailed, SessionLoaded
from ..widgets.score_view import score_text

if TYPE_CHECKING:
    from textual import getters

    from ..app import MockintApp


def thread_title(index: int, topic: str, prompt: str, overall: int | None, skipped: bool, attempt: int = 1) -> Text:
    """'Q1  6/10  Node internals · Explain how …' — one line; the CSS cuts it with an ellipsis."""
    out = Text(f"Q{index}{f'·{attempt}' if attempt > 1 else ''} ", style="bold")
    if overall is not None:
        out.append(f"{overall:>2}/10", style="bold green" if overall >= 7 else "bold yellow" if overall >= 4
                   else "bold red")
    else:
        out.append("skip " if skipped else "  –  ", style="dim")
    out.append(f"  {topic} · ", style="cyan")
    out.append(prompt)
    return out


def attempts_text(attempts: list) -> Text:
    """Questions tried more than once: scores attempt by attempt, what the last try newly showed and fixed."""
    out = Text()
    for cmp in attempts:
        if out:
            out.append("\n")
        out.append("Attempts ", style="bold")
        out.append(f"{cmp.question_id}: ", style="cyan")
        out.append(" → ".join("pending" if a.overall is None else f"{a.overall}/10" for a in cmp.attempts),
                   style="bold")
        last = cmp.attempts[-1]
        bits = []
        if last.new_points:
            bits.append(f"newly shown {len(last.new_points)} key point{'s' if len(last.new_points) != 1 else ''}")
        if last.fixed_claims:
            bits.append(f"fixed {len(last.fixed_claims)} wrong claim{'s' if len(last.fixed_claims) != 1 else ''}")
        if last.lost_points:
            bits.append(f"lost {len(last.lost_points)}")
        prev = cmp.attempts[-2]
        if last.wpm and prev.wpm:
            bits.append(f"{prev.wpm:.0f}→{last.wpm:.0f} wpm")
        if bits:
            out.append(" · " + " · ".join(bits))
    return out


class SummaryScreen(Screen):
    """Shows one session's results; also the landing screen after a round."""

    if TYPE_CHECKING:  # the checker sees our app's attributes; at run time Textual's own `app` property serves
        app = getters.app(MockintApp)

    BINDINGS = [("escape", "home", "Home"), ("a", "all", "Open/close all"), ("g", "retry", "Retry"),
                ("t", "transcript", "Replay"), ("p", "progress", "Progress")]

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self.state = None
        self.fold_questions: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="summary"):
            yield Static("Loading…", id="summary-head")
            yield DataTable(id="topic-table", cursor_type="none", zebra_stripes=True, show_cursor=False)
            yield Static("", id="summary-attempts")
            yield Static("", id="summary-hint")
            yield Vertical(id="summary-threads")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"session {self.session_id}"
        self.query_one(DataTable).can_focus = False  # nothing to do in it: Tab goes from question to question
        self.load()

    @work(thread=True, exclusive=True, group="summary-load")
    def load(self) -> None:
        try:
            self.post_message(load_session(self.app.ctx, self.session_id))
        except MockintError as e:
            self.post_message(LoadFailed(e.message))

    def on_load_failed(self, message: LoadFailed) -> None:
        self.query_one("#summary-head", Static).update(Text(message.text, style="red"))

    def on_session_loaded(self, message: SessionLoaded) -> None:
        self.state, s = message.state, message.summary
        bank = self.app.ctx.bank_or_none()
        total = len(message.state.meta.question_ids) or len(s.threads)
        head = Text(f"Overall {fmt(s.overall)}/10", style="bold")
        head.append(f" · {message.state.answered} of {total} answered · {status_text(s.status, s.finished_reason)}"
                    f" · interviewer {s.backend}")
        if s.wpm:
            # the answers' recorded time, the wait before the first word included: "speaking" overstated it
            head.append(f"\nDelivery: {s.speaking_seconds:.0f} s answering · {s.wpm:g} words/min · "
                        f"{fmt(s.fillers_per_min)} fillers/min", style="cyan")
        note = scope_note(th.score.backend for th in s.threads if th.score is not None)
        if note:
            head.append(f"\n{note}", style="dim")
        self.query_one("#summary-head", Static).update(head)
        fill_table(self.query_one(DataTable), ("Topic", "Qs", "Overall", "Tech", "Cover", "Struct", "Comm"),
                   [(t.name, [t.name, str(t.threads), fmt(t.overall), fmt(t.technical), fmt(t.coverage),
                              fmt(t.structure), fmt(t.communication)]) for t in s.topics])
        self.query_one("#summary-hint", Static).update(
            "[dim]Enter or click a question for its details · [b]a[/b] opens all[/]" if s.threads
            else "[dim]No questions were asked in this session.[/]")
        self.query_one("#summary-attempts", Static).update(attempts_text(s.attempts))
        self.query_one("#summary-attempts", Static).display = bool(s.attempts)
        box = self.query_one("#summary-threads", Vertical)
        box.remove_children()
        folds = []
        self.fold_questions = []
        for th, ts in zip(message.state.threads, s.threads):
            q = bank.question(th.question_id) if bank else None
            topic = bank.topic_name(th.topic) if bank else th.topic
            title = thread_title(th.index, topic, ts.prompt, th.score.overall if th.score else None,
                                 th.skipped and not th.score, th.attempt)
            self.fold_questions.append(th.question_id)
            body: list = [Static(Text(ts.prompt, style="italic"), classes="thread-prompt"),
                          Static("Skipped." if th.skipped and not th.score
                                 else score_text(th.score, th.score_status, q, ts), classes="thread-score")]
            if q is not None:
                body.append(Collapsible(Static(q.reference_answer), title="Reference answer", collapsed=True,
                                        classes="reference"))
            # Textual annotates title as str but hands it to CollapsibleTitle, whose label takes a rich Text too
            folds.append(Collapsible(*body, title=title, collapsed=len(s.threads) > 1,  # type: ignore[arg-type]
                                     classes="thread"))
        box.mount_all(folds)
        if folds:
            self.call_after_refresh(lambda: folds[0].query_one("CollapsibleTitle").focus(scroll_visible=False))

    def action_all(self) -> None:
        folds = list(self.query(".thread").results(Collapsible))
        show = any(f.collapsed for f in folds)
        for f in folds:
            f.collapsed = not show
        # each fold scrolls itself into view as it opens; start reading from the top instead
        self.set_timer(0.05, lambda: self.query_one("#summary", VerticalScroll).scroll_home(animate=False))

    def action_home(self) -> None:
        self.app.go_home()

    def _focused_question(self) -> str | None:
        """The question whose line has the focus (else the first one)."""
        folds = list(self.query(".thread").results(Collapsible))
        node: DOMNode | None = self.focused
        while node is not None and not (isinstance(node, Collapsible) and node in folds):
            node = node.parent
        if node is not None:
            return self.fold_questions[folds.index(node)]
        return self.fold_questions[0] if self.fold_questions else None

    def action_retry(self) -> None:
        """Try the focused question again, in this session, as its next attempt."""
        qid = self._focused_question()
        if self.state is None or qid is None:
            self.notify("No question to try again in this session.")
            return
        if self.state.next_attempt(qid) == 1:
            self.notify(f"{qid} was not answered in this session: nothing to try again.")
            return
        self.app.start_round(retry_in=self.session_id, only=[qid])

    def action_transcript(self) -> None:
        from .replay import SessionScreen

        self.app.push_screen(SessionScreen(self.session_id))

    def action_progress(self) -> None:
        from .progress import ProgressScreen

        self.app.push_screen(ProgressScreen())
