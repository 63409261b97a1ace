"""Keyword (BM25 over jieba tokens) + vector (Chroma) retrieval of passages, fused by reciprocal rank."""

from __future__ import annotations

import logging
import re
from typing import Any

import jieba
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict
from rank_bm25 import BM25Okapi

from ingest.records import Passage

jieba.setLogLevel(logging.WARNING)
_RRF_K = 60


def tokens(text: str) -> list[str]:
    words = [w for w in jieba.lcut(re.sub(r"\s+", "", text)) if w.strip() and not re.fullmatch(r"[\W_]+", w)]
    # character bigrams rescue terms jieba splits differently in question and document
    bigrams = [
        text[i : i + 2] for i in range(len(text) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", text[i : i + 2])
    ]
    return words + bigrams


class HybridRetriever(BaseRetriever):
    """LangChain retriever over narrative passages; `filter` keys: department, year, kind."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    passages: list[Passage]
    index: Any = None  # vectorstore.index.VectorIndex, or None for keyword-only
    k: int = 5
    use_keywords: bool = True
    bm25: Any = None

    def model_post_init(self, __context: Any) -> None:
        if self.passages and self.use_keywords:
            self.bm25 = BM25Okapi([tokens(p.heading + p.text) for p in self.passages])

    def _allowed(self, p: Passage, flt: dict[str, Any]) -> bool:
        return all(getattr(p, key) in (v if isinstance(v, list) else [v]) for key, v in flt.items() if v)

    def search(self, query: str, flt: dict[str, Any] | None = None) -> list[tuple[Passage, float]]:
        flt = flt or {}
        ranks: dict[int, float] = {}
        if self.bm25 is not None:
            scores = self.bm25.get_scores(tokens(query))
            order = [
                i
                for i in sorted(range(len(scores)), key=lambda i: -scores[i])
                if scores[i] > 0 and self._allowed(self.passages[i], flt)
            ][: self.k * 4]
            for r, i in enumerate(order):
                ranks[i] = ranks.get(i, 0) + 1 / (_RRF_K + r)
        if self.index is not None:
            where = _where(flt)
            by_key: dict[tuple[str, int], int] = {}
            seen: dict[str, int] = {}
            for n, p in enumerate(self.passages):  # chroma ids number passages within their document
                by_key[(p.document, seen.get(p.document, 0))] = n
                seen[p.document] = seen.get(p.document, 0) + 1
            hits = [
                h
                for h in self.index.search(query, k=self.k * 4, where=where)
                if h.meta.get("type") == "passage"
            ]
            for r, h in enumerate(hits):
                i = by_key.get((h.meta["document"], _passage_number(h.id)))
                if i is not None:
                    ranks[i] = ranks.get(i, 0) + 1 / (_RRF_K + r)
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


def _passage_number(chroma_id: str) -> int:
    m = re.search(r"#p(\d+)$", chroma_id)
    return int(m.group(1)) if m else -1


def _where(flt: dict[str, Any]) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = [{"type": "passage"}]
    for key, v in flt.items():
        if v:
            clauses.append({key: {"$in": v}} if isinstance(v, list) else {key: v})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
