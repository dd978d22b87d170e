"""Append-only JSONL journal: one versioned event per line, fsynced; readers skip torn and unknown lines.

Writes are checked: an append either puts the whole line on disk (and fsyncs it) or raises, leaving the file as it
was (a short write from a full disk is cut off again). Files are opened without following symbolic links, and a
writer holds an exclusive lock on the journal, so two processes can never append to one session.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import stat
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
FILE_MODE = 0o600
OPEN_FLAGS = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK  # NONBLOCK: a planted FIFO must not hang open()


class JournalLocked(OSError):
    """Another Journal (in this or another process) is appending to this file."""


@dataclass
class Record:
    """One journal event as read back."""

    v: int
    t: str
    type: str
    data: dict[str, Any]
    line: int


@dataclass
class ReadResult:
    """Events read from a journal, and what had to be skipped."""

    records: list[Record] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is written; a full disk raises (ENOSPC/EDQUOT/EFBIG) instead of a short write."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        if n <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[n:]


def open_regular(path: Path, flags: int, mode: int = FILE_MODE) -> int:
    """os.open that never follows a symbolic link and accepts only a regular file."""
    fd = os.open(path, flags | OPEN_FLAGS, mode)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


class Journal:
    """Appends events to `path`; each append is durable before it returns, or raises and leaves no trace."""

    def __init__(self, path: Path, lock: bool = True):
        self.path = path
        self._lock = threading.Lock()
        self._fd = open_regular(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
        try:
            if lock:
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise JournalLocked(errno.EWOULDBLOCK, "the session is open in another mockint",
                                        str(path)) from None
            # a crash mid-line leaves a torn tail; start on a fresh line so the next event stays readable
            size = os.fstat(self._fd).st_size
            if size and os.pread(self._fd, 1, size - 1) != b"\n":
                write_all(self._fd, b"\n")
                os.fsync(self._fd)
        except BaseException:
            os.close(self._fd)
            self._fd = -1
            raise

    def append(self, type_: str, **data: Any) -> dict[str, Any]:
        event = {"v": SCHEMA_VERSION, "t": utcnow(), "type": type_, **data}
        line = (json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        with self._lock:
            if self._fd < 0:
                raise RuntimeError("journal is closed")
            size = os.fstat(self._fd).st_size
            try:
                # one line per write: O_APPEND keeps it contiguous even if a reader is tailing
                write_all(self._fd, line)
                os.fsync(self._fd)
            except OSError:
                try:  # leave no torn line behind: the event was not saved, and the file says so
                    os.ftruncate(self._fd, size)
                except OSError:
                    pass
                raise
        return event

    @property
    def closed(self) -> bool:
        return self._fd < 0

    def close(self) -> None:
        with self._lock:  # waits for an append in flight
            if self._fd >= 0:
                os.close(self._fd)  # releases the lock
                self._fd = -1

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_journal(path: Path, known_types: set[str] | None = None) -> ReadResult:
    """Read every intact event; report torn lines and (if `known_types` is given) unknown types.

    A missing file reads as empty (reported); a file that cannot be read at all (a symbolic link, a folder, no
    permission) raises OSError."""
    result = ReadResult()
    try:
        fd = open_regular(path, os.O_RDONLY)
    except FileNotFoundError:
        result.skipped.append(f"{path.name}: missing")
        return result
    with os.fdopen(fd, "rb") as f:
        raw = f.read()
    lines = raw.split(b"\n")
    last = len(lines) - (1 if lines and lines[-1] == b"" else 0)
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
                raise ValueError("not an event")
        except (ValueError, UnicodeDecodeError, RecursionError):
            result.skipped.append(f"line {n}: {'torn last line' if n >= last else 'unreadable line'} skipped")
            continue
        etype = obj.pop("type")
        if known_types is not None and etype not in known_types:
            result.skipped.append(f"line {n}: unknown event type {etype[:40]!r} skipped")
            continue
        v = obj.pop("v", 0)
        t = obj.pop("t", "")
        result.records.append(Record(v=v if isinstance(v, int) else 0, t=t if isinstance(t, str) else "",
                                     type=etype, data=obj, line=n))
    return result
