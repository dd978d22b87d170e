"""Helpers for tests that use the private PulseAudio started by scripts/with-pulse.sh (no sound card)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

MIC_SINK = "mockint_mic"          # play into this: its monitor is the app's default microphone
SPEAKER_SINK = "mockint_speaker"  # the app plays into this (default sink)


def pulse_ready() -> bool:
    return shutil.which("pactl") is not None and subprocess.run(
        ["pactl", "info"], capture_output=True).returncode == 0


def require_pulse() -> None:
    """Fail under `make test` (which starts PulseAudio); skip when pytest was run by hand without it."""
    if pulse_ready():
        return
    if os.environ.get("MOCKINT_TEST_PULSE"):
        pytest.fail("scripts/with-pulse.sh was used but PulseAudio is not answering")
    pytest.skip("needs the private PulseAudio: run the suite with `make test`")


PLAYING: list[subprocess.Popen] = []  # every voice started; tests/conftest.py silences them after each test


def silence_the_mic() -> None:
    """Stop any answer still playing: a test that killed its round mid-answer once left three 30 s answers playing
    into the microphone, and the next test's candidate was heard talking over them."""
    while PLAYING:
        p = PLAYING.pop()
        if p.poll() is None:
            p.terminate()
            p.wait(timeout=10)


def play_into_mic(wav: Path, wait: bool = True) -> subprocess.Popen:
    # the candidate's voice: at a raised priority (as root; otherwise nice warns and plays at normal priority),
    # because a real voice does not stutter when the computer is busy. Started among a test's CPU hogs at normal
    # priority, paplay garbled the opening of the answer before it ever reached the microphone.
    p = subprocess.Popen(["nice", "-n", "-10", "paplay", "-d", MIC_SINK, str(wav)])
    PLAYING.append(p)
    if wait:
        p.wait(timeout=120)
    return p


class SpeakerCapture:
    """Records what the app plays, from the speaker sink's monitor, in a helper process (PULSE_SOURCE picks it)."""

    SCRIPT = """
import sys, time
from pathlib import Path
from mockint.audio.recorder import Recorder
r = Recorder()
r.start(Path(sys.argv[1]))
while r.seconds < 0.3:
    time.sleep(0.02)
print("ready", flush=True)
sys.stdin.readline()
r.stop()
"""

    def __init__(self, path: Path) -> None:
        import sys

        self.path = path
        env = {**os.environ, "PULSE_SOURCE": f"{SPEAKER_SINK}.monitor"}
        self.proc = subprocess.Popen([sys.executable, "-c", self.SCRIPT, str(path)], env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdout.readline().strip() == "ready"

    def stop(self):
        from mockint.audio.wavio import read_wav

        self.proc.communicate("stop\n", timeout=20)
        return read_wav(self.path)[0]


class PrivatePulse:
    """A second, throw-away PulseAudio server (to kill mid-recording without disturbing the shared one)."""

    def __init__(self, root: Path):
        self.dir = root / "pulse"
        self.dir.mkdir(mode=0o700)
        self.env = {**os.environ, "XDG_RUNTIME_DIR": str(self.dir)}
        self.env.pop("PULSE_SERVER", None)
        subprocess.run(["pulseaudio", "-D", "-n", "--exit-idle-time=-1", "--load=module-native-protocol-unix"],
                       env=self.env, capture_output=True)
        for _ in range(50):
            if subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        for cmd in (["pactl", "load-module", "module-null-sink", "sink_name=lost_mic"],
                    ["pactl", "set-default-source", "lost_mic.monitor"]):
            subprocess.run(cmd, env=self.env, check=True, capture_output=True)
        # keep the sink clocking, like a real microphone that delivers silence too (see scripts/with-pulse.sh)
        self.feeder = subprocess.Popen(["pacat", "-p", "-d", "lost_mic", "--raw", "--format=s16le", "--rate=16000",
                                        "--channels=1"], stdin=open("/dev/zero", "rb"), env=self.env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def kill(self) -> None:
        subprocess.run(["pulseaudio", "--kill"], env=self.env, capture_output=True)
        self.feeder.wait(timeout=10)
