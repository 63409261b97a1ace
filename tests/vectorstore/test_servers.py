"""The same assistant on a PostgreSQL server and a Chroma server (docs/SERVERS.md).

The server tests run against real servers that .ci/run starts (scripts/start_servers.sh) and names in
BUDGETQA_TEST_DATABASE_URL and BUDGETQA_TEST_CHROMA_HOST/PORT; they are skipped only when those are
unset. Each test gets its own PostgreSQL database and Chroma collection. The tests at the top need no
server: URL handling, errors, schema migration and the store version on SQLite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import JIANGSU_TABLES, JIANGSU_TEXT, PUTUO, ROOT, SAMPLE
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, inspect, text, update

from budgetqa.errors import StoreError
from budgetqa.settings import Settings
from eval.served import free_port, start_app, stop_app, wait_until_up
from vectorstore.database import engine_url
from vectorstore.facts_db import FactStore
from vectorstore.schema import SCHEMA_VERSION, store_state

TEST_DB = os.environ.get("BUDGETQA_TEST_DATABASE_URL")
TEST_CHROMA_HOST = os.environ.get("BUDGETQA_TEST_CHROMA_HOST")
TEST_CHROMA_PORT = int(os.environ.get("BUDGETQA_TEST_CHROMA_PORT") or 8000)
needs_servers = pytest.mark.skipif(
    not (TEST_DB and TEST_CHROMA_HOST),
    reason="no test servers: BUDGETQA_TEST_DATABASE_URL and BUDGETQA_TEST_CHROMA_HOST/PORT are unset "
    "(.ci/run starts PostgreSQL and `chroma run` with scripts/start_servers.sh and sets them)",
)
FILES = [SAMPLE, JIANGSU_TABLES, PUTUO]
BUDGETQA = [sys.executable, "-c", "import sys; from cli import main; sys.exit(main())"]


# --------------------------------------------------------------------------- no server needed


def test_postgresql_url_means_psycopg3() -> None:
    assert engine_url("postgresql://bq:pw@db:5432/budgetqa").drivername == "postgresql+psycopg"
    assert engine_url("postgres://bq:pw@db/budgetqa").drivername == "postgresql+psycopg"
    assert engine_url("postgresql+psycopg2://bq@db/budgetqa").drivername == "postgresql+psycopg2"
    assert engine_url("sqlite:////tmp/x.sqlite3").drivername == "sqlite"


def test_bad_database_url_is_one_line_naming_the_setting() -> None:
    with pytest.raises(StoreError, match="BUDGETQA_DATABASE_URL"):
        FactStore("not a url")


def test_unreachable_database_names_the_url_without_its_password() -> None:
    t0 = time.monotonic()
    with pytest.raises(StoreError) as err:
        FactStore(f"postgresql://bq:s3cret-pw@127.0.0.1:{free_port()}/budgetqa")
    msg = str(err.value)
    assert "s3cret-pw" not in msg and "bq:***@127.0.0.1" in msg, msg
    assert "BUDGETQA_DATABASE_URL" in msg and "\n" not in msg
    assert time.monotonic() - t0 < 30


def test_unreachable_chroma_server_is_a_store_error(tmp_path: Path) -> None:
    from vectorstore.index import VectorIndex

    port = free_port()
    with pytest.raises(StoreError, match=f"127.0.0.1:{port}.*BUDGETQA_CHROMA_HOST"):
        VectorIndex(Settings(home=tmp_path, embed_model="hash", chroma_host="127.0.0.1", chroma_port=port))


def test_collection_of_another_embedding_model_is_refused(tmp_path: Path) -> None:
    import chromadb

    from vectorstore.index import VectorIndex

    settings = Settings(home=tmp_path, embed_model="hash", chroma_host=None)
    chromadb.PersistentClient(path=str(settings.chroma_dir)).get_or_create_collection(
        "budgetqa", metadata={"hnsw:space": "cosine", "embedder": "other-model"}
    )
    with pytest.raises(StoreError, match="other-model.*BUDGETQA_CHROMA_COLLECTION"):
        VectorIndex(settings)


def test_version_changes_when_another_store_writes(tmp_path: Path) -> None:
    """Two FactStores on one database stand for two processes: the reader sees the writer's change."""
    from ingest.pipeline import extract, sha256_of

    url = f"sqlite:///{tmp_path / 'facts.sqlite3'}"
    reader, writer = FactStore(url), FactStore(url)
    before = reader.version()
    assert not writer.remove("no-such.pdf") and reader.version() == before  # no change, no reload
    writer.save(extract(SAMPLE, 1000, sha256_of(SAMPLE)))
    after = reader.version()
    assert after != before
    writer.replace_checks(SAMPLE.name, writer.checks(SAMPLE.name)[:1])
    assert reader.version() != after


