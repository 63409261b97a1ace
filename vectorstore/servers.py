"""Separate libraries on shared servers: one PostgreSQL database and one Chroma collection each.

Tests and benchmarks need a fresh, empty store per run while pointing at the same servers
(docs/SERVERS.md). With the embedded default every BUDGETQA_HOME is already separate, so these
functions leave such settings alone.

    >>> s = create_stores(load_settings(), "bench_scale")   # doctest: +SKIP
    >>> Library(s).ingest([...]); drop_stores(s)           # doctest: +SKIP
"""

from __future__ import annotations

import re

from sqlalchemy import create_engine, text

from budgetqa.errors import StoreError
from budgetqa.settings import Settings
from vectorstore.database import engine_url, shown_url

_NAME = re.compile(r"^[a-z][a-z0-9_]{2,62}$")  # a PostgreSQL database name that is also a Chroma collection name


def _check(name: str) -> None:
    if not _NAME.match(name):
        raise StoreError(f"store name {name!r}: use 3-63 lowercase letters, digits and _, starting with a letter")


def create_stores(settings: Settings, name: str) -> Settings:
    """Settings for a new, empty library called `name` on the same servers: database `name` on the
    PostgreSQL server (the role needs CREATEDB) and collection `name` on the Chroma server. An existing
    one of that name is emptied first. Parts that are embedded stay under settings.home."""
    _check(name)
    drop_stores(settings.model_copy(update=_names(settings, name)))
    update = _names(settings, name)
    if "database_url" in update:
        admin = create_engine(engine_url(settings.database_url or ""), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
        except Exception as exc:
            raise StoreError(
                f"cannot create the database {name!r} on {shown_url(settings.database_url or '')}: {exc}; "
                "the role in BUDGETQA_DATABASE_URL needs CREATEDB"
            ) from exc
        finally:
            admin.dispose()
    return settings.model_copy(update=update)


def drop_stores(settings: Settings) -> None:
    """Remove the database and collection that create_stores made for these settings, if they exist."""
    if settings.chroma_host:
        import chromadb

        client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, ssl=settings.chroma_ssl)
        if settings.chroma_collection in {c.name for c in client.list_collections()}:
            client.delete_collection(settings.chroma_collection)
    url = settings.database_url
    if url and engine_url(url).get_backend_name() == "postgresql":
        target = engine_url(url)
        name = target.database or ""
        _check(name)
        admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()


def _names(settings: Settings, name: str) -> dict:
    update: dict = {}
    if settings.chroma_host:
        update["chroma_collection"] = name
    url = settings.database_url
    if url and engine_url(url).get_backend_name() == "postgresql":
        update["database_url"] = engine_url(url).set(database=name).render_as_string(hide_password=False)
    return update


def settings_env(settings: Settings) -> dict[str, str]:
    """BUDGETQA_* variables that give a child process these same stores (and home, and model)."""
    env = {"BUDGETQA_HOME": str(settings.home), "BUDGETQA_EMBED_MODEL": settings.embed_model,
           "BUDGETQA_CHROMA_COLLECTION": settings.chroma_collection}
    if settings.database_url:
        env["BUDGETQA_DATABASE_URL"] = settings.database_url
    if settings.chroma_host:
        env |= {"BUDGETQA_CHROMA_HOST": settings.chroma_host, "BUDGETQA_CHROMA_PORT": str(settings.chroma_port),
                "BUDGETQA_CHROMA_SSL": str(settings.chroma_ssl).lower()}
    return env


def database_size_mb(settings: Settings) -> float | None:
    """Size of the fact database on its server (pg_database_size), or None when it is embedded."""
    url = settings.database_url
    if not url or engine_url(url).get_backend_name() != "postgresql":
        return None
    engine = create_engine(engine_url(url))
    try:
        with engine.connect() as c:
            return float(c.execute(text("SELECT pg_database_size(current_database())")).scalar() or 0) / 2**20
    finally:
        engine.dispose()
