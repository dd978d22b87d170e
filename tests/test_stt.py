"""The real faster-whisper model (bundled tiny.en) on real speech made with espeak-ng."""

from __future__ import annotations

import json
import subprocess
import time

import numpy as np
import pytest

from mockint.audio.wavio import read_wav, resample, write_wav
from mockint.speech.metrics import compute
from mockint.speech.streaming import StreamingTranscriber, transcribe_file
from mockint.speech.stt import ModelError, WhisperTranscriber, build_prompt, resolve_model
from mockint.text import normalize

pytestmark = pytest.mark.model

TECH = ("In Node JS the event loop is single threaded, and lib U V runs a thread pool for file system work. "
        "With Mikro O R M we call populate to avoid the N plus one problem.")
TECH_TERMS = ["libuv", "MikroORM", "Node.js"]
DISFLUENT = "Um, so the cache is, uh, invalidated on every write, and, um, we keep a short TTL, uh, of one minute."


def espeak(text: str, path, ssml: bool = False) -> np.ndarray:
    args = ["espeak-ng", "-v", "en-us", "-s", "160", "-w", str(path)] + (["-m"] if ssml else []) + [text]
    subprocess.run(args, check=True, capture_output=True)
    audio, sr = read_wav(path)
    return resample(audio, sr, 16000)


@pytest.fixture(scope="module")
def model(whisper):
    return whisper


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    d = tmp_path_factory.mktemp("speech")
    return {"tech": espeak(TECH, d / "tech.wav"), "disfluent": espeak(DISFLUENT, d / "dis.wav"), "dir": d}


def has_term(text: str, term: str) -> bool:
    return normalize(term).replace(" ", "") in normalize(text).replace(" ", "")


def test_bundled_model_resolves_without_download():
    target, label = resolve_model("tiny.en")
    assert label == "tiny.en (bundled)" and target.endswith("model")


def test_glossary_terms_with_domain_prompt(model, fixtures):
    prompt = build_prompt(TECH_TERMS)
    t = transcribe_file(model, fixtures["tech"], prompt)
    got = [term for term in TECH_TERMS if has_term(t.text, term)]
    assert got == TECH_TERMS, t.text
    assert t.words and all(w.end >= w.start for w in t.words)


def test_fillers_survive_with_the_lead_in(model, fixtures):
    t = transcribe_file(model, fixtures["disfluent"], build_prompt(["TTL"]))
    m = compute(t)
    assert m.filler_count >= 3 and {"um", "uh"} <= set(m.fillers), t.text
    plain = transcribe_file(model, fixtures["disfluent"], None)
    assert compute(plain).filler_count < m.filler_count  # why the lead-in exists


def test_the_thread_count_changes_no_word(model, tmp_path):
    """The test workers run Whisper on one thread (tests/conftest.py), a user on every core: the same words, at the
    same times, either way."""
    other = WhisperTranscriber("tiny.en", cpu_threads=2 if model.cpu_threads == 1 else 1).load()
    audio = espeak("Um, so with Mikro O R M the identity map, uh, keeps one entity per row.", tmp_path / "t.wav")
    prompt = build_prompt(["MikroORM"])
    a, b = model.transcribe(audio, prompt), other.transcribe(audio, prompt)
    assert len(a.words) >= 8 and a.text == b.text and a.words == b.words, (a.text, b.text)


def test_silence_and_noise_give_no_words(model):
    rng = np.random.default_rng(1)
    silence = np.zeros(16000 * 4, dtype=np.float32)
    noise = (0.03 * rng.standard_normal(16000 * 4)).astype(np.float32)
    hum = (0.05 * np.sin(np.linspace(0, 2 * np.pi * 50 * 4, 16000 * 4))).astype(np.float32)
    for audio in (silence, noise, hum):
        t = transcribe_file(model, audio, build_prompt(["libuv", "MikroORM"]))
        assert t.text == "" and t.words == []


