"""`budgetqa check`: compare the fact store, the vector index and the file copies, and repair them.

Every document's vectors must be exactly the entries `vectorstore.index.vector_entries` makes from its
stored facts and passages, no vector may belong to a document the fact store does not have, every
document needs its file copy (same sha256), and no stray files may sit in ``files/``. With ``repair`` it
re-indexes, deletes orphans and strays, and finishes interrupted ingests (library.journal); a missing or altered PDF copy can only be reported (ingest the PDF again).
With a shared PostgreSQL database and Chroma server, run ``budgetqa check --repair`` only while no other
machine is ingesting: its half-written vectors look like orphans from here.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from budgetqa.errors import StoreError
from budgetqa.settings import Settings
from ingest.pipeline import sha256_of
from ingest.records import Passage
from library.journal import entries, expected_vectors, recover, write_lock
from vectorstore.facts_db import FactStore
from vectorstore.records import StoredDocument

if TYPE_CHECKING:
    from vectorstore.index import VectorIndex

log = logging.getLogger(__name__)


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

def _writable(folder: Path) -> bool:
    return not folder.is_dir() or os.access(folder, os.W_OK)


def check_store(settings: Settings, repair: bool = False) -> list[str]:
    """Every disagreement between the fact store, the vector index and the files, one line each.
    With `repair`, fix what can be fixed (lines then end in "— repaired")."""
    store = FactStore(settings.db_url)
    index_holder: dict[str, VectorIndex] = {}

    def open_index() -> VectorIndex:
        if "index" not in index_holder:
            from vectorstore.index import VectorIndex

            index_holder["index"] = VectorIndex(settings)
        return index_holder["index"]

    fixed = " — repaired" if repair else ""
    problems: list[str] = []
    # a home nobody can write to has no writer half-way through either: look without the lock
    lock = write_lock(settings) if repair or _writable(settings.home) else contextlib.nullcontext(True)
    with lock:  # no writer is half-way through while we look
        stale = entries(settings)
        if stale and repair:
            problems += [f"{line}{fixed}" for line in recover(settings, store, open_index)]
        else:
            problems += [f"{e.document}: an interrupted {e.action} is pending (journal {e.folder.name}); "
                         "run `budgetqa check --repair`" for e in stale]
        rows = {d.document: d for d in store.documents()}
        try:
            index = open_index()
            have_all = index.stored()
        except StoreError as exc:
            log.warning("check: cannot read the vector index", exc_info=True)
            problems.append(f"cannot read the vector index: {exc}")
            index, have_all = None, None
        by_doc: dict[str, list[Passage]] = {}
        for psg in store.passages():
            by_doc.setdefault(psg.document, []).append(psg)
        for name in sorted(rows):
            facts = store.facts(document=name)
            if len(facts) != rows[name].facts:
                problems.append(f"{name}: {len(facts)} facts stored, {rows[name].facts} recorded at ingest; "
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
        elif sha256_of(copy) != row.sha256:
            problems.append(f"{name}: the copy under {settings.files_dir} is not the ingested file "
                            "(sha256 differs); ingest the PDF again")
    folder = settings.files_dir
    for f in sorted(folder.iterdir()) if folder.is_dir() else []:
        if f.is_file() and f.name not in rows:
            problems.append(f"{folder.name}/{f.name}: left over, no such document in the fact store{fixed}")
            if repair:
                f.unlink(missing_ok=True)
    return problems
