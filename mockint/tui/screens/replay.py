"""Replay: the sessions list, and one session's whole transcript with audio playback and export."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, ListItem, ListView, Static

from ...store.report import render_markdown, session_summary
from ...store.sessions import write_atomic
from ..messages import PlaybackDone, SessionLoaded, SessionsListed
from ..widgets.score_view import score_text
from ..widgets.thread_view import exchange_text
from ..format import fmt, load_session


class ReplayScreen(Screen):
    """Every saved session, newest first."""

    BINDINGS = [("escape", "app.pop_screen", "Back"), ("enter", "open", "Open")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Static("", id="sessions-note")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "sessions"
        table = self.query_one(DataTable)
        table.add_columns("Date", "Topics", "Answered", "Overall", "Status", "Session")
        self.load()

    @work(thread=True, exclusive=True, group="replay-list")
    def load(self) -> None:
        bank = self.app.ctx.bank_or_none()
        states = self.app.ctx.store.list()
        self.post_message(SessionsListed([(s, session_summary(s, bank)) for s in states]))

    def on_sessions_listed(self, message: SessionsListed) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for state, summary in message.rows:
            table.add_row((state.meta.created or "")[:16].replace("T", " "), ", ".join(state.meta.topics)[:28],
                          f"{state.answered}/{len(state.meta.question_ids)}",
                          "unscored" if summary.overall is None else f"{summary.overall:g}", state.status, state.id,
                          key=state.id)
        note = "Enter: open a session" if message.rows else "No sessions yet: start a round from Home."
        torn = sum(1 for s, _ in message.rows if s.skipped_lines)
        if torn:
            note += f" · {torn} session(s) had unreadable journal lines (skipped)"
        self.query_one("#sessions-note", Static).update(note)
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(SessionScreen(str(event.row_key.value)))

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            self.app.push_screen(SessionScreen(str(key.value)))


class AudioItem(ListItem):
    """A transcript line, optionally with the WAV it came from."""

    def __init__(self, body, audio: Path | None) -> None:
        super().__init__(Static(body))
        self.audio = audio
        if audio is not None:
            self.add_class("has-audio")


class SessionScreen(Screen):
    """One session: questions, follow-ups with reasons, answers, scores; play any recording."""

    BINDINGS = [("escape", "back", "Back"), ("enter", "play", "Play audio"), ("x", "stop", "Stop"),
                ("e", "export", "Export report.md"), ("c", "continue_session", "Continue"),
                ("s", "summary", "Summary")]

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self.state = None
        self.player = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="session-head")
        yield ListView(id="transcript")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"session {self.session_id}"
        self.load()

    @work(thread=True, exclusive=True, group="session-load")
    def load(self) -> None:
        self.post_message(load_session(self.app.ctx, self.session_id))

    def on_session_loaded(self, message: SessionLoaded) -> None:
        self.state = state = message.state
        bank = self.app.ctx.bank_or_none()
        head = f"{state.meta.created[:16].replace('T', ' ')} · {state.status} · overall {fmt(message.summary.overall)}"
        if state.skipped_lines:
            head += f"\n[yellow]journal: {'; '.join(state.skipped_lines)}[/]"
        self.query_one("#session-head", Static).update(head + "\n[dim]♪ = has audio: Enter plays, x stops[/]")
        items = []
        for th, ts in zip(state.threads, message.summary.threads):
            q = bank.question(th.question_id) if bank else None
            for t in th.turns:
                who = "Interviewer" if t.kind == "main" else "Follow-up"
                qa = state.path / t.question_audio if t.question_audio else None
                items.append(AudioItem(exchange_text(who, ("♪ " if qa else "") + t.text,
                                                     f"why this follow-up: {t.reason}" if t.reason else None), qa))
                if t.transcript is not None or t.answer_audio:
                    aa = state.path / t.answer_audio if t.answer_audio else None
                    text = t.transcript.text if t.transcript else "(interrupted; audio kept)"
                    items.append(AudioItem(exchange_text("You", ("♪ " if aa else "") + text), aa))
            if th.skipped and not th.turns[1:]:
                items.append(AudioItem(exchange_text("Notice", "skipped"), None))
            items.append(AudioItem(score_text(th.score, th.score_status, q, ts), None))
        view = self.query_one(ListView)
        view.clear()
        view.extend(items)
        view.focus()

    def action_play(self) -> None:
        item = self.query_one(ListView).highlighted_child
        if isinstance(item, AudioItem) and item.audio is not None:
            if not item.audio.exists():
                self.notify(f"{item.audio.name} is missing", severity="warning")
                return
            self.play(item.audio)
        else:
            self.notify("No audio on this line.")

    @work(thread=True, exclusive=True, group="playback")
    def play(self, path: Path) -> None:
        from ...audio.player import Player
        from ...errors import MockintError

        if self.player is not None:
            self.player.stop()
        try:
            from ...audio.devices import resolve

            self.player = Player(resolve(self.app.ctx.settings.audio.output_device, "output"))
            self.player.play(path)
            self.post_message(PlaybackDone())
        except (MockintError, ValueError, OSError) as e:
            self.post_message(PlaybackDone(getattr(e, "message", str(e))))

    def on_playback_done(self, message: PlaybackDone) -> None:
        if message.error:
            self.notify(f"Cannot play: {message.error}", severity="error")

    def action_stop(self) -> None:
        if self.player is not None:
            self.player.stop()

    def action_back(self) -> None:
        self.action_stop()
        self.app.pop_screen()

    def action_export(self) -> None:
        if self.state is None:
            return
        out = self.state.path / "report.md"
        write_atomic(out, render_markdown(self.state, self.app.ctx.bank_or_none()))
        self.notify(f"Wrote {out}")

    def action_continue_session(self) -> None:
        if self.state is not None and self.state.status == "interrupted" and self.state.remaining_question_ids():
            self.app.start_round(resume=self.state.id)
        else:
            self.notify("This session has nothing left to continue.")

    def action_summary(self) -> None:
        from .summary import SummaryScreen

        self.app.push_screen(SummaryScreen(self.session_id))
