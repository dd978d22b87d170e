"""The journal is append-only and durable: a SIGKILL at any instant loses at most the event being written."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

from mockint.store.journal import Journal, read_journal

WRITER = r"""
import sys
from pathlib import Path
from mockint.store.journal import Journal
j = Journal(Path(sys.argv[1]))
start = int(sys.argv[2])
print("ready", flush=True)
for i in range(start, start + 100000):
    j.append("tick", seq=i, pad="x" * (i % 700))
    print(i, flush=True)
"""


def test_append_read_roundtrip(tmp_path):
    with Journal(tmp_path / "j.jsonl") as j:
        j.append("a", n=1)
        j.append("b", text="héllo\nworld")
    res = read_journal(tmp_path / "j.jsonl")
    assert [r.type for r in res.records] == ["a", "b"]
    assert res.records[1].data["text"] == "héllo\nworld" and res.records[0].v == 1
    assert oct((tmp_path / "j.jsonl").stat().st_mode & 0o777) == "0o600"


def test_torn_and_unknown_lines_are_skipped_and_reported(tmp_path):
    p = tmp_path / "j.jsonl"
    with Journal(p) as j:
        j.append("a", n=1)
        j.append("future_thing", n=2)
    with open(p, "ab") as f:
        f.write(b'{"v":1,"t":"x","type":"a","n":')
    res = read_journal(p, known_types={"a"})
    assert [r.data["n"] for r in res.records] == [1]
    assert any("torn last line" in s for s in res.skipped)
    assert any("unknown event type 'future_thing'" in s for s in res.skipped)
    # reopening after a torn tail starts a fresh line: the next event is intact
    with Journal(p) as j:
        j.append("a", n=3)
    assert [r.data["n"] for r in read_journal(p, {"a"}).records] == [1, 3]


def test_sigkill_at_random_moments_loses_nothing_acknowledged(tmp_path):
    path = tmp_path / "journal.jsonl"
    rng = random.Random(1234)
    seqs: list[int] = []
    kills = 30
    for _ in range(kills):
        start = seqs[-1] + 1 if seqs else 0
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(start)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        acked = [int(x) for x in out.split()]
        before = set(seqs)
        seqs = [r.data["seq"] for r in read_journal(path).records]
        # every event acknowledged before the kill is there; earlier events are untouched
        assert before <= set(seqs) and set(acked) <= set(seqs)
        assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
        # beyond the acknowledged ones, at most the single event being written may have landed
        extra = set(seqs) - before - set(acked)
        assert extra <= {(acked[-1] + 1) if acked else start}
    torn = sum(1 for line in path.read_bytes().split(b"\n") if line and not line.endswith(b"}"))
    assert torn <= kills
    assert len(seqs) > kills
