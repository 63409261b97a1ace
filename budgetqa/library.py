"""The document library: ingest files into the fact store and the vector index, list and remove them.

Writes follow the protocol in budgetqa.consistency (write lock, journal, vectors before the SQL commit),
so a process killed at any moment leaves each document either absent or whole; PDFs are read in a
child process with a time and memory limit (ingest.sandbox)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from budgetqa import consistency
from budgetqa.errors import BudgetQAError, DocumentError, StoreError
from budgetqa.settings import Settings
from ingest.pipeline import extract, sha256_of, with_group_checks
from ingest.records import IngestReport
from ingest.sandbox import extract_limited
from vectorstore.facts_db import FactStore


@dataclass
class Outcome:
    path: Path
    status: str  # "ingested", "unchanged", "failed"
    message: str = ""
    facts: int = 0
    checks_failed: int = 0


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
        self._index: Any = None  # VectorIndex
        self.recovered: list[str] = []  # interrupted writes finished or undone at start
        if consistency.has_pending(settings):  # a directory listing when nothing is pending
            with consistency.write_lock(settings, timeout_s=0) as got:
                if got:  # else a live writer holds the lock: its entry is not stale
                    try:
                        self.recovered = self._recover()
                    except StoreError:
                        pass  # the index cannot be opened now: the next writer retries

    @property
    def index(self):  # type: ignore[no-untyped-def]
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
            with consistency.write_lock(self.settings):
                self._recover()
                # another process may be storing the other part of this department-year right now
                with self.store.group_lock(report.info.group):
                    others = [d for d in self.store.document_infos() if d.group == report.info.group and d.document != path.name]
                    if others:
                        report = with_group_checks(report, self.store.facts(group=report.info.group))
                    self._store(path, report, index)
                    for other in others:
                        self._recheck_narrative(other.document, report.info.group)
            return Outcome(path, "ingested", "", len(report.facts), report.checks_failed)
        except BudgetQAError as exc:
            return Outcome(path, "failed", str(exc))
        except Exception as exc:  # an unexpected parser failure must not stop the other files
            return Outcome(path, "failed", f"{path.name}: could not be read ({type(exc).__name__}: {str(exc)[:120]})")

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
        entry = consistency.begin(self.settings, "ingest", name, report.info.sha256, index,
                                  source=None if same_file else path, report=report)
        writing_vectors = vectors is not None
        try:
            if vectors is not None:
                vectors.replace_document(name, report.facts, report.passages)
            writing_vectors = False
            self.store.save(report)
        except BaseException as exc:  # e.g. the Chroma server went away: undo now rather than at the next start
            if writing_vectors and not self.settings.chroma_host:
                consistency.keep_for_next_start(entry)
            with contextlib.suppress(Exception):
                consistency.recover(self.settings, self.store, lambda: self.index)
            if isinstance(exc, Exception) and not isinstance(exc, BudgetQAError):
                raise StoreError(f"{name}: could not be stored ({type(exc).__name__}: {' '.join(str(exc).split())[:200]}); "
                                 "nothing of it was kept — check the free space under BUDGETQA_HOME (and the "
                                 "Chroma server, if one is set), then ingest it again") from exc
            raise
        consistency.promote(self.settings, entry)
        consistency.finish(entry)

    def _recover(self) -> list[str]:
        """Finish or undo writes a dead process left half done (caller holds the write lock)."""
        if not consistency.has_pending(self.settings):
            return []
        return consistency.recover(self.settings, self.store, lambda: self.index)

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
        from ingest.crosscheck import NARRATIVE_CHECK, narrative_agrees

        group_facts = self.store.facts(group=group)
        own = [f for f in group_facts if f.document == document and f.source == "narrative"]
        others = [f for f in group_facts if f.document != document and f.source == "table"]
        kept = [c for c in self.store.checks(document) if c.name != NARRATIVE_CHECK]
        self.store.replace_checks(document, kept + narrative_agrees(own + others))

    def remove(self, document: str) -> bool:
        """Remove a document: the SQL delete commits first, then its vectors and files go."""
        with consistency.write_lock(self.settings):
            self._recover()
            if document not in {d["document"] for d in self.store.documents()}:
                return False  # also keeps names from requests (../x) out of the journal
            index = self.index
            entry = consistency.begin(self.settings, "remove", document)
            ok = self.store.remove(document)
            if ok:
                index.remove_document(document)
                (self.settings.files_dir / document).unlink(missing_ok=True)
                (self.settings.reports_dir / f"{document}.json").unlink(missing_ok=True)
            consistency.finish(entry)
        return ok
