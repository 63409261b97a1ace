"""The document library: ingest files into the fact store and the vector index, list and remove them.

Writes follow the protocol in library.journal (write lock, journal, vectors before the SQL commit),
so a process killed at any moment leaves each document either absent or whole; PDFs are read in a
child process with a time and memory limit (ingest.sandbox)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from budgetqa.errors import BudgetQAError, DocumentError, StoreError, one_line
from budgetqa.settings import Settings
from ingest.crosscheck import with_group_narrative
from ingest.pipeline import extract, sha256_of
from ingest.records import IngestReport
from ingest.sandbox import extract_limited
from ingest.versions import with_versions
from library import journal
from vectorstore.facts_db import FactStore
from vectorstore.records import StoredDocument

if TYPE_CHECKING:  # opening the index imports chromadb and the embedder: only on first use
    from vectorstore.index import VectorIndex

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What happened to one file: ingested, unchanged (same content stored), failed (message says why),
    or, for an upload, rejected before reading (not a PDF, too large, a bad name)."""

    path: Path
    status: Literal["ingested", "unchanged", "failed", "rejected"]
    message: str = ""
    facts: int = 0
    checks_failed: int = 0
    document: str | None = None  # the stored name; path.name unless given (a rejected upload's given name)

    def __post_init__(self) -> None:
        if self.document is None and self.status != "rejected":
            self.document = self.path.name

    def to_json(self) -> dict:
        """The contract's upload result line (CONTRACT.md, HTTP)."""
        out: dict = {"document": self.document, "status": self.status, "message": self.message}
        if self.status != "rejected":
            out |= {"facts": self.facts, "checks_failed": self.checks_failed}
        return out


def document_row(d: StoredDocument) -> dict:
    """A stored document as the contract's `documents --json` line."""
    return {"document": d.document, "department": d.department, "year": d.year, "kind": d.kind,
            "pages": d.pages, "facts": d.facts, "checks_failed": d.checks_failed,
            "checks_total": d.checks_total, "part": d.part, "group": d.group}


def stored_report(store: FactStore, document: str) -> IngestReport:
    """The ingest report of a stored document, rebuilt from the store (no file copy of it is kept)."""
    info = next(i for i in store.document_infos() if i.document == document)
    saved = store.saved_report(document) or {}
    return IngestReport(info=info, tables=saved.get("tables", []), checks=store.checks(document),
                        warnings=saved.get("warnings", []), seconds=saved.get("seconds", 0.0),
                        facts=store.facts(document=document), passages=store.passages(document=document))


