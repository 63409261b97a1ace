"""One PDF -> IngestReport (document info, tables, facts, passages, cross-checks)."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from budgetqa.errors import DocumentError
from ingest.assemble import assemble, table_facts
from ingest.crosscheck import run_checks
from ingest.identify import identify
from ingest.narrative import figures, passages
from ingest.pdf_reader import open_pdf, read_pages
from ingest.records import DocumentInfo, Fact, IngestReport, Passage


def sha256_of(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _part(name: str, n_tables: int, n_passages: int) -> str:
    if n_tables == 0:
        return "narrative"
    if re.search(r"表(格)?$", re.sub(r"\.pdf$", "", name, flags=re.I)) and n_passages < 5:
        return "tables"
    return "full"


def extract(path: Path, max_pages: int = 1000, sha256: str | None = None) -> IngestReport:
    """Read one PDF into a report; its checks cover this file alone (library.Library re-runs the
    narrative check against the other part of a two-file publication, crosscheck.with_group_narrative)."""
    t0 = time.perf_counter()
    name = path.name
    with open_pdf(path) as pdf:
        pages = read_pages(pdf, name, max_pages)
    tables, hints = assemble(pages)
    head = "\n".join(p.text for p in pages[:2])
    if not _looks_like_budget(name, pages, tables):
        raise DocumentError(name, "is not a budget document (no 预算/决算 in its title, text or table titles); "
                                  "only 部门预算 and 部门决算 PDFs can be ingested")
    department, year, kind = identify(name, head, hints)
    warnings = []
    if year is None:
        raise DocumentError(name, "no budget year found in the title or file name; rename it with the year (e.g. 2025年…)")
    raw_passages = passages(pages)
    info = DocumentInfo(
        document=name, department=department, year=year, kind=kind, pages=len(pages),  # type: ignore[arg-type]
        sha256=sha256 or sha256_of(path), group=f"{department}|{year}|{kind}",
        part=_part(name, len(tables), len(raw_passages)),  # type: ignore[arg-type]
    )
    common = dict(document=name, department=department, year=year, kind=kind)
    facts = table_facts(tables, name, department, year, kind)
    psg = []
    for rp in raw_passages:
        psg.append(Passage(**common, page=rp.page, heading=" > ".join(rp.heading), text=rp.text))  # type: ignore[arg-type]
        for fg in figures(rp, kind):
            facts.append(Fact(**common, page=fg.page, row=fg.row, column=fg.column, value=fg.value,  # type: ignore[arg-type]
                              unit=fg.unit, source="narrative", quote=fg.quote))
    if not facts and not psg:
        warnings.append("no tables and no narrative were recognised")
    report = IngestReport(info=info, tables=[t.info for t in tables], facts=facts, passages=psg,
                          checks=run_checks(facts), warnings=warnings)
    report.seconds = round(time.perf_counter() - t0, 3)
    return report


_BUDGET_WORDS = re.compile(r"预算|决算")


def _looks_like_budget(name: str, pages: list, tables: list) -> bool:
    """A budget or final-accounts publication says so in its file name, on its first pages or in a table title."""
    if _BUDGET_WORDS.search(name) or any(_BUDGET_WORDS.search(p.text) for p in pages[:3]):
        return True
    return any(_BUDGET_WORDS.search(t.info.title) or t.info.table_type != "other" for t in tables)
