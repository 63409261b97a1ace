"""Keyword (BM25 over jieba tokens) + vector (Chroma) retrieval of passages, fused by reciprocal rank."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import jieba
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr
from rank_bm25 import BM25Okapi

from ingest.records import Passage
from vectorstore.index import Hit, SearchIndex, passage_number

jieba.setLogLevel(logging.WARNING)
RRF_K = 60  # reciprocal rank fusion: 1 / (RRF_K + rank)


def tokens(text: str) -> list[str]:
    words = [w for w in jieba.lcut(re.sub(r"\s+", "", text)) if w.strip() and not re.fullmatch(r"[\W_]+", w)]
    # character bigrams rescue terms jieba splits differently in question and document
    bigrams = [
        text[i : i + 2] for i in range(len(text) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", text[i : i + 2])
    ]
    return words + bigrams


def term_freqs(p: Passage) -> dict[str, int]:
    """A passage's BM25 terms and their counts, in first-occurrence order (as rank_bm25 counts them)."""
    freqs: dict[str, int] = {}
    for w in tokens(p.heading + p.text):
        freqs[w] = freqs.get(w, 0) + 1
    return freqs


class BM25(BM25Okapi):
    """BM25Okapi over term counts made once per passage: tokenizing (jieba) is most of loading a large
    library, so a reload after another process's ingest counts only the changed documents' passages."""

    def _initialize(self, corpus: list[dict[str, int]]) -> dict[str, int]:  # type: ignore[override]
        nd: dict[str, int] = {}  # word -> number of passages with the word
        total = 0
        for frequencies in corpus:
            n = sum(frequencies.values())
            self.doc_len.append(n)
            total += n
            self.doc_freqs.append(frequencies)
            for word in frequencies:
                nd[word] = nd.get(word, 0) + 1
            self.corpus_size += 1
        self.avgdl = total / self.corpus_size
        return nd


class HybridRetriever(BaseRetriever):
    """LangChain retriever over narrative passages; `filter` keys: department, year, kind."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    passages: list[Passage]
    index: SearchIndex | None = None  # None: keywords only
    k: int = 5
    use_keywords: bool = True
    freqs: list[dict[str, int]] | None = None  # term_freqs of each passage, when the caller keeps them
    bm25: Any = None
    _by_department: dict[str, list[int]] = PrivateAttr(default_factory=dict)
    _by_chroma_key: dict[tuple[str, int], int] = PrivateAttr(default_factory=dict)

    def model_post_init(self, __context: Any) -> None:
        if self.passages and self.use_keywords:
            self.bm25 = BM25(self.freqs if self.freqs is not None else [term_freqs(p) for p in self.passages])
        # built once, not per question: at thousands of documents these walks cost more than the search
        for n, p in enumerate(self.passages):
            self._by_department.setdefault(p.department, []).append(n)
        self._by_chroma_key = chroma_keys(self.passages)

    def _allowed(self, p: Passage, flt: dict[str, Any]) -> bool:
        return all(getattr(p, key) in (v if isinstance(v, list) else [v]) for key, v in flt.items() if v)

    def candidates(self, flt: dict[str, Any]) -> list[int]:
        """Passage numbers the filter lets through, in store order; the department narrows first."""
        dept = flt.get("department")
        if dept:
            pool = sorted(i for d in (dept if isinstance(dept, list) else [dept]) for i in self._by_department.get(d, []))
        else:
            pool = list(range(len(self.passages)))
        return [i for i in pool if self._allowed(self.passages[i], flt)]

    def search(self, query: str, flt: dict[str, Any] | None = None) -> list[tuple[Passage, float]]:
        flt = flt or {}
        ranks: dict[int, float] = {}
        if self.bm25 is not None:
            fuse(ranks, keyword_order(self.bm25, query, self.candidates(flt), self.k * 4))
        if self.index is not None:
            hits = passage_hits(self.index, query, self.k * 4, flt)
            fuse(ranks, [self._by_chroma_key.get((h.meta["document"], passage_number(h.id))) for h in hits])
        best = sorted(ranks, key=lambda i: -ranks[i])[: self.k]
        return [(self.passages[i], ranks[i]) for i in best]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [
            Document(
                page_content=p.text,
                metadata={"document": p.document, "page": p.page, "heading": p.heading, "score": s},
            )
            for p, s in self.search(query)
        ]


def keyword_order(bm25: BM25, query: str, pool: list[int], limit: int) -> list[int]:
    """The passages of `pool` that share a term with the query, best BM25 score first, at most `limit`:
    scores of the allowed passages only, with the statistics (idf) of all of `bm25`'s passages."""
    scores = bm25.get_batch_scores(tokens(query), pool) if pool else []
    return [pool[j] for j in sorted(range(len(pool)), key=lambda j: -scores[j]) if scores[j] > 0][:limit]


def passage_hits(index: SearchIndex, query: str, k: int, flt: dict[str, Any]) -> list[Hit]:
    """The index's nearest passages (not facts or labels) that the filter lets through."""
    return [h for h in index.search(query, k=k, where=chroma_where(flt)) if h.meta.get("type") == "passage"]


def chroma_keys(passages: list[Passage]) -> dict[tuple[str, int], int]:
    """(document, passage number) → position in `passages`: Chroma ids number passages per document."""
    keys: dict[tuple[str, int], int] = {}
    seen: dict[str, int] = {}
    for pos, p in enumerate(passages):
        keys[(p.document, seen.get(p.document, 0))] = pos
        seen[p.document] = seen.get(p.document, 0) + 1
    return keys


def fuse(ranks: dict[int, float], order: Sequence[int | None]) -> None:
    """Reciprocal rank fusion: add 1 / (RRF_K + rank) for each ranked item (None: not among ours)."""
    for r, n in enumerate(order):
        if n is not None:
            ranks[n] = ranks.get(n, 0) + 1 / (RRF_K + r)


def chroma_where(flt: dict[str, Any]) -> dict[str, Any] | None:
    """The Chroma `where` of a passage filter ({"department": [...], "year": [...]}): passages only."""
    clauses: list[dict[str, Any]] = [{"type": "passage"}]
    for key, v in flt.items():
        if v:
            clauses.append({key: {"$in": v}} if isinstance(v, list) else {key: v})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
