"""Bounded per-document caches: what a process keeps of the library is limited by a budget, not by how
many documents the library holds.

An app process asks the store for the documents a question is about (`FactStore.facts_for`, filtered
by department, year and kind) and keeps what it read, and what it derived from it (normalized labels,
BM25 term counts), keyed by the document's (row id, revision): a document saved again has a new
revision, so a stale entry is never served; the least recently used documents leave when the budget is
exceeded.

    >>> cache = DocumentCache(max_items=200_000)
    >>> facts = cache.get_many([(3, 12), (7, 40)], load)   # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence, Sized
from collections.abc import Set as AbstractSet
from typing import Generic, TypeVar

from vectorstore.facts_db import FactStore
from vectorstore.records import StoredDocument

V = TypeVar("V")
Key = Hashable  # (document row id, revision)


def _size(value: object) -> int:
    return len(value) if isinstance(value, Sized) else 1


class DocumentCache(Generic[V]):
    """LRU by document key, bounded by documents held and by their total size (`len` of each value:
    facts, passages). Thread-safe; a loader runs outside the lock for the ids missing."""

    def __init__(self, max_documents: int = 2000, max_items: int = 400_000, size: Callable[[V], int] = _size):
        self.max_documents = max_documents
        self.max_items = max_items
        self._size = size
        self._items: OrderedDict[Key, tuple[V, int]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_many(self, doc_ids: Sequence[Key], load: Callable[[list[Key]], dict[Key, V]]) -> dict[Key, V]:
        """The values of these documents, loading the missing ones with `load(keys) -> {key: value}` in one call."""
        out: dict[Key, V] = {}
        with self._lock:
            for i in doc_ids:
                got = self._items.get(i)
                if got is not None:
                    self._items.move_to_end(i)
                    out[i] = got[0]
            missing = [i for i in doc_ids if i not in out]
            self.hits += len(out)
            self.misses += len(missing)
        if missing:
            loaded = load(missing)
            with self._lock:
                for i in missing:
                    value = loaded[i]
                    out[i] = value
                    self._put(i, value)
        return out

    def _put(self, doc_id: Key, value: V) -> None:
        old = self._items.pop(doc_id, None)
        if old is not None:
            self._total -= old[1]
        n = self._size(value)
        self._items[doc_id] = (value, n)
        self._total += n
        while len(self._items) > 1 and (len(self._items) > self.max_documents or self._total > self.max_items):
            _k, (_v, m) = self._items.popitem(last=False)
            self._total -= m

    def keep_only(self, doc_ids: AbstractSet[Key]) -> None:
        """Forget documents no longer in the store (removed, or saved again: a new revision)."""
        with self._lock:
            for i in [i for i in self._items if i not in doc_ids]:
                self._total -= self._items.pop(i)[1]

    def __len__(self) -> int:
        return len(self._items)

    @property
    def items_held(self) -> int:
        return self._total


class Catalog:
    """The library's document list (a row per document, no facts), re-read when the store's version
    changes: what a process holds for every document. The departments and years it knows, and which
    document rows a (departments, years, kinds) scope covers."""

    def __init__(self, store: FactStore):
        self.store = store
        self.version: str | None = None
        self.documents: list[StoredDocument] = []
        self._by_department: dict[str, list[StoredDocument]] = {}
        self._departments: list[str] = []
        self._lock = threading.Lock()

    def refresh(self) -> bool:
        """Re-read the document list if another write happened; True when it changed."""
        version = self.store.version()
        if version == self.version:
            return False
        with self._lock:
            if version == self.version:
                return False
            docs = self.store.documents()
            by_department: dict[str, list[StoredDocument]] = {}
            for d in docs:
                by_department.setdefault(d.department, []).append(d)
            # one consistent snapshot: readers see the old lists or the new ones, never a mix
            self.documents, self._by_department, self._departments = docs, by_department, sorted(by_department)
            self.version = version
        return True

    @property
    def departments(self) -> list[str]:
        """The loaded departments, sorted (the same list object until the documents change)."""
        return self._departments

    def years(self) -> dict[str, list[int]]:
        """department -> its years, in store order (as the assistant lists them)."""
        out: dict[str, list[int]] = {}
        for d in self.documents:
            ys = out.setdefault(d.department, [])
            if d.year not in ys:
                ys.append(d.year)
        return out

    def doc_ids(self, departments: Sequence[str] | None = None, years: Sequence[int] | None = None,
                kinds: Sequence[str] | None = None) -> list[tuple[int, int]]:
        """(row id, revision) of the documents in scope (empty filter: any), ascending row id: store order."""
        dset, yset, kset = set(departments or ()), set(years or ()), set(kinds or ())
        pool = ([d for name in dset for d in self._by_department.get(name, ())] if dset
                else self.documents)  # a named department reads its own documents, not the library's list
        return sorted((d.id, d.revision) for d in pool
                      if (not yset or d.year in yset) and (not kset or d.kind in kset))

    def keys(self) -> set[tuple[int, int]]:
        return {(d.id, d.revision) for d in self.documents}
