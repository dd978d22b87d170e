"""The sentence-embedding model: a vector does not depend on which sentences share its batch."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mockint.embeddings import MAX_BATCH, RUN_COST_SLOTS, _batches, shared_embedder


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
