"""The write path's journal: keeping the fact store, the vector index and the file copies in agreement.

A document lives in three places: its facts and passages in the SQL fact store, its vectors in
Chroma, and a copy of the PDF under BUDGETQA_HOME (the ingest report is a column of the SQL store). No transaction spans
the three, so ingestion follows one protocol and `library.check.check_store` verifies the result.

The protocol (`Library.ingest_one` and `Library.remove`):

1. Writers hold the home's write lock (`write_lock`: a `filelock` flock on ``HOME/.write.lock``). The web app's
   uploads and a CLI ingest into the same home therefore run one after the other; readers never wait.
   The lock dies with its process, so a killed writer never leaves it held.
2. Before touching a store the writer records its intent in a journal entry, ``HOME/pending/<id>/``:
   ``entry.json`` (action, document, sha256) and, for an ingest, the copy of the PDF, staged there. The entry appears by an atomic rename, so it is complete or absent.
3. Ingest: vectors are written first (tagged with the document name), then the SQL transaction that
   stores facts and passages commits. **That commit is the moment the document exists.** Afterwards the
   staged copy is renamed into ``files/`` and the entry is deleted.
   Removal: the SQL delete commits first, then vectors and files go.
4. Recovery: an entry found while holding the lock belongs to a writer that died (a live writer
   would hold the lock). If the SQL store has the document with the entry's sha256 the ingest is
   rolled forward (the copy renamed into place, vectors re-made from the stored facts when
   they do not match); otherwise it is rolled back (the document's vectors removed, or re-made from
   the version the SQL store still has). `Library` runs this at start when an entry exists — a
   directory listing when there is none — and every writer runs it before writing. A writer whose
   vector write or commit raises (a Chroma server gone away) rolls back at once, the same way. When
   the write that failed was embedded Chroma's own (the disk filled inside it), this process's view of
   the index can miss vectors Chroma kept in its log, so the entry stays for the next process to
   finish with a fresh view (`keep_for_next_start`).

Why not a 'pending' column: a crash must not leave a row that every reader has to filter, and a
schema change would need a migration on every existing database. Answers read facts and passages
from SQL only and use vectors merely to rank passages they already have, so orphan vectors between a
crash and the next start cannot put an unknown document or number into an answer.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import Timeout

from budgetqa.errors import StoreError
from budgetqa.locks import file_lock
from budgetqa.settings import Settings
from ingest.records import Fact, Passage
from vectorstore.facts_db import FactStore
from vectorstore.records import StoredDocument

if TYPE_CHECKING:  # opened only when an entry needs it (imports chromadb and the embedder)
    from vectorstore.index import VectorIndex

log = logging.getLogger(__name__)

LOCK_FILE = ".write.lock"
PENDING = "pending"


# --------------------------------------------------------------------------- the write lock


@contextlib.contextmanager
def write_lock(settings: Settings, timeout_s: float | None = None) -> Iterator[bool]:
    """Hold the home's write lock (an flock on HOME/.write.lock, released when its process dies); yields
    False when `timeout_s` passed without getting it (timeout 0: try once). Without a timeout, waits up
    to 10 minutes, then raises StoreError naming the process that holds it."""
    path = settings.home / LOCK_FILE
    lock = file_lock(path)
    try:
        settings.ensure_home()
        lock.acquire(timeout=600.0 if timeout_s is None else timeout_s, poll_interval=0.05)
    except Timeout:
        if timeout_s is None:
            holder = path.read_text(errors="replace").strip()[:32] or "another process"
            raise StoreError(f"the store at {settings.home} is locked by process {holder} for more than 10 "
                             "minutes; wait for its ingest to finish, or stop it") from None
        got = False
    except OSError as exc:  # a read-only or full home: one line, not a traceback (Timeout is an OSError too)
        raise StoreError(f"cannot write to the store at {settings.home} ({exc.strerror or exc}); writing needs "
                         "a writable BUDGETQA_HOME: check its permissions, free space and that it is not "
                         "mounted read-only") from exc
    else:
        got = True
    if not got:
        yield False
        return
    try:
        with contextlib.suppress(OSError):  # a full disk: the pid is only for the message above
            path.write_text(str(os.getpid()), encoding="utf-8")  # for the message above, in other processes
        yield True
    finally:
        lock.release()


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



def _pending_dir(settings: Settings) -> Path:
    return settings.home / PENDING


def has_pending(settings: Settings) -> bool:
    d = _pending_dir(settings)
    return d.is_dir() and any(d.iterdir())


def begin(settings: Settings, action: str, document: str, sha256: str = "", index: bool = True,
          source: Path | None = None) -> Entry:
    """Write a journal entry (complete or not at all); for an ingest, stage the copy of the PDF."""
    root = _pending_dir(settings)
    root.mkdir(parents=True, exist_ok=True)
    key = uuid.uuid4().hex
    tmp = root / f".tmp-{key}"
    tmp.mkdir()
    entry = Entry(root / key, action, document, sha256, index)
    if source is not None:
        shutil.copyfile(source, tmp / "file.pdf")
    meta = {"action": action, "document": document, "sha256": sha256, "index": index, "pid": os.getpid()}
    with open(tmp / "entry.json", "w", encoding="utf-8") as fh:
        json.dump(meta, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, entry.folder)
    return entry


def promote(settings: Settings, entry: Entry) -> None:
    """Move the staged copy into files/ (after the SQL commit)."""
    if entry.staged_file.exists():
        os.replace(entry.staged_file, settings.files_dir / entry.document)


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
            log.warning("journal entry %s unreadable; dropped", d.name, exc_info=True)
            shutil.rmtree(d, ignore_errors=True)
    return out


def recover(settings: Settings, store: FactStore, open_index: Callable[[], VectorIndex]) -> list[str]:
    """Finish or undo every interrupted write. Call only while holding `write_lock`.
    `open_index()` returns the VectorIndex (opened only when an entry needs it)."""
    done = []
    for e in entries(settings):
        row = _sql_row(store, e.document)
        if e.action == "remove":
            if row is None:  # the delete committed: finish it
                open_index().remove_document(e.document)
                unlink_copy(settings, e.document)
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
        if e.folder.name in _UNSURE_HERE:
            done.pop()  # undone as far as this process can see; the next process checks again
            continue
        finish(e)
    return done


# Journal entries (folder names) whose vector write failed inside embedded Chroma in this process.
# Chroma can then keep part of the write in its log while this process's view misses it (a disk that
# filled mid-write: the delete that should undo it sees nothing, and the vectors appear at the next
# start). Such an entry is undone here but only finished by another process, whose fresh view sees
# what was really written: the next start, another writer process, or `budgetqa check --repair`.
_UNSURE_HERE: set[str] = set()


def keep_for_next_start(entry: Entry) -> None:
    """The vector write of `entry` failed and this process cannot see what it left behind."""
    _UNSURE_HERE.add(entry.folder.name)


def unlink_copy(settings: Settings, document: str) -> None:
    """Delete a document's copy under files/ (never a path outside it)."""
    path = settings.files_dir / document
    if path.resolve().parent == settings.files_dir.resolve():  # a document name is a bare file name
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



def _reindex_if_needed(store: FactStore, index: VectorIndex, document: str) -> bool:
    want = expected_vectors(store, document)
    if want == index.stored(document).get(document, {}):
        return False
    passages = store.passages(document=document)
    index.replace_document(document, store.facts(document=document), passages)
    return True
