"""The fact database's tables, one typed column per field, and the steps that migrate older databases.

Every fact is a row a staff member or a BI tool can query (docs/SERVERS.md has example SQL); the
columns the assistant filters on are indexed. Schema 3 replaced the JSON text column of schemas 1–2
(`facts.data`, `passages.data`) with these columns; `migrate_to_3` moves existing rows over.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    inspect,
    text,
)
from sqlalchemy.engine import Connection

from ingest.records import Fact, Passage

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document", String(300), unique=True, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("department", String(200), nullable=False),
    Column("year", Integer, nullable=False),
    Column("kind", String(8), nullable=False),
    Column("scope", String(8), nullable=False, server_default="部门"),
    Column("grp", String(300), nullable=False, index=True),
    Column("part", String(16), nullable=False),
    Column("pages", Integer, nullable=False),
    Column("facts", Integer, nullable=False),
    Column("checks_total", Integer, nullable=False),
    Column("checks_failed", Integer, nullable=False),
    Column("seconds", Float, nullable=False),
    Column("ingested_at", String(40), nullable=False),
    # store_state.generation of the write that saved this row: SQLite may give a document saved again its
    # old row id back, so caches key on (id, revision)
    Column("revision", Integer, nullable=False, server_default="0"),
    # tables, checks, warnings of the ingest report (read by `checks` and report rebuilds only)
    Column("report", Text, nullable=False),
)
# added in schema 2; created on existing databases by _migrate_to_2
sha_index = Index("ix_documents_sha256", documents.c.sha256)
doc_dept_year = Index("ix_documents_department_year", documents.c.department, documents.c.year)


def _document_columns() -> list[Column[Any]]:
    """What facts and passages both begin with: the row id, the owning document, and its department, year
    and kind (copied onto each row, so the usual filters need no join)."""
    return [
        Column("id", Integer, primary_key=True),
        Column("doc_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        Column("department", String(200), nullable=False),
        Column("year", Integer, nullable=False),
        Column("kind", String(8), nullable=False),
    ]


facts = Table(
    "facts",
    metadata,
    *_document_columns(),
    Column("scope", String(8), nullable=False),
    Column("table_title", Text),
    Column("table_type", String(64)),
    Column("table_index", Integer),
    Column("row_label", Text, comment="row path, outermost first, joined by ' / '"),
    Column("row_leaf", String(300), comment="last part of row_label: '行政运行'"),
    Column("row_code", String(32)),
    Column("column_path", Text, nullable=False, comment="column header path joined by ' / '"),
    Column("measure", String(16), nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", String(16), nullable=False),
    Column("comparison", String(2)),
    Column("page", Integer, nullable=False),
    Column("x0", Float),
    Column("top", Float),
    Column("x1", Float),
    Column("bottom", Float),
    Column("source", String(16), nullable=False),
    Column("quote", Text),
)
Index("ix_facts_doc_id", facts.c.doc_id)
Index("ix_facts_department_year_kind", facts.c.department, facts.c.year, facts.c.kind)
Index("ix_facts_row_leaf_year", facts.c.row_leaf, facts.c.year)
Index("ix_facts_row_code", facts.c.row_code)
Index("ix_facts_table_type", facts.c.table_type)
Index("ix_facts_column_path", facts.c.column_path)

passages = Table(
    "passages",
    metadata,
    *_document_columns(),
    Column("page", Integer, nullable=False),
    Column("heading", Text, nullable=False),
    Column("text", Text, nullable=False),
)
Index("ix_passages_doc_id", passages.c.doc_id)
Index("ix_passages_department_year", passages.c.department, passages.c.year)

# One row (id 1). `generation` is bumped first thing in every write transaction: on PostgreSQL the
# row lock this takes also serializes writers, so two processes replacing one document cannot
# interleave. `instance` tells a recreated database from the old one at the same URL.
store_state = Table(
    "store_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("schema_version", Integer, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("instance", String(32), nullable=False),
)

SCHEMA_VERSION = 3


# --------------------------------------------------------------------------- records <-> rows


def fact_labels(f: Fact) -> list[tuple[str, str]]:
    """The labels that describe a fact, as (field, text): its row label and its column path. Every fact of
    every document that prints the same label shares that label's one vector (`vectorstore.index`)."""
    return [(field, t) for field, t in (("row", f.row or ""), ("column", f.column)) if t]


def label_key(field: str, label: str) -> str:
    return hashlib.blake2b(f"{field}\x00{label}".encode(), digest_size=8).hexdigest()


