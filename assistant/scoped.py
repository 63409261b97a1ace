"""The assistant's facts and passages read from the store per question, not held for the whole library.

`ScopedFacts` has FactIndex's interface and `ScopedRetriever` HybridRetriever's, but each call reads only
the documents its departments and years name (`vectorstore.cache.Catalog.doc_ids`, then
`FactStore.facts_of` / `passages_of`), keeping what it read, with the normalized labels and BM25 term
counts, in bounded per-document caches (`vectorstore.cache.DocumentCache`). So a process's memory and
start time depend on the cache budget and the document list, not on the library's size.

What a caller sees differs from the eager classes in two places, both library-wide questions: a figure
lookup without department and year scores every document in turn, a bounded batch at a time (same
result, slower on a large library); and BM25's statistics (idf) are those of the passages in scope
rather than of the whole library. A narrative search over more documents than `max_keyword_documents`
ranks by the vector index alone.
"""

from __future__ import annotations

import threading
from typing import Any

from assistant.fact_labels import labels_of
from assistant.lookup import FactIndex, Scored, ranked
from assistant.stated_years import holding
from assistant.understand import Query
from ingest.records import Fact, Passage
from vectorstore.cache import Catalog, DocumentCache
from vectorstore.facts_db import FactStore
from vectorstore.hybrid import (
    BM25,
    chroma_keys,
    fuse,
    keyword_order,
    passage_hits,
    term_freqs,
)
from vectorstore.index import SearchIndex, passage_id, passage_number

_BATCH_DOCUMENTS = 200  # documents scored at a time by a library-wide lookup
_STATISTICS_PASSAGES = 20_000  # how many passages a word's rarity is counted over (the whole of a smaller library)


def _values(flt: dict[str, Any], key: str) -> list[Any]:
    v = flt.get(key)
    return [] if not v else (v if isinstance(v, list) else [v])


class ScopedFacts(FactIndex):
    """FactIndex over the documents of each call's departments and years, read through a cache."""

    def __init__(self, store: FactStore, catalog: Catalog, cache: DocumentCache, use_tables: bool = True):
        # no FactIndex.__init__: `facts` and `labels` are the current call's, per thread
        self.store = store
        self.catalog = catalog
        self.cache = cache
        self.use_tables = use_tables
        self._local = threading.local()

    @property  # type: ignore[override]
    def facts(self) -> list[Fact]:  # type: ignore[override]
        return getattr(self._local, "facts", [])

    @property  # type: ignore[override]
    def labels(self) -> list[Any]:  # type: ignore[override]
        return getattr(self._local, "labels", [])

    def _read(self, keys: list[Any]) -> dict[Any, tuple[list[Fact], list[Any]]]:
        out = {}
        read = self.store.facts_of([k[0] for k in keys])
        for k in keys:
            fs = read[k[0]]
            if not self.use_tables:
                fs = [f for f in fs if f.source == "narrative"]
            out[k] = (fs, labels_of(fs))
        return out

    def _hold(self, doc_ids: list[Any]) -> None:
        """Make these documents' facts the current ones (store order)."""
        got = self.cache.get_many(doc_ids, self._read)
        self._local.facts = [f for i in doc_ids for f in got[i][0]]
        self._local.labels = [x for i in doc_ids for x in got[i][1]]

    def select(self, departments: list[str], years: list[int], kind: str | None) -> list[int]:
        self._hold(holding(self.catalog, departments, years))  # another year's figures stated in a later document
        return [i for i, f in enumerate(self.facts)
                if (not departments or f.department in departments) and (not years or f.year in years)
                and (kind is None or f.kind == kind)]

    def lookup(self, query: Query, departments: list[str], years: list[int], kind: str | None,
               measure: str = "value", limit: int = 8, near: bool = False) -> list[Scored]:
        doc_ids = holding(self.catalog, departments, years)
        out: list[Scored] = []
        for start in range(0, max(len(doc_ids), 1), _BATCH_DOCUMENTS):
            batch = doc_ids[start:start + _BATCH_DOCUMENTS]
            self._hold(batch)
            memo: dict = {"_one_body": len(departments) == 1, "_near": near}
            for i, f in enumerate(self.facts):
                if ((not departments or f.department in departments) and (not years or f.year in years)
                        and (kind is None or f.kind == kind)):
                    s = self.score(i, query, measure, memo)
                    if s:
                        out.append(s)
        # as FactIndex.lookup: a named table wins; best score first, then page; ties stay in store order
        if any(s.table_named for s in out):
            out = [s for s in out if s.table_named]
        return ranked(out)[:limit]


