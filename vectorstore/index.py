"""Chroma vector index over narrative passages and the distinct fact descriptions.

A document's passages get one vector each. Its facts get none of their own: every distinct label that
describes a fact (`vectorstore.schema.fact_labels`: its row label, its column path) has one vector,
shared by every fact of every document that prints it (the fact rows carry the same text in `row_label`
and `column_path`), so a library of thousands of budgets that all print 行政运行 / 基本支出 embeds that
label once, and one document embeds its 120 row labels and 40 column paths rather than 400 sentences. Texts repeated within a batch (名词解释
passages printed alike by many departments) are embedded once.

Embedded (PersistentClient under $BUDGETQA_HOME/chroma) by default; a Chroma server (`chroma run`)
when BUDGETQA_CHROMA_HOST is set, shared by every process pointed at it (docs/SERVERS.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from budgetqa.errors import StoreError
from budgetqa.settings import Settings
from ingest.records import Fact, Passage
from vectorstore.embeddings import load_embedder
from vectorstore.schema import fact_labels, label_key

_BATCH = 256
_PAGE = 5000
# Never stored. Deleting it is a write, and any write makes embedded Chroma apply the log that other
# processes appended (see VectorIndex._catch_up).
_SYNC_ID = "__budgetqa_sync__"


def fact_sentence(f: Fact) -> str:
    """'2025年 杭州市西湖区人民政府办公室 一般公共预算支出表 行政运行 工资福利支出 501.65万元' (a fact as one
    sentence, for baselines and tools that embed facts one by one)."""
    parts = [f"{f.year}年", f.department, f.table or "说明", f.row or "", f.column, f"{f.value:g}{f.unit}"]
    return " ".join(p for p in parts if p)


LABEL_PREFIX = "label:"


@dataclass
class Hit:
    id: str
    text: str
    meta: dict[str, Any]
    distance: float


@runtime_checkable
class SearchIndex(Protocol):
    """What readers ask of a vector index: the items nearest a query (Chroma `where` on their metadata,
    or among the vectors of these ids) and the row labels and column paths nearest it (None: the index
    keeps no label vectors). `VectorIndex` is one; the assistant's lazily opened index
    (assistant/service.py) another."""

    def search(self, query: str, k: int = 8, where: dict[str, Any] | None = None) -> list[Hit]: ...

    def search_among(self, query: str, ids: list[str], k: int = 8) -> list[Hit]: ...

    def search_labels(self, query: str, k: int = 20) -> list[tuple[str, str, float]] | None: ...


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


def passage_id(document: str, n: int) -> str:
    """The vector id of a document's n-th passage ("….pdf#p12")."""
    return f"{document}#p{n}"


def passage_number(vector_id: str) -> int:
    """A passage's number within its document, from its vector id ("….pdf#p12" → 12); -1 if none."""
    m = re.search(r"#p(\d+)$", vector_id)
    return int(m.group(1)) if m else -1


def vector_entries(
    document: str, facts: list[Fact], passages: list[Passage]
) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """(ids, texts, metadatas) of a document's own vectors, its passages: what replace_document writes
    for it and library.check compares the index against. `facts` is accepted for that caller; their
    vectors are the shared labels (`label_entries`), which belong to no document."""
    ids: list[str] = []
    texts: list[str] = []
    metas: list[dict[str, Any]] = []
    for i, p in enumerate(passages):
        ids.append(passage_id(document, i))
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
    return ids, texts, metas


def label_entries(facts: list[Fact]) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """(ids, texts, metadatas) of the distinct labels of these facts, first occurrence order."""
    seen: dict[str, tuple[str, str]] = {}
    for f in facts:
        for field, text in fact_labels(f):
            seen.setdefault(label_key(field, text), (field, text))
    return ([LABEL_PREFIX + k for k in seen], [t for _f, t in seen.values()],
            [{"type": "label", "field": field} for field, _t in seen.values()])


