"""The shipped bank is complete and valid; broken banks get one clear message per problem, exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockint.bank import load_bank
from mockint.errors import BankError

from .conftest import BANK

FILES = sorted(BANK.glob("*.toml"))


def test_shipped_bank_is_big_and_complete(bank):
    assert len(bank.questions) >= 40
    assert len(bank.topics) >= 10
    for q in bank.questions:
        assert q.glossary and q.reference_answer and 4 <= len(q.key_points) <= 8
        assert 2 <= len(q.follow_ups) <= 4
        assert len(q.prompt.split()) <= 45 and len(q.reference_answer.split()) <= 180
    kinds = {q.kind for q in bank.questions}
    assert kinds == {"technical", "design", "story"}
    stories = [q for q in bank.questions if q.kind == "story"]
    for q in stories:
        assert {"situation", "task", "action", "result", "technical"} <= {k.id for k in q.key_points}


def test_cli_validate_and_list_json(main):
    r = main("bank", "validate")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("ok:")
    r = main("bank", "list", "--json")
    data = json.loads(r.stdout)
    assert len(data) >= 40 and len({q["topic"] for q in data}) >= 10
    for q in data:
        for field in ("id", "topic", "kind", "prompt", "key_points", "follow_ups", "reference_answer",
                      "glossary", "answer_seconds", "difficulty"):
            assert q[field] not in (None, "", []), (q["id"], field)
    r = main("bank", "list", "--topic", "nope")
    assert r.returncode == 2 and "unknown topic" in r.stderr


def _write(tmp_path: Path, text: str, name: str = "t.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _problems(*paths) -> list[str]:
    with pytest.raises(BankError) as e:
        load_bank(*paths)
    return e.value.problems


def test_bad_toml_names_file_and_line(tmp_path):
    p = _write(tmp_path, "[topic]\nid = 'x'\nname = \n")
    (msg,) = _problems(p)
    assert str(p) in msg and "invalid TOML" in msg and "line 3" in msg


def test_each_problem_is_reported(tmp_path):
    src = FILES[0].read_text()
    import tomllib

    data = tomllib.loads(src)
    q0 = data["questions"][0]
    broken = src.replace(f'probes = "{q0["follow_ups"][0]["probes"]}"', 'probes = "no-such-point"', 1)
    p = _write(tmp_path, broken, FILES[0].name)
    dup = tmp_path / "dup"
    dup.mkdir()
    shutil.copy(FILES[0], dup / "copy.toml")
    problems = _problems(p, dup)
    assert any(q0["id"] in m and "no-such-point" in m and str(p) in m for m in problems), problems
    assert any("duplicate id" in m for m in problems)
    assert any("already defined" in m for m in problems)


def test_missing_and_wrong_fields(tmp_path):
    p = _write(tmp_path, """
[topic]
id = "t"
name = "T"
[[questions]]
id = "t-one"
topic = "t"
kind = "essay"
difficulty = 9
answer_seconds = 60
prompt = "Tell me about something interesting please."
reference_answer = "A reference answer that is long enough."
[[questions.key_points]]
id = "a"
point = "aaa"
phrases = ["Upper Case"]
[[questions.follow_ups]]
probes = "a"
text = "why though?"
""")
    problems = _problems(p)
    text = "\n".join(problems)
    assert "question 't-one'" in text
    for expected in ("kind", "difficulty", "key_points", "follow_ups", "lowercase"):
        assert expected in text, (expected, text)


def test_a_problem_names_the_block_as_a_person_counts_it_and_what_was_written(tmp_path):
    """Seen writing a bank of one's own: "key_points.1.id: String should match pattern '^[a-z0-9]+(-[a-z0-9]+)*$'"
    for the second key point. Blocks are counted from 1, the rule is said in words, and the value is quoted."""
    src = FILES[0].read_text()
    import tomllib

    kp = tomllib.loads(src)["questions"][0]["key_points"][1]["id"]
    p = _write(tmp_path, src.replace(f'id = "{kp}"', 'id = "Second Point"', 1), FILES[0].name)
    (msg,) = _problems(p)
    assert "key_points #2 → id: must be kebab-case" in msg and "(got 'Second Point')" in msg, msg


def test_too_many_misconceptions_is_counted_in_words(tmp_path):
    """A bank of one's own with too many misconceptions said "List should have at most 8 items after validation, not
    10" (the limit is 12 since the default bank took writer K's mistakes in)."""
    import tomllib

    src = FILES[0].read_text()
    first = tomllib.loads(src)["questions"][0]
    more = range(13 - len(first["misconceptions"]))
    block = "\n".join(f'[[questions.misconceptions]]\nid = "extra-{i}"\nclaim = "A wrong statement number {i}."\n'
                      f'correction = "What is true instead, number {i}."' for i in more)
    # the new blocks go right after the first question's last line, before the second [[questions]]
    at = src.index("[[questions]]", src.index("[[questions]]") + 1)
    p = _write(tmp_path, src[:at] + block + "\n\n" + src[at:], FILES[0].name)
    (msg,) = _problems(p)
    assert msg.endswith("misconceptions: at most 12 allowed, found 13"), msg


def test_validate_counts_in_words(main):
    """A bank of one's own with one question (tests/data/own_bank) said "ok: 1 questions in 1 topics"."""
    r = main("bank", "validate", str(Path(__file__).parent / "data" / "own_bank"))
    assert r.returncode == 0 and r.stdout.startswith("ok: 1 question in 1 topic (1 technical)"), r.stdout


