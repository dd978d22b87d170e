"""Load and validate question banks (one topic per TOML file) into a `Bank`; pure apart from reading files."""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from pydantic import ValidationError

from .errors import BankError
from .models import KEBAB, Question, Topic


@dataclass(frozen=True)
class Bank:
    """Validated topics and questions, in file order."""

    topics: dict[str, Topic]
    questions: list[Question]
    sources: dict[str, Path] = field(default_factory=dict)

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)

    def by_topic(self, topic: str) -> list[Question]:
        return [q for q in self.questions if q.topic == topic]

    def glossary(self, question: Question | None = None) -> list[str]:
        """Terms for the speech recogniser: the question's and its topic's, or the whole bank's."""
        if question is None:
            terms = [t for tp in self.topics.values() for t in tp.glossary]
            terms += [t for q in self.questions for t in q.glossary]
        else:
            topic = self.topics.get(question.topic)
            terms = list(question.glossary) + (list(topic.glossary) if topic else [])
        return list(dict.fromkeys(terms))

    def topic_name(self, topic_id: str) -> str:
        t = self.topics.get(topic_id)
        return t.name if t else topic_id


def _fmt_loc(loc: tuple[Any, ...]) -> str:
    """("key_points", 1, "id") -> "key_points #2 → id": items counted from 1, as a person counts the [[...]] blocks."""
    out = ""
    for p in loc:
        if isinstance(p, int):
            out += f" #{p + 1}"
        else:
            out += (" → " if out else "") + str(p)
    return out or "(file)"


def _validation_problems(where: str, err: ValidationError) -> list[str]:
    out = []
    for e in err.errors():
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "string_pattern_mismatch" and (e.get("ctx") or {}).get("pattern") == KEBAB:
            msg = "must be kebab-case: lowercase letters and digits joined by '-'"
        ctx = e.get("ctx") or {}
        if e["type"] in ("too_long", "too_short") and isinstance(e.get("input"), list):
            # "List should have at most 8 items after validation, not 10" says it the way a bank author counts
            limit = ctx.get("max_length") if e["type"] == "too_long" else ctx.get("min_length")
            msg = f"{'at most' if e['type'] == 'too_long' else 'at least'} {limit} allowed, found {len(e['input'])}"
        got = e.get("input")
        if isinstance(got, (str, int, float)) and not isinstance(got, bool) and len(str(got)) <= 40 \
                and e["type"] not in ("missing", "extra_forbidden"):
            msg += f" (got {got!r})"
        out.append(f"{where}: {_fmt_loc(e['loc'])}: {msg}")
    return out


def _load_file(path: Path, problems: list[str], cache: Path | None = None) -> tuple[Topic | None, list[Question]]:
    try:
        data = path.read_bytes()
        raw = data.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append(f"{path}: not UTF-8 text (byte {e.start}); expected a TOML file")
        return None, []
    except OSError as e:
        problems.append(f"{path}: cannot read: {e.strerror or e}")
        return None, []
    parsed = _ParsedCache(cache, path, data)
    table = parsed.get()
    if table is None:
        table = _toml(raw, path, problems)
        if table is None:
            return None, []
        parsed.put(table)
    return _validate_topic_file(table, path, problems)


class _ParsedCache:
    """A topic file's parsed TOML, kept as JSON in the cache folder: the bank's ten files take ~75 ms to parse as
    TOML and ~3 ms to read back as JSON, in every command that loads the bank (a round's launch included).

    One entry per source file, holding the hash of the bytes it was parsed from, so an edited file is parsed again
    and its stale entry replaced; what is read back is validated exactly as a fresh parse is. Any failure (no cache
    folder, a full disk, a damaged or foreign entry) only means parsing the TOML again.
    """

    VERSION = b"mockint-bank-1"  # bump if what is stored changes

    def __init__(self, folder: Path | None, source: Path, data: bytes):
        self.folder = folder
        self.digest = hashlib.blake2b(self.VERSION + b"\0" + data, digest_size=16).hexdigest()
        name = hashlib.blake2b(str(source.resolve()).encode(), digest_size=12).hexdigest()
        self.path = folder / "parsed" / f"{name}.json" if folder is not None else None

    def get(self) -> dict[str, Any] | None:
        if self.path is None:
            return None
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as f:
                entry = json.loads(f.read())
        except (OSError, ValueError):
            return None
        if isinstance(entry, dict) and entry.get("digest") == self.digest and isinstance(entry.get("table"), dict):
            return entry["table"]
        return None

    def put(self, table: dict[str, Any]) -> None:
        if self.path is None:
            return
        try:
            # lossless for what a bank holds (strings, numbers, booleans, lists, tables); a TOML date is not JSON
            # and is simply not cached
            body = json.dumps({"digest": self.digest, "table": table}, ensure_ascii=False).encode()
        except (TypeError, ValueError):
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(body)
            os.replace(tmp, self.path)
        except OSError:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass


