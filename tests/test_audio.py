"""Real devices through PulseAudio null sinks: record the 'microphone', hear the 'speakers', lose a device."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from mockint.audio.devices import describe_error, list_devices
from mockint.audio.player import Player
from mockint.audio.recorder import Recorder
from mockint.audio.wavio import read_wav
from mockint.speech.streaming import transcribe_file
from mockint.speech.stt import build_prompt
from mockint.speech.tts import Pyttsx3Speaker

from .pulse import PrivatePulse, SpeakerCapture, play_into_mic, require_pulse

pytestmark = pytest.mark.audio


@pytest.fixture(autouse=True)
def _pulse():
    require_pulse()


@pytest.fixture(scope="module")
def model(whisper):
    return whisper


def test_devices_listed_with_defaults(cli):
    devs = list_devices()
    assert any(d.inputs for d in devs) and any(d.outputs for d in devs)
    r = cli("devices")
    assert r.returncode == 0 and "Input devices" in r.stdout and "*" in r.stdout


def test_recorder_captures_what_the_microphone_hears(tmp_path, model):
    wav = tmp_path / "said.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav),
                    "We put a circuit breaker in front of the payment service."], check=True)
    levels: list[float] = []
    chunks: list[int] = []
    rec = Recorder()
    rec.start(tmp_path / "answer.wav", on_chunk=lambda c: chunks.append(len(c)), on_level=levels.append)
    time.sleep(0.8)
    play_into_mic(wav)
    time.sleep(0.8)
    result = rec.stop()
    audio, sr = read_wav(result.path)
    assert sr == 16000 and result.seconds == pytest.approx(len(audio) / sr, abs=0.01)
    assert sum(chunks) == len(audio) and result.overflows == 0 and not result.stalled
    assert max(levels) > 0.5 and len(levels) <= 21 * result.seconds + 2  # coalesced to ~20 per second
    t = transcribe_file(model, audio, build_prompt(["circuit breaker"]))
    assert "circuit breaker" in t.text.lower() and "service" in t.text.lower(), t.text


def test_spoken_question_is_heard_on_the_speakers(tmp_path, model):
    text = "How would you find a memory leak in a Node service running in production?"
    wav = Pyttsx3Speaker(rate=170).synthesize(text, tmp_path / "q.wav")
    cap = SpeakerCapture(tmp_path / "heard.wav")
    assert Player().play(wav) is True
    time.sleep(0.4)
    heard = cap.stop()
    t = transcribe_file(model, heard, None)
    heard_words = set(t.text.lower().replace("?", "").replace(",", "").replace(".", "").split())
    assert len({"memory", "leak", "node", "production"} & heard_words) >= 3, t.text


def test_tts_keeps_stdout_clean(tmp_path):
    code = ("from mockint.speech.tts import Pyttsx3Speaker; import pathlib;"
            "Pyttsx3Speaker().synthesize('hello there', pathlib.Path(r'%s'))" % (tmp_path / "x.wav"))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout == "" and (tmp_path / "x.wav").stat().st_size > 1000


def test_player_stops_at_once():
    tone = (0.2 * np.sin(np.linspace(0, 2 * np.pi * 440 * 20, 16000 * 20))).astype(np.float32)
    player = Player()
    result: list[bool] = []
    progress: list[float] = []
    t = threading.Thread(target=lambda: result.append(player.play(tone, 16000, progress.append)))
    t.start()
    time.sleep(0.5)
    player.stop()
    t.join(timeout=10)
    assert not t.is_alive() and result == [False]
    assert progress and max(progress) < 0.5  # it did not play the 20 s to the end


def test_lost_microphone_is_detected_and_audio_kept(tmp_path):
    pulse = PrivatePulse(tmp_path)
    script = f"""
import sys, time
from pathlib import Path
from mockint.audio.recorder import Recorder
r = Recorder(stall_seconds=1.5)
stalled = []
r.start(Path(r'{tmp_path / "lost.wav"}'), on_stall=stalled.append)
while r.seconds < 1.0:
    time.sleep(0.05)
print("recording", flush=True)
sys.stdin.readline()
t = time.monotonic()
while not stalled and time.monotonic() - t < 10:
    time.sleep(0.05)
