"""Shared helpers for the benchmarks: espeak-ng speech of a given length, timing, peak RSS."""

from __future__ import annotations

import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mockint.audio.wavio import read_wav, resample  # noqa: E402
from mockint.bank import load_bank  # noqa: E402

SR = 16000


def say(text: str, rate: int = 165) -> np.ndarray:
    with tempfile.TemporaryDirectory() as d:
        wav = Path(d) / "s.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", str(rate), "-w", str(wav), text], check=True)
        audio, sr = read_wav(wav)
    return resample(audio, sr, SR)


def sentences(seed: int = 0) -> list[str]:
    bank = load_bank(ROOT / "question_bank")
    out = [s.strip() for q in bank.questions for s in re.split(r"(?<=[.?!])\s+", q.reference_answer) if len(s) > 30]
    random.Random(seed).shuffle(out)
    return out


def answer_audio(seconds: float, seed: int = 0) -> tuple[np.ndarray, str]:
    """Spoken sentences with natural pauses (0.35-0.9 s) until `seconds` long."""
    rng = random.Random(seed)
    parts, text = [], []
    total = 0
    for s in sentences(seed):
        a = say(s)
        parts += [a, np.zeros(int(SR * rng.uniform(0.35, 0.9)), dtype=np.float32)]
        text.append(s)
        total += len(a) + len(parts[-1])
        if total >= seconds * SR:
            break
    audio = np.concatenate(parts)[: int(seconds * SR)]
    return audio, " ".join(text)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")