def parse_topic_text(raw: str, where: str) -> tuple[Topic, list[Question]]:
    """Validate the text of one topic file exactly as `load_bank` (and so `mockint bank validate`) would, without
    reading or writing any file: BankError lists every problem (e.g. drafted questions before they are saved)."""
    problems: list[str] = []
    topic, questions = _parse_topic_file(raw, where, problems)
    if problems or topic is None:
        raise BankError(problems or [f"{where}: no [topic] table"])
    return topic, questions


def _parse_topic_file(raw: str, path: Path | str, problems: list[str]) -> tuple[Topic | None, list[Question]]:
    data = _toml(raw, path, problems)
    return (None, []) if data is None else _validate_topic_file(data, path, problems)


def _toml(raw: str, path: Path | str, problems: list[str]) -> dict[str, Any] | None:
    try:
        return tomllib.loads(raw)
    except tomllib.TOMLDecodeError as e:
        problems.append(f"{path}: invalid TOML: {e}")
    except Exception as e:  # tomllib can raise odd errors on pathological input; report, never crash
        problems.append(f"{path}: invalid TOML: {type(e).__name__}")
    return None


def _validate_topic_file(data: dict[str, Any], path: Path | str,
                         problems: list[str]) -> tuple[Topic | None, list[Question]]:
    unknown = sorted(set(data) - {"topic", "questions"})
    if unknown:
        problems.append(f"{path}: unknown top-level keys {unknown}; expected [topic] and [[questions]]")
    topic = None
    if "topic" not in data:
        problems.append(f"{path}: missing [topic] table (id, name, description, glossary)")
    else:
        try:
            topic = Topic.model_validate(data["topic"])
        except ValidationError as e:
            problems += _validation_problems(f"{path}: [topic]", e)

    raw_qs = data.get("questions")
    if not isinstance(raw_qs, list) or not raw_qs:
        problems.append(f"{path}: expected at least one [[questions]] entry")
        return topic, []
    questions = []
    for i, rq in enumerate(raw_qs, 1):
        qid = rq.get("id") if isinstance(rq, dict) else None
        where = f"{path}: question {qid!r}" if isinstance(qid, str) else f"{path}: question #{i}"
        try:
            q = Question.model_validate(rq)
        except ValidationError as e:
            problems += _validation_problems(where, e)
            continue
        if topic is not None and q.topic != topic.id:
            problems.append(f"{where}: topic is {q.topic!r} but the file's [topic] id is {topic.id!r}")
            continue
        questions.append(q)
    return topic, questions


def _expand(paths: Iterable[Path], problems: list[str]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(p.glob("*.toml"))
            if not found:
                problems.append(f"{p}: no .toml question files in this folder")
            files += found
        elif p.is_file():
            files.append(p)
        else:
            problems.append(f"{p}: no such file or folder")
    return files


def load_bank(*paths: Path | str, cache: Path | None = None) -> Bank:
    """Load every topic file under `paths`; raise BankError listing every problem found. With `cache` (a folder of
    the user's own), parsed files are kept there and read back on the next load (see `_ParsedCache`)."""
    problems: list[str] = []
    files = _expand([Path(p) for p in paths], problems)
    topics: dict[str, Topic] = {}
    questions: list[Question] = []
    sources: dict[str, Path] = {}
    topic_files: dict[str, Path] = {}
    for f in files:
        topic, qs = _load_file(f, problems, cache)
        if topic is not None:
            if topic.id in topics:
                problems.append(f"{f}: topic id {topic.id!r} is already defined in {topic_files[topic.id]}")
            else:
                topics[topic.id] = topic
                topic_files[topic.id] = f
        for q in qs:
            if q.id in sources:
                problems.append(f"{f}: question {q.id!r}: duplicate id (also in {sources[q.id]})")
                continue
            sources[q.id] = f
            questions.append(q)
    if problems:
        raise BankError(problems)
    return Bank(topics=topics, questions=questions, sources=sources)
