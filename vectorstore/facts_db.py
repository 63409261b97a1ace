"""The fact database: documents, facts and passages in SQL (SQLite by default, any SQLAlchemy URL).

One transaction per document: a document is stored whole or not at all.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

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
    delete,
    event,
    insert,
    select,
)
from sqlalchemy.engine import Engine

from budgetqa.errors import StoreError
from ingest.records import CheckResult, DocumentInfo, Fact, IngestReport, Passage

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
    Column("grp", String(300), nullable=False, index=True),
    Column("part", String(16), nullable=False),
    Column("pages", Integer, nullable=False),
    Column("facts", Integer, nullable=False),
    Column("checks_total", Integer, nullable=False),
    Column("checks_failed", Integer, nullable=False),
    Column("seconds", Float, nullable=False),
    Column("ingested_at", String(40), nullable=False),
    Column("report", Text, nullable=False),
)

facts = Table(
    "facts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("doc_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("data", Text, nullable=False),
)

passages = Table(
    "passages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("doc_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("data", Text, nullable=False),
)


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")  # the web app reads while a CLI ingest writes
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


class FactStore:
    """Documents, facts and passages; `version` changes whenever the content does."""

    def __init__(self, url: str):
        try:
            self.engine: Engine = create_engine(url, future=True)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            metadata.create_all(self.engine)
        except Exception as exc:
            raise StoreError(
                f"cannot open the fact database {url!r}: {exc}; check BUDGETQA_HOME / BUDGETQA_DATABASE_URL"
            ) from exc

    def sha_known(self, sha256: str) -> str | None:
        with self.engine.connect() as c:
            return c.execute(select(documents.c.document).where(documents.c.sha256 == sha256)).scalar()

    def save(self, report: IngestReport) -> None:
        info = report.info
        row = dict(
            document=info.document,
            sha256=info.sha256,
            department=info.department,
            year=info.year,
            kind=info.kind,
            grp=info.group,
            part=info.part,
            pages=info.pages,
            facts=len(report.facts),
            checks_total=len(report.checks),
            checks_failed=report.checks_failed,
            seconds=report.seconds,
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"),
            report=report.model_dump_json(include={"tables", "checks", "warnings", "seconds"}),
        )
        with self.engine.begin() as c:
            old = c.execute(select(documents.c.id).where(documents.c.document == info.document)).scalar()
            if old is not None:
                c.execute(delete(facts).where(facts.c.doc_id == old))
                c.execute(delete(passages).where(passages.c.doc_id == old))
                c.execute(delete(documents).where(documents.c.id == old))
            doc_id = c.execute(insert(documents).values(**row)).inserted_primary_key[0]
            if report.facts:
                c.execute(
                    insert(facts), [{"doc_id": doc_id, "data": f.model_dump_json()} for f in report.facts]
                )
            if report.passages:
                c.execute(
                    insert(passages),
                    [{"doc_id": doc_id, "data": p.model_dump_json()} for p in report.passages],
                )

    def replace_checks(self, document: str, checks: list[CheckResult]) -> None:
        """Store a document's re-run cross-checks (after the other part of its group arrived)."""
        with self.engine.begin() as c:
            rep = c.execute(select(documents.c.report).where(documents.c.document == document)).scalar()
            if rep is None:
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
        with self.engine.begin() as c:
            old = c.execute(select(documents.c.id).where(documents.c.document == document)).scalar()
            if old is None:
                return False
            c.execute(delete(facts).where(facts.c.doc_id == old))
            c.execute(delete(passages).where(passages.c.doc_id == old))
            c.execute(delete(documents).where(documents.c.id == old))
            return True

    def documents(self) -> list[dict]:
        with self.engine.connect() as c:
            rows = c.execute(
                select(documents).order_by(documents.c.department, documents.c.year, documents.c.document)
            )
            return [dict(r._mapping) for r in rows]

    def document_infos(self) -> list[DocumentInfo]:
        return [
            DocumentInfo(
                document=d["document"],
                department=d["department"],
                year=d["year"],
                kind=d["kind"],
                pages=d["pages"],
                sha256=d["sha256"],
                group=d["grp"],
                part=d["part"],
            )
            for d in self.documents()
        ]

    def checks(self, document: str) -> list[CheckResult]:
        with self.engine.connect() as c:
            rep = c.execute(select(documents.c.report).where(documents.c.document == document)).scalar()
        return [CheckResult(**x) for x in json.loads(rep).get("checks", [])] if rep else []

    def facts(self, document: str | None = None, group: str | None = None) -> list[Fact]:
        q = select(facts.c.data).join(documents, facts.c.doc_id == documents.c.id).order_by(facts.c.id)
        if document:
            q = q.where(documents.c.document == document)
        if group:
            q = q.where(documents.c.grp == group)
        with self.engine.connect() as c:
            return [Fact.model_validate_json(r[0]) for r in c.execute(q)]

    def passages(self) -> list[Passage]:
        with self.engine.connect() as c:
            return [
                Passage.model_validate_json(r[0])
                for r in c.execute(select(passages.c.data).order_by(passages.c.id))
            ]

    def version(self) -> str:
        """Changes whenever a document is added, replaced or removed."""
        with self.engine.connect() as c:
            rows = c.execute(select(documents.c.document, documents.c.sha256, documents.c.ingested_at)).all()
        return str(hash(tuple(sorted(tuple(r) for r in rows))))
