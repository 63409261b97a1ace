"""Embed what is distinct: one vector per passage and one per distinct fact description, shared by every
fact (of every document) that carries it; texts repeated in a batch embedded once."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE

from budgetqa.settings import Settings
from eval.bench import relabel
from ingest.pipeline import extract, sha256_of
from ingest.records import IngestReport
from vectorstore.embeddings import HashEmbedder
from vectorstore.facts_db import FactStore
from vectorstore.index import LABEL_PREFIX, VectorIndex, label_entries
from vectorstore.records import FactFilter
from vectorstore.schema import fact_labels


class CountingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += texts
        return super().embed_documents(texts)


@pytest.fixture(scope="module")
def sample() -> IngestReport:
    return extract(SAMPLE, 1000, sha256_of(SAMPLE))


def test_facts_share_one_vector_per_distinct_description(tmp_path: Path, sample: IngestReport) -> None:
    index = VectorIndex(Settings(home=tmp_path, embed_model="hash", chroma_host=None))
    counting = CountingEmbedder()
    index.embedder = counting
    labels = {x for f in sample.facts for x in fact_labels(f)}
    assert len(labels) < len(sample.facts) / 2  # rows and columns repeat across a document's cells and tables
    index.replace_document(sample.info.document, sample.facts, sample.passages)
    assert index.labels() == len(labels)
    assert index.count() == len(labels) + len(sample.passages)
    assert index.stored()[sample.info.document].keys() == {f"{sample.info.document}#p{i}"
                                                            for i in range(len(sample.passages))}
    distinct_texts = len(set(counting.embedded))
    assert distinct_texts == len(counting.embedded), "a text was embedded twice"
    # another department's copy of the same budget: its facts need no new vector at all
    copy = relabel(sample, 1)
    counting.embedded.clear()
    index.replace_document(copy.info.document, copy.facts, copy.passages)
    assert index.labels() == len(labels)
    assert len(counting.embedded) == len(copy.passages)
    # removing a document leaves the shared labels (the copy still uses them)
    index.remove_document(sample.info.document)
    assert index.labels() == len(labels) and sample.info.document not in index.documents()


def test_a_label_hit_leads_to_its_facts_in_sql(tmp_path: Path, sample: IngestReport) -> None:
    settings = Settings(home=tmp_path, embed_model="hash", chroma_host=None)
    store, index = FactStore(settings.db_url), VectorIndex(settings)
    store.save(sample)
    index.replace_document(sample.info.document, sample.facts, sample.passages)
    hits = index.search_labels("公务用车运行费", k=5)
    assert hits and all(field in ("row", "column") and isinstance(d, float) for field, _t, d in hits)
    rows = [t for field, t, _d in hits if field == "row"]
    columns = [t for field, t, _d in hits if field == "column"]
    found = (store.facts_where(FactFilter(rows=rows, departments=[sample.info.department])) if rows else []) + (
        store.facts_where(FactFilter(columns=columns, departments=[sample.info.department])) if columns else [])
    assert found and all(f.row in rows or f.column in columns for f in found)
    assert any("公务用车运行费" in f.column for f in found)


def test_label_entries_are_distinct_and_in_first_seen_order(sample: IngestReport) -> None:
    ids, texts, metas = label_entries(sample.facts + sample.facts)
    assert len(ids) == len(set(ids)) == len({x for f in sample.facts for x in fact_labels(f)})
    assert (metas[0]["field"], texts[0]) == fact_labels(sample.facts[0])[0] and ids[0].startswith(LABEL_PREFIX)