def test_database_from_before_schema_versions_is_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'facts.sqlite3'}"
    old = MetaData()  # the tables as the first release made them: no store_state, no sha256 index
    Table("documents", old, Column("id", Integer, primary_key=True), Column("document", String(300)),
          Column("sha256", String(64)))
    Table("facts", old, Column("id", Integer, primary_key=True), Column("doc_id", Integer), Column("data", Text))
    Table("passages", old, Column("id", Integer, primary_key=True), Column("doc_id", Integer), Column("data", Text))
    engine = create_engine(url)
    old.create_all(engine)
    with engine.begin() as c:
        c.execute(text("INSERT INTO documents (document, sha256) VALUES ('a.pdf', 'abc')"))
    FactStore(url)
    with engine.connect() as c:
        assert c.execute(text("SELECT schema_version FROM store_state")).scalar() == SCHEMA_VERSION
    assert "ix_documents_sha256" in {i["name"] for i in inspect(engine).get_indexes("documents")}
    assert FactStore(url).sha_known("abc") == "a.pdf"


def test_database_of_a_newer_release_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'facts.sqlite3'}"
    store = FactStore(url)
    with store.engine.begin() as c:
        c.execute(update(store_state).values(schema_version=SCHEMA_VERSION + 1))
    with pytest.raises(StoreError, match="newer than this budgetqa"):
        FactStore(url)


# --------------------------------------------------------------------------- helpers


