"""Word error rate on the project's spoken technical-answer fixtures, with and without the domain prompt;
filler recall on disfluent fixtures; peak RSS of a `mockint transcribe` process.

Usage: .venv/bin/python bench/stt_accuracy.py
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT, say

from mockint.audio.wavio import write_wav
from mockint.bank import load_bank
from mockint.speech.streaming import transcribe_file
from mockint.speech.stt import WhisperTranscriber, build_prompt
from mockint.text import normalize

FIXTURES = json.loads((ROOT / "tests" / "data" / "spoken_answers.json").read_text())


def words(text: str) -> list[str]:
    # compare spoken forms: "pg_stat_statements" and "pg stat statements" are the same words
    return normalize(text).split()


def wer(ref: list[str], hyp: list[str]) -> tuple[int, int]:
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)], len(ref)


def term_hits(text: str, terms: list[str]) -> int:
    flat = normalize(text).replace(" ", "")
    return sum(1 for t in terms if normalize(t).replace(" ", "") in flat)


def main() -> None:
    bank = load_bank(ROOT / "question_bank")
    model = WhisperTranscriber("tiny.en").load()
    totals = {"plain": [0, 0, 0], "domain": [0, 0, 0]}
    n_terms = 0
    filler_true = filler_found = fake_fillers = 0
    print(f"{'question':32} {'WER plain':>10} {'WER domain':>11} {'terms plain':>12} {'terms domain':>13}")
    for fx in FIXTURES:
        audio = say(fx["say"])
        q = bank.question(fx["question_id"])
        ref = words(fx["reference"])
        row = {}
        for mode, prompt in (("plain", None), ("domain", build_prompt(bank.glossary(q), context=q.prompt))):
            t = transcribe_file(model, audio, prompt)
            errors, n = wer(ref, words(t.text))
            hits = term_hits(t.text, fx["terms"])
            totals[mode][0] += errors
            totals[mode][1] += n
            totals[mode][2] += hits
            row[mode] = (errors / n, hits, t)
        n_terms += len(fx["terms"])
        said = sum(1 for w in words(fx["reference"]) if w in ("um", "uh"))
        heard = sum(1 for w in words(row["domain"][2].text) if w in ("um", "uh"))
        if fx.get("disfluent"):
            filler_true, filler_found = filler_true + said, filler_found + min(heard, said)
        else:
            fake_fillers += heard
        print(f"{fx['question_id']:32} {row['plain'][0]:>10.1%} {row['domain'][0]:>11.1%} "
              f"{row['plain'][1]:>6}/{len(fx['terms'])} {row['domain'][1]:>9}/{len(fx['terms'])}")
    wp = totals["plain"][0] / totals["plain"][1]
    wd = totals["domain"][0] / totals["domain"][1]
    print(f"\nWER without domain prompt: {wp:.1%}   with: {wd:.1%}   (cut by {1 - wd / wp:.0%})")
    print(f"glossary terms right: {totals['plain'][2]}/{n_terms} without, {totals['domain'][2]}/{n_terms} with")
    print(f"'um'/'uh' kept on disfluent fixtures: {filler_found}/{filler_true}; "
          f"invented on fluent fixtures: {fake_fillers}")
    with tempfile.TemporaryDirectory() as d:
        wav = Path(d) / "a.wav"
        write_wav(wav, say(" ".join(f["say"] for f in FIXTURES[:4])), 16000)
        subprocess.run([sys.executable, "-m", "mockint.cli", "transcribe", str(wav)], cwd=ROOT, check=True,
                       capture_output=True)
    print(f"peak RSS of a `mockint transcribe` process: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