def fact_row(doc_id: int, f: Fact) -> dict[str, Any]:
    box = f.bbox or (None, None, None, None)
    return {
        "doc_id": doc_id, "department": f.department, "year": f.year, "kind": f.kind, "scope": f.scope,
        "table_title": f.table, "table_type": f.table_type, "table_index": f.table_index,
        "row_label": f.row, "row_leaf": (f.row or "").split(" / ")[-1][:300] or None, "row_code": f.row_code,
        "column_path": f.column, "measure": f.measure, "value": f.value, "unit": f.unit,
        "comparison": f.comparison, "page": f.page, "x0": box[0], "top": box[1], "x1": box[2], "bottom": box[3],
        "source": f.source, "quote": f.quote,
    }


# the columns a Fact is read back from, in this order (with documents.document first)
FACT_COLUMNS = (facts.c.department, facts.c.year, facts.c.kind, facts.c.scope, facts.c.table_title,
                facts.c.table_type, facts.c.table_index, facts.c.row_label, facts.c.row_code, facts.c.column_path,
                facts.c.measure, facts.c.value, facts.c.unit, facts.c.comparison, facts.c.page, facts.c.x0,
                facts.c.top, facts.c.x1, facts.c.bottom, facts.c.source, facts.c.quote)


def fact_of(document: str, r: Any) -> Fact:
    """A Fact from (document, *FACT_COLUMNS). model_construct: the row was validated when it was stored."""
    (dept, year, kind, scope, table, table_type, table_index, row, code, column, measure, value, unit, comparison,
     page, x0, top, x1, bottom, source, quote) = r
    return Fact.model_construct(
        document=document, department=dept, year=year, kind=kind, table=table, table_type=table_type, page=page,
        row=row, row_code=code, column=column, value=value, unit=unit, source=source, scope=scope,
        measure=measure, comparison=comparison, quote=quote,
        bbox=(x0, top, x1, bottom) if x0 is not None else None, table_index=table_index)


def passage_row(doc_id: int, p: Passage) -> dict[str, Any]:
    return {"doc_id": doc_id, "department": p.department, "year": p.year, "kind": p.kind, "page": p.page,
            "heading": p.heading, "text": p.text}


PASSAGE_COLUMNS = (passages.c.department, passages.c.year, passages.c.kind, passages.c.page, passages.c.heading,
                   passages.c.text)


def passage_of(document: str, r: Any) -> Passage:
    dept, year, kind, page, heading, body = r
    return Passage.model_construct(document=document, department=dept, year=year, kind=kind, page=page,
                                   heading=heading, text=body)


# --------------------------------------------------------------------------- migrations


def _migrate_to_2(c: Connection) -> None:
    sha_index.create(c, checkfirst=True)


def _batches(rows: Iterable[Any], size: int = 5000) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for r in rows:
        batch.append(r)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def migrate_to_3(c: Connection) -> None:
    """JSON columns → typed columns: the old facts and passages tables are renamed aside, the new ones
    made, every row parsed and copied (same row ids, so store order stays), the old tables dropped."""
    names = set(inspect(c).get_table_names())
    have = {col["name"] for col in inspect(c).get_columns("documents")}
    if "scope" not in have:
        c.execute(text("ALTER TABLE documents ADD COLUMN scope VARCHAR(8) DEFAULT '部门' NOT NULL"))
    if "revision" not in have:
        c.execute(text("ALTER TABLE documents ADD COLUMN revision INTEGER DEFAULT 0 NOT NULL"))
    if {"department", "year"} <= have:
        doc_dept_year.create(c, checkfirst=True)
    steps: list[tuple[str, Callable[[int, str], dict[str, Any]]]] = [
        ("facts", lambda doc_id, data: fact_row(doc_id, Fact.model_validate_json(data))),
        ("passages", lambda doc_id, data: passage_row(doc_id, Passage.model_validate_json(data))),
    ]
    for table, to_row in steps:
        if table not in names or "data" not in {col["name"] for col in inspect(c).get_columns(table)}:
            continue
        old = f"{table}_json_v2"
        for ix in inspect(c).get_indexes(table):  # index names are per schema: free them for the new table
            c.execute(text(f'DROP INDEX IF EXISTS "{ix["name"]}"'))
        c.execute(text(f'ALTER TABLE "{table}" RENAME TO "{old}"'))
        if c.dialect.name == "postgresql":  # so is the primary key's index
            c.execute(text(f'ALTER INDEX IF EXISTS "{table}_pkey" RENAME TO "{old}_pkey"'))
        new = metadata.tables[table]
        new.create(c)
        rows = c.execute(text(f'SELECT id, doc_id, data FROM "{old}" ORDER BY id'))
        for batch in _batches(rows.fetchall()):
            c.execute(insert(new), [{"id": i, **to_row(doc_id, data)} for i, doc_id, data in batch])
        c.execute(text(f'DROP TABLE "{old}"'))
        if c.dialect.name == "postgresql":  # ids were copied: the sequence continues after them
            c.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 0) + 1, false)"))


# schema version -> the step that brings a database from the version before it up to this one
MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _migrate_to_2, 3: migrate_to_3}
