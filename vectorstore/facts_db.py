"""The fact database: documents, facts and passages in SQL (SQLite by default, any SQLAlchemy URL).

One transaction per document: a document is stored whole or not at all. The same code serves the
embedded SQLite file and a PostgreSQL server shared by several processes (docs/SERVERS.md): every
write bumps a generation counter that `version()` reports, so a process sees another's ingest.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
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
    create_engine,
    delete,
    event,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, Connection, Engine, Transaction, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

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
# added in schema 2; created on existing databases by _migrate_to_2
sha_index = Index("ix_documents_sha256", documents.c.sha256)

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

SCHEMA_VERSION = 2
_SCHEMA_LOCK = 0x62756467  # pg_advisory_xact_lock key: one process creates or migrates at a time


def _migrate_to_2(c: Connection) -> None:
    sha_index.create(c, checkfirst=True)


# schema version -> the step that brings a database from the version before it up to this one
MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _migrate_to_2}


def engine_url(url: str) -> URL:
    """The SQLAlchemy URL for a BUDGETQA_DATABASE_URL: plain `postgresql://` (and `postgres://`)
    means psycopg 3, the driver budgetqa installs; explicit `postgresql+driver://` is kept."""
    try:
        u = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"BUDGETQA_DATABASE_URL {url!r} is not a database URL; "
            "use postgresql://USER:PASSWORD@HOST:PORT/DATABASE or sqlite:///PATH"
        ) from exc
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u


def shown_url(url: str | URL) -> str:
    """A URL fit for an error message or a log line: the password masked."""
    try:
        return (url if isinstance(url, URL) else make_url(url)).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable URL>"


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")  # the web app reads while a CLI ingest writes
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


class FactStore:
    """Documents, facts and passages; `version` changes whenever the content does, whichever
    process changed it."""

    def __init__(self, url: str):
        u = engine_url(url)
        self.url = shown_url(url)
        try:
            if u.get_backend_name() == "sqlite":
                self.engine: Engine = create_engine(u)
                event.listen(self.engine, "connect", _sqlite_pragmas)
            else:
                # pre_ping: a server restart must not fail the next question with a dead connection
                args = {"connect_timeout": 10, "application_name": "budgetqa"} if u.get_backend_name() == "postgresql" else {}
                self.engine = create_engine(u, pool_pre_ping=True, connect_args=args)
            self._prepare()
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(
                f"cannot open the fact database {self.url}: {_reason(exc)}; "
                "check BUDGETQA_HOME / BUDGETQA_DATABASE_URL and that the database server is running"
            ) from exc

    def _prepare(self) -> None:
        """Create the schema, or migrate an older one, once even when several processes start together."""
        for attempt in range(5):
            try:
                with self.engine.begin() as c:
                    if c.dialect.name == "postgresql":
                        c.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SCHEMA_LOCK})
                    old = inspect(c).has_table("documents")  # made before the schema had a version?
                    metadata.create_all(c)
                    row = c.execute(select(store_state.c.schema_version).where(store_state.c.id == 1)).first()
                    if row is None:
                        c.execute(insert(store_state).values(
                            id=1, schema_version=1 if old else SCHEMA_VERSION, generation=0, instance=uuid.uuid4().hex))
                        have = 1 if old else SCHEMA_VERSION
                    else:
                        have = row[0]
                    if have > SCHEMA_VERSION:
                        raise StoreError(
                            f"the fact database {self.url} has schema {have}, newer than this budgetqa "
                            f"({SCHEMA_VERSION}); upgrade budgetqa on this machine"
                        )
                    for v in range(have + 1, SCHEMA_VERSION + 1):
                        MIGRATIONS[v](c)
                    if have < SCHEMA_VERSION:
                        c.execute(update(store_state).where(store_state.c.id == 1).values(schema_version=SCHEMA_VERSION))
                return
            except DBAPIError:
                # SQLite has no advisory lock: a process that lost the race to create a table retries
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))

    @contextmanager
    def _write(self) -> Iterator[tuple[Connection, Transaction]]:
        """A write transaction; roll back through the yielded transaction to leave `version` as it was."""
        with self.engine.connect() as c, c.begin() as tx:
            # First statement: on PostgreSQL its row lock queues this writer behind any other one
            c.execute(update(store_state).where(store_state.c.id == 1).values(generation=store_state.c.generation + 1))
            yield c, tx

    @contextmanager
    def group_lock(self, group: str) -> Iterator[None]:
        """Held while a document is checked against, and stored beside, the other part of its
        department-year: two processes ingesting the two parts at once would each miss the other.
        PostgreSQL: an advisory lock; SQLite: a lock file beside the database; otherwise nothing."""
        backend = self.engine.dialect.name
        if backend == "postgresql":
            key = int.from_bytes(hashlib.blake2b(group.encode("utf-8"), digest_size=8).digest(), "big", signed=True)
            with self.engine.connect() as c:
                c.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
                c.commit()
                try:
                    yield
                finally:
                    c.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    c.commit()
        elif backend == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            with open(f"{self.engine.url.database}.lock", "a") as f:
                fcntl.flock(f, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(f, fcntl.LOCK_UN)
        else:
            yield

    def close(self) -> None:
        """Close pooled connections (a server counts them against max_connections)."""
        self.engine.dispose()

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
            report=report.model_dump_json(include={"tables", "checks", "warnings", "seconds", "conflicts"}),
        )
        with self._write() as (c, _tx):
            old = c.execute(select(documents.c.id).where(documents.c.document == info.document)).scalar()
            if old is not None:
                c.execute(delete(facts).where(facts.c.doc_id == old))
                c.execute(delete(passages).where(passages.c.doc_id == old))
                c.execute(delete(documents).where(documents.c.id == old))
            key = c.execute(insert(documents).values(**row)).inserted_primary_key
            assert key is not None  # an INSERT of one row always has one
            doc_id = key[0]
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
            c.execute(delete(facts).where(facts.c.doc_id == old))
            c.execute(delete(passages).where(passages.c.doc_id == old))
            c.execute(delete(documents).where(documents.c.id == old))
            return True

    def documents(self) -> list[dict]:
        return self._rows(*documents.c)

    def _rows(self, *columns: Any) -> list[dict]:
        with self.engine.connect() as c:
            rows = [dict(r._mapping) for r in c.execute(select(*columns))]
        # sorted here, not in SQL: PostgreSQL's collation would order Chinese names unlike SQLite
        return sorted(rows, key=lambda d: (d["department"], d["year"], d["document"]))

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
                scope="单位" if str(d["grp"]).endswith("|单位") else "部门",  # the group key carries 单位 (ingest.pipeline.group_key)
            )
            for d in self._rows(documents.c.document, documents.c.department, documents.c.year, documents.c.kind,
                                documents.c.pages, documents.c.sha256, documents.c.grp, documents.c.part)
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

    def passages(self, document: str | None = None) -> list[Passage]:
        q = select(passages.c.data).order_by(passages.c.id)
        if document:
            q = q.join(documents, passages.c.doc_id == documents.c.id).where(documents.c.document == document)
        with self.engine.connect() as c:
            return [Passage.model_validate_json(r[0]) for r in c.execute(q)]

    def document_ids(self) -> dict[int, str]:
        """Row id → document name. Saving a document again gives it a new row id, so an id that stayed
        is a document whose facts and passages did not change (`Assistant.refresh` reloads by this)."""
        with self.engine.connect() as c:
            return {r[0]: r[1] for r in c.execute(select(documents.c.id, documents.c.document))}

    def facts_of(self, doc_ids: list[int]) -> dict[int, list[Fact]]:
        """The facts of these document rows, each document's in store order."""
        return self._of(facts, Fact, doc_ids)  # type: ignore[return-value]

    def passages_of(self, doc_ids: list[int]) -> dict[int, list[Passage]]:
        return self._of(passages, Passage, doc_ids)  # type: ignore[return-value]

    def _of(self, table: Table, model: type[Fact] | type[Passage], doc_ids: list[int]) -> dict[int, list]:
        out: dict[int, list] = {i: [] for i in doc_ids}
        with self.engine.connect() as c:
            for start in range(0, len(doc_ids), 500):  # bounded IN lists
                q = (select(table.c.doc_id, table.c.data).where(table.c.doc_id.in_(doc_ids[start:start + 500]))
                     .order_by(table.c.id))
                for doc_id, data in c.execute(q):
                    out[doc_id].append(model.model_validate_json(data))
        return out

    def version(self) -> str:
        """Changes whenever a document is added, replaced, rechecked or removed, by any process."""
        with self.engine.connect() as c:
            row = c.execute(select(store_state.c.instance, store_state.c.generation).where(store_state.c.id == 1)).first()
        return f"{row[0]}:{row[1]}" if row else "empty"


def _reason(exc: BaseException) -> str:
    """The driver's own words, first line only (SQLAlchemy appends SQL and a help link)."""
    inner = getattr(exc, "orig", None) or exc
    return (str(inner).strip().splitlines() or [type(inner).__name__])[0]