def _questions() -> list[dict]:
    """seed.jsonl's first 40, and the real.jsonl items about the real PDFs ingested here."""
    seed = [json.loads(x) for x in (ROOT / "eval/gold/seed.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    real = [json.loads(x) for x in (ROOT / "eval/gold/real.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    names = {p.name for p in FILES}
    return seed[:40] + [r for r in real if (r.get("source") or {}).get("file") in names]


class Servers:
    """A fresh database on the test PostgreSQL server and a fresh collection on the Chroma server."""

    def __init__(self, home: Path):
        from vectorstore.servers import create_stores

        self.home = home
        shared = Settings(home=home, embed_model="hash", database_url=TEST_DB, chroma_host=TEST_CHROMA_HOST,
                          chroma_port=TEST_CHROMA_PORT)
        self.base = create_stores(shared, f"bqa_{uuid.uuid4().hex[:12]}")

    def settings(self, home: Path | None = None) -> Settings:
        return self.base.model_copy(update={"home": home or self.home})

    def env(self, home: Path) -> dict[str, str]:
        from vectorstore.servers import settings_env

        env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETQA_")}
        return env | settings_env(self.settings(home)) | {"HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}

    def close(self) -> None:
        from vectorstore.servers import drop_stores

        drop_stores(self.base)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    s = Servers(tmp_path / "server-home")
    yield s
    s.close()


def _ingest(settings: Settings, files: list[Path]):  # type: ignore[no-untyped-def]
    from library import Library

    lib = Library(settings)
    outcomes = lib.ingest(files)
    assert [o.status for o in outcomes] == ["ingested"] * len(files), [o.message for o in outcomes]
    return lib


def _answers(settings: Settings, questions: list[dict]) -> list[dict]:
    from assistant.startup import build_assistant
    from library import Library

    bot = build_assistant(settings, Library(settings))
    assert bot.index is not None, "the vector index did not open"
    return [bot.ask(q["question"]).to_json() for q in questions]


def _stored(lib) -> dict:  # type: ignore[no-untyped-def]
    """What the stores hold, without what differs by run (times, row ids)."""
    docs = [d.model_dump(exclude={"id", "seconds", "ingested_at", "revision"})
            | {"checks": [c.model_dump() for c in lib.store.checks(d["document"])]} for d in lib.store.documents()]
    return {"documents": docs, "facts": [f.model_dump() for f in lib.store.facts()],
            "passages": [p.model_dump() for p in lib.store.passages()],
            "vectors": lib.index.count(), "labels": lib.index.labels(), "indexed": sorted(lib.index.documents())}


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict, list[dict]]:
    """The embedded default (SQLite + Chroma under home) on the sample and two real PDFs."""
    settings = Settings(home=tmp_path_factory.mktemp("embedded"), embed_model="hash", database_url=None,
                        chroma_host=None)
    lib = _ingest(settings, FILES)
    return settings, _stored(lib), _answers(settings, _questions())


# --------------------------------------------------------------------------- server tests


@needs_servers
def test_servers_store_and_answer_exactly_like_the_embedded_default(servers: Servers, embedded) -> None:
    from assistant.startup import build_assistant
    from eval.grade import GoldItem, run_eval
    from library import Library
    from vectorstore.servers import database_size_mb

    embedded_settings, stored, answers = embedded
    settings = servers.settings()
    lib = _ingest(settings, FILES)
    assert lib.store.engine.dialect.name == "postgresql"
    assert not (servers.home / "chroma").exists() and not (servers.home / "facts.sqlite3").exists()
    assert (database_size_mb(settings) or 0) > 1
    assert _stored(lib) == stored
    questions = _questions()
    assert len(questions) > 40
    got = _answers(settings, questions)
    for q, a, b in zip(questions, got, answers, strict=True):
        assert a == b, q["id"]
    assert sum(a["status"] == "answered" for a in got) >= len(got) // 2, "most of these have answers here"
    gold = [GoldItem.model_validate(q) for q in questions]
    on_servers, on_embedded = (run_eval(build_assistant(s, Library(s)), gold).model_dump(exclude={"latency_ms_p50"})
                               for s in (settings, embedded_settings))
    assert on_servers == on_embedded


@needs_servers
def test_two_processes_ingest_concurrently_into_the_same_servers(servers: Servers, tmp_path: Path, embedded) -> None:
    """Two ingest processes, each with its own home, write different files at once; an assistant
    already open in this process sees both documents whole on its next question."""
    from assistant.startup import build_assistant
    from library import Library

    _, stored, _ = embedded
    bot = build_assistant(servers.settings(), Library(servers.settings()))  # opens (and creates) the schema and collection first
    before = bot.store.version()
    assert bot.ask("车辆维护的预算是多少？").status == "not_found"
    procs = [
        subprocess.Popen([*BUDGETQA, "ingest", str(f)], env=servers.env(tmp_path / f"ingester{n}"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n, f in enumerate([JIANGSU_TABLES, PUTUO])
    ]
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    assert bot.store.version() != before
    lib = _library(servers)
    got = _stored(lib)
    for name in (JIANGSU_TABLES.name, PUTUO.name):
        mine = [d for d in got["documents"] if d["document"] == name]
        theirs = [d for d in stored["documents"] if d["document"] == name]
        assert mine == theirs
        assert [f for f in got["facts"] if f["document"] == name] == [f for f in stored["facts"] if f["document"] == name]
        assert [p for p in got["passages"] if p["document"] == name] == [
            p for p in stored["passages"] if p["document"] == name
        ]
        vectors = lib.index.collection.get(where={"document": name}, include=[])["ids"]
        assert len(vectors) == sum(p["document"] == name for p in got["passages"])  # facts share label vectors
    # vectors of their own: the passages (the tables-only file has none; its facts share label vectors)
    assert got["indexed"] == sorted(d for d in (JIANGSU_TABLES.name, PUTUO.name)
                                    if any(p["document"] == d for p in got["passages"]))
    assert PUTUO.name in got["indexed"] and got["labels"] > 0
    gold = {q["id"]: q for q in _questions() if (q.get("source") or {}).get("file") == PUTUO.name and q["values"]}
    for q in list(gold.values())[:3]:
        a = bot.ask(q["question"])  # the assistant reloads: another process changed the store
        assert a.status == "answered" and a.citations and a.citations[0].document == PUTUO.name, q["id"]


@needs_servers
def test_two_parts_of_one_department_year_ingested_at_once_still_check_each_other(
    servers: Servers, tmp_path: Path
) -> None:
    """Jiangsu publishes tables and narrative as two files; their cross-checks need each other. Two
    processes ingesting them at once must end as one of the two one-after-the-other orders, not
    as each file alone (the group lock in FactStore)."""
    from ingest.pipeline import extract

    parts = [JIANGSU_TABLES, JIANGSU_TEXT]
    alone = {p.name: [c.model_dump() for c in extract(p).checks] for p in parts}
    orders = []
    for n, order in enumerate([parts, parts[::-1]]):
        lib = _ingest(Settings(home=tmp_path / f"order{n}", embed_model="hash", database_url=None, chroma_host=None),
                      order)
        orders.append({p.name: [c.model_dump() for c in lib.store.checks(p.name)] for p in parts})
    assert all(o != alone for o in orders), "the two parts do not check each other; this test proves nothing"
    procs = [
        subprocess.Popen([*BUDGETQA, "ingest", str(f)], env=servers.env(tmp_path / f"ingester{n}"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n, f in enumerate(parts)
    ]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    store = _library(servers).store
    got = {p.name: [c.model_dump() for c in store.checks(p.name)] for p in parts}
    assert got in orders


def _library(servers: Servers):  # type: ignore[no-untyped-def]
    """A Library on the servers, to look at what they hold."""
    from library import Library

    return Library(servers.settings())


@needs_servers
def test_two_app_processes_serve_the_same_stores(servers: Servers, tmp_path: Path) -> None:
    """Two `budgetqa serve` processes start together on empty servers (both try the first-run sample),
    answer alike, and both see a document that a third process ingests."""
    ports = [free_port(), free_port()]
    apps = [start_app(servers.env(tmp_path / f"app{n}"), port) for n, port in enumerate(ports)]
    try:
        for port, app in zip(ports, apps, strict=True):
            wait_until_up(f"http://127.0.0.1:{port}", app)
        docs = [_get(port, "/api/documents") for port in ports]
        assert docs[0] == docs[1] and [d["document"] for d in docs[0]] == [SAMPLE.name]
        for port in ports:
            a = _post(port, "/api/ask", {"question": "车辆维护的预算是多少？", "department": None, "year": None,
                                         "history": []})
            assert a["status"] == "answered" and a["value"] == 4.6, a
        done = subprocess.run([*BUDGETQA, "ingest", str(PUTUO)], env=servers.env(tmp_path / "ingester"),
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        q = next(x for x in _questions() if (x.get("source") or {}).get("file") == PUTUO.name and x["values"])
        answers = [_post(port, "/api/ask", {"question": q["question"], "department": None, "year": None,
                                            "history": []}) for port in ports]
        assert answers[0] == answers[1] and answers[0]["status"] == "answered", answers[0]
        assert answers[0]["citations"][0]["document"] == PUTUO.name
        assert len(_get(ports[0], "/api/documents")) == 2
    finally:
        for app in apps:
            stop_app(app)


def _get(port: int, path: str) -> list[dict]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=600) as r:
        return json.loads(r.read())


def _post(port: int, path: str, body: dict) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read())
