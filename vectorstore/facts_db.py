"""The fact database: documents, facts and passages in SQL (SQLite by default, any SQLAlchemy URL).

One transaction per document: a document is stored whole or not at all. The same code serves the
embedded SQLite file and a PostgreSQL server shared by several processes (docs/SERVERS.md): every
write bumps a generation counter that `version()` reports, so a process sees another's ingest.
Opening the database (URL, engine, schema migration, cross-process locks) is `vectorstore.database`;
the tables are `vectorstore.schema`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine, Transaction

from ingest.records import CheckResult, DocumentInfo, Fact, IngestReport, Passage
from vectorstore.database import group_lock, insert_rows, open_engine, shown_url
from vectorstore.records import Aggregate, FactFilter, PassageFilter, StoredDocument
from vectorstore.schema import (
    FACT_COLUMNS,
    PASSAGE_COLUMNS,
    documents,
    fact_of,
    fact_row,
    facts,
    passage_of,
    passage_row,
    passages,
    store_state,
)

T = TypeVar("T", Fact, Passage)

__all__ = ["FactStore", "StoredDocument", "FactFilter", "PassageFilter", "Aggregate"]
_IN = 500  # bounded IN lists


class FactStore:
    """Documents, facts and passages; `version` changes whenever the content does, whichever
    process changed it."""

    def __init__(self, url: str):
        self.url = shown_url(url)
        self.engine: Engine = open_engine(url)

    @contextmanager
    def _write(self) -> Iterator[tuple[Connection, Transaction]]:
        """A write transaction; roll back through the yielded transaction to leave `version` as it was."""
        with self.engine.connect() as c, c.begin() as tx:
            # First statement: on PostgreSQL its row lock queues this writer behind any other one
            c.execute(update(store_state).where(store_state.c.id == 1).values(generation=store_state.c.generation + 1))
            yield c, tx

    def group_lock(self, group: str) -> AbstractContextManager[None]:
        """Held while a document is checked against, and stored beside, the other part of its
        department-year (`vectorstore.database.group_lock`)."""
        return group_lock(self.engine, group)

    def close(self) -> None:
        """Close pooled connections (a server counts them against max_connections)."""
        self.engine.dispose()

    def sha_known(self, sha256: str) -> str | None:
        with self.engine.connect() as c:
            return c.execute(select(documents.c.document).where(documents.c.sha256 == sha256)).scalar()

    def save(self, report: IngestReport) -> None:
        """Store one document whole (one transaction), replacing a stored one of the same name."""
        self.save_many([report])

    def save_many(self, reports: list[IngestReport]) -> None:
        """Store several documents in one transaction (bulk loads); PostgreSQL receives the rows by COPY."""
        with self._write() as (c, _tx):
            revision = c.execute(select(store_state.c.generation).where(store_state.c.id == 1)).scalar() or 0
            fact_rows: list[dict[str, Any]] = []
            passage_rows: list[dict[str, Any]] = []
            for report in reports:
                info = report.info
                old = c.execute(select(documents.c.id).where(documents.c.document == info.document)).scalar()
                if old is not None:
                    self._delete(c, old)
                key = c.execute(insert(documents).values(**_document_row(report, revision))).inserted_primary_key
                assert key is not None  # an INSERT of one row always has one
                fact_rows += [fact_row(key[0], f) for f in report.facts]
                passage_rows += [passage_row(key[0], p) for p in report.passages]
            insert_rows(c, facts, fact_rows)
            insert_rows(c, passages, passage_rows)

    @staticmethod
    def _delete(c: Connection, doc_id: int) -> None:
        c.execute(delete(facts).where(facts.c.doc_id == doc_id))
        c.execute(delete(passages).where(passages.c.doc_id == doc_id))
        c.execute(delete(documents).where(documents.c.id == doc_id))

    def replace_checks(self, document: str, checks: list[CheckResult]) -> None:
        """Store a document's re-run cross-checks (after the other part of its group arrived)."""
        with self._write() as (c, tx):
            rep = c.execute(select(documents.c.report).where(documents.c.document == document)).scalar()
            if rep is None:
                tx.rollback()
                return
            data = json.loads(rep)
            data["checks"] = [x.model_dump() for x in checks]
            c.execute(
                documents.update()
                .where(documents.c.document == document)
                .values(
                    report=json.dumps(data, ensure_ascii=False),
                    checks_total=len(checks),
                    checks_failed=sum(1 for x in checks if not x.ok),
                )
            )

    def remove(self, document: str) -> bool:
        with self._write() as (c, tx):
            old = c.execute(select(documents.c.id).where(documents.c.document == document)).scalar()
            if old is None:
                tx.rollback()
                return False
            self._delete(c, old)
            return True

    # ---- documents ------------------------------------------------------------------------
    _DOC_COLUMNS = (documents.c.id, documents.c.document, documents.c.sha256, documents.c.department,
                    documents.c.year, documents.c.kind, documents.c.scope, documents.c.grp, documents.c.part,
                    documents.c.pages, documents.c.facts, documents.c.checks_total, documents.c.checks_failed,
                    documents.c.seconds, documents.c.ingested_at, documents.c.revision)

    @staticmethod
    def _stored(r: Any) -> StoredDocument:
        m = dict(r._mapping)
        m["group"] = m.pop("grp")
        return StoredDocument(**m)

    def documents(self) -> list[StoredDocument]:
        """Every stored document, by department, year and name (sorted here, not in SQL: PostgreSQL's
        collation would order Chinese names unlike SQLite)."""
        with self.engine.connect() as c:
            rows = [self._stored(r) for r in c.execute(select(*self._DOC_COLUMNS))]
        return sorted(rows, key=lambda d: (d.department, d.year, d.document))

    def document(self, name: str) -> StoredDocument | None:
        with self.engine.connect() as c:
            r = c.execute(select(*self._DOC_COLUMNS).where(documents.c.document == name)).first()
        return self._stored(r) if r is not None else None

    def document_infos(self) -> list[DocumentInfo]:
        """What was recognised about each stored document (`documents()` without what its ingest stored)."""
        return [DocumentInfo(**d.model_dump(include=set(DocumentInfo.model_fields))) for d in self.documents()]

    def saved_report(self, document: str) -> dict[str, Any] | None:
        """The parts of a document's ingest report kept beside its rows: tables, checks, warnings, seconds."""
        with self.engine.connect() as c:
            rep = c.execute(select(documents.c.report).where(documents.c.document == document)).scalar()
        return json.loads(rep) if rep else None

    def checks(self, document: str) -> list[CheckResult]:
        rep = self.saved_report(document)
        return [CheckResult(**x) for x in rep.get("checks", [])] if rep else []

    # ---- facts and passages ---------------------------------------------------------------
    def facts(self, document: str | None = None, group: str | None = None) -> list[Fact]:
        return self.facts_where(FactFilter(documents=[document] if document else None), group=group)

    def facts_for(self, departments: Sequence[str] | None = None, years: Sequence[int] | None = None,
                  kinds: Sequence[str] | None = None) -> list[Fact]:
        """The candidate facts of these departments, years and kinds (None or empty: any), in store order.
        One indexed query (department, year, kind); what the assistant asks for instead of holding
        every fact."""
        return self.facts_where(FactFilter(departments=list(departments or []) or None,
                                           years=list(years or []) or None,
                                           kinds=list(kinds or []) or None))  # type: ignore[arg-type]

    def facts_where(self, flt: FactFilter, group: str | None = None) -> list[Fact]:
        q = select(documents.c.document, *FACT_COLUMNS).join(documents, facts.c.doc_id == documents.c.id)
        q = _fact_conditions(q, flt)
        if group:
            q = q.where(documents.c.grp == group)
        with self.engine.connect() as c:
            return [fact_of(r[0], r[1:]) for r in c.execute(q.order_by(facts.c.id))]

    def fact_ids(self, flt: FactFilter) -> list[int]:
        q = _fact_conditions(select(facts.c.id).join(documents, facts.c.doc_id == documents.c.id), flt)
        with self.engine.connect() as c:
            return [r[0] for r in c.execute(q.order_by(facts.c.id))]

    def facts_by_ids(self, ids: Sequence[int]) -> list[Fact]:
        """Facts by row id (aggregates name theirs), in the order asked."""
        got: dict[int, Fact] = {}
        with self.engine.connect() as c:
            for start in range(0, len(ids), _IN):
                q = (select(facts.c.id, documents.c.document, *FACT_COLUMNS)
                     .join(documents, facts.c.doc_id == documents.c.id)
                     .where(facts.c.id.in_(list(ids[start:start + _IN]))))
                got |= {r[0]: fact_of(r[1], r[2:]) for r in c.execute(q)}
        return [got[i] for i in ids if i in got]

    def passages(self, document: str | None = None) -> list[Passage]:
        return self.passages_where(PassageFilter(documents=[document] if document else None))

    def passages_where(self, flt: PassageFilter) -> list[Passage]:
        q = select(documents.c.document, *PASSAGE_COLUMNS).join(documents, passages.c.doc_id == documents.c.id)
        q = _where_in(q, (flt.departments, passages.c.department), (flt.years, passages.c.year),
                      (flt.kinds, passages.c.kind), (flt.documents, documents.c.document))
        with self.engine.connect() as c:
            return [passage_of(r[0], r[1:]) for r in c.execute(q.order_by(passages.c.id))]

    def document_ids(self) -> dict[int, str]:
        """Row id → document name. A document saved again may get its old row id back (SQLite reuses the
        highest one): caches key on (id, revision) of `documents()` (vectorstore.cache)."""
        with self.engine.connect() as c:
            return {r[0]: r[1] for r in c.execute(select(documents.c.id, documents.c.document))}

    def facts_of(self, doc_ids: Sequence[int]) -> dict[int, list[Fact]]:
        """The facts of these document rows, each document's in store order."""
        return self._rows_of(facts, FACT_COLUMNS, fact_of, doc_ids)

    def passages_of(self, doc_ids: Sequence[int]) -> dict[int, list[Passage]]:
        """The passages of these document rows, each document's in store order."""
        return self._rows_of(passages, PASSAGE_COLUMNS, passage_of, doc_ids)

    def _rows_of(self, table: Any, columns: Sequence[Any], make: Callable[[str, Any], T],
                 doc_ids: Sequence[int]) -> dict[int, list[T]]:
        """{doc id: records} of `table` for these document rows, read _IN ids at a time, in row order."""
        out: dict[int, list[T]] = {i: [] for i in doc_ids}
        with self.engine.connect() as c:
            for start in range(0, len(doc_ids), _IN):
                q = (select(table.c.doc_id, documents.c.document, *columns)
                     .join(documents, table.c.doc_id == documents.c.id)
                     .where(table.c.doc_id.in_(list(doc_ids[start:start + _IN]))).order_by(table.c.id))
                for r in c.execute(q):
                    out[r[0]].append(make(r[1], r[2:]))
        return out

    def passage_count(self) -> int:
        with self.engine.connect() as c:
            return int(c.execute(select(func.count()).select_from(passages)).scalar() or 0)

    def passages_containing(self, fragment: str, within_first: int | None = None) -> int:
        """How many passages contain `fragment` (a document frequency, in SQL); with `within_first`,
        among the first that many passages in store order only (a sample, so that the count costs the
        sample and not the library)."""
        like = "%" + _like_escaped(fragment) + "%"
        with self.engine.connect() as c:
            if within_first is None:
                q = select(func.count()).select_from(passages).where(passages.c.text.like(like, escape="\\"))
            else:
                first = select(passages.c.text).order_by(passages.c.id).limit(within_first).subquery()
                q = select(func.count()).select_from(first).where(first.c.text.like(like, escape="\\"))
            return int(c.execute(q).scalar() or 0)

    # ---- library-wide aggregates ------------------------------------------------------------
    def aggregate(self, flt: FactFilter, by: Literal["department", "year", "document"],
                  agg: Literal["sum", "max", "min"] = "sum", descending: bool = True,
                  limit: int | None = None) -> list[Aggregate]:
        """Facts matching `flt` grouped by department, year or document and unit (amounts in different
        units are never added), one SQL GROUP BY. Groups are ordered by the aggregate (ties: key)."""
        key = {"department": facts.c.department, "year": facts.c.year, "document": documents.c.document}[by]
        value = (func.sum(facts.c.value) if agg == "sum" else func.max(facts.c.value) if agg == "max"
                 else func.min(facts.c.value)).label("v")
        q = _fact_conditions(
            select(key.label("k"), facts.c.unit, value, func.count().label("n"))
            .join(documents, facts.c.doc_id == documents.c.id), flt
        ).group_by(key, facts.c.unit)
        with self.engine.connect() as c:
            rows = [(r.k, r.unit, float(r.v), int(r.n)) for r in c.execute(q)]
        rows.sort(key=lambda r: ((-r[2] if descending else r[2]), str(r[0]), r[1]))
        rows = rows[:limit] if limit else rows
        out = []
        for k, unit, v, n in rows:
            ids = self.fact_ids(_narrowed(flt, by, k).model_copy(update={"units": [unit]}))
            out.append(Aggregate(key=k, unit=unit, value=round(v, 6), facts=n, fact_ids=ids))
        return out

    def ranking(self, flt: FactFilter, agg: Literal["sum", "max", "min"] = "sum", descending: bool = True,
                limit: int | None = None) -> list[Aggregate]:
        """Departments ranked by the facts `flt` selects: "三公经费 by department" is
        `ranking(FactFilter(years=[2019], table_types=[...], row_leaf="合计", column=...))`."""
        return self.aggregate(flt, "department", agg, descending, limit)

    def series(self, flt: FactFilter, agg: Literal["sum", "max", "min"] = "sum") -> list[Aggregate]:
        """One figure per year, oldest first: "行政运行 across years" is
        `series(FactFilter(departments=[d], row_leaf="行政运行", column=...))`."""
        return sorted(self.aggregate(flt, "year", agg), key=lambda a: (int(a.key), a.unit))

    def version(self) -> str:
        """Changes whenever a document is added, replaced, rechecked or removed, by any process."""
        with self.engine.connect() as c:
            row = c.execute(select(store_state.c.instance, store_state.c.generation).where(store_state.c.id == 1)).first()
        return f"{row[0]}:{row[1]}" if row else "empty"


