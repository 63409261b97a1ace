"""The document library: ingest files into the fact store and the vector index, list and remove them."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from budgetqa.errors import BudgetQAError, DocumentError
from budgetqa.settings import Settings
from ingest.pipeline import extract, sha256_of
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
        self._index = None

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
            group_facts = None
            report = extract(path, self.settings.max_pages, sha)
            others = [d for d in self.store.document_infos() if d.group == report.info.group and d.document != path.name]
            if others:
                group_facts = self.store.facts(group=report.info.group)
                report = extract(path, self.settings.max_pages, sha, group_facts)
            self._keep_copy(path)
            (self.settings.reports_dir / f"{path.name}.json").write_text(report.model_dump_json(indent=1), encoding="utf-8")
            self.store.save(report)
            for other in others:
                self._recheck_narrative(other.document, report.info.group)
            if index:
                self.index.replace_document(report.info.document, report.facts, report.passages)
            return Outcome(path, "ingested", "", len(report.facts), report.checks_failed)
        except BudgetQAError as exc:
            return Outcome(path, "failed", str(exc))
        except Exception as exc:  # an unexpected parser failure must not stop the other files
            return Outcome(path, "failed", f"{path.name}: could not be read ({type(exc).__name__}: {str(exc)[:120]})")

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
        ok = self.store.remove(document)
        if ok:
            self.index.remove_document(document)
            (self.settings.files_dir / document).unlink(missing_ok=True)
        return ok

    def _keep_copy(self, path: Path) -> None:
        dest = self.settings.files_dir / path.name
        if dest.exists() and dest.resolve() == path.resolve():
            return
        fd, tmp = tempfile.mkstemp(dir=self.settings.files_dir, suffix=".part")
        os.close(fd)
        shutil.copyfile(path, tmp)
        os.replace(tmp, dest)
