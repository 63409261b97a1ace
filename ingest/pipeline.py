"""One PDF -> IngestReport (document info, tables, facts, passages, cross-checks)."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from budgetqa.errors import DocumentError
from ingest.assemble import assemble, table_facts
from ingest.counts import counts, measure_of
from ingest.crosscheck import run_checks
from ingest.identify import identify
from ingest.lists import contents_lists, table_lists
from ingest.narrative import figures, passages
from ingest.pdf_reader import open_pdf, read_pages
from ingest.periods import other_year_kind
from ingest.records import DocumentInfo, Fact, IngestReport, Passage


def sha256_of(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _once(facts: list[Fact]) -> list[Fact]:
    """A narrative printed twice (the same explanation on two pages) gives each figure once."""
    seen: set[tuple] = set()
    out = []
    for f in facts:
        if f.source == "narrative":
            key = (f.row, f.column, f.value, f.unit, f.year, f.kind, f.quote)
            if key in seen:
                continue
            seen.add(key)
        out.append(f)
    return out


def _once_passages(psg: list[Passage]) -> list[Passage]:
    seen: set[str] = set()
    out = []
    for p in psg:
        if len(p.text) >= 40 and p.text in seen:
            continue
        seen.add(p.text)
        out.append(p)
    return out


def group_key(department: str, year: int, kind: str, scope: str = "部门") -> str:
    """Files of one publication share this key (Jiangsu prints narrative and tables as two files)."""
    return f"{department}|{year}|{kind}" + ("" if scope == "部门" else f"|{scope}")


def _part(n_tables: int, narrative_chars: int) -> str:
    """Which part of a publication a file is, from its content (not its name: uploads are often
    numbered): no tables = the narrative file, tables with next to no text = the tables file."""
    if n_tables == 0:
        return "narrative"
    if narrative_chars < 300:
        return "tables"
    return "full"


def extract(path: Path, max_pages: int = 1000, sha256: str | None = None) -> IngestReport:
    """Read one PDF into a report; its checks cover this file alone (library.Library re-runs the
    narrative check against the other part of a two-file publication, crosscheck.with_group_narrative)."""
    t0 = time.perf_counter()
    name = path.name
    with open_pdf(path) as pdf:
        pages = read_pages(pdf, name, max_pages)
    tables, label_lines = assemble(pages)
    if not _looks_like_budget(name, pages, tables):
        raise DocumentError(name, "is not a budget document (no 预算/决算 in its title, text or table titles); "
                                  "only 部门预算 and 部门决算 PDFs can be ingested")
    ident = identify(name, [p.text for p in pages], label_lines, [t.info.title for t in tables])
    if ident.placeholder:
        raise DocumentError(name, f"is a blank template (the department is printed as '{ident.placeholder}', "
                                  "figures as placeholders); ingest the department's published document instead")
    if ident.department is None:
        raise DocumentError(name, "names no department on its cover, above its tables or in its text "
                                  "(e.g. '部门：…', '预算主管部门：…'); check that it is a 部门预算/决算")
    if ident.year is None:
        raise DocumentError(name, "no budget year found in the title or file name; rename it with the year (e.g. 2025年…)")
    department, year, kind, scope = ident.department, ident.year, ident.kind, ident.scope
    warnings = []
    raw_passages = passages(pages)
    info = DocumentInfo(
        document=name, department=department, year=year, kind=kind, pages=len(pages),  # type: ignore[arg-type]
        sha256=sha256 or sha256_of(path), group=group_key(department, year, kind, scope),
        scope=scope,  # type: ignore[arg-type]
        part=_part(len(tables), sum(len(p.text) for p in raw_passages)),  # type: ignore[arg-type]
    )
    common = dict(document=name, department=department, year=year, kind=kind)
    facts = table_facts(tables, name, department, year, kind, scope)
    psg = []
    carried, heading = "", None  # the item a piece of a long section ends on, for the next piece
    for rp in raw_passages:
        psg.append(Passage(**common, page=rp.page, heading=" > ".join(rp.heading), text=rp.text))  # type: ignore[arg-type]
        found = figures(rp, kind, carried if rp.heading == heading else "")
        carried, heading = (found[-1].row if found else carried), rp.heading
        for fg in found:
            own = dict(common)
            if fg.year and fg.year != year:  # another year's figure: a fact of that year and kind
                own.update(year=fg.year, kind=other_year_kind(fg.column))
            facts.append(Fact(**own, page=fg.page, row=fg.row, column=fg.column, value=fg.value,  # type: ignore[arg-type]
                              unit=fg.unit, source="narrative", quote=fg.quote, scope=scope,  # type: ignore[arg-type]
                              measure=measure_of(fg.column)))  # type: ignore[arg-type]
        for ct in counts(rp.text):
            facts.append(Fact(**common, page=rp.page, row=ct.item, column="数量", value=ct.value,  # type: ignore[arg-type]
                              unit=ct.unit, source="narrative", quote=ct.sentence, scope=scope,  # type: ignore[arg-type]
                              measure="count"))
    # lists printed as lines (contents, table rows by kind): passages to count, not to read figures from
    printed = [*contents_lists(pages), *(x for t in tables for x in table_lists(t.info.title, t.grids))]
    psg += [Passage(**common, page=rp.page, heading=" > ".join(rp.heading), text=rp.text) for rp in printed]  # type: ignore[arg-type]
    facts, psg = _once(facts), _once_passages(psg)
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
