"""Load and validate question banks (one topic per TOML file) into a `Bank`; pure apart from reading files."""

from __future__ import annotations

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


def _load_file(path: Path, problems: list[str]) -> tuple[Topic | None, list[Question]]:
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append(f"{path}: not UTF-8 text (byte {e.start}); expected a TOML file")
        return None, []
    except OSError as e:
        problems.append(f"{path}: cannot read: {e.strerror or e}")
        return None, []
    return _parse_topic_file(raw, path, problems)


def parse_topic_text(raw: str, where: str) -> tuple[Topic, list[Question]]:
    """Validate the text of one topic file exactly as `load_bank` (and so `mockint bank validate`) would, without
    reading or writing any file: BankError lists every problem (e.g. drafted questions before they are saved)."""
    problems: list[str] = []
    topic, questions = _parse_topic_file(raw, where, problems)
    if problems or topic is None:
        raise BankError(problems or [f"{where}: no [topic] table"])
    return topic, questions


def _parse_topic_file(raw: str, path: Path | str, problems: list[str]) -> tuple[Topic | None, list[Question]]:
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as e:
        problems.append(f"{path}: invalid TOML: {e}")
        return None, []
    except Exception as e:  # tomllib can raise odd errors on pathological input; report, never crash
        problems.append(f"{path}: invalid TOML: {type(e).__name__}")
        return None, []

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


def load_bank(*paths: Path | str) -> Bank:
    """Load every topic file under `paths`; raise BankError listing every problem found."""
    problems: list[str] = []
    files = _expand([Path(p) for p in paths], problems)
    topics: dict[str, Topic] = {}
    questions: list[Question] = []
    sources: dict[str, Path] = {}
    topic_files: dict[str, Path] = {}
    for f in files:
        topic, qs = _load_file(f, problems)
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
