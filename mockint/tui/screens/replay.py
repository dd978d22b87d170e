"""Replay: the sessions list, and one session's whole transcript with audio playback, export and delete."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, ListItem, ListView, Static

from ...errors import MockintError
from ...store.report import render_markdown, session_summary, status_text
from ...store.sessions import write_atomic
from ..format import delete_session, fill_table, fmt, load_session
from ..messages import LoadFailed, PlaybackDone, PlaybackProgress, SessionLoaded, SessionsListed
from ..widgets.score_view import score_text
from ..widgets.thread_view import exchange_text
from .confirm import ConfirmScreen

if TYPE_CHECKING:
    from textual import getters

    from ..app import MockintApp
    from ..playback import AudioPlayer


def _confirm_delete(app, session_id: str, n_audio: int, then) -> None:
    """Ask, then delete in a worker; `then(error_or_None)` runs on the UI thread."""
    what = f"session {session_id}" + (f" and its {n_audio} recording{'s' if n_audio != 1 else ''}" if n_audio else "")

    def answer(yes: bool | None) -> None:
        if yes:
            try:
                delete_session(app.ctx, session_id)
            except (MockintError, OSError) as e:
                then(getattr(e, "message", None) or str(e))
                return
            then(None)

    app.push_screen(ConfirmScreen(f"Delete {what}?\nThe files are removed from disk; this cannot be undone."),
                    answer)


def _audio_count(state) -> int:
    """Recordings on disk (the journal may name some that are gone)."""
    try:
        return sum(1 for _ in (state.path / "audio").glob("*.wav"))
    except OSError:
        return 0


class SessionsTable(DataTable):
    """The sessions list; Enter opens (shown in the footer, unlike DataTable's own hidden binding)."""

    BINDINGS = [Binding("enter", "select_cursor", "Open")]


COLUMNS = ("Date", "Topics", "Answered", "Score", "Status")


class ReplayScreen(Screen):
    """Every saved session, newest first."""

    if TYPE_CHECKING:  # the checker sees our app's attributes; at run time Textual's own `app` property serves
        app = getters.app(MockintApp)

    BINDINGS = [("escape", "app.pop_screen", "Back"), ("d", "delete", "Delete")]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, object] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        table = SessionsTable(id="sessions", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)  # the headings show while the list loads
        yield table
        yield Static("", id="sessions-note")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "sessions"

    def on_screen_resume(self) -> None:
        # also sent when the screen is first shown, so this is the only load (loading on mount as well read every
        # session twice); on a later return a session may have been deleted or continued meanwhile
        self.load()

    @work(thread=True, exclusive=True, group="replay-list")
    def load(self) -> None:
        bank = self.app.ctx.bank_or_none()
        states = self.app.ctx.store.list()
        self.post_message(SessionsListed([(s, session_summary(s, bank)) for s in states]))

    def on_sessions_listed(self, message: SessionsListed) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        self.rows = {}
        rows = []
        for state, summary in message.rows:
            self.rows[state.id] = state
            topics = ", ".join(state.meta.topics)
            rows.append((state.id, [(state.meta.created or state.id)[:16].replace("T", " "),
                                    topics if len(topics) <= 26 else topics[:25] + "…",
                                    f"{state.answered}/{len(state.meta.question_ids)}",
                                    "–" if summary.overall is None else f"{summary.overall:g}",
                                    status_text(state.status, state.finished_reason)]))
        fill_table(table, COLUMNS, rows)
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        note = "" if message.rows else "No sessions yet: start a round from Home."
        torn = sum(1 for s, _ in message.rows if s.skipped_lines)
        if torn:
            note = f"{torn} session(s) had unreadable journal lines (skipped; the rest is shown)"
        self.query_one("#sessions-note", Static).update(note)
        self.query_one("#sessions-note").display = bool(note)
        table.focus()

    def _selected(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(SessionScreen(str(event.row_key.value)))

    def action_delete(self) -> None:
        sid = self._selected()
        if sid is None:
            return
        state = self.rows.get(sid)

        def done(error: str | None) -> None:
            if error:
                self.notify(f"Could not delete {sid}: {error}", severity="error")
            else:
                self.notify(f"Deleted session {sid}")
            self.load()

        _confirm_delete(self.app, sid, _audio_count(state) if state else 0, done)


class AudioItem(ListItem):
    """A transcript line, optionally with the WAV it came from."""

    def __init__(self, body, audio: Path | None) -> None:
        super().__init__(Static(body))
        self.audio = audio
        self.question_id: str | None = None  # the question this line belongs to ("try again")
        if audio is not None:
            self.add_class("has-audio")


class TranscriptList(ListView):
    """The transcript; Enter (or a click) plays the highlighted line's recording."""

    BINDINGS = [Binding("enter", "select_cursor", "Play"),
                Binding("up", "cursor_up", "Up", show=False), Binding("down", "cursor_down", "Down", show=False)]


class SessionScreen(Screen):
    """One session: questions, follow-ups with reasons, answers, scores; play any recording."""

    if TYPE_CHECKING:  # the checker sees our app's attributes; at run time Textual's own `app` property serves
        app = getters.app(MockintApp)

    BINDINGS = [("escape", "back", "Back"), ("x", "stop", "Stop"), ("s", "summary", "Summary"),
                ("g", "retry", "Retry"), ("e", "export", "Export"), ("c", "continue_session", "Continue"),
                ("d", "delete", "Delete")]

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self.state = None
        self.player: AudioPlayer | None = None
        self.playing: Path | None = None
        self.head = Text()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="session-head")
        yield TranscriptList(id="transcript")
        yield Static("", id="now-playing")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"session {self.session_id}"
        self.query_one("#now-playing").display = False
        self.load()

    @work(thread=True, exclusive=True, group="session-load")
    def load(self) -> None:
        try:
            self.post_message(load_session(self.app.ctx, self.session_id))
        except MockintError as e:
            self.post_message(LoadFailed(e.message))

    def on_load_failed(self, message: LoadFailed) -> None:
        self.query_one("#session-head", Static).update(Text(message.text, style="red"))

    def on_session_loaded(self, message: SessionLoaded) -> None:
        self.state = state = message.state
        bank = self.app.ctx.bank_or_none()
        head = Text(f"{state.meta.created[:16].replace('T', ' ')} · {status_text(state.status, state.finished_reason)}"
                    f" · overall {fmt(message.summary.overall)}/10")
        if state.skipped_lines:
            head.append(f"\njournal: {'; '.join(state.skipped_lines)}", style="yellow")
        self.head = head
        items: list[AudioItem] = []
        for th, ts in zip(state.threads, message.summary.threads):
            q = bank.question(th.question_id) if bank else None
            first = len(items)
            for t in th.turns:
                who = "Interviewer" if t.kind == "main" else "Follow-up"
                qa = state.path / t.question_audio if t.question_audio else None
                again = f" · attempt {th.attempt}" if th.attempt > 1 else ""
                text = f"(Q{th.index}{again}) {t.text}" if t.kind == "main" else t.text
                items.append(AudioItem(exchange_text(who, ("♪ " if qa else "") + text,
                                                     f"why this follow-up: {t.reason}" if t.reason else None), qa))
                if t.transcript is not None or t.answer_audio:
                    aa = state.path / t.answer_audio if t.answer_audio else None
                    said = t.transcript.text if t.transcript else "(interrupted; audio kept)"
                    items.append(AudioItem(exchange_text("You", ("♪ " if aa else "") + said), aa))
            if th.skipped and not th.turns[1:]:
                items.append(AudioItem(exchange_text("Notice", "skipped"), None))
            items.append(AudioItem(score_text(th.score, th.score_status, q, ts), None))
            for it in items[first:]:
                it.question_id = th.question_id
        view = self.query_one(ListView)
        view.clear()
        view.extend(items)
        playable = next((i for i, it in enumerate(items) if it.audio is not None), None)
        view.index = playable if playable is not None else (0 if items else None)
        self._show_head()
        self.refresh_bindings()
        view.focus()

    def _show_head(self, extra: str | None = None) -> None:
        playable = any(isinstance(i, AudioItem) and i.audio for i in self.query(AudioItem))
        hint = ("♪ = recording: Enter or click plays it, x stops" if playable
                else "no recordings in this session (typed answers, or voice off)")
        self.query_one("#session-head", Static).update(self.head + Text("\n" + hint, style="dim"))

    def on_list_view_selected(self, event: ListView.Selected) -> None:
        event.stop()
        self.play_item(event.item)

    def play_item(self, item) -> None:
        if not isinstance(item, AudioItem) or item.audio is None:
            self.notify("No recording on this line: pick a ♪ line.", timeout=3)
            return
        if not item.audio.exists():
            self.notify(f"{item.audio.name} is missing from the session folder", severity="warning")
            return
        if self.player is not None:
            self.player.stop()
        self.playing = item.audio
        self._now_playing(0.0)
        self.play(item.audio)

    @work(thread=True, exclusive=True, group="playback")
    def play(self, path: Path) -> None:
        def progress(fraction: float) -> None:
            self.post_message(PlaybackProgress(path, fraction))

        try:
            if self.player is None:
                factory = self.app.player_factory
                self.player = factory() if factory else None
                if self.player is None:
                    from ..playback import default_player

                    self.player = default_player(self.app.ctx.settings)
            finished = self.player.play(path, on_progress=progress)
            self.post_message(PlaybackDone(path=path, finished=bool(finished)))
        except MockintError as e:
            self.post_message(PlaybackDone(e.message + (f" ({e.hint})" if e.hint else ""), path=path))
        except (ValueError, OSError) as e:
            self.post_message(PlaybackDone(str(e), path=path))

    def _now_playing(self, fraction: float) -> None:
        bar = self.query_one("#now-playing", Static)
        if self.playing is None:
            bar.display = False
            return
        width = 20
        done = int(round(fraction * width))
        bar.update(Text.assemble(("▶ playing ", "bold green"), self.playing.name, "  ",
                                 ("█" * done, "green"), ("░" * (width - done), "grey37"), ("   x stops", "dim")))
        bar.display = True

    def on_playback_progress(self, message: PlaybackProgress) -> None:
        if message.path == self.playing:
            self._now_playing(message.fraction)

    def on_playback_done(self, message: PlaybackDone) -> None:
        if message.path is None or message.path == self.playing:
            self.playing = None
            self._now_playing(0.0)
        if message.error:
            self.notify(f"Cannot play: {message.error}", severity="error", timeout=8)

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
        try:
            write_atomic(out, render_markdown(self.state, self.app.ctx.bank_or_none()))
        except OSError as e:
            self.notify(f"Could not write {out}: {e.strerror or e}", severity="error")
            return
        self.notify(f"Wrote {out}")

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "continue_session":  # only an interrupted session with questions left can go on
            st = self.state
            return st is not None and st.status == "interrupted" and bool(st.remaining_question_ids())
        return True

    def action_continue_session(self) -> None:
        if self.state is not None and self.state.status == "interrupted" and self.state.remaining_question_ids():
            self.action_stop()
            self.app.start_round(resume=self.state.id)
        else:
            self.notify("This session has nothing left to continue.")

    def action_retry(self) -> None:
        """Try the highlighted line's question again, in this session, as its next attempt."""
        item = self.query_one(ListView).highlighted_child
        qid = getattr(item, "question_id", None)
        if self.state is None or qid is None or self.state.next_attempt(qid) == 1:
            self.notify("Pick a line of an answered question to try it again.")
            return
        self.action_stop()
        self.app.start_round(retry_in=self.state.id, only=[qid])

    def action_summary(self) -> None:
        from .summary import SummaryScreen

        self.app.push_screen(SummaryScreen(self.session_id))

    def action_delete(self) -> None:
        if self.state is None:
            return
        self.action_stop()

        def done(error: str | None) -> None:
            if error:
                self.notify(f"Could not delete {self.session_id}: {error}", severity="error")
                return
            self.app.notify(f"Deleted session {self.session_id}")
            self.app.back_to(ReplayScreen)

        _confirm_delete(self.app, self.session_id, _audio_count(self.state), done)
