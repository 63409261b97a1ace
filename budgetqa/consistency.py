"""Keeping the fact store, the vector index and the file copies in agreement.

A document lives in three places: its facts and passages in the SQL fact store, its vectors in
Chroma, and a copy of the PDF (and its ingest report) under BUDGETQA_HOME. No transaction spans
the three, so ingestion follows one protocol and `check_store` verifies the result.

The protocol (`Library.ingest_one` and `Library.remove`):

1. Writers hold the home's write lock (`write_lock`: an flock on ``HOME/.write.lock``). The web app's
   uploads and a CLI ingest into the same home therefore run one after the other; readers never wait.
   The lock dies with its process, so a killed writer never leaves it held.
2. Before touching a store the writer records its intent in a journal entry, ``HOME/pending/<id>/``:
   ``entry.json`` (action, document, sha256) and, for an ingest, the copy of the PDF and the report,
   staged there. The entry appears by an atomic rename, so it is complete or absent.
3. Ingest: vectors are written first (tagged with the document name), then the SQL transaction that
   stores facts and passages commits. **That commit is the moment the document exists.** Afterwards the
   staged copy and report are renamed into ``files/`` and ``reports/`` and the entry is deleted.
   Removal: the SQL delete commits first, then vectors and files go.
4. Recovery: an entry found while holding the lock belongs to a writer that died (a live writer
   would hold the lock). If the SQL store has the document with the entry's sha256 the ingest is
   rolled forward (copy and report renamed into place, vectors re-made from the stored facts when
   they do not match); otherwise it is rolled back (the document's vectors removed, or re-made from
   the version the SQL store still has). `Library` runs this at start when an entry exists — a
   directory listing when there is none — and every writer runs it before writing. A writer whose
   vector write or commit raises (a Chroma server gone away) rolls back at once, the same way.

Why not a 'pending' column: a crash must not leave a row that every reader has to filter, and a
schema change would need a migration on every existing database. Answers read facts and passages
from SQL only and use vectors merely to rank passages they already have, so orphan vectors between a
crash and the next start cannot put an unknown document or number into an answer.

`check_store` compares all three places: every document's vectors must be exactly the entries
`vectorstore.index.vector_entries` makes from its stored facts and passages, no vector may belong to a
document the fact store does not have, every document needs its file copy (same sha256) and report,
and no stray files may sit in ``files/``. With ``repair`` it re-indexes, deletes orphans and strays,
rebuilds missing reports, and finishes interrupted ingests; a missing or altered PDF copy can only be
reported (ingest the PDF again). With a shared PostgreSQL database and Chroma server, run
``budgetqa check --repair`` only while no other machine is ingesting: its half-written vectors look
like orphans from here.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from budgetqa.errors import StoreError
from budgetqa.settings import Settings
from ingest.pipeline import sha256_of
from ingest.records import DocumentInfo, Fact, IngestReport, Passage
from vectorstore.facts_db import FactStore
from vectorstore.records import StoredDocument

try:
    import fcntl
except ImportError:  # Windows: no cross-process lock; one writer per home is then the user's rule
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".write.lock"
PENDING = "pending"


# --------------------------------------------------------------------------- the write lock


@contextlib.contextmanager
def write_lock(settings: Settings, timeout_s: float | None = None) -> Iterator[bool]:
    """Hold the home's write lock; yields False when `timeout_s` passed without getting it
    (timeout 0: try once). Without a timeout, waits up to 10 minutes, then raises StoreError."""
    settings.ensure_home()
    path = settings.home / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        got = _acquire(fd, 600.0 if timeout_s is None else timeout_s)
        if not got and timeout_s is None:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            raise StoreError(f"the store at {settings.home} is locked by process {holder} for more than 10 "
                             "minutes; wait for its ingest to finish, or stop it")
        if got:
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield got
        finally:
            if got and fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, timeout_s: float) -> bool:
    if fcntl is None:
        return True
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


# --------------------------------------------------------------------------- journal entries


@dataclass
class Entry:
    folder: Path
    action: str  # "ingest" or "remove"
    document: str
    sha256: str
    index: bool

    @property
    def staged_file(self) -> Path:
        return self.folder / "file.pdf"

    @property
    def staged_report(self) -> Path:
        return self.folder / "report.json"


def _pending_dir(settings: Settings) -> Path:
    return settings.home / PENDING


def has_pending(settings: Settings) -> bool:
    d = _pending_dir(settings)
    return d.is_dir() and any(d.iterdir())


def begin(settings: Settings, action: str, document: str, sha256: str = "", index: bool = True,
          source: Path | None = None, report: IngestReport | None = None) -> Entry:
    """Write a journal entry (complete or not at all); for an ingest, stage the copy and the report."""
    root = _pending_dir(settings)
    root.mkdir(parents=True, exist_ok=True)
    key = uuid.uuid4().hex
    tmp = root / f".tmp-{key}"
    tmp.mkdir()
    entry = Entry(root / key, action, document, sha256, index)
    if source is not None:
        shutil.copyfile(source, tmp / "file.pdf")
    if report is not None:
        (tmp / "report.json").write_text(report.model_dump_json(indent=1), encoding="utf-8")
    meta = {"action": action, "document": document, "sha256": sha256, "index": index, "pid": os.getpid()}
    with open(tmp / "entry.json", "w", encoding="utf-8") as fh:
        json.dump(meta, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, entry.folder)
    return entry


def promote(settings: Settings, entry: Entry) -> None:
    """Move the staged copy and report into files/ and reports/ (after the SQL commit)."""
    if entry.staged_file.exists():
        os.replace(entry.staged_file, settings.files_dir / entry.document)
    if entry.staged_report.exists():
        os.replace(entry.staged_report, settings.reports_dir / f"{entry.document}.json")


def finish(entry: Entry) -> None:
    shutil.rmtree(entry.folder, ignore_errors=True)


def entries(settings: Settings) -> list[Entry]:
    """Journal entries in the order they were written; half-made ones (.tmp-*) are dropped."""
    root = _pending_dir(settings)
    out = []
    for d in sorted(root.iterdir(), key=lambda p: p.stat().st_mtime) if root.is_dir() else []:
        if d.name.startswith(".tmp-"):
            shutil.rmtree(d, ignore_errors=True)
            continue
        try:
            m = json.loads((d / "entry.json").read_text(encoding="utf-8"))
            out.append(Entry(d, m["action"], m["document"], m.get("sha256", ""), bool(m.get("index", True))))
        except (OSError, ValueError, KeyError):
            shutil.rmtree(d, ignore_errors=True)
    return out


def recover(settings: Settings, store: FactStore, open_index: Any) -> list[str]:
    """Finish or undo every interrupted write. Call only while holding `write_lock`.
    `open_index()` returns the VectorIndex (opened only when an entry needs it)."""
    done = []
    for e in entries(settings):
        row = _sql_row(store, e.document)
        if e.action == "remove":
            if row is None:  # the delete committed: finish it
                open_index().remove_document(e.document)
                _unlink_copies(settings, e.document)
            done.append(f"{e.document}: finished an interrupted removal" if row is None
                        else f"{e.document}: an interrupted removal had not started; the document stays")
        elif row is not None and row["sha256"] == e.sha256:
            promote(settings, e)
            if e.index:
                _reindex_if_needed(store, open_index(), e.document)
            done.append(f"{e.document}: completed an interrupted ingest (it had been committed)")
        else:
            if e.index:  # vectors may have been (partly) written: back to what SQL holds
                index = open_index()
                if row is None:
                    index.remove_document(e.document)
                else:
                    _reindex_if_needed(store, index, e.document)
            done.append(f"{e.document}: rolled back an interrupted ingest"
                        + (" (the earlier version stays)" if row is not None else ""))
        finish(e)
    return done


def _unlink_copies(settings: Settings, document: str) -> None:
    for folder, name in ((settings.files_dir, document), (settings.reports_dir, f"{document}.json")):
        path = folder / name
        if path.resolve().parent == folder.resolve():  # a document name is a bare file name
            path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- comparing the stores


def _sql_row(store: FactStore, document: str) -> StoredDocument | None:
    return store.document(document)


def expected_vectors(store: FactStore, document: str, passages: list[Passage] | None = None,
                     facts: list[Fact] | None = None) -> dict[str, str]:
    """{vector id: text} the index must hold for a stored document."""
    from vectorstore.index import vector_entries

    if passages is None:
        passages = store.passages(document=document)
    if facts is None:
        facts = store.facts(document=document)
    ids, texts, _ = vector_entries(document, facts, passages)
    return dict(zip(ids, texts, strict=True))


def _vector_problem(document: str, want: dict[str, str], have: dict[str, str]) -> str | None:
    if want == have:
        return None
    if not have:
        return f"{document}: no vectors in the index ({len(want)} expected; ingested with --no-index or interrupted)"
    missing = len(want.keys() - have.keys())
    extra = len(have.keys() - want.keys())
    changed = sum(1 for k in want.keys() & have.keys() if want[k] != have[k])
    return (f"{document}: the index holds {len(have)} vectors, {len(want)} expected "
            f"({missing} missing, {extra} extra, {changed} from another version of the document)")


def _reindex_if_needed(store: FactStore, index: Any, document: str) -> bool:
    want = expected_vectors(store, document)
    if want == index.stored(document).get(document, {}):
        return False
    passages = store.passages(document=document)
    index.replace_document(document, store.facts(document=document), passages)
    return True


def _rebuild_report(store: FactStore, row: StoredDocument) -> IngestReport:
    saved = store.saved_report(row["document"]) or {}
    info = DocumentInfo(document=row["document"], department=row["department"], year=row["year"],
                        kind=row["kind"], pages=row["pages"], sha256=row["sha256"], group=row["grp"],
                        part=row["part"])
    return IngestReport(info=info, tables=saved.get("tables", []), checks=saved.get("checks", []),
                        warnings=saved.get("warnings", []), seconds=saved.get("seconds", 0.0),
                        facts=store.facts(document=row["document"]),
                        passages=store.passages(document=row["document"]))


def check_store(settings: Settings, repair: bool = False) -> list[str]:
    """Every disagreement between the fact store, the vector index and the files, one line each.
    With `repair`, fix what can be fixed (lines then end in "— repaired")."""
    store = FactStore(settings.db_url)
    index_holder: dict[str, Any] = {}

    def open_index() -> Any:
        if "index" not in index_holder:
            from vectorstore.index import VectorIndex

            index_holder["index"] = VectorIndex(settings)
        return index_holder["index"]

    fixed = " — repaired" if repair else ""
    problems: list[str] = []
    with write_lock(settings):  # no writer is half-way through while we look
        stale = entries(settings)
        if stale and repair:
            problems += [f"{line}{fixed}" for line in recover(settings, store, open_index)]
        else:
            problems += [f"{e.document}: an interrupted {e.action} is pending (journal {e.folder.name}); "
                         "run `budgetqa check --repair`" for e in stale]
        rows = {d["document"]: d for d in store.documents()}
        try:
            index = open_index()
            have_all = index.stored()
        except StoreError as exc:
            problems.append(f"cannot read the vector index: {exc}")
            index, have_all = None, None
        by_doc: dict[str, list[Passage]] = {}
        for psg in store.passages():
            by_doc.setdefault(psg.document, []).append(psg)
        for name in sorted(rows):
            facts = store.facts(document=name)
            if len(facts) != rows[name]["facts"]:
                problems.append(f"{name}: {len(facts)} facts stored, {rows[name]['facts']} recorded at ingest; "
                                "ingest the PDF again")
            if index is None or have_all is None:
                continue
            p = _vector_problem(name, expected_vectors(store, name, by_doc.get(name, []), facts),
                                have_all.get(name, {}))
            if p:
                problems.append(p + fixed)
                if repair:
                    index.replace_document(name, facts, by_doc.get(name, []))
        if index is not None and have_all is not None:
            for name in sorted(have_all.keys() - rows.keys()):
                problems.append(f"{name}: {len(have_all[name])} vectors of a document the fact store "
                                f"does not have{fixed}")
                if repair:
                    index.remove_document(name)
        problems += _check_files(settings, store, rows, repair)
    return problems


def _check_files(settings: Settings, store: FactStore, rows: dict[str, StoredDocument], repair: bool) -> list[str]:
    fixed = " — repaired" if repair else ""
    problems = []
    for name, row in sorted(rows.items()):
        copy = settings.files_dir / name
        if not copy.is_file():
            problems.append(f"{name}: the copy under {settings.files_dir} is missing; ingest the PDF again "
                            "to restore it (page images need it)")
        elif sha256_of(copy) != row["sha256"]:
            problems.append(f"{name}: the copy under {settings.files_dir} is not the ingested file "
                            "(sha256 differs); ingest the PDF again")
        report = settings.reports_dir / f"{name}.json"
        if not report.is_file():
            problems.append(f"{name}: the ingest report {report.name} is missing{fixed}")
            if repair:
                report.write_text(_rebuild_report(store, row).model_dump_json(indent=1), encoding="utf-8")
    for folder, suffix in ((settings.files_dir, ""), (settings.reports_dir, ".json")):
        for f in sorted(folder.iterdir()) if folder.is_dir() else []:
            stem = f.name[: -len(suffix)] if suffix and f.name.endswith(suffix) else f.name
            if f.is_file() and stem not in rows:
                problems.append(f"{folder.name}/{f.name}: left over, no such document in the fact store{fixed}")
                if repair:
                    f.unlink(missing_ok=True)
    return problems
