"""The assistant over the process's library: its vector index opened on first use, and the
settings (language model, question length, embedding model) applied."""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

from assistant.service import Assistant
from budgetqa.settings import Settings
from vectorstore.facts_db import FactStore
from vectorstore.index import Hit, SearchIndex

log = logging.getLogger(__name__)


class LazyIndex:
    """Opens the vector index (and loads the embedding model, seconds) on the first narrative
    question: figure lookups never need it, so start-up and `budgetqa ask` stay fast."""

    def __init__(self, lib: _Library):
        self._lib = lib
        self._index: SearchIndex | None = None
        self._failed = False
        self._lock = threading.Lock()

    def _open(self) -> SearchIndex | None:
        with self._lock:
            if self._index is None and not self._failed:
                try:
                    self._index = self._lib.index
                except Exception:  # the keyword retriever still answers narrative questions
                    log.warning("vector index unavailable; passages by keywords only", exc_info=True)
                    self._failed = True
        return self._index

    def search(self, query: str, k: int = 8, where: dict[str, Any] | None = None) -> list[Hit]:
        index = self._open()
        return index.search(query, k=k, where=where) if index is not None else []

    def search_among(self, query: str, ids: list[str], k: int = 8) -> list[Hit]:
        index = self._open()
        return index.search_among(query, ids, k=k) if index is not None else []

    def search_labels(self, query: str, k: int = 20) -> list[tuple[str, str, float]] | None:
        """The index's nearest labels, or None when it keeps no label vectors (one vector per fact)."""
        index = self._open()
        return index.search_labels(query, k=k) if index is not None else None


class _Library(Protocol):
    """What the assistant needs of the process's one `library.Library` (the write path): its store and
    its vector index, opened on first use."""

    store: FactStore

    @property
    def index(self) -> SearchIndex: ...


def build_assistant(settings: Settings, lib: _Library, with_index: bool = True) -> Assistant:
    """The assistant over `lib`'s store (vector index when it can be opened). `lib` is the process's
    one Library: the assistant never builds a writer of its own."""
    index = LazyIndex(lib) if with_index else None
    llm = None
    if settings.llm:
        from assistant.llm import chat_model

        llm = chat_model(settings.llm)
    return Assistant(lib.store, index, llm=llm, max_chars=settings.max_question_chars, embed_model=settings.embed_model,
                     use_ranker=settings.ranker == "fitted", use_decision=settings.decision == "fitted")