class ScopedRetriever:
    """HybridRetriever's search over the passages of the filter's departments and years, read through a
    cache; `passages` and `candidates` refer to the current call's passages (per thread)."""

    def __init__(self, store: FactStore, catalog: Catalog, cache: DocumentCache, index: SearchIndex | None = None, k: int = 5,
                 max_keyword_documents: int = 2000):
        self.store = store
        self.catalog = catalog
        self.cache = cache
        self.index = index
        self.k = k
        self.max_keyword_documents = max_keyword_documents
        self._local = threading.local()
        self._df: dict[str, int] = {}
        self._count: int | None = None

    @property
    def passages(self) -> list[Passage]:
        return getattr(self._local, "passages", [])

    def _read(self, keys: list[Any]) -> dict[Any, tuple[list[Passage], list[dict[str, int]]]]:
        read = self.store.passages_of([k[0] for k in keys])
        return {k: (read[k[0]], [term_freqs(p) for p in read[k[0]]]) for k in keys}

    def _hold(self, flt: dict[str, Any]) -> list[dict[str, int]]:
        doc_ids = self.catalog.doc_ids(_values(flt, "department"), _values(flt, "year"), _values(flt, "kind"))
        if len(doc_ids) > self.max_keyword_documents:
            self._local.passages = []
            return []
        got = self.cache.get_many(doc_ids, self._read)
        self._local.passages = [p for i in doc_ids for p in got[i][0]]
        return [x for i in doc_ids for x in got[i][1]]

    def candidates(self, flt: dict[str, Any]) -> list[int]:
        """Passage numbers the filter lets through, in store order."""
        self._hold(flt)
        return [n for n, p in enumerate(self.passages)
                if all(getattr(p, key) in _values(flt, key) for key in flt if flt[key])]

    def search(self, query: str, flt: dict[str, Any] | None = None) -> list[tuple[Passage, float]]:
        flt = flt or {}
        freqs = self._hold(flt)
        passages = self.passages
        ranks: dict[int, float] = {}
        pool = [n for n, p in enumerate(passages)
                if all(getattr(p, key) in _values(flt, key) for key in flt if flt[key])]
        if passages:
            fuse(ranks, keyword_order(BM25(freqs), query, pool, self.k * 4))
        hits_only: dict[int, Passage] = {}
        if self.index is not None:
            by_key = chroma_keys(passages)
            if passages:
                # the scope's own vectors, read by id: the cost of the scope, not of the library
                allowed = set(pool)
                ids = [passage_id(doc, n) for (doc, n), pos in by_key.items() if pos in allowed]
                hits = self.index.search_among(query, ids, k=self.k * 4)
            else:
                hits = passage_hits(self.index, query, self.k * 4, flt)
            order: list[int | None] = []
            for r, h in enumerate(hits):
                hit = by_key.get((h.meta["document"], passage_number(h.id)))
                if hit is None and not passages:  # scope too large for keywords: the vector hit itself
                    hits_only[-1 - r] = self._passage_of_hit(h)
                    hit = -1 - r
                order.append(hit)
            fuse(ranks, order)
        best = sorted(ranks, key=lambda n: -ranks[n])[: self.k]
        return [(passages[n] if n >= 0 else hits_only[n], ranks[n]) for n in best]

    def _passage_of_hit(self, h: Any) -> Passage:
        m = h.meta
        text = h.text.split("\n", 1)[1] if m.get("heading") and "\n" in h.text else h.text
        return Passage(document=m["document"], department=m["department"], year=int(m["year"]), kind=m["kind"],
                       page=int(m["page"]), heading=m.get("heading") or "", text=text)

    # ---- library-wide statistics, in SQL -------------------------------------------------------
    def size(self) -> int:
        """Passages the library statistics are taken over: all of them, up to `_STATISTICS_PASSAGES`."""
        if self._count is None:
            self._count = min(self.store.passage_count(), _STATISTICS_PASSAGES)
        return self._count

    def document_frequency(self, fragment: str) -> int:
        """Passages of the library (the first `_STATISTICS_PASSAGES` in store order) whose text contains
        `fragment`: a share, so a sample of a large library estimates it at the sample's cost."""
        if fragment not in self._df:
            self._df[fragment] = self.store.passages_containing(fragment, within_first=_STATISTICS_PASSAGES)
        return self._df[fragment]
