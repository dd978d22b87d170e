"""SessionStore: create, list and load sessions; a session's state is always rebuilt from its journal.

The store tolerates anything on disk: a session that cannot be read is reported as damaged (with the reason) and
skipped, an event whose fields do not validate is skipped and noted. Nothing inside the sessions folder is reached
through a symbolic link, and a sessions folder other users can write to is refused.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import grp
import json
import os
import pwd
import re
import secrets
import shlex
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Literal

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ..errors import MockintError
from ..models import SessionMeta, Thread, Turn, slugify
from . import records as R
from .journal import FILE_MODE, Journal, JournalLocked, open_regular, write_all

DIR_MODE = 0o700
KNOWN_EVENTS = set(R.RECORDS)
_ID_RE = re.compile(r"^[0-9]{8}-[0-9]{6}(-[a-z0-9-]+)?$")


class StoreError(MockintError):
    """The sessions folder cannot be used as asked; the message says what to do."""


class SessionDamaged(MockintError):
    """A session whose files cannot be read; it is listed with the reason and otherwise skipped."""


@dataclass
class SessionState:
    """Everything known about a session, rebuilt from journal.jsonl."""

    id: str
    path: Path
    meta: SessionMeta
    threads: list[Thread] = field(default_factory=list)
    status: Literal["complete", "interrupted"] = "interrupted"
    finished_reason: str | None = None
    notices: list[str] = field(default_factory=list)
    skipped_lines: list[str] = field(default_factory=list)
    damaged: str | None = None  # why the session cannot be used (unreadable journal, no session_started)

    def thread(self, question_id: str, attempt: int = 1) -> Thread | None:
        return next((t for t in self.threads if t.question_id == question_id and t.attempt == attempt), None)

    def attempts(self, question_id: str) -> list[Thread]:
        """Every attempt at a question in this session, first first."""
        return sorted((t for t in self.threads if t.question_id == question_id), key=lambda t: t.attempt)

    def next_attempt(self, question_id: str) -> int:
        """The attempt number a new try at this question gets (1 if it was never answered or skipped here)."""
        return 1 + max((t.attempt for t in self.threads if t.question_id == question_id
                        and (t.skipped or any(turn.answered for turn in t.turns))), default=0)

    @property
    def answered(self) -> int:
        """Questions answered (a question tried several times counts once)."""
        return len({t.question_id for t in self.threads if any(turn.answered for turn in t.turns)})

    def done_question_ids(self) -> set[str]:
        """Questions that need not be asked again on resume: skipped, or main answer recorded."""
        return {t.question_id for t in self.threads if t.skipped or (t.turns and t.turns[0].answered)}

    def remaining_question_ids(self) -> list[str]:
        done = self.done_question_ids()
        return [q for q in self.meta.question_ids if q not in done]


class _Rebuild:
    """Folds validated events into a SessionState in one pass, with indexes (linear in the number of events)."""

    def __init__(self, state: SessionState):
        self.state = state
        self.threads: dict[tuple[str, int], Thread] = {}  # (question id, attempt)
        self.questions: set[str] = set()
        self.turns: dict[tuple[str, str], tuple[Turn, Thread]] = {}
        self.started = False

    def _thread(self, question_id: str, topic: str, attempt: int = 1) -> Thread:
        th = self.threads.get((question_id, attempt))
        if th is None:
            first = self.threads.get((question_id, 1))
            # a retry keeps its question's number: Q2 attempt 2
            index = first.index if first is not None else len(self.questions) + 1
            th = Thread(question_id=question_id, topic=topic, index=index, attempt=attempt)
            self.state.threads.append(th)
            self.threads[(question_id, attempt)] = th
            self.questions.add(question_id)  # counted as they come: recounting per thread made the rebuild quadratic
        return th

    def apply(self, rec: R._Record) -> None:
        self._by_type[type(rec)](rec)

    @property
    def _by_type(self) -> dict[type, Callable[[Any], None]]:
        table = self.__dict__.get("_table")
        if table is None:
            table = self.__dict__["_table"] = {
                R.SessionStarted: self._started, R.SessionResumed: self._resumed, R.QuestionAsked: self._asked,
                R.AnswerStarted: lambda rec: None, R.AnswerFinished: self._answered,
                R.QuestionSkipped: self._skipped, R.TurnScored: self._scored, R.ScorePending: self._pending,
                R.Notice: self._notice, R.RoundFinished: self._finished}
        return table

    def _started(self, rec: R.SessionStarted) -> None:
        self.state.meta = SessionMeta.model_validate({**rec.model_dump(exclude={"t", "type"}),
                                                     "session_id": rec.session_id or self.state.id,
                                                     "created": rec.created or rec.t})
        self.started = True

    def _resumed(self, rec: R.SessionResumed) -> None:
        self.state.status, self.state.finished_reason = "interrupted", None

    def _asked(self, rec: R.QuestionAsked) -> None:
        th = self._thread(rec.question_id, rec.topic, rec.attempt)
        key = (rec.question_id, rec.turn_id)
        if key not in self.turns:
            turn = Turn(turn_id=rec.turn_id, kind=rec.kind, text=rec.text, reason=rec.reason, probes=rec.probes,
                        question_audio=rec.audio)
            th.turns.append(turn)
            self.turns[key] = (turn, th)

    def _answered(self, rec: R.AnswerFinished) -> None:
        found = self.turns.get((rec.question_id, rec.turn_id))
        if found is not None:
            turn, th = found
            turn.transcript = rec.transcript
            turn.metrics = rec.metrics
            turn.answer_audio = rec.audio
            turn.ended_by = rec.ended_by
            if turn.kind == "main" and not th.answered_at:
                th.answered_at = rec.t

    def _skipped(self, rec: R.QuestionSkipped) -> None:
        self._thread(rec.question_id, rec.topic, rec.attempt).skipped = True

    def _scored(self, rec: R.TurnScored) -> None:
        th = self.threads.get((rec.question_id, rec.attempt))
        if th is not None:
            th.score = rec.score
            th.score_status = "scored"

    def _pending(self, rec: R.ScorePending) -> None:
        th = self.threads.get((rec.question_id, rec.attempt))
        if th is not None and th.score_status != "scored":
            th.score_status = "pending"

    def _notice(self, rec: R.Notice) -> None:
        self.state.notices.append(rec.text)

    def _finished(self, rec: R.RoundFinished) -> None:
        self.state.status, self.state.finished_reason = "complete", rec.reason


def _problem(err: ErrorDetails) -> str:
    """Which field was wrong, without quoting it (it may be the candidate's words)."""
    where = ".".join(str(x) for x in err["loc"][2:]) or "event"
    return f"{where}: {err['msg']}"


def _line_kind(line: bytes) -> str | None:
    """The event type of a line that parses as an event object, else None (unreadable)."""
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return obj["type"] if isinstance(obj, dict) and isinstance(obj.get("type"), str) else None


def _readable(entries: list[tuple[int, bytes]], skipped: list[str]) -> list[tuple[int, bytes]]:
    """The lines that hold one JSON event each; the others are listed in `skipped`."""
    kept = []
    for n, line in entries:
        if _line_kind(line) is None:
            skipped.append(f"line {n}: unreadable line skipped")
        else:
            kept.append((n, line))
    return kept


def read_records(path: Path) -> tuple[list[tuple[int, R._Record]], list[str]]:
    """Every valid event of a journal with its line number, and what was skipped (torn, unreadable, invalid,
    unknown). The whole file is parsed and validated in one pydantic-core call; only a journal with bad lines
    pays for a second look at them. Raises OSError if the file cannot be read at all."""
    fd = open_regular(path, os.O_RDONLY)
    with os.fdopen(fd, "rb") as f:
        raw = f.read()
    entries = [(n, line) for n, line in enumerate(raw.split(b"\n"), 1) if line.strip()]
    skipped: list[str] = []
    if entries and _line_kind(entries[-1][1]) is None:  # a crash mid-write: the usual damage, checked cheaply
        skipped.append(f"line {entries[-1][0]}: torn last line skipped")
        entries.pop()
    for _ in range(4):
        try:
            records = R.JOURNAL.validate_json(b"[" + b",".join(line for _, line in entries) + b"]")
        except ValidationError as e:
            errors = e.errors(include_input=False, include_url=False)
            first: dict[int, ErrorDetails] = {}
            for err in errors:
                if err["loc"] and isinstance(err["loc"][0], int):
                    first.setdefault(err["loc"][0], err)
            if not first:  # broken JSON somewhere: find the lines, one by one (rare)
                entries = _readable(entries, skipped)
                continue
            for i in sorted(first):
                n, line = entries[i]
                kind = _line_kind(line)
                if kind is None:
                    skipped.append(f"line {n}: unreadable line skipped")
                elif first[i]["type"] == "union_tag_invalid":  # written by a newer version
                    skipped.append(f"line {n}: unknown event type {kind[:40]!r} skipped")
                else:
                    skipped.append(f"line {n}: invalid {kind[:40]} event skipped ({_problem(first[i])})")
            entries = [entry for i, entry in enumerate(entries) if i not in first]
            continue
        if len(records) != len(entries):  # a line holding more than one value: drop such lines
            entries = _readable(entries, skipped)
            continue
        return [(n, rec) for (n, _line), rec in zip(entries, records)], skipped
    raise OSError(errno.EIO, "the journal could not be read")


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a journal becomes objects: every collection would walk all the objects
    already built (hundreds of thousands for a long session), which made the rebuild superlinear; nothing made
    here is garbage with cycles. Reentrant."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def rebuild(path: Path) -> SessionState:
    """Fold the journal into a SessionState; unreadable, unknown or invalid lines are listed, not fatal.

    A journal that cannot be read at all, or that has no valid session_started event, gives a state whose
    `damaged` says why. Linear in the number of events."""
    with gc_paused():
        return _rebuild(path)


def _rebuild(path: Path) -> SessionState:
    state = SessionState(id=path.name, path=path, meta=SessionMeta(session_id=path.name))
    try:
        if os.path.islink(path):
            raise OSError(errno.ELOOP, "the session folder is a symbolic link (not followed)")
        records, skipped = read_records(path / "journal.jsonl")
    except FileNotFoundError:
        state.damaged = "journal.jsonl is missing"
        return state
    except OSError as e:
        why = "a symbolic link (not followed)" if e.errno == errno.ELOOP else (e.strerror or str(e))
        state.damaged = f"journal.jsonl cannot be read: {why}"
        return state
    state.skipped_lines = skipped
    fold = _Rebuild(state)
    for _n, rec in records:
        fold.apply(rec)
    if not fold.started:
        state.damaged = "the journal has no valid session_started event" + (
            f" ({'; '.join(state.skipped_lines[:3])})" if state.skipped_lines else "")
    return state


def check_private(root: Path) -> None:
    """Refuse a sessions folder other users can write to: they could swap files or read the recordings."""
    try:
        st = os.stat(root)
    except OSError:
        return
    bad = bool(st.st_mode & stat.S_IWOTH)
    if st.st_mode & stat.S_IWGRP and not _private_group(st.st_gid):
        bad = True
    if bad:
        raise StoreError(f"the sessions folder {root} is writable by other users (mode {stat.filemode(st.st_mode)}),"
                         f" who could read or replace your recordings; run: chmod go-w {shlex.quote(str(root))}")


def _private_group(gid: int) -> bool:
    """A user-private group (the user's own primary group with no other members) is as private as the user."""
    try:
        me = pwd.getpwuid(os.geteuid())
        g = grp.getgrgid(gid)
    except KeyError:
        return False
    return gid == me.pw_gid and g.gr_name == me.pw_name and not [m for m in g.gr_mem if m != me.pw_name]


@dataclass
class Listing:
    """The sessions folder: sessions that load, newest first, and damaged ones with the reason."""

    sessions: list[SessionState] = field(default_factory=list)
    damaged: list[tuple[str, str]] = field(default_factory=list)


class SessionStore:
    """The sessions folder."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _ensure_root(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        check_private(self.root)

    def create(self, title: str, now: datetime | None = None) -> tuple[str, Path, Journal]:
        """Make a new session folder (0700) with its journal (0600, locked) and audio/."""
        try:
            return self._create(title, now)
        except MockintError:
            raise
        except OSError as e:
            raise StoreError(f"cannot create a session in {self.root}: {e.strerror or e}",
                             hint="set --sessions DIR or MOCKINT_SESSIONS_DIR to a writable folder") from e

    def _create(self, title: str, now: datetime | None) -> tuple[str, Path, Journal]:
        self._ensure_root()
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        base = f"{stamp}-{slugify(title)}"
        sid, n = base, 1
        while True:
            try:
                (self.root / sid).mkdir(mode=DIR_MODE)  # never follows: an existing link is "exists"
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
        if not os.path.lexists(path / "journal.jsonl"):
            raise MockintError(f"no session {sid!r} in {self.root} (see `mockint sessions`)")
        return path

    def open_journal(self, session_id: str) -> Journal:
        """The session's journal for appending, locked: a second writer gets a clear refusal."""
        path = self.path_of(session_id)
        check_private(self.root)
        if os.path.islink(path) or os.path.islink(path / "audio"):
            raise SessionDamaged(f"session {path.name}: a symbolic link inside the session folder is not followed")
        try:
            return Journal(path / "journal.jsonl")
        except JournalLocked:
            raise StoreError(f"session {path.name} is already open in another mockint (a round or a rescore); "
                             "two at once would mix their answers", hint="finish or quit the other one first") from None
        except OSError as e:
            raise StoreError(f"cannot open session {path.name} for writing: {e.strerror or e}") from e

    def load(self, session_id: str) -> SessionState:
        state = rebuild(self.path_of(session_id))
        if state.damaged:
            raise SessionDamaged(f"session {state.id} is damaged: {state.damaged}")
        return state

    def scan(self) -> Listing:
        """Every session folder: loadable ones newest first, damaged ones with the reason; never raises."""
        out = Listing()
        try:
            entries = sorted(os.scandir(self.root), key=lambda e: e.name, reverse=True)
        except OSError as e:
            if e.errno not in (errno.ENOENT, errno.ENOTDIR):
                out.damaged.append((str(self.root), f"the sessions folder cannot be read: {e.strerror or e}"))
            return out
        for entry in entries:
            if not _ID_RE.match(entry.name):
                continue
            try:
                if entry.is_symlink():
                    out.damaged.append((entry.name, "a symbolic link (not followed)"))
                    continue
                if not entry.is_dir(follow_symlinks=False):
                    continue
                if not os.path.lexists(os.path.join(entry.path, "journal.jsonl")):
                    continue  # not a session (or created and killed before its first event could be written)
                state = rebuild(Path(entry.path))
            except Exception as e:  # noqa: BLE001 - one bad folder must never break the listing
                out.damaged.append((entry.name, f"cannot be read ({type(e).__name__})"))
                continue
            if state.damaged:
                out.damaged.append((state.id, state.damaged))
            else:
                out.sessions.append(state)
        return out

    def list(self) -> list[SessionState]:
        """Sessions that load, newest first (damaged ones are in `scan()`)."""
        return self.scan().sessions


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write-then-rename so a reader never sees half a file; 0600 like every session file.

    The temporary file is created with O_EXCL and a random name (a planted link or file is never written
    through), every write is checked, and the temporary file is removed if anything fails."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path = Path(path)
    tmp = path.with_name(f".{path.name[:200]}.{secrets.token_hex(4)}.tmp")
    fd = open_regular(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        try:
            write_all(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