def test_cli_broken_bank_exit_2_no_traceback(main, tmp_path):
    _write(tmp_path, "not = [toml")
    r = main("bank", "validate", str(tmp_path))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "invalid TOML" in r.stderr
    r = main("bank", "validate", str(tmp_path / "missing"))
    assert r.returncode == 2 and "no such file" in r.stderr


def test_user_bank_via_env(main, tmp_path):
    shutil.copy(FILES[0], tmp_path / FILES[0].name)
    r = main("bank", "list", "--json", env={"MOCKINT_BANK_DIR": str(tmp_path)})
    data = json.loads(r.stdout)
    assert {q["topic"] for q in data} == {FILES[0].stem}


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.text(max_size=400))
def test_fuzz_arbitrary_text(tmp_path, text):
    p = tmp_path / "fuzz.toml"
    p.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        load_bank(p)
    except BankError as e:
        assert e.problems and all(str(p) in m for m in e.problems)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.sampled_from(FILES), st.data())
def test_fuzz_damaged_real_files(tmp_path, src, data):
    raw = bytearray(src.read_bytes())
    for _ in range(data.draw(st.integers(1, 6))):
        op = data.draw(st.sampled_from(["delete", "insert", "flip", "truncate"]))
        if not raw:
            break
        i = data.draw(st.integers(0, len(raw) - 1))
        if op == "delete":
            del raw[i : i + data.draw(st.integers(1, 40))]
        elif op == "insert":
            raw[i:i] = data.draw(st.sampled_from([b"=", b"[", b"]]", b'"', b"\n[[questions]]\n", b"\xff", b"id = 3\n"]))
        elif op == "flip":
            raw[i] = data.draw(st.integers(0, 255))
        else:
            del raw[i:]
    p = tmp_path / src.name
    p.write_bytes(bytes(raw))
    try:
        load_bank(p)
    except BankError as e:
        assert e.problems


def test_a_swap_names_terms_the_mistake_says():
    """`swap` names the two terms a misconception exchanges; a typo there would silently never match."""
    from pydantic import ValidationError

    from mockint.models import Misconception

    ok = Misconception(id="m", claim="Session pooling shares connections.", correction="Transaction pooling does.",
                       swap=["session", "transaction"])
    assert ok.swap == ["session", "transaction"]
    with pytest.raises(ValidationError, match="neither swap term"):
        Misconception(id="m", claim="Session pooling shares connections.", correction="Transaction pooling does.",
                      swap=["sesion", "transacton"])
    with pytest.raises(ValidationError, match="two different terms"):
        Misconception(id="m", claim="Session pooling shares connections.", correction="x is true instead",
                      swap=["session", "Session"])


def test_a_parsed_bank_is_read_back_from_the_cache_and_never_stale(tmp_path):
    """Parsing the bank's TOML took ~75 ms in every command that loads it; the parsed files are kept in the cache
    folder. What comes back is what a fresh parse gives, an edited file is parsed again, and a damaged, foreign or
    symlinked entry is only a slower start."""
    import os

    from mockint import bank as bank_mod

    src = tmp_path / "bank"
    shutil.copytree(BANK, src)
    cache = tmp_path / "cache"
    fresh = load_bank(src)
    first = load_bank(src, cache=cache)
    entries = sorted((cache / "parsed").iterdir())
    assert len(entries) == len(list(src.glob("*.toml"))) and first == fresh
    assert all(os.stat(e).st_mode & 0o777 == 0o600 for e in entries)

    parsed = []
    real_toml = bank_mod._toml
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bank_mod, "_toml", lambda raw, path, problems: parsed.append(path) or real_toml(raw, path, problems))
        assert load_bank(src, cache=cache) == fresh and parsed == []  # every file read back, none parsed
        caching = src / "caching.toml"
        caching.write_text(caching.read_text().replace('name = "Caching', 'name = "Caches', 1))
        edited = load_bank(src, cache=cache)
        assert parsed == [caching] and edited.topics["caching"].name.startswith("Caches")
        assert edited == load_bank(src)
        # a damaged entry, one that claims another file's bytes, and a symlink are each parsed again, not trusted
        entry = bank_mod._ParsedCache(cache, caching, caching.read_bytes()).path
        for damage in ("{not json", json.dumps({"digest": "0" * 32, "table": {"topic": {}}})):
            parsed.clear()
            entry.write_text(damage)
            assert load_bank(src, cache=cache) == edited and parsed == [caching]
        elsewhere = tmp_path / "planted.json"
        elsewhere.write_text(entry.read_text())
        entry.unlink()
        entry.symlink_to(elsewhere)
        parsed.clear()
        assert load_bank(src, cache=cache) == edited and parsed == [caching]
    # a broken file is still reported exactly as without a cache
    (src / "auth.toml").write_text("[topic\n")
    with pytest.raises(BankError) as with_cache:
        load_bank(src, cache=cache)
    with pytest.raises(BankError) as without:
        load_bank(src)
    assert with_cache.value.problems == without.value.problems


def test_the_bank_cache_folder_cannot_be_written(tmp_path):
    """A cache folder that cannot be made (a file in the way) costs only the parse."""
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    assert load_bank(BANK, cache=blocker) == load_bank(BANK)
