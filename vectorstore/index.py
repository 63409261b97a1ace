"""Chroma vector index over narrative passages and one sentence per fact.

Embedded (PersistentClient under $BUDGETQA_HOME/chroma) by default; a Chroma server when
BUDGETQA_CHROMA_HOST is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from budgetqa.errors import StoreError
from budgetqa.settings import Settings
from ingest.records import Fact, Passage
from vectorstore.embeddings import load_embedder

COLLECTION = "budgetqa"
_BATCH = 256


def fact_sentence(f: Fact) -> str:
    """'2025年 洛阳市西工区人民政府办公室 一般公共预算支出表 行政运行 工资福利支出 501.65万元'"""
    parts = [f"{f.year}年", f.department, f.table or "说明", f.row or "", f.column, f"{f.value:g}{f.unit}"]
    return " ".join(p for p in parts if p)


@dataclass
class Hit:
    id: str
    text: str
    meta: dict[str, Any]
    distance: float


def _client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:
        where = (
            f"{settings.chroma_host}:{settings.chroma_port}"
            if settings.chroma_host
            else str(settings.chroma_dir)
        )
        raise StoreError(
            f"cannot open the Chroma index at {where}: {exc}; check BUDGETQA_CHROMA_HOST/PORT"
        ) from exc


class VectorIndex:
    def __init__(self, settings: Settings):
        self.embedder = load_embedder(settings.embed_model, settings.models_dir)
        self.client = _client(settings)
        self.collection = self.client.get_or_create_collection(
            COLLECTION, metadata={"hnsw:space": "cosine", "embedder": self.embedder.name}
        )

    def replace_document(self, document: str, facts: list[Fact], passages: list[Passage]) -> None:
        self.remove_document(document)
        ids, texts, metas = [], [], []
        for i, p in enumerate(passages):
            ids.append(f"{document}#p{i}")
            texts.append(f"{p.heading}\n{p.text}" if p.heading else p.text)
            metas.append(
                {
                    "document": document,
                    "department": p.department,
                    "year": p.year,
                    "kind": p.kind,
                    "type": "passage",
                    "page": p.page,
                    "heading": p.heading,
                    "n": i,
                }
            )
        for i, f in enumerate(facts):
            ids.append(f"{document}#f{i}")
            texts.append(fact_sentence(f))
            metas.append(
                {
                    "document": document,
                    "department": f.department,
                    "year": f.year,
                    "kind": f.kind,
                    "type": "fact",
                    "page": f.page,
                    "heading": "",
                    "n": i,
                }
            )
        for k in range(0, len(ids), _BATCH):
            chunk = slice(k, k + _BATCH)
            vectors = self.embedder.embed_documents(texts[chunk])
            self.collection.upsert(
                ids=ids[chunk], embeddings=vectors, documents=texts[chunk], metadatas=metas[chunk]
            )

    def remove_document(self, document: str) -> None:
        self.collection.delete(where={"document": document})

    def documents(self) -> set[str]:
        got = self.collection.get(include=["metadatas"])
        return {m["document"] for m in got["metadatas"] or []}

    def count(self) -> int:
        return int(self.collection.count())

    def search(self, query: str, k: int = 8, where: dict[str, Any] | None = None) -> list[Hit]:
        if self.collection.count() == 0:
            return []
        res = self.collection.query(
            query_embeddings=[self.embedder.embed_query(query)],
            n_results=k,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        return [
            Hit(i, d, m, dist)
            for i, d, m, dist in zip(
                res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0], strict=False
            )
        ]
