"""Write the vectors shipped with mockint (mockint/data/vectors/): every sentence of the default question bank and of
the injection examples, as the judge embeds them. Run after editing either; `tests/test_embeddings.py` fails
until the seed covers them again.

Usage: .venv/bin/python scripts/seed_vectors.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from mockint.bank import load_bank
    from mockint.embeddings import SEED_DIR, VectorCache, shared_embedder
    from mockint.interview.evidence import BankIndex
    from mockint.interview.injection import example_texts

    model = shared_embedder().load()
    shutil.rmtree(SEED_DIR, ignore_errors=True)  # only what the current bank and examples use
    cache = VectorCache(model, SEED_DIR, seed=None)
    bank = load_bank(ROOT / "question_bank")
    BankIndex(bank, model, cache).warm(bank.questions)
    for texts in example_texts():
        cache.vectors("injection", texts)
    for f in sorted(SEED_DIR.iterdir()):
        f.chmod(0o644)  # a package file, read by everyone
        print(f"{f.relative_to(ROOT)}  {f.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
