"""The sentence-embedding model: a vector does not depend on which sentences share its batch."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mockint.embeddings import MAX_BATCH, RUN_COST_SLOTS, MiniLM, _batches, shared_embedder


@given(st.lists(st.integers(min_value=1, max_value=128), max_size=150))
@settings(max_examples=200, deadline=None)
def test_batches_partition_the_sorted_items(lengths):
    lengths = sorted(lengths)
    order = list(range(100, 100 + len(lengths)))
    runs = _batches(order, lengths)
    assert [i for run in runs for i in run] == order  # every item once, in order
    assert all(0 < len(run) <= MAX_BATCH for run in runs)


def test_short_and_long_sentences_go_in_separate_runs():
    lengths = [5] * 20 + [80] * 4
    runs = _batches(list(range(24)), lengths)
    assert [len(r) for r in runs] == [20, 4]  # padding 20 short claims to 80 tokens costs more than a second run
    assert len(_batches(list(range(24)), [10] * 24)) == 1
    # the split is the cheapest: merging the two runs would cost more padding than one run's fixed cost
    assert 24 * 80 + RUN_COST_SLOTS > 20 * 5 + 4 * 80 + 2 * RUN_COST_SLOTS


def test_a_sentence_embeds_the_same_alone_or_in_a_mixed_batch():
    model = shared_embedder()
    texts = ["Retry with exponential backoff and jitter.",
             "The event loop runs callbacks in phases, and microtasks drain between them, so a long synchronous "
             "task blocks every request that the process is serving at that moment.",
             "Use a circuit breaker.", "Idempotency keys make the retry safe because the server stores the result."]
    together = model._embed(texts)
    alone = np.vstack([model._embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


class _NoModel:
    """An embedder that must not be asked: everything should come from the shipped vectors."""

    model_id = shared_embedder().model_id

    def embed(self, texts):
        raise AssertionError(f"embedded {len(texts)} sentences, e.g. {list(texts)[:2]}")


def test_the_shipped_vectors_cover_the_default_bank_and_the_examples():
    """A fresh install reads the default bank's vectors instead of computing them (scripts/seed_vectors.py writes
    them; run it after editing question_bank/ or the injection examples)."""
    from mockint.bank import load_bank
    from mockint.embeddings import VectorCache
    from mockint.interview.evidence import BankIndex
    from mockint.interview.injection import example_texts

    from .conftest import BANK

    cache = VectorCache(_NoModel(), None)
    bank = load_bank(BANK)
    BankIndex(bank, _NoModel(), cache).warm(bank.questions)
    for texts in example_texts():
        assert len(cache.vectors("injection", texts)) == len(texts)


def test_the_shipped_vectors_are_the_models_and_every_source_rounds_alike(tmp_path):
    from mockint.embeddings import SEED_DIR, VectorCache, as_stored

    model = shared_embedder()
    texts = ["Retry with exponential backoff and jitter so the clients do not retry in lockstep.",
             "An index on the foreign key turns the per-row lookups into one indexed scan."]
    fresh = VectorCache(model, tmp_path, seed=None).vectors("bank", texts)  # from the model, then stored
    again = VectorCache(_NoModel(), tmp_path, seed=None).vectors("bank", texts)  # read back from the user's cache
    assert np.array_equal(fresh, again) and np.array_equal(fresh, as_stored(model.embed(texts)))
    with np.load(next(SEED_DIR.glob("bank-*.npz"))) as data:
        keys, vecs = data["keys"].tolist(), data["vectors"]
    from mockint.bank import load_bank

    from .conftest import BANK

    q = load_bank(BANK).questions[7]
    seeded = VectorCache(_NoModel(), None).vectors("bank", [k.point for k in q.key_points])
    assert len(keys) == len(vecs) > 3000
    # the seed holds what the model says today (to float16 rounding, and batch-order noise below 1e-4)
    assert np.abs(seeded - as_stored(model.embed([k.point for k in q.key_points]))).max() < 2e-3


def test_numpy_and_the_tokenizer_get_one_thread_unless_the_user_says_otherwise():
    """Their spare threads spin on the core that the embedding model and Whisper need (24 % more CPU for the same
    answers); the defaults are set when mockint is imported, before numpy is, and a user's own value wins."""
    import os
    import subprocess
    import sys

    probe = "import mockint, numpy, os; print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['TOKENIZERS_PARALLELISM'])"
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "TOKENIZERS_PARALLELISM")}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "false"]
    out = subprocess.run([sys.executable, "-c", probe], env={**env, "OPENBLAS_NUM_THREADS": "2"},
                         capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["2", "false"]


def test_the_thread_count_changes_no_vector():
    """The test workers run the model on one thread (tests/conftest.py), a user on two: the same vectors, bit for
    bit, so every score the tests check is the score a user gets."""
    texts = ["Use a circuit breaker.", "Idempotency keys make the retry safe because the server stores the result.",
             "The event loop runs callbacks in phases, and microtasks drain between them, so a long synchronous task "
             "blocks every request that the process is serving at that moment."] * 3
    one, two = MiniLM(threads=1), MiniLM(threads=2)
    assert np.array_equal(one._embed(texts), two._embed(texts))
