"""WAV files from disk are data, not trusted: malformed headers are clear errors, long files are streamed,
writes are checked, atomic and private."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

from mockint.audio.wavio import WavError, read_wav, resample, write_wav


def wav_bytes(channels=1, rate=16000, bits=16, fmt_len=16, frames=160, cut_fmt=False) -> bytes:
    data = b"\x01\x00" * frames * max(channels, 1)
    block = max(channels, 1) * 2
    fmt = struct.pack("<HHIIHH", 1, channels, rate, (rate * block) & 0xFFFFFFFF, block, bits)
    if cut_fmt:
        fmt = fmt[:6]
        fmt_len = 6
    return (b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(data)) + b"WAVE"
            + b"fmt " + struct.pack("<I", fmt_len) + fmt + b"data" + struct.pack("<I", len(data)) + data)


@pytest.mark.parametrize("kwargs, needle", [
    ({"cut_fmt": True}, "cut short"),
    ({"channels": 0}, "0 channels"),
    ({"rate": 0}, "not a real audio rate"),
    ({"rate": 1}, "not a real audio rate"),
    ({"rate": 4_000_000_000}, "not a real audio rate"),
    ({"bits": 8}, "16-bit PCM"),
])
def test_malformed_headers_are_clear_errors(tmp_path, kwargs, needle):
    p = tmp_path / "bad.wav"
    p.write_bytes(wav_bytes(**kwargs))
    with pytest.raises(WavError, match=needle):
        read_wav(p)


def test_cli_transcribe_of_a_malformed_wav_is_a_clear_message(main, tmp_path):
    p = tmp_path / "bad.wav"
    p.write_bytes(wav_bytes(rate=1))
    r = main("transcribe", str(p))
    assert r.returncode == 2 and "sample rate" in r.stderr and "Traceback" not in r.stderr


def test_a_long_file_is_streamed_not_held_twice(tmp_path):
    """Ten minutes of 48 kHz stereo (the old reader peaked at ~780 MB on twenty: raw bytes, int16, float, float64 index
    arrays): reading it resampled to 16 kHz now builds only the 16 kHz mono result."""
    p = tmp_path / "long.wav"
    rate, seconds = 48000, 10 * 60
    head = wav_bytes(channels=2, rate=rate, frames=0)
    with open(p, "wb") as f:  # a sparse file: 115 MB of silence written in no time
        f.write(head)
        f.truncate(len(head) + rate * seconds * 4)
    tracemalloc.start()  # numpy reports its buffers to tracemalloc: a deterministic peak
    try:
        audio, sr = read_wav(p, target_rate=16000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sr == 16000 and abs(len(audio) - 16000 * seconds) <= 2
    assert peak < 60e6, peak / 1e6  # the 38 MB result and one block at a time


def test_streamed_resampling_matches_whole_signal(tmp_path):
    x = np.sin(np.linspace(0, 300, 200_003)).astype(np.float32)
    p = tmp_path / "x.wav"
    write_wav(p, x, 44100)
    streamed, sr = read_wav(p, target_rate=16000)
    whole = np.interp(np.arange(len(streamed)) * 44100 / 16000, np.arange(len(x)), x)
    assert sr == 16000 and np.max(np.abs(streamed - whole)) < 1e-3
    assert np.max(np.abs(resample(x, 44100, 16000)[: len(streamed)] - streamed)) < 1e-3


def test_whole_wavs_are_atomic_private_and_never_follow_a_link(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    (tmp_path / "q.wav").symlink_to(outside)
    write_wav(tmp_path / "q.wav", np.zeros(1600, dtype=np.float32), 16000)
    assert outside.read_text() == "keep me"  # the link was replaced, not written through
    assert not (tmp_path / "q.wav").is_symlink()
    assert oct((tmp_path / "q.wav").stat().st_mode & 0o777) == "0o600"
    assert sorted(os.listdir(tmp_path)) == ["outside.txt", "q.wav"]  # no temp file left


def test_a_full_disk_raises_instead_of_a_short_wav(tmp_path):
    code = ("import resource, signal, sys, numpy as np\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))\n"
            "from mockint.audio.wavio import write_wav\n"
            "try:\n    write_wav(sys.argv[1], np.zeros(160000, dtype=np.float32), 16000)\n"
            "except OSError as e:\n    print('raised', e.errno)\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "a.wav")], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("raised 27")  # EFBIG: the write failed loudly
    assert os.listdir(tmp_path) == []  # and left nothing half-written
