"""Chroma vector index over narrative passages and one sentence per fact.

Embedded (PersistentClient under $BUDGETQA_HOME/chroma) by default; a Chroma server (`chroma run`)
when BUDGETQA_CHROMA_HOST is set, shared by every process pointed at it (docs/SERVERS.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from budgetqa.errors import StoreError
from budgetqa.settings import Settings
from ingest.records import Fact, Passage
from vectorstore.embeddings import load_embedder

_BATCH = 256
_PAGE = 5000
# Never stored. Deleting it is a write, and any write makes embedded Chroma apply the log that other
# processes appended (see VectorIndex._catch_up).
_SYNC_ID = "__budgetqa_sync__"


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


def _where(settings: Settings) -> str:
    if settings.chroma_host:
        scheme = "https" if settings.chroma_ssl else "http"
        return f"the Chroma server {scheme}://{settings.chroma_host}:{settings.chroma_port}"
    return f"the Chroma index at {settings.chroma_dir}"


def _client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.chroma_host:
            # HttpClient asks the server for its tenant and database here, so a wrong host fails now
            return chromadb.HttpClient(
                host=settings.chroma_host,
                port=settings.chroma_port,
                ssl=settings.chroma_ssl,
                settings=chroma_settings,
            )
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:
        raise StoreError(
            f"cannot open {_where(settings)}: {str(exc)[:200]}; check BUDGETQA_CHROMA_HOST/PORT "
            "and that `chroma run` is running there"
        ) from exc


def vector_entries(
    document: str, facts: list[Fact], passages: list[Passage]
) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """(ids, texts, metadatas) of a document's vectors: what replace_document writes and
    library.check compares the index against."""
    ids: list[str] = []
    texts: list[str] = []
    metas: list[dict[str, Any]] = []
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
    return ids, texts, metas


class VectorIndex:
    def __init__(self, settings: Settings):
        self.embedder = load_embedder(settings.embed_model, settings.models_dir)
        self.client = _client(settings)
        self._embedded = not settings.chroma_host
        self._seen = -1  # the collection's size when this process last caught up with it
        name = settings.chroma_collection
        try:
            # get_or_create is one call on the server, so processes starting together share one collection
            self.collection = self.client.get_or_create_collection(
                name, metadata={"hnsw:space": "cosine", "embedder": self.embedder.name}
            )
        except Exception as exc:
            raise StoreError(
                f"cannot open the collection {name!r} in {_where(settings)}: {str(exc)[:200]}; "
                "check BUDGETQA_CHROMA_COLLECTION"
            ) from exc
        made_by = (self.collection.metadata or {}).get("embedder")
        if made_by and made_by != self.embedder.name:
            # vectors of two models in one collection give meaningless distances (or a dimension error)
            raise StoreError(
                f"the collection {name!r} in {_where(settings)} holds vectors of the embedding model "
                f"{made_by!r}, not {self.embedder.name!r}; set BUDGETQA_EMBED_MODEL={made_by} or use "
                "another BUDGETQA_CHROMA_COLLECTION (then re-ingest)"
            )

    def replace_document(self, document: str, facts: list[Fact], passages: list[Passage]) -> None:
        self.remove_document(document)
        ids, texts, metas = vector_entries(document, facts, passages)
        for k in range(0, len(ids), _BATCH):
            chunk = slice(k, k + _BATCH)
            vectors = self.embedder.embed_documents(texts[chunk])
            self.collection.upsert(
                ids=ids[chunk], embeddings=vectors, documents=texts[chunk], metadatas=metas[chunk]
            )

    def remove_document(self, document: str) -> None:
        self.collection.delete(where={"document": document})

    def documents(self) -> set[str]:
        # paged: one request for every vector of a large library would exceed a server's payload limit
        out: set[str] = set()
        offset = 0
        while True:
            got = self.collection.get(include=["metadatas"], limit=_PAGE, offset=offset)
            metas = got["metadatas"] or []
            out |= {m["document"] for m in metas}
            if len(metas) < _PAGE:
                return out
            offset += _PAGE

    def stored(self, document: str | None = None) -> dict[str, dict[str, str]]:
        """document -> {vector id: text} as the index holds them (all documents, or one)."""
        out: dict[str, dict[str, str]] = {}
        offset = 0
        while True:
            got = self.collection.get(where={"document": document} if document else None,
                                      include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            metas = got["metadatas"] or []
            for i, text, m in zip(got["ids"], got["documents"] or [], metas, strict=False):
                out.setdefault(str(m["document"]), {})[i] = text
            if len(metas) < _PAGE:
                return out
            offset += _PAGE

    def count(self) -> int:
        return int(self.collection.count())

    def _catch_up(self, count: int) -> None:
        """Embedded Chroma keeps its vector segment in memory: after another process wrote (a CLI ingest
        beside the web app), a filtered query here fails with "Error finding id" until this process
        applies the shared log, which any write of its own does. A server needs none of this."""
        if self._embedded:
            self.collection.delete(ids=[_SYNC_ID])
        self._seen = count

    def search(self, query: str, k: int = 8, where: dict[str, Any] | None = None) -> list[Hit]:
        count = self.collection.count()
        if count == 0:
            return []
        if count != self._seen:
            self._catch_up(count)

        def run() -> Any:
            return self.collection.query(
                query_embeddings=[self.embedder.embed_query(query)],
                n_results=k,
                where=where or None,
                include=["documents", "metadatas", "distances"],
            )

        try:
            res = run()
        except Exception as exc:  # a write elsewhere that left the count unchanged
            if "Error finding id" not in str(exc):
                raise
            self._catch_up(count)
            res = run()
        return [
            Hit(i, d, m, dist)
            for i, d, m, dist in zip(
                res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0], strict=False
            )
        ]
