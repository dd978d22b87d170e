"""SessionStore: create, list and load sessions; a session's state is always rebuilt from its journal."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from ..errors import MockintError
from ..models import Score, SessionMeta, SpeechMetrics, Thread, Transcript, Turn, slugify
from .journal import FILE_MODE, Journal, read_journal

DIR_MODE = 0o700
KNOWN_EVENTS = {
    "session_started", "session_resumed", "question_asked", "answer_started", "answer_finished",
    "question_skipped", "turn_scored", "score_pending", "notice", "round_finished",
}
_ID_RE = re.compile(r"^[0-9]{8}-[0-9]{6}(-[a-z0-9-]+)?$")


@dataclass
class SessionState:
    """Everything known about a session, rebuilt from journal.jsonl."""

    id: str
    path: Path
    meta: SessionMeta
    threads: list[Thread] = field(default_factory=list)
    status: str = "interrupted"
    finished_reason: str | None = None
    notices: list[str] = field(default_factory=list)
    skipped_lines: list[str] = field(default_factory=list)

    def thread(self, question_id: str) -> Thread | None:
        return next((t for t in self.threads if t.question_id == question_id), None)

    @property
    def answered(self) -> int:
        return sum(1 for t in self.threads if any(turn.answered for turn in t.turns))

    def done_question_ids(self) -> set[str]:
        """Questions that need not be asked again on resume: skipped, or main answer recorded."""
        return {t.question_id for t in self.threads if t.skipped or (t.turns and t.turns[0].answered)}

    def remaining_question_ids(self) -> list[str]:
        done = self.done_question_ids()
        return [q for q in self.meta.question_ids if q not in done]


def _apply(state: SessionState, etype: str, d: dict, t: str) -> None:
    if etype == "session_started":
        state.meta = SessionMeta.model_validate({**d, "created": d.get("created") or t})
    elif etype == "session_resumed":
        state.status, state.finished_reason = "interrupted", None
    elif etype == "question_asked":
        th = state.thread(d["question_id"])
        if th is None:
            th = Thread(question_id=d["question_id"], topic=d.get("topic", ""), index=len(state.threads) + 1)
            state.threads.append(th)
        if not any(t.turn_id == d["turn_id"] for t in th.turns):
            th.turns.append(Turn(turn_id=d["turn_id"], kind=d.get("kind", "main"), text=d.get("text", ""),
                                 reason=d.get("reason"), probes=d.get("probes"),
                                 question_audio=d.get("audio")))
    elif etype == "answer_finished":
        th = state.thread(d["question_id"])
        turn = next((t for t in th.turns if t.turn_id == d["turn_id"]), None) if th else None
        if turn is not None:
            turn.transcript = Transcript.model_validate(d.get("transcript") or {})
            turn.metrics = SpeechMetrics.model_validate(d["metrics"]) if d.get("metrics") else None
            turn.answer_audio = d.get("audio")
            turn.ended_by = d.get("ended_by")
    elif etype == "question_skipped":
        th = state.thread(d["question_id"])
        if th is None:
            th = Thread(question_id=d["question_id"], topic=d.get("topic", ""), index=len(state.threads) + 1)
            state.threads.append(th)
        th.skipped = True
    elif etype == "turn_scored":
        th = state.thread(d["question_id"])
        if th is not None:
            th.score = Score.model_validate(d["score"])
            th.score_status = "scored"
    elif etype == "score_pending":
        th = state.thread(d["question_id"])
        if th is not None and th.score_status != "scored":
            th.score_status = "pending"
    elif etype == "notice":
        state.notices.append(str(d.get("text", "")))
    elif etype == "round_finished":
        state.status, state.finished_reason = "complete", d.get("reason")


def rebuild(path: Path) -> SessionState:
    """Fold the journal into a SessionState; unreadable or unknown lines are listed, not fatal."""
    result = read_journal(path / "journal.jsonl", KNOWN_EVENTS)
    state = SessionState(id=path.name, path=path, meta=SessionMeta(session_id=path.name))
    state.skipped_lines = list(result.skipped)
    for rec in result.records:
        try:
            _apply(state, rec.type, rec.data, rec.t)
        except (KeyError, TypeError, ValidationError, AttributeError) as e:
            state.skipped_lines.append(f"line {rec.line}: malformed {rec.type} event skipped ({type(e).__name__})")
    return state


class SessionStore:
    """The sessions folder."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _ensure_root(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)

    def create(self, title: str, now: datetime | None = None) -> tuple[str, Path, Journal]:
        """Make a new session folder (0700) with its journal (0600) and audio/."""
        try:
            return self._create(title, now)
        except OSError as e:
            raise MockintError(f"cannot create a session in {self.root}: {e.strerror or e}",
                               hint="set --sessions DIR or MOCKINT_SESSIONS_DIR to a writable folder") from None

    def _create(self, title: str, now: datetime | None) -> tuple[str, Path, Journal]:
        self._ensure_root()
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        base = f"{stamp}-{slugify(title)}"
        sid, n = base, 1
        while True:
            try:
                (self.root / sid).mkdir(mode=DIR_MODE)
                break
            except FileExistsError:
                n += 1
                sid = f"{base}-{n}"
        path = self.root / sid
        (path / "audio").mkdir(mode=DIR_MODE)
        return sid, path, Journal(path / "journal.jsonl")

    def path_of(self, session_id: str) -> Path:
        """The folder of a session id; a clear error for unknown ids or paths outside the store."""
        sid = session_id.strip().rstrip("/")
        candidate = Path(sid)
        # accept a path to a session folder inside the store, e.g. sessions/2026...-x
        if len(candidate.parts) > 1:
            try:
                resolved = candidate.resolve()
                if resolved.parent != self.root.resolve():
                    raise MockintError(f"{session_id}: not a session in {self.root}")
            except OSError:
                raise MockintError(f"{session_id}: not a session in {self.root}") from None
            sid = resolved.name
        if not _ID_RE.match(sid):
            raise MockintError(f"{session_id!r} is not a session id (expected like 20261128-101500-node-internals;"
                               " see `mockint sessions`)")
        path = self.root / sid
        if not (path / "journal.jsonl").is_file():
            raise MockintError(f"no session {sid!r} in {self.root} (see `mockint sessions`)")
        return path

    def open_journal(self, session_id: str) -> Journal:
        return Journal(self.path_of(session_id) / "journal.jsonl")

    def load(self, session_id: str) -> SessionState:
        return rebuild(self.path_of(session_id))

    def list(self) -> list[SessionState]:
        if not self.root.is_dir():
            return []
        out = []
        for p in sorted(self.root.iterdir(), reverse=True):
            if p.is_dir() and _ID_RE.match(p.name) and (p / "journal.jsonl").is_file():
                out.append(rebuild(p))
        return out


def write_atomic(path: Path, text: str) -> None:
    """Write-then-rename so a reader never sees half a file; 0600 like every session file."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