def _embed_distinct(embedder: Any, texts: list[str]) -> list[list[float]]:
    """Vectors of `texts`, each distinct text embedded once."""
    order = list(dict.fromkeys(texts))
    vectors = dict(zip(order, embedder.embed_documents(order), strict=True)) if order else {}
    return [vectors[t] for t in texts]


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
        self.add_labels(facts)
        self._add(*vector_entries(document, facts, passages))

    def add_documents(self, reports: list[tuple[str, list[Fact], list[Passage]]]) -> None:
        """Index new documents in large batches (bulk loads: nothing is deleted first)."""
        self.add_labels([f for _name, fs, _ps in reports for f in fs])
        ids, texts, metas = [], [], []
        for name, fs, ps in reports:
            i, t, m = vector_entries(name, fs, ps)
            ids += i
            texts += t
            metas += m
        self._add(ids, texts, metas)

    def add_labels(self, facts: list[Fact]) -> int:
        """Give the descriptions of these facts a vector where none has one yet; returns how many were new."""
        ids, texts, metas = label_entries(facts)
        have: set[str] = set()
        for k in range(0, len(ids), _PAGE):
            have |= set(self.collection.get(ids=ids[k:k + _PAGE], include=[])["ids"])
        todo = [n for n, i in enumerate(ids) if i not in have]
        self._add([ids[n] for n in todo], [texts[n] for n in todo], [metas[n] for n in todo])
        return len(todo)

    def _add(self, ids: list[str], texts: list[str], metas: list[dict[str, Any]]) -> None:
        for k in range(0, len(ids), _BATCH):
            chunk = slice(k, k + _BATCH)
            vectors = _embed_distinct(self.embedder, texts[chunk])
            self.collection.upsert(ids=ids[chunk], embeddings=vectors, documents=texts[chunk],
                                   metadatas=metas[chunk])  # type: ignore[arg-type]

    def remove_document(self, document: str) -> None:
        self.collection.delete(where={"document": document})

    def documents(self) -> set[str]:
        """Documents with vectors (passages); labels belong to none."""
        # paged: one request for every vector of a large library would exceed a server's payload limit
        out: set[str] = set()
        offset = 0
        while True:
            got = self.collection.get(where={"type": "passage"}, include=["metadatas"], limit=_PAGE, offset=offset)
            metas = got["metadatas"] or []
            out |= {str(m["document"]) for m in metas}
            if len(metas) < _PAGE:
                return out
            offset += _PAGE

    def stored(self, document: str | None = None) -> dict[str, dict[str, str]]:
        """document -> {vector id: text} as the index holds them (all documents, or one); labels left out."""
        out: dict[str, dict[str, str]] = {}
        offset = 0
        where: dict[str, Any] = {"document": document} if document else {"type": "passage"}
        while True:
            got = self.collection.get(where=where, include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            metas = got["metadatas"] or []
            for i, text, m in zip(got["ids"], got["documents"] or [], metas, strict=False):
                out.setdefault(str(m["document"]), {})[i] = text
            if len(metas) < _PAGE:
                return out
            offset += _PAGE

    def labels(self) -> int:
        return len(self.collection.get(where={"type": "label"}, include=[])["ids"])

    def search_labels(self, query: str, k: int = 20) -> list[tuple[str, str, float]]:
        """(field, label, distance) of the row labels and column paths nearest to `query`, for every
        document at once: candidates a caller narrows in SQL by department and year
        (`FactFilter(rows=..., columns=..., departments=...)`)."""
        return [(str(h.meta["field"]), h.text, h.distance) for h in self.search(query, k=k, where={"type": "label"})]

    def count(self) -> int:
        return int(self.collection.count())

    def _catch_up(self, count: int) -> None:
        """Embedded Chroma keeps its vector segment in memory: after another process wrote (a CLI ingest
        beside the web app), a filtered query here fails with "Error finding id" until this process
        applies the shared log, which any write of its own does. A server needs none of this."""
        if self._embedded:
            self.collection.delete(ids=[_SYNC_ID])
        self._seen = count

    def search_among(self, query: str, ids: list[str], k: int = 8) -> list[Hit]:
        """The `k` of these vectors nearest to `query` (cosine distance, exact): a scope of a few
        documents' passages read by id, so the cost follows the scope, not the library (a filtered
        query over a large collection costs the collection)."""
        import numpy as np

        vectors: list[Any] = []
        rows: list[tuple[str, str, dict[str, Any]]] = []
        for start in range(0, len(ids), _PAGE):
            chunk = ids[start:start + _PAGE]
            got = self._guarded(lambda chunk=chunk: self.collection.get(  # type: ignore[misc]
                ids=chunk, include=["embeddings", "documents", "metadatas"]))
            if got is None:
                return []
            embs = got.get("embeddings")
            texts = got["documents"] or [""] * len(got["ids"])
            metas = got["metadatas"] or [{}] * len(got["ids"])
            for n, i in enumerate(got["ids"]):
                vectors.append(embs[n])  # type: ignore[index]
                rows.append((i, texts[n], dict(metas[n])))
        if not rows:
            return []
        m = np.asarray(vectors, dtype=np.float32)
        q = np.asarray(self.embedder.embed_query(query), dtype=np.float32)
        dist = 1.0 - (m @ q) / np.maximum(np.linalg.norm(m, axis=1) * np.linalg.norm(q), 1e-12)
        best = sorted(range(len(rows)), key=lambda j: (float(dist[j]), j))[:k]
        return [Hit(rows[j][0], rows[j][1], rows[j][2], float(dist[j])) for j in best]

    def _guarded(self, run: Any) -> Any:
        """`run()` on a collection another process may have written to since (None when it is empty)."""
        count = self.collection.count()
        if count == 0:
            return None
        if count != self._seen:
            self._catch_up(count)
        try:
            return run()
        except Exception as exc:  # a write elsewhere that left the count unchanged
            if "Error finding id" not in str(exc):
                raise
            self._catch_up(count)
            return run()

    def search(self, query: str, k: int = 8, where: dict[str, Any] | None = None) -> list[Hit]:
        res = self._guarded(lambda: self.collection.query(
            query_embeddings=[self.embedder.embed_query(query)],
            n_results=k,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        ))
        if res is None:
            return []
        return [
            Hit(i, d, m, dist)
            for i, d, m, dist in zip(
                res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0], strict=False
            )
        ]