def test_streaming_decodes_while_speaking_and_matches_batch(model, fixtures):
    gap = np.zeros(int(16000 * 1.2), dtype=np.float32)
    audio = np.concatenate([fixtures["tech"], gap, fixtures["disfluent"], np.zeros(8000, dtype=np.float32)])
    partials: list[str] = []
    # the glossary a caching question would carry: without "cache" in it, tiny.en sometimes writes "cash" when the
    # stretch boundaries (which depend on the decoder thread's timing) fall differently
    s = StreamingTranscriber(model, build_prompt(TECH_TERMS + ["TTL", "cache"]), on_partial=partials.append)
    chunk = 800
    for i in range(0, len(audio), chunk):
        s.feed(audio[i : i + chunk])
        time.sleep(0.01)  # faster than real time, but the decoder thread still runs alongside
    deadline = time.monotonic() + 30
    while not partials and time.monotonic() < deadline:
        time.sleep(0.05)
    decoded_before_end = s.decodes
    t = s.finish("tiny.en")
    assert decoded_before_end >= 1 and partials  # the first stretch was decoded before the answer ended
    assert has_term(t.text, "MikroORM") and "cache" in t.text.lower()
    starts = [w.start for w in t.words]
    assert starts == sorted(starts) and t.words[-1].end <= t.duration + 0.1


class Watched:
    """The real model, noting each decode's length and whether it asked for word timestamps."""

    def __init__(self, model):
        self.model, self.name, self.calls = model, model.name, []

    def transcribe(self, audio, prompt=None, word_timestamps=True):
        self.calls.append((len(audio) / 16000, word_timestamps))
        return self.model.transcribe(audio, prompt, word_timestamps)


def test_the_end_of_a_pauseless_answer_is_decoded_before_the_key(model, fixtures, monkeypatch):
    """A voice that never pauses (espeak with no gap between words) used to leave one stretch of up to 20 s for the
    key press to wait on (0.9 s here). Now a long stretch is cut at its widest gap between words while the
    candidate talks, and ~0.2 s into the quiet after the last word the open stretch is decoded speculatively
    (without word timestamps): when the answer ends there, finish() has nothing left to decode, and the draft
    the engine was given (to prepare the follow-up) is the final transcript word for word."""
    voiced = np.flatnonzero(np.abs(fixtures["tech"]) > 0.01)
    tech = fixtures["tech"][voiced[0] : voiced[-1] + 1]  # espeak's own leading and trailing silence cut
    speech = np.concatenate([tech, tech])  # ~20 s with no pause a cut could use but one sentence break
    quiet = np.zeros(int(16000 * 0.6), dtype=np.float32)
    from mockint.speech import streaming

    # the decoder's steps are taken here, one per 0.1 s of audio as the worker would on an idle machine: on a busy
    # one it rightly skips speculating (a decode slower than SLOW_DECODE_S), which is not what this test is about
    # (a CI run under three times the usual load once failed it that way)
    monkeypatch.setattr(streaming, "SLOW_DECODE_S", float("inf"))
    watched = Watched(model)
    s = StreamingTranscriber(watched, build_prompt(TECH_TERMS), start_worker=False)
    drafts: list[str] = []
    s.on_draft = drafts.append
    audio = np.concatenate([speech, quiet])
    for i in range(0, len(audio), 1600):
        s.feed(audio[i : i + 1600])
        with s._lock:
            s._step(final=False)
    before = len(watched.calls)
    t = s.finish("tiny.en")
    assert drafts and len(watched.calls) == before, watched.calls  # the key press waited for no decode
    assert s.reused_speculation and t.text == drafts[-1]
    assert max(secs for secs, _ in watched.calls) <= 12.5, watched.calls  # no stretch grew with the answer
    assert watched.calls[-1][1] is False  # the speculative decode skipped word timestamps
    assert has_term(t.text, "MikroORM") and t.words[-1].end <= t.duration + 0.1
    cov = s.coverage(t)
    assert cov.ok, cov  # spread word times still cover every voiced stretch


