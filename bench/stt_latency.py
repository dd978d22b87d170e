"""End of answer -> final transcript, streaming (fed in real time) vs batch, for 30-180 s answers.

Usage: scripts/with-pulse.sh .venv/bin/python bench/stt_latency.py [--quick]
"""

from __future__ import annotations

import sys
import time

import numpy as np
from _common import SR, answer_audio, median, peak_rss_mb

from mockint.speech.streaming import StreamingTranscriber, transcribe_file
from mockint.speech.stt import WhisperTranscriber, build_prompt

TRIALS = {30: 3, 60: 2, 120: 1, 180: 1}
CHUNK = 800  # 50 ms, what the recorder delivers
TAIL_SILENCE = 0.5  # the candidate stops, then presses the key half a second later


def streamed(model, audio: np.ndarray, prompt: str) -> tuple[float, int, bool]:
    s = StreamingTranscriber(model, prompt)
    start = time.monotonic()
    fed = np.concatenate([audio, np.zeros(int(SR * TAIL_SILENCE), dtype=np.float32)])
    for i in range(0, len(fed), CHUNK):
        s.feed(fed[i : i + CHUNK])
        # real time: chunk i is due at start + i/SR
        delay = start + (i + CHUNK) / SR - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    t0 = time.monotonic()
    s.finish("tiny.en")
    return time.monotonic() - t0, s.decodes, s.reused_speculation


def main() -> None:
    quick = "--quick" in sys.argv
    model = WhisperTranscriber("tiny.en").load()
    print(f"model {model.name}, beam {model.beam_size}; load average {open('/proc/loadavg').read().split()[0]}")
    prompt = build_prompt(["libuv", "MikroORM", "PostgreSQL", "Redis", "Kafka", "GraphQL"])
    print(f"{'length':>7} {'trial':>5} {'streaming end->final':>21} {'decodes':>8} {'reused':>7} {'batch':>8}")
    rows = {}
    for seconds, trials in TRIALS.items():
        if quick and seconds > 60:
            continue
        for t in range(1 if quick else trials):
            audio, _ = answer_audio(seconds, seed=seconds + t)
            lat, decodes, reused = streamed(model, audio, prompt)
            t0 = time.monotonic()
            transcribe_file(model, audio, prompt)
            batch = time.monotonic() - t0
            rows.setdefault(seconds, []).append((lat, batch))
            print(f"{seconds:>6}s {t + 1:>5} {lat:>20.2f}s {decodes:>8} {str(reused):>7} {batch:>7.2f}s", flush=True)
    print("\nmedian end->final (streaming) vs batch:")
    for seconds, vals in rows.items():
        stream_s, batch_s = median([v[0] for v in vals]), median([v[1] for v in vals])
        print(f"  {seconds:>4} s answer: {stream_s:.2f} s vs {batch_s:.2f} s batch")
    print(f"peak RSS of this process: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
