"""Word error rate of the answer pipeline (tiny.en, beam 5, guards), with and without prompts, in both voices.

Two sets:
- tuning fixtures (tests/data/spoken_answers.json): what the prompt design was tuned on;
- HELD-OUT: candidate answers from tests/data/calibration/dev_b.json (writer B) (kinds strong, plain, partial, rambling,
  first ~60 words), written by someone who never saw this pipeline; never tuned on.
Voices: espeak-ng variants (en-us 165 wpm, en-us+m3 185 wpm, en-gb 150 wpm) with white noise at 20 dB SNR, and
the neural piper joe voice (clean). Prompts: none; generic (the disfluent lead-in only, what `mockint transcribe`
uses without --question); the question's (lead-in + glossary + the question).

Usage: .venv/bin/python bench/stt_accuracy.py [--quick] [--heldout-only] [--voices-only]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import ROOT

from mockint.audio.wavio import read_wav, resample
from mockint.bank import load_bank
from mockint.speech.streaming import transcribe_file
from mockint.speech.stt import LEAD_IN, WhisperTranscriber, build_prompt
from mockint.speech.tts import piper_available, build_speaker
from mockint.text import normalize
import subprocess

ESPEAK_VOICES = [("en-us", 165), ("en-us+m3", 185), ("en-gb", 150)]
KINDS = ("strong", "plain", "partial", "rambling")


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


def espeak(text: str, voice: str, rate: int) -> np.ndarray:
    from mockint.speech.spoken import for_speech

    with tempfile.TemporaryDirectory() as d:
        wav = Path(d) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(wav), for_speech(text)], check=True,
                       capture_output=True)
        audio, sr = read_wav(wav)
    return resample(audio, sr, 16000)


def noisy(audio: np.ndarray, snr_db: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = float(np.mean(audio[np.abs(audio) > 0.01] ** 2)) if np.any(np.abs(audio) > 0.01) else 1e-4
    noise = rng.standard_normal(len(audio)).astype(np.float32) * np.sqrt(p / 10 ** (snr_db / 10))
    pad = np.zeros(8000, np.float32)
    return np.concatenate([pad, audio, pad]) + np.concatenate([noise[:8000], noise, noise[:8000]])


def piper(text: str, speaker) -> np.ndarray:
    with tempfile.TemporaryDirectory() as d:
        audio, sr = read_wav(speaker.synthesize(text, Path(d) / "p.wav"))
    return resample(audio, sr, 16000)


def truncate(text: str, n: int = 60) -> str:
    w = text.split()
    if len(w) <= n:
        return text
    cut = " ".join(w[:n])
    end = max(cut.rfind("."), cut.rfind("?"), cut.rfind("!"))
    return cut[: end + 1] if end > len(cut) // 2 else cut


def run_set(name: str, items: list[tuple[str, str, str]], model, bank, voices: list[str],
            modes: tuple[str, ...] = ("none", "generic", "question")) -> dict:
    """items: (question id, text to say, reference text). Returns {(voice, mode): [errors, words]}."""
    piper_speaker = build_speaker("piper", None, 175)[0] if "piper joe" in voices else None
    totals: dict = {}
    t0 = time.monotonic()
    for k, (qid, say, ref) in enumerate(items):
        q = bank.question(qid)
        prompts = {"none": None, "generic": LEAD_IN,
                   "question": build_prompt(bank.glossary(q), context=q.prompt) if q else LEAD_IN}
        for voice in voices:
            if voice == "piper joe":
                audio = piper(say, piper_speaker)
            else:
                v, rate = ESPEAK_VOICES[k % len(ESPEAK_VOICES)]
                audio = noisy(espeak(say, v, rate), 20, k)
            for mode in modes:
                prompt = prompts[mode]
                t = transcribe_file(model, audio, prompt)
                e, n = wer(words(ref), words(t.text))
                acc = totals.setdefault((voice, mode), [0, 0])
                acc[0] += e
                acc[1] += n
    print(f"\n{name}: {len(items)} answers, {time.monotonic() - t0:.0f} s")
    heads = {"none": "no prompt", "generic": "generic", "question": "question"}
    print(f"  {'voice':34} " + " ".join(f"{heads[m]:>10}" for m in modes))
    for voice in voices:
        cells = [totals[(voice, m)][0] / max(1, totals[(voice, m)][1]) for m in modes]
        print(f"  {voice:34} " + " ".join(f"{c:>10.1%}" for c in cells))
    return totals


def voices_understood(model, bank, n: int = 8) -> None:
    """The interviewer's intelligibility: bank questions said by each voice, transcribed back without a prompt."""
    qs = [q for q in bank.questions][:: max(1, len(bank.questions) // n)][:n]
    print(f"\ninterviewer voices: {len(qs)} bank questions spoken and transcribed back (no prompt)")
    for engine in (["piper"] if piper_available() else []) + ["espeak"]:
        speaker = build_speaker(engine, None, 175)[0]
        e = n_words = 0
        for q in qs:
            with tempfile.TemporaryDirectory() as d:
                audio, sr = read_wav(speaker.synthesize(q.prompt, Path(d) / "q.wav"))
            t = transcribe_file(model, resample(audio, sr, 16000), None)
            err, n = wer(words(q.prompt), words(t.text))  # the question as written
            e, n_words = e + err, n_words + n
        print(f"  {speaker.name:34} WER {e / max(1, n_words):.1%}")


def main() -> None:
    quick = "--quick" in sys.argv
    bank = load_bank(ROOT / "question_bank")
    model = WhisperTranscriber("tiny.en").load()
    print(f"model {model.name}, beam {model.beam_size}; load average {open('/proc/loadavg').read().split()[0]}")
    if "--voices-only" in sys.argv:
        voices_understood(model, bank)
        return
    voices = ["espeak-ng variants + noise (20 dB)"] + (["piper joe"] if piper_available() else [])
    fixtures = json.loads((ROOT / "tests" / "data" / "spoken_answers.json").read_text())
    tune = [(f["question_id"], f["say"], f["reference"]) for f in fixtures]
    if "--heldout-only" not in sys.argv:
        run_set("tuning fixtures (spoken_answers.json)", tune[:4] if quick else tune, model, bank, voices)
    held = json.loads((ROOT / "tests" / "data" / "calibration" / "dev_b.json").read_text())["items"]
    items = [(h["question_id"], truncate(h["answer"]), truncate(h["answer"])) for h in held if h["kind"] in KINDS]
    voices_understood(model, bank)
    # the held-out set answers one question only: does the question's prompt help on answers nobody tuned on?
    run_set("HELD-OUT (calibration/dev_b.json, writer B; never used to tune speech)", items[:8] if quick else items,
            model, bank, voices, ("none", "question"))


if __name__ == "__main__":
    main()
