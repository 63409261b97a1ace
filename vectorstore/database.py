"""Opening the fact database: its URL, the engine, the schema created or migrated once when several
processes start together, the lock a department-year's ingest holds across processes, bulk inserts.
The queries are `vectorstore.facts_db.FactStore`'s."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event, insert, inspect, select, text, update
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from budgetqa.errors import StoreError
from budgetqa.locks import file_lock
from vectorstore.schema import MIGRATIONS, SCHEMA_VERSION, metadata, store_state

_SCHEMA_LOCK = 0x62756467  # pg_advisory_xact_lock key: one process creates or migrates at a time


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


def open_engine(url: str) -> Engine:
    """An engine on BUDGETQA_DATABASE_URL `url` whose schema is current; StoreError (one line) if the
    database cannot be opened."""
    u = engine_url(url)
    try:
        if u.get_backend_name() == "sqlite":
            engine = create_engine(u)
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            # pre_ping: a server restart must not fail the next question with a dead connection
            args = {"connect_timeout": 10, "application_name": "budgetqa"} if u.get_backend_name() == "postgresql" else {}
            engine = create_engine(u, pool_pre_ping=True, connect_args=args)
        prepare_schema(engine, shown_url(url))
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(
            f"cannot open the fact database {shown_url(url)}: {reason(exc)}; "
            "check BUDGETQA_HOME / BUDGETQA_DATABASE_URL and that the database server is running"
        ) from exc
    return engine


def prepare_schema(engine: Engine, shown: str) -> None:
    """Create the schema, or migrate an older one, once even when several processes start together."""
    for attempt in range(5):
        try:
            with engine.begin() as c:
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
                        f"the fact database {shown} has schema {have}, newer than this budgetqa "
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
def group_lock(engine: Engine, group: str) -> Iterator[None]:
    """Held while a document is checked against, and stored beside, the other part of its
    department-year: two processes ingesting the two parts at once would each miss the other.
    PostgreSQL: an advisory lock; SQLite: the one file lock (`budgetqa.locks`) beside the database;
    otherwise nothing."""
    backend = engine.dialect.name
    if backend == "postgresql":
        key = int.from_bytes(hashlib.blake2b(group.encode("utf-8"), digest_size=8).digest(), "big", signed=True)
        with engine.connect() as c:
            c.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            c.commit()
            try:
                yield
            finally:
                c.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                c.commit()
    elif backend == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with file_lock(f"{engine.url.database}.lock"):
            yield
    else:
        yield


def insert_rows(c: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows; PostgreSQL (psycopg) receives a large batch by COPY."""
    if not rows:
        return
    if c.dialect.name == "postgresql" and c.dialect.driver == "psycopg" and len(rows) > 200:
        names = list(rows[0])
        cols = ", ".join(f'"{n}"' for n in names)
        cur = c.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        with cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
            for r in rows:
                copy.write_row([r[n] for n in names])
        return
    c.execute(insert(table), rows)


def reason(exc: BaseException) -> str:
    """The driver's own words, first line only (SQLAlchemy appends SQL and a help link)."""
    inner = getattr(exc, "orig", None) or exc
    return (str(inner).strip().splitlines() or [type(inner).__name__])[0]