def test_missing_models_are_clear_errors(tmp_path, monkeypatch):
    with pytest.raises(ModelError, match="does not exist"):
        resolve_model(str(tmp_path / "nope"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="model.bin"):
        resolve_model(str(tmp_path / "empty"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # a name that would need a download fails fast and clearly
    with pytest.raises(ModelError, match="base.en"):
        WhisperTranscriber("base.en").load()


def test_cli_transcribe_json(main, cli, fixtures):
    wav = fixtures["dir"] / "cli.wav"
    write_wav(wav, fixtures["tech"], 16000)
    r = main("transcribe", str(wav), "--question", "node-event-loop-phases", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert set(doc) == {"text", "words", "metrics", "model"}
    assert set(doc["metrics"]) == {"wpm", "filler_count", "fillers_per_min", "fillers", "long_pauses",
                                   "time_to_first_word", "duration"}
    assert doc["model"] == "tiny.en (bundled)" and has_term(doc["text"], "libuv")
    assert set(doc["words"][0]) == {"word", "start", "end", "probability"}
    r = cli("--model", "base.en", "transcribe", str(wav), env={"HF_HUB_OFFLINE": "1"})
    assert r.returncode == 2 and "cannot load speech model" in r.stderr and "Traceback" not in r.stderr
    r = main("transcribe", str(wav), "--question", "nope")
    assert r.returncode == 2 and "unknown question" in r.stderr


DATALOADER = ("So we added a DataLoader per request that batches the keys and issues a single query with an IN clause, "
              "and the N plus one problem went away.")


def test_issue_sentence_keeps_its_words_with_the_question_prompt(model, bank, tmp_path):
    """Greedy decoding with the prompt once turned this into "so we added a Data one away" (issue 10)."""
    q = bank.question("db-mikroorm-n-plus-one")
    audio = espeak(DATALOADER.replace("DataLoader", "Data Loader"), tmp_path / "dl.wav")
    t = transcribe_file(model, audio, build_prompt(bank.glossary(q), context=q.prompt))
    text = normalize(t.text)
    for w in ("request", "keys", "single", "query", "clause", "plus", "problem", "went", "away"):
        assert w in text.split(), (w, t.text)  # the words after "Data" are all there
    assert has_term(t.text, "DataLoader"), t.text


def test_guard_failed_segment_is_redecoded_not_dropped(model, fixtures):
    """A segment that fails a guard (here: a repetition-loop compression ratio) is decoded again from its audio."""
    import dataclasses

    from mockint.speech.stt import guarded

    audio = fixtures["tech"]
    prompt = build_prompt(TECH_TERMS)
    segments = model._decode(audio, prompt, (0.0,), True)
    assert segments
    calls = []

    def redecode(clip, p, temps):
        calls.append((p is not None, temps))
        return model._decode(clip, p, temps, True)

    broken = [dataclasses.replace(segments[0], compression_ratio=3.1), *segments[1:]]
    piece = guarded(audio, broken, prompt, 0.6, redecode)
    assert calls and calls[0] == (True, (0.2, 0.4, 0.6))  # temperature fallback first, with the prompt
    assert piece.redecoded and "repetition" in piece.redecoded[0]
    # only silence is ever dropped, or words Whisper crammed onto a scrap of voice after every re-decode failed
    assert all(d.startswith("no speech") or "under 0.5 s of voice" in d for d in piece.dropped), piece.dropped
    assert has_term(piece.text, "libuv") and "thread" in piece.text.lower(), piece.text
    # true silence is still dropped: a "segment" over silent audio has no voice under it
    silent = np.zeros(16000 * 3, dtype=np.float32)
    fake = dataclasses.replace(segments[0], start=0.0, end=2.5, text=" Thank you.")
    piece = guarded(silent, [fake], prompt, 0.6, redecode)
    assert piece.words == [] and piece.dropped and not piece.redecoded


def test_a_word_whisper_writes_twice_over_one_sound_is_kept_once():
    """Found in a spoken round: "...a few dozen server connections. Connections." (the second 0.13 s into the
    first). A word said twice takes its own time and stays; one sound written twice, inside a decode or across the
    seam between two stretches, is one word."""
    from mockint.models import Word
    from mockint.speech.stt import Piece, is_echo

    first = Word(word="connections.", start=36.72, end=37.1)
    assert is_echo(first, Word(word="Connections.", start=36.85, end=37.23))
    assert not is_echo(first, Word(word="connections", start=37.1, end=37.6))  # said again, after the first
    assert not is_echo(Word(word="pool.", start=1.0, end=1.4), Word(word="queues", start=1.2, end=1.5))
    # its last part, inside it (a TUI round: "two heap snapshots a few minutes apart. Part. Under load")
    apart = Word(word="apart.", start=8.7, end=9.02)
    assert is_echo(apart, Word(word="Part.", start=8.77, end=9.01))
    assert not is_echo(apart, Word(word="part", start=9.05, end=9.3))  # "...apart, part of it": its own time
    assert not is_echo(Word(word="it's", start=1.0, end=1.3), Word(word="s", start=1.1, end=1.2))  # too short
    # at a seam, the last word's sound heard again as another word (spoken rounds: "that query. Worry.", p=0.23;
    # "that slow. Whoa.", p=0.51, beginning before "slow." did)
    from mockint.speech.stt import heard_again

    query = Word(word="query.", start=86.31, end=86.53, probability=0.995)
    assert heard_again(query, Word(word="Worry.", start=86.28, end=86.52, probability=0.227))
    assert heard_again(Word(word="slow.", start=10.51, end=10.69), Word(word="Whoa.", start=10.44, end=10.88,
                                                                         probability=0.512))
    assert heard_again(first, Word(word="Connections.", start=36.85, end=37.23))  # the same word, as before
    assert not heard_again(query, Word(word="Worry.", start=86.35, end=86.52, probability=0.9))  # sure: kept
    assert not heard_again(query, Word(word="Sorry.", start=86.45, end=86.9, probability=0.2))  # mostly after it
    assert not is_echo(query, Word(word="Worry.", start=86.28, end=86.52, probability=0.227))  # inside a decode

    s = _two_stretches([Piece("a small pool", [Word(word="a", start=0.0, end=0.1),
                                               Word(word="small", start=0.1, end=0.4),
                                               Word(word="pool", start=0.4, end=0.9)]),
                        Piece("pool. And because", [Word(word="pool.", start=0.0, end=0.2),
                                                    Word(word="And", start=0.3, end=0.4),
                                                    Word(word="because", start=0.4, end=0.8)])],
                       12000)  # the second starts at 0.75 s, inside "pool" (0.4-0.9 s)
    assert s.text == "a small pool And because" and [w.word for w in s.words] == ["a", "small", "pool", "And",
                                                                                  "because"]


def _two_stretches(pieces, cut: int) -> StreamingTranscriber:
    """A streamer that decoded two stretches, [0, cut) and [cut, ...), as `pieces` say (the seam is the point)."""

    class Fixed:
        name = "fixed"

        def transcribe(self, audio, prompt=None, word_timestamps=True):
            return pieces.pop(0)

    s = StreamingTranscriber(Fixed(), start_worker=False)
    s.buffer.append(np.zeros(16000 * 3, dtype=np.float32))
    s._append(s._transcribe(0, cut), 0)
    s._append(s._transcribe(cut, 32000), cut)
    return s


def test_the_last_word_heard_again_as_another_word_at_a_seam_is_kept_once():
    """A spoken round: "Staging never had requests that slow. Whoa. The label provider..." The next stretch began
    inside "slow" and heard its sound as "Whoa.", starting before "slow." did."""
    from mockint.models import Word
    from mockint.speech.stt import Piece

    s = _two_stretches([Piece("requests that slow.", [Word(word="requests", start=0.0, end=0.28),
                                                       Word(word="that", start=0.28, end=0.62),
                                                       Word(word="slow.", start=0.62, end=0.8)]),
                        Piece("Whoa. The label", [Word(word="Whoa.", start=0.0, end=0.44, probability=0.512),
                                                  Word(word="The", start=0.66, end=1.0),
                                                  Word(word="label", start=1.0, end=1.3)])],
                       9600)  # the second starts at 0.6 s, just before "slow." (0.62 s)
    assert s.text == "requests that slow. The label", s.text
    assert [w.word for w in s.words] == ["requests", "that", "slow.", "The", "label"]


def test_an_echo_segment_inside_one_decode_is_dropped(model, fixtures):
    import dataclasses

    from mockint.speech.stt import guarded

    audio = fixtures["tech"]
    segments = model._decode(audio, None, (0.0,), True)
    last = segments[-1]
    word = last.words[-1]
    echo = dataclasses.replace(last, start=word.start + 0.1, end=word.end + 0.1, text=" " + word.word.strip().title(),
                               words=[dataclasses.replace(word, start=word.start + 0.1, end=word.end + 0.1)])
    plain = guarded(audio, segments, None, 0.6, lambda *a: [])
    echoed = guarded(audio, [*segments, echo], None, 0.6, lambda *a: [])
    assert echoed.text == plain.text and len(echoed.words) == len(plain.words), (plain.text, echoed.text)
    # the same sound heard as another, unsure word in a segment of its own ("...for that query. Worry.", a spoken
    # round; `mockint transcribe` of the recording gave it too)
    other = dataclasses.replace(word, word=" Worry.", start=word.start - 0.03, end=word.end, probability=0.23)
    misheard = dataclasses.replace(last, start=other.start, end=other.end, text=" Worry.", words=[other])
    again = guarded(audio, [*segments, misheard], None, 0.6, lambda *a: [])
    assert again.text == plain.text, (plain.text, again.text)


def _heard(model, bank, qid: str, said: list[str], tmp_path) -> list[str]:
    """What tiny.en writes, with the question's prompt, for each sentence said by the piper voice without its random
    variation (noise 0), so that every run hears the same take."""
    from piper import SynthesisConfig

    from mockint.speech.tts import PiperSpeaker, piper_available

    if not piper_available():
        pytest.skip("the neural voice extra is not installed (make test installs it)")
    q = bank.question(qid)
    voice = PiperSpeaker().load()
    voice._config = lambda: SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, volume=0.9)
    out = []
    for n, sentence in enumerate(said):
        audio, sr = read_wav(voice.synthesize(sentence, tmp_path / f"s{n}.wav"))
        out.append(transcribe_file(model, resample(audio, sr, 16000),
                                   build_prompt(bank.glossary(q), context=q.prompt)).text)
    return out


def test_json_and_postgres_are_heard_in_a_database_answer(model, bank, tmp_path):
    """Found in a spoken round: "For JSON columns or full text search" came out as "For Jason Collins, we're full-text
    search", and "Postgres" as "posters". With both in the databases topic's glossary they are heard (without them,
    these sentences gave "Jason Collins", "Posters" and "Hostkers can index Jason")."""
    first, second = _heard(model, bank, "db-postgres-indexing",
                           ["For JSON columns or full text search I'd use a GIN index.",
                            "Postgres can index JSON with a GIN index on the jsonb column."], tmp_path)
    assert "JSON" in first and "Jason" not in first, first
    assert second.startswith("Postgres") and "JSON" in second and "Jason" not in second, second


def test_queries_is_heard_in_a_database_answer(model, bank, tmp_path):
    """Found in a spoken round: tiny.en wrote the piper voice's "queries" as "careers" and "queers" even with the
    question in the prompt; with "queries" in the databases topic's glossary it is heard (without it, "queers" for both
    sentences; and again when "Postgres" and "JSON" were put before it in the glossary, which shifted the prompt)."""
    for text in _heard(model, bank, "db-monitoring-pooling",
                       ["I look at the queries with the highest total time, not just the slowest single ones.",
                        "In production I turn on pg stat statements and look at the queries with the highest total "
                        "time."], tmp_path):
        assert "queries" in text.lower(), text