def find_pdfs(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(x for x in p.rglob("*") if x.suffix.lower() == ".pdf" and x.is_file())
        else:
            out.append(p)
    return out


class Library:
    def __init__(self, settings: Settings):
        settings.ensure_home()
        self.settings = settings
        self.store = FactStore(settings.db_url)
        self._index: VectorIndex | None = None
        self.recovered: list[str] = []  # interrupted writes finished or undone at start
        if journal.has_pending(settings):  # a directory listing when nothing is pending
            with journal.write_lock(settings, timeout_s=0) as got:
                if got:  # else a live writer holds the lock: its entry is not stale
                    try:
                        self.recovered = self._recover()
                    except StoreError:  # the index cannot be opened now: the next writer retries
                        log.warning("start-up recovery postponed", exc_info=True)

    @property
    def index(self) -> VectorIndex:
        """The vector index, opened on first use (loading the embedding model takes seconds)."""
        if self._index is None:
            from vectorstore.index import VectorIndex

            self._index = VectorIndex(self.settings)
        return self._index

    def ingest_one(self, path: Path, index: bool = True) -> Outcome:
        try:
            if not path.exists():
                raise DocumentError(path.name, f"not found at {path}; check the path")
            sha = sha256_of(path)
            known = self.store.sha_known(sha)
            if known == path.name:
                return Outcome(path, "unchanged", "already ingested (same content)")
            report = self._extract(path, sha)
            with journal.write_lock(self.settings):
                self._recover()
                # another process may be storing the other part of this department-year right now
                with self.store.group_lock(report.info.group):
                    others = [d for d in self.store.document_infos() if d.group == report.info.group and d.document != path.name]
                    if others:
                        checks = with_group_narrative(report.checks, report.facts,
                                                      self.store.facts(group=report.info.group))
                        report = report.model_copy(update={"checks": checks})
                        report = with_versions(report, others, lambda d: self.store.facts(document=d))
                    self._store(path, report, index)
                    for other in others:
                        self._recheck_narrative(other.document, report.info.group)
            return Outcome(path, "ingested", "; ".join(w for w in report.warnings if w.startswith("another version")),
                           len(report.facts), report.checks_failed)
        except BudgetQAError as exc:
            log.info("%s: not ingested: %s", path, exc, exc_info=True)
            return Outcome(path, "failed", str(exc))
        except Exception as exc:  # an unexpected parser failure must not stop the other files
            log.exception("%s: unexpected failure while ingesting", path)
            return Outcome(path, "failed", f"{path.name}: could not be read ({one_line(exc)[:160]})")

    def _extract(self, path: Path, sha: str) -> IngestReport:
        if self.settings.page_timeout_s <= 0:  # no limit: read in this process
            return extract(path, self.settings.max_pages, sha)
        return extract_limited(path, self.settings.max_pages, sha, self.settings.page_timeout_s)

    def _store(self, path: Path, report: IngestReport, index: bool) -> None:
        """Vectors, then the SQL commit (the document exists from here on), then the file copy and
        report; a journal entry lets the next start finish or undo this if the process dies."""
        name = report.info.document
        vectors = self.index if index else None  # opened before anything is written
        copy = self.settings.files_dir / name
        same_file = copy.exists() and copy.resolve() == path.resolve()
        entry = journal.begin(self.settings, "ingest", name, report.info.sha256, index,
                              source=None if same_file else path)
        writing_vectors = vectors is not None
        try:
            if vectors is not None:
                vectors.replace_document(name, report.facts, report.passages)
            writing_vectors = False
            self.store.save(report)
        except BaseException as exc:  # e.g. the Chroma server went away: undo now rather than at the next start
            if writing_vectors and not self.settings.chroma_host:
                journal.keep_for_next_start(entry)
            try:
                journal.recover(self.settings, self.store, lambda: self.index)
            except Exception:
                log.warning("%s: immediate roll-back failed; the next writer retries", name, exc_info=True)
            if isinstance(exc, Exception) and not isinstance(exc, BudgetQAError):
                raise StoreError(f"{name}: could not be stored ({type(exc).__name__}: {' '.join(str(exc).split())[:200]}); "
                                 "nothing of it was kept — check the free space under BUDGETQA_HOME (and the "
                                 "Chroma server, if one is set), then ingest it again") from exc
            raise
        journal.promote(self.settings, entry)
        journal.finish(entry)

    def _recover(self) -> list[str]:
        """Finish or undo writes a dead process left half done (caller holds the write lock)."""
        if not journal.has_pending(self.settings):
            return []
        return journal.recover(self.settings, self.store, lambda: self.index)

    def ingest(self, paths: Iterable[str | Path], progress: Callable[[Outcome], None] | None = None,
               index: bool = True) -> list[Outcome]:
        outcomes = []
        for p in find_pdfs(paths):
            o = self.ingest_one(p, index=index)
            outcomes.append(o)
            if progress:
                progress(o)
        return outcomes

    def _recheck_narrative(self, document: str, group: str) -> None:
        group_facts = self.store.facts(group=group)
        own = [f for f in group_facts if f.document == document]
        self.store.replace_checks(document, with_group_narrative(self.store.checks(document), own, group_facts))

    def remove(self, document: str) -> bool:
        """Remove a document: the SQL delete commits first, then its vectors and files go."""
        with journal.write_lock(self.settings):
            self._recover()
            if document not in {d.document for d in self.store.documents()}:
                return False  # also keeps names from requests (../x) out of the journal
            index = self.index
            group = next((d.group for d in self.store.document_infos() if d.document == document), None)
            entry = journal.begin(self.settings, "remove", document)
            ok = self.store.remove(document)
            if ok:
                index.remove_document(document)
                journal.unlink_copy(self.settings, document)
            journal.finish(entry)
            if ok and group is not None:  # the other part's narrative no longer has these tables to agree with
                for other in [d for d in self.store.document_infos() if d.group == group]:
                    self._recheck_narrative(other.document, group)
        return ok
