"""Bounded per-document caches and the assistant that reads the store per question through them: what a
process holds is bounded by the budget, not by the library, and the budget never changes an answer."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import PUTUO, ROOT, SAMPLE

from budgetqa.settings import Settings
from vectorstore.cache import Catalog, DocumentCache
from vectorstore.facts_db import FactStore


def test_cache_keeps_the_most_recent_documents_within_its_budget() -> None:
    loads: list[list[int]] = []

    def load(ids: list[int]) -> dict[int, list[int]]:
        loads.append(ids)
        return {i: list(range(i)) for i in ids}  # document i holds i items

    cache: DocumentCache[list[int]] = DocumentCache(max_documents=3, max_items=10)
    assert cache.get_many([1, 2, 3], load) == {1: [0], 2: [0, 1], 3: [0, 1, 2]}
    assert cache.get_many([2, 1], load) == {2: [0, 1], 1: [0]} and loads == [[1, 2, 3]]  # hits: no load
    cache.get_many([4], load)  # 1+2+3+4 = 10 items, 4 documents: the least recently used (3) goes
    assert len(cache) == 3 and cache.items_held == 7
    cache.get_many([3], load)
    assert loads[-1] == [3]
    cache.get_many([9], load)  # alone over the item budget: kept (one document always fits), others go
    assert len(cache) == 1 and cache.items_held == 9
    cache.keep_only(set())
    assert len(cache) == 0 and cache.items_held == 0


def test_catalog_scopes_documents_by_department_year_and_kind(corpus_home: Path) -> None:
    store = FactStore(Settings(home=corpus_home).db_url)
    catalog = Catalog(store)
    assert catalog.refresh() and not catalog.refresh()  # read once; again only after a write
    docs = {d.id: d for d in store.documents()}
    putuo = next(d for d in docs.values() if d.document == PUTUO.name)
    assert catalog.doc_ids([putuo.department], [putuo.year]) == [(putuo.id, putuo.revision)]
    assert catalog.doc_ids(kinds=["决算"]) == [(putuo.id, putuo.revision)]
    assert catalog.doc_ids() == sorted((d.id, d.revision) for d in docs.values())
    assert catalog.doc_ids(["no such department"]) == []
    assert catalog.years()[putuo.department] == [putuo.year]


def _questions() -> list[str]:
    out = []
    for name in ("seed", "real"):
        lines = (ROOT / "eval" / "gold" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        out += [json.loads(x)["question"] for x in lines if x.strip()][:40]
    return out


def test_a_tiny_cache_gives_the_same_answers_and_holds_little(corpus_home: Path) -> None:
    from assistant.service import Assistant

    store = FactStore(Settings(home=corpus_home).db_url)
    roomy = Assistant(store)
    tight = Assistant(store, cache_facts=1)  # one document at a time
    questions = _questions()
    assert [tight.ask(q).to_json() for q in questions] == [roomy.ask(q).to_json() for q in questions]
    assert len(tight._fact_cache) == 1 and len(tight._passage_cache) == 1
    assert len(roomy._fact_cache) == len(store.documents())
    assert sum(roomy.ask(q).status == "answered" for q in questions) > len(questions) // 2


def test_a_document_saved_by_another_process_is_read_on_the_next_question(sample_home: Path, tmp_path: Path) -> None:
    from assistant.service import Assistant
    from ingest.pipeline import extract
    from ingest.records import IngestReport

    url = f"sqlite:///{tmp_path / 'facts.sqlite3'}"
    sample = FactStore(Settings(home=sample_home).db_url)
    mine, other = FactStore(url), FactStore(url)
    report = IngestReport(info=sample.document_infos()[0], facts=sample.facts(), passages=sample.passages())
    other.save(report)
    bot = Assistant(mine)
    assert bot.ask("车辆维护的预算是多少？").value == 4.6
    changed = report.model_copy(update={"facts": [f.model_copy(update={"value": 5.5}) if f.value == 4.6 else f
                                                  for f in report.facts]})
    other.save(changed)  # saved again (SQLite gives it the same row id back): a new revision, not the cached copy
    assert FactStore(url).documents()[0].id == 1
    assert bot.ask("车辆维护的预算是多少？").value == 5.5
    other.save(extract(PUTUO))
    bot.refresh()
    assert {d.document for d in bot.store_catalog.documents} == {SAMPLE.name, PUTUO.name}