def _document_row(report: IngestReport, revision: int) -> dict[str, Any]:
    info = report.info
    return dict(document=info.document, sha256=info.sha256, department=info.department, year=info.year,
                kind=info.kind, scope=info.scope, grp=info.group, part=info.part, pages=info.pages,
                facts=len(report.facts), checks_total=len(report.checks), checks_failed=report.checks_failed,
                seconds=report.seconds, ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
                report=report.model_dump_json(include={"tables", "checks", "warnings", "seconds", "conflicts"}),
                revision=revision)


def _where_in(q: Any, *conditions: tuple[Sequence[Any] | None, Any]) -> Any:
    """`q` narrowed, for each (values, column) whose values are given, to rows whose column is one of them."""
    for values, column in conditions:
        if values:
            q = q.where(column.in_(values))
    return q


def _fact_conditions(q: Any, flt: FactFilter) -> Any:
    q = _where_in(q, (flt.departments, facts.c.department), (flt.years, facts.c.year), (flt.kinds, facts.c.kind),
                  (flt.documents, documents.c.document), (flt.table_types, facts.c.table_type),
                  (flt.measures, facts.c.measure), (flt.units, facts.c.unit), (flt.rows, facts.c.row_label),
                  (flt.columns, facts.c.column_path))
    if flt.row_leaf is not None:
        q = q.where(facts.c.row_leaf == flt.row_leaf)
    if flt.row_code is not None:
        q = q.where(facts.c.row_code == flt.row_code)
    if flt.column is not None:
        q = q.where(facts.c.column_path == flt.column)
    if flt.column_contains:
        q = q.where(facts.c.column_path.like(f"%{_like_escaped(flt.column_contains)}%", escape="\\"))
    if flt.source:
        q = q.where(facts.c.source == flt.source)
    return q


def _like_escaped(fragment: str) -> str:
    """`fragment` with LIKE's wildcards escaped (escape character backslash)."""
    return fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _narrowed(flt: FactFilter, by: str, key: Any) -> FactFilter:
    field = {"department": "departments", "year": "years", "document": "documents"}[by]
    return flt.model_copy(update={field: [key]})