rec = r.stop()
print("stalled" if stalled else "no-stall", round(time.monotonic() - t, 2), rec.seconds, flush=True)
"""
    p = subprocess.Popen([sys.executable, "-c", script], env=pulse.env, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert p.stdout.readline().strip() == "recording"
    pulse.kill()
    p.stdin.write("go\n")
    p.stdin.flush()
    out = p.stdout.readline().split()
    p.wait(timeout=20)
    assert out[0] == "stalled" and float(out[1]) <= 2.0
    audio, _ = read_wav(tmp_path / "lost.wav")
    assert len(audio) >= 16000  # the second recorded before the loss is kept


def test_portaudio_missing_is_explained(tmp_path):
    # make PortAudio unfindable, the way a machine without libportaudio2 looks to sounddevice
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(
        "import ctypes.util, sys\n_orig = ctypes.util.find_library\n"
        "ctypes.util.find_library = lambda n: None if 'portaudio' in n else _orig(n)\n"
        "sys.modules['_sounddevice_data'] = None\n")
    env = {"PYTHONPATH": str(shim)}
    from .conftest import run_cli

    r = run_cli("devices", env=env)
    assert r.returncode == 3 and "PortAudio library is missing" in r.stderr and "libportaudio2" in r.stderr
    assert "Traceback" not in r.stderr
    r = run_cli("--sessions", str(tmp_path / "sessions"), "round", "--headless", "--questions", "1", "--follow-ups",
                "0", "--no-tts", env=env, input="an answer typed instead\n")
    assert r.returncode == 0, r.stderr
    assert "switching to typed answers" in r.stdout and "an answer typed instead" in r.stdout


def test_missing_input_device_falls_back_to_typed(cli, tmp_path):
    r = cli("--sessions", str(tmp_path), "round", "--headless", "--questions", "1", "--no-tts", "--follow-ups", "0",
            env={"MOCKINT_AUDIO__INPUT_DEVICE": "No Such Microphone"}, input="typed after all\n")
    assert r.returncode == 0, r.stderr
    assert "No microphone" in r.stdout and "No Such Microphone" in r.stdout and "typed after all" in r.stdout


def test_busy_and_missing_device_errors_are_explained():
    import sounddevice as sd

    busy = describe_error(sd.PortAudioError("Error opening InputStream: Device unavailable [PaErrorCode -9985]"),
                          "input")
    assert "busy" in busy.message and "--text" in busy.hint
    none = describe_error(sd.PortAudioError("Error querying device -1"), "input")
    assert none.hint and "typing" in none.hint


def test_warm_player_streams_sentences_as_they_are_made(tmp_path, model):
    """One output stream kept open; a question played from a generator that is still synthesising."""
    from mockint.speech.tts import build_speaker

    speaker, _ = build_speaker("auto", None, 175)  # piper under make test (the voice extra), else espeak
    player = Player(sample_rate=speaker.sample_rate).warm()
    made: list[int] = []

    def sentences():
        for chunk in speaker.stream("Tell me about the event loop. How would you find a memory leak in production?"):
            made.append(len(chunk))
            yield chunk

    cap = SpeakerCapture(tmp_path / "heard.wav")
    try:
        assert player.play_stream(sentences(), speaker.sample_rate) is True
        assert player.play(np.zeros(1000, dtype=np.float32), speaker.sample_rate) is True  # still warm: plays again
    finally:
        player.close()
    time.sleep(0.3)
    heard = cap.stop()
    assert len(made) == 2
    text = transcribe_file(model, heard, None).text.lower()
    assert "event loop" in text and "memory leak" in text, text


def test_the_end_of_a_sound_is_heard(tmp_path):
    """A sound played to its end is heard to its end: the stream is drained, not aborted, once the clock says it
    is over (aborting dropped what the ALSA->PulseAudio plugin still held: Replay lost most of a 5 s answer on a
    busy machine)."""
    sr = 16000
    t = np.arange(int(sr * 1.5)) / sr
    body = 0.2 * np.sin(2 * np.pi * 440 * t)
    end = 0.2 * np.sin(2 * np.pi * 1000 * t[: sr // 2])  # the last half second: a different pitch
    sound = np.concatenate([body, end]).astype(np.float32)
    cap = SpeakerCapture(tmp_path / "heard.wav")
    assert Player().play(sound, sr) is True
    time.sleep(0.4)  # the capture's own input buffer, not the player's
    heard = cap.stop()
    frame = sr // 20
    pitch = []
    for i in range(0, len(heard) - frame, frame):
        x = heard[i : i + frame]
        if np.sqrt(np.mean(x**2)) > 0.02:
            pitch.append(abs(np.fft.rfftfreq(frame, 1 / sr)[int(np.argmax(np.abs(np.fft.rfft(x))))]))
    assert sum(abs(p - 1000) < 50 for p in pitch) * 0.05 >= 0.4, pitch  # the ending's 0.5 s, within a frame
