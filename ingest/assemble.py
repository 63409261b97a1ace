"""Pages -> titled, typed tables with their units, continued tables joined, cells -> facts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.classify import classify
from ingest.pdf_reader import RawPage
from ingest.records import Fact, TableInfo
from ingest.tables import ParsedTable, grid_meta, parse_grid
from ingest.textnorm import clean

_UNIT = re.compile(r"单位\s*[:：]\s*(亿元|万元|元)")
_NOT_TITLE = re.compile(r"单位\s*[:：]|部门(名称)?\s*[:：]|^公开\s*[\d一二三四五六七八九十]*\s*表\s*[\d一二三四五六七八九十]*$|^表[一二三四五六七八九十\d]+$|^附件|^\d+$|^-\s*\d+\s*-$")
_DEPT = re.compile(r"(?:部门|单位)(?:名称)?\s*[:：]\s*([^\s单]+(?:\s*[^\s单]+)?)")


@dataclass
class AssembledTable:
    info: TableInfo
    parsed: ParsedTable


def _title(lines: list[str]) -> str | None:
    for line in reversed(lines):
        t = clean(line)
        if "表" in t and len(t) <= 60 and not _NOT_TITLE.search(t):
            return t
    return None


def _unit(lines: list[str]) -> str | None:
    m = _UNIT.search(re.sub(r"\s+", "", "".join(lines)))
    return m.group(1) if m else None


def department_hints(lines: list[str]) -> list[str]:
    """Department names printed above tables ("部门名称：洛阳市西工区人民政府办公室")."""
    out = []
    for line in lines:
        for m in _DEPT.finditer(clean(line).replace("单位：", " 单位：")):
            name = clean(m.group(1))
            if len(name) >= 4 and "元" not in name:
                out.append(name)
    return out


def assemble(pages: list[RawPage]) -> tuple[list[AssembledTable], list[str]]:
    """All tables of a document, in order; and the department names printed above them."""
    tables: list[AssembledTable] = []
    hints: list[str] = []
    unit = "万元"
    for page in pages:
        for raw in page.tables:
            meta = grid_meta(raw.grid)  # read once; the grid is parsed once below, as a table or its continuation
            meta_lines = []
            for m in meta.texts:
                meta_lines += [ln for ln in m.split("\n") if ln.strip()]
            lines = raw.lines_above + meta_lines
            hints += department_hints(lines)
            title = _title(raw.lines_above) or _title(meta_lines)
            prev = tables[-1] if tables else None
            continues = title is None and not meta_lines and raw.near_top and prev is not None
            if continues and prev is not None:
                form = classify(prev.info.title).form or not prev.parsed.columns
                parsed = parse_grid(raw.grid, continues=None if form else prev.parsed.columns, no_header=form,
                                    meta_of=meta)
                prev.parsed.cells += parsed.cells
                prev.info.page_end = page.number
                prev.info.rows += len({c.row_index for c in parsed.cells})
                continue
            unit = _unit(lines) or unit
            title = title or f"第{page.number}页表格"
            ttype = classify(title)
            parsed = parse_grid(raw.grid, no_header=ttype.form, meta_of=meta)
            info = TableInfo(
                index=len(tables), title=title, table_type=ttype.id, page_start=page.number,
                page_end=page.number, unit=unit, columns=[c.name for c in parsed.columns if c.role == "value"],
                rows=len({c.row_index for c in parsed.cells}),
            )
            tables.append(AssembledTable(info, parsed))
    return tables, hints


def table_facts(tables: list[AssembledTable], document: str, department: str, year: int, kind: str) -> list[Fact]:
    facts = []
    for t in tables:
        for c in t.parsed.cells:
            facts.append(Fact(
                document=document, department=department, year=year, kind=kind,  # type: ignore[arg-type]
                table=t.info.title, table_type=t.info.table_type, page=c.page, row=c.row,
                row_code=c.row_code, column=c.column, value=c.value, unit=c.unit or t.info.unit, source="table",
                quote=c.text, bbox=c.bbox, table_index=t.info.index,
            ))
    return facts
