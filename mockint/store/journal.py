"""Append-only JSONL journal: one versioned event per line, fsynced; readers skip torn and unknown lines."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
FILE_MODE = 0o600


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


class Journal:
    """Appends events to `path`; each append is durable before it returns."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        self._fd = os.open(path, flags, FILE_MODE)
        # a crash mid-line leaves a torn tail; start on a fresh line so the next event stays readable
        size = os.fstat(self._fd).st_size
        if size:
            with open(path, "rb") as f:
                f.seek(size - 1)
                if f.read(1) != b"\n":
                    os.write(self._fd, b"\n")

    def append(self, type_: str, **data: Any) -> dict[str, Any]:
        event = {"v": SCHEMA_VERSION, "t": utcnow(), "type": type_, **data}
        line = (json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        with self._lock:
            if self._fd < 0:
                raise RuntimeError("journal is closed")
            # one write() of the whole line: O_APPEND keeps it contiguous even if a reader is tailing
            os.write(self._fd, line)
            os.fsync(self._fd)
        return event

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_journal(path: Path, known_types: set[str] | None = None) -> ReadResult:
    """Read every intact event; report torn lines and (if `known_types` is given) unknown types."""
    result = ReadResult()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        result.skipped.append(f"{path.name}: missing")
        return result
    lines = raw.split(b"\n")
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line.decode("utf-8"))
            if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
                raise ValueError("not an event")
        except (ValueError, UnicodeDecodeError):
            torn = n == len(lines) or (n == len(lines) - 1 and lines[-1] == b"")
            result.skipped.append(f"line {n}: {'torn last line' if torn else 'unreadable line'} skipped")
            continue
        etype = obj.pop("type")
        if known_types is not None and etype not in known_types:
            result.skipped.append(f"line {n}: unknown event type {etype!r} skipped")
            continue
        v = obj.pop("v", 0)
        t = obj.pop("t", "")
        result.records.append(Record(v=v if isinstance(v, int) else 0, t=str(t), type=etype, data=obj, line=n))
    return result
