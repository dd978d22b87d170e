"""Pure speech parts: filler detection, metrics from word timings, WAV streaming and header repair, endpointing."""

from __future__ import annotations

import shutil
import struct

import numpy as np

from mockint.audio.wavio import WavWriter, read_wav, write_wav
from mockint.models import Transcript, Word
from mockint.speech.endpoint import Endpointer
from mockint.speech.metrics import compute, find_fillers
from mockint.speech.stt import build_prompt


def fillers(text: str) -> list[str]:
    return [f for _, f in find_fillers(text.split())]


def test_fillers_tell_filler_like_from_verb_like():
    assert fillers("Um, so, like, the pool is, uh, four threads.") == ["um", "like", "uh"]
    assert fillers("I would like to use a queue that looks like Kafka.") == []
    assert fillers("It's kind of slow, you know, and basically I mean we retried.") == [
        "kind of", "you know", "basically", "i mean"]
    assert fillers("What kind of index? Do you know how BRIN works?") == []


def _words(spec):
    return [Word(word=w, start=s, end=e) for w, s, e in spec]


def test_metrics_from_timestamps():
    words = _words([("Um,", 1.5, 1.8), ("the", 1.9, 2.0), ("event", 2.0, 2.3), ("loop", 2.3, 2.6),
                    ("uh", 5.2, 5.4), ("runs", 5.5, 5.8), ("callbacks.", 5.8, 6.4)])
    m = compute(Transcript(text="", words=words, duration=7.0), budget=120)
    assert m.word_count == 7 and m.filler_count == 2 and m.fillers == ["uh", "um"]
    assert m.time_to_first_word == 1.5
    assert [(p.at, p.seconds) for p in m.long_pauses] == [(2.6, 2.6)]
    assert 80 < m.wpm < 100  # 7 words over 4.9 s
    assert m.budget == 120 and m.duration == 7.0


def test_typed_metrics_have_no_timing():
    m = compute(Transcript(text="Um, the loop, uh, runs callbacks", typed=True))
    assert m.word_count == 6 and m.filler_count == 2 and m.wpm == 0 and m.time_to_first_word is None


def test_prompt_carries_glossary_and_disfluent_lead_in():
    p = build_prompt(["libuv", "MikroORM", "libuv", "BRIN"])
    assert p.startswith("Um,") and "uh" in p and p.endswith("libuv, MikroORM, BRIN.")
    assert "Um" not in build_prompt(["libuv"], lead_in=False)


def test_wav_written_while_recording_survives_a_crash(tmp_path):
    path = tmp_path / "a.wav"
    w = WavWriter(path, 16000, refresh_seconds=1.0)
    tone = 0.5 * np.sin(np.linspace(0, 2000 * np.pi, 16000 * 3)).astype(np.float32)
    for chunk in np.split(tone, 60):  # 3 s in 50 ms chunks
        w.write(chunk)
    crashed = tmp_path / "crashed.wav"
    shutil.copy(path, crashed)  # what is on disk if the process died now (header last refreshed at 3 s)
    with open(crashed, "ab") as f:
        f.write(b"\x01\x00" * 800)  # and half a block more than the header says
    audio, sr = read_wav(crashed)
    assert sr == 16000 and len(audio) == 16000 * 3 + 800
    data_size = struct.unpack("<I", crashed.read_bytes()[40:44])[0]
    assert data_size == (16000 * 3 + 800) * 2  # header repaired in place
    w.close()
    audio2, _ = read_wav(path)
    assert len(audio2) == 16000 * 3 and np.abs(audio2 - tone).max() < 1e-3
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_wav_header_never_finalised(tmp_path):
    path = tmp_path / "b.wav"
    write_wav(path, np.zeros(1600, dtype=np.float32), 16000)
    raw = bytearray(path.read_bytes())
    raw[4:8] = raw[40:44] = b"\x00\x00\x00\x00"
    path.write_bytes(bytes(raw))
    audio, _ = read_wav(path)
    assert len(audio) == 1600


def test_endpointer_finds_speech_and_silence():
    sr = 16000
    ep = Endpointer(sr)
    rng = np.random.default_rng(0)
    noise = lambda s: (0.002 * rng.standard_normal(int(sr * s))).astype(np.float32)  # noqa: E731
    speech = lambda s: (0.3 * np.sin(np.linspace(0, 400 * np.pi * s, int(sr * s)))).astype(np.float32)  # noqa: E731
    for part in (noise(1.0), speech(1.5), noise(2.5)):
        for chunk in np.split(part, int(len(part) / 800)):
            ep.feed(chunk)
    assert 0.9 <= ep.first_speech <= 1.2
    assert ep.should_end(2.0) and not ep.should_end(3.0)
    quiet = Endpointer(sr)
    for chunk in np.split(noise(3.0), 60):
        quiet.feed(chunk)
    assert quiet.first_speech is None and not quiet.should_end(1.0)
