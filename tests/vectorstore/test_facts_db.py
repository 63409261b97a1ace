"""The fact store as typed SQL rows: round trip, the narrow queries the assistant makes, aggregates, and the
migration of a home made by an older release (JSON columns), on SQLite and, when the test server is up, on
PostgreSQL (.ci/run starts it; BUDGETQA_TEST_DATABASE_URL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PUTUO, SAMPLE
from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    inspect,
    text,
)

from budgetqa.settings import Settings
from ingest.pipeline import extract, sha256_of
from ingest.records import IngestReport
from vectorstore.facts_db import FactStore
from vectorstore.records import FactFilter, PassageFilter, StoredDocument
from vectorstore.schema import SCHEMA_VERSION

TEST_DB = os.environ.get("BUDGETQA_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DB else [])
SAMPLE_DEPT = "洛阳市西工区人民政府办公室"


@pytest.fixture(scope="module")
def reports() -> list[IngestReport]:
    return [extract(p, 1000, sha256_of(p)) for p in (SAMPLE, PUTUO)]


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'facts.sqlite3'}"
        return
    from vectorstore.servers import create_stores, drop_stores

    s = create_stores(Settings(home=tmp_path, database_url=TEST_DB, chroma_host=None), f"bqt_{uuid.uuid4().hex[:10]}")
    assert s.database_url
    yield s.database_url
    drop_stores(s)


def test_facts_and_passages_come_back_exactly_as_saved(url: str, reports: list[IngestReport]) -> None:
    store = FactStore(url)
    for r in reports:
        store.save(r)
    assert [f.model_dump() for f in store.facts()] == [f.model_dump() for r in reports for f in r.facts]
    assert [p.model_dump() for p in store.passages()] == [p.model_dump() for r in reports for p in r.passages]
    assert store.facts(document=PUTUO.name) == reports[1].facts
    store.close()


def test_documents_are_typed_records_without_the_report(url: str, reports: list[IngestReport]) -> None:
    store = FactStore(url)
    store.save(reports[0])
    (d,) = store.documents()
    assert isinstance(d, StoredDocument) and "report" not in d.model_dump()
    assert (d.document, d.department, d.year, d.kind, d.pages, d.facts) == (SAMPLE.name, SAMPLE_DEPT, 2025, "预算", 34,
                                                                            len(reports[0].facts))
    assert d["grp"] == d.group == f"{SAMPLE_DEPT}|2025|预算"  # the dict keys of earlier releases still work
    assert store.document(SAMPLE.name) == d and store.document("no-such.pdf") is None
    assert [c.model_dump() for c in store.checks(SAMPLE.name)] == [c.model_dump() for c in reports[0].checks]
    store.close()


def test_facts_for_reads_only_the_asked_departments_years_and_kinds(url: str, reports: list[IngestReport]) -> None:
    store = FactStore(url)
    for r in reports:
        store.save(r)
    putuo = reports[1].info
    assert store.facts_for(departments=[SAMPLE_DEPT]) == reports[0].facts
    assert store.facts_for(departments=[putuo.department], years=[putuo.year], kinds=["决算"]) == reports[1].facts
    assert store.facts_for(departments=[SAMPLE_DEPT], kinds=["决算"]) == []
    assert store.facts_for(years=[2025, putuo.year]) == reports[0].facts + reports[1].facts
    assert store.facts_for() == store.facts()
    only = store.passages_where(PassageFilter(departments=[putuo.department]))
    assert only == reports[1].passages and store.passages_where(PassageFilter(years=[1999])) == []
    store.close()


def test_ranking_and_series_are_sql_aggregates_with_their_facts(url: str, reports: list[IngestReport]) -> None:
    store = FactStore(url)
    for r in reports:
        store.save(r)
    flt = FactFilter(row_leaf="行政运行", source="table")
    ranked = store.ranking(flt, agg="max")
    by_hand: dict[tuple[str, str], list[float]] = {}
    for r in reports:
        for f in r.facts:
            if (f.row or "").split(" / ")[-1] == "行政运行" and f.source == "table":
                by_hand.setdefault((f.department, f.unit), []).append(f.value)
    assert {(a.key, a.unit): a.value for a in ranked} == {k: max(v) for k, v in by_hand.items()}
    assert [a.value for a in ranked] == sorted((a.value for a in ranked), reverse=True)
    for a in ranked:  # every figure of an aggregate is traceable to its stored facts
        cited = store.facts_by_ids(a.fact_ids)
        assert len(cited) == a.facts and max(f.value for f in cited) == a.value
        assert {f.department for f in cited} == {a.key} and {f.unit for f in cited} == {a.unit}
    series = store.series(FactFilter(departments=[SAMPLE_DEPT], row_leaf="行政运行"), agg="max")
    assert [a.key for a in series] == [2025]
    store.close()


# --------------------------------------------------------------------------- migration from JSON columns


def _schema_2(url: str) -> None:
    """The tables as schema 2 made them: facts and passages as one JSON text column each."""
    from vectorstore.database import engine_url

    old = MetaData()
    Table("documents", old, Column("id", Integer, primary_key=True), Column("document", String(300), unique=True),
          Column("sha256", String(64), index=True), Column("department", String(200)), Column("year", Integer),
          Column("kind", String(8)), Column("grp", String(300), index=True), Column("part", String(16)),
          Column("pages", Integer), Column("facts", Integer), Column("checks_total", Integer),
          Column("checks_failed", Integer), Column("seconds", Float), Column("ingested_at", String(40)),
          Column("report", Text))
    for name in ("facts", "passages"):
        Table(name, old, Column("id", Integer, primary_key=True),
              Column("doc_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), index=True, nullable=False),
              Column("data", Text, nullable=False))
    Table("store_state", old, Column("id", Integer, primary_key=True), Column("schema_version", Integer),
          Column("generation", Integer), Column("instance", String(32)))
    engine = create_engine(engine_url(url))
    old.create_all(engine)
    engine.dispose()


def _save_as_schema_2(url: str, reports: list[IngestReport]) -> None:
    from vectorstore.database import engine_url

    engine = create_engine(engine_url(url))
    with engine.begin() as c:
        c.execute(text("INSERT INTO store_state VALUES (1, 2, 7, 'abc')"))
        for n, r in enumerate(reports, 1):
            i = r.info
            c.execute(text("INSERT INTO documents VALUES (:id, :doc, :sha, :dept, :year, :kind, :grp, :part, :pages, "
                           ":facts, 0, 0, 1.0, 'then', :rep)"),
                      {"id": n, "doc": i.document, "sha": i.sha256, "dept": i.department, "year": i.year,
                       "kind": i.kind, "grp": i.group, "part": i.part, "pages": i.pages, "facts": len(r.facts),
                       "rep": r.model_dump_json(include={"tables", "checks", "warnings", "seconds"})})
            # the JSON of a release before Fact had scope/measure/comparison
            c.execute(text("INSERT INTO facts (doc_id, data) VALUES (:d, :j)"),
                      [{"d": n, "j": f.model_dump_json(exclude={"scope", "measure", "comparison"})} for f in r.facts])
            c.execute(text("INSERT INTO passages (doc_id, data) VALUES (:d, :j)"),
                      [{"d": n, "j": p.model_dump_json()} for p in r.passages])
    engine.dispose()


def test_a_home_with_json_columns_is_migrated_to_rows_at_open(url: str, reports: list[IngestReport]) -> None:
    _schema_2(url)
    _save_as_schema_2(url, reports)
    store = FactStore(url)
    with store.engine.connect() as c:
        assert c.execute(text("SELECT schema_version, generation FROM store_state")).one() == (SCHEMA_VERSION, 7)
        columns = {col["name"] for col in inspect(c).get_columns("facts")}
        assert "data" not in columns and {"department", "row_leaf", "column_path", "value", "unit"} <= columns
        assert "ix_facts_department_year_kind" in {ix["name"] for ix in inspect(c).get_indexes("facts")}
        assert not {"facts_json_v2", "passages_json_v2"} & set(inspect(c).get_table_names())
        # a staff member's SQL on the migrated rows
        n = c.execute(text("SELECT COUNT(*) FROM facts WHERE row_leaf = '行政运行' AND department = :d"),
                      {"d": SAMPLE_DEPT}).scalar()
    assert n == sum((f.row or "").endswith("行政运行") for f in reports[0].facts) > 0
    # the old JSON had no scope/measure/comparison: the migrated rows carry the defaults
    old = {"scope": "部门", "measure": "amount", "comparison": None}
    assert store.facts() == [f.model_copy(update=old) for r in reports for f in r.facts]
    assert store.passages() == [p for r in reports for p in r.passages]
    assert {d.document: d.facts for d in store.documents()} == {r.info.document: len(r.facts) for r in reports}
    # a second open: nothing to do
    assert FactStore(url).facts_for(departments=[SAMPLE_DEPT]) == [f.model_copy(update=old) for f in reports[0].facts]
    # the migrated store goes on working: replace one document, the ids continue past the copied ones
    store.save(reports[0])
    assert store.facts(document=SAMPLE.name) == reports[0].facts and len(store.facts()) == len(store.fact_ids(FactFilter()))
    assert store.fact_ids(FactFilter(documents=[SAMPLE.name]))[0] > max(store.fact_ids(FactFilter(documents=[PUTUO.name])))
    store.close()


def test_the_sql_in_servers_md_runs_on_the_stored_rows(url: str, reports: list[IngestReport]) -> None:
    """docs/SERVERS.md's example queries name real columns on both databases; with the year and department
    of a stored document they find its figures."""
    import re

    from conftest import ROOT

    store = FactStore(url)
    for r in reports:
        store.save(r)
    doc = (ROOT / "docs" / "SERVERS.md").read_text(encoding="utf-8")
    block = re.search(r"```sql\n(.*?)```", doc, re.S)
    assert block, "docs/SERVERS.md has no ```sql block"
    statements = [x.strip() for x in block.group(1).split(";") if x.strip()]
    assert len(statements) >= 3
    counts = []
    with store.engine.connect() as c:
        for sql in statements:
            local = sql.replace("year = 2019", "year = 2025").replace("江苏省高级人民法院", SAMPLE_DEPT)
            counts.append(len(c.execute(text(local)).fetchall()))
    assert counts[0] > 0 and counts[1] > 0, counts  # 三公 合计 and 行政运行 of the sample
    store.close()


def test_save_many_stores_a_batch_as_save_does(url: str, reports: list[IngestReport]) -> None:
    """The bulk path (PostgreSQL: COPY) stores exactly what one save per document stores."""
    from eval.bench import relabel

    one = FactStore(url)
    for r in reports:
        one.save(r)
    expected_facts, expected_passages = one.facts(), one.passages()
    with one.engine.begin() as c:  # empty it again
        c.execute(text("DELETE FROM facts"))
        c.execute(text("DELETE FROM passages"))
        c.execute(text("DELETE FROM documents"))
    many = FactStore(url)
    many.save_many(reports + [relabel(reports[0], 1)])
    assert many.facts()[: len(expected_facts)] == expected_facts
    assert many.passages()[: len(expected_passages)] == expected_passages
    copy = relabel(reports[0], 1)
    assert many.facts(document=copy.info.document) == copy.facts
    assert sorted(d.facts for d in many.documents()) == sorted([len(r.facts) for r in reports] + [len(copy.facts)])
    many.save_many([reports[0]])  # replacing a stored document
    assert many.facts(document=SAMPLE.name) == reports[0].facts and len(many.documents()) == 3
    one.close()
    many.close()
