"""Pages -> titled, typed tables with their units, continued tables joined, cells -> facts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from budgetqa.vocabulary import money_pattern, vocabulary
from ingest.classify import classify, classify_by_headers
from ingest.counts import measure_of
from ingest.grid import Grid
from ingest.indicators import target_cells
from ingest.pdf_reader import RawPage, RawTable
from ingest.periods import column_period
from ingest.records import Fact, TableInfo
from ingest.tables import ParsedTable, ValueCell, grid_meta, parse_grid
from ingest.textnorm import clean, is_money_text, parse_number

_UNIT = re.compile(rf"单位\s*[:：]\s*({money_pattern()})")
_NOT_TITLE = re.compile(r"单位\s*[:：]|部门(名称)?\s*[:：]|^公开\s*[\d一二三四五六七八九十]*\s*表\s*[\d一二三四五六七八九十]*$|^表[一二三四五六七八九十\d]+$|^附件|^\d+$|^-\s*\d+\s*-$")


@dataclass
class AssembledTable:
    info: TableInfo
    parsed: ParsedTable
    grids: list[Grid] = field(default_factory=list)  # the table's grid on each page it spans


def _title(lines: list[str]) -> str | None:
    for line in reversed(lines):
        t = clean(line)
        if "表" in t and len(t) <= 60 and not _NOT_TITLE.search(t):
            return t
    return None


def _unit(lines: list[str]) -> str | None:
    m = _UNIT.search(re.sub(r"\s+", "", "".join(lines)))
    return m.group(1) if m else None


_UNIT_IN_LABEL = re.compile(rf"[（(]({money_pattern()})[)）]")


def _label_unit(parsed: ParsedTable, grid_texts: list[str]) -> str | None:
    """A table without a '单位：' line may name its unit in a label ("项目资金（元）", "金额（万元）")."""
    units = {m.group(1) for t in [*(c.name for c in parsed.columns), *grid_texts] for m in _UNIT_IN_LABEL.finditer(t)}
    return units.pop() if len(units) == 1 else None


_ROW_LINE = re.compile(r"^(?P<code>\d{3}(?:\d{2}){0,2})?\s*(?P<label>[^\d\s][^\d]*?)\s+(?P<nums>(?:-?[\d,]+(?:\.\d+)?\s*)+)$")


def _rows_above(raw: RawTable, parsed: ParsedTable, page: int) -> list[ValueCell]:
    """Rows of a continued table printed above its ruled grid ("2040504 案件审判 1,833.30" at the
    top of the next page, outside the lines): read from the text when they give one figure per
    value column of the table."""
    names = list(dict.fromkeys(c.name for c in parsed.columns if c.role == "value"))
    out: list[ValueCell] = []
    x0, top, x1, _ = raw.grid.bbox
    lines = raw.lines_above
    for n, line in enumerate(lines):
        m = _ROW_LINE.match(re.sub(r"\s+", " ", line.strip()))
        if not m:
            continue
        nums = m.group("nums").split()
        if not names or len(nums) != len(names):
            continue
        y = top - 14.0 * (len(lines) - n)  # where the line stands, near enough to show the region
        for name, text in zip(names, nums, strict=True):
            value = parse_number(text)
            if value is not None:
                out.append(ValueCell(-1 - n, clean(m.group("label")), m.group("code"), name, value, text,
                                     (x0, y, x1, y + 12.0), page))
    return out


def assemble(pages: list[RawPage]) -> tuple[list[AssembledTable], list[str]]:
    """All tables of a document, in order; and the lines printed above and inside their frames
    (where "部门：…" / "编制部门：… 单位：元" stand; ingest.identify reads the names from them)."""
    tables: list[AssembledTable] = []
    hints: list[str] = []
    unit = vocabulary().usual_money  # until a table names its unit
    for page in pages:
        for k, raw in enumerate(page.tables):
            meta = grid_meta(raw.grid)  # read once; the grid is parsed once below, as a table or its continuation
            meta_lines = []
            for m in meta.texts:
                meta_lines += [ln for ln in m.split("\n") if ln.strip()]
            lines = raw.lines_above + meta_lines
            hints += lines
            title = _title(raw.lines_above) or _title(meta_lines)
            prev = tables[-1] if tables else None
            # a page's first table with nothing printed above it goes on with the last page's table,
            # also when it starts lower on the page (a totals row alone, a wide top margin)
            alone = k == 0 and not raw.lines_above and prev is not None and prev.info.page_end == page.number - 1
            continues = title is None and not meta_lines and (raw.near_top or alone) and prev is not None
            if continues and prev is not None:
                form = classify(prev.info.title).form or not prev.parsed.columns
                parsed = parse_grid(raw.grid, continues=None if form else prev.parsed.columns, no_header=form,
                                    meta_of=meta)
                prev.parsed.cells += _rows_above(raw, prev.parsed, page.number) + parsed.cells
                prev.grids.append(raw.grid)
                prev.info.page_end = page.number
                prev.info.rows += len({c.row_index for c in parsed.cells})
                continue
            title = title or f"第{page.number}页表格"
            ttype = classify(title)
            parsed = parse_grid(raw.grid, no_header=ttype.form, meta_of=meta)
            ttype = classify_by_headers(ttype, [c.path for c in parsed.columns if c.role == "value"])
            texts = [c.text for row in raw.grid.at for c in row if c is not None and not is_money_text(c.raw)]
            unit = _unit(lines) or _label_unit(parsed, texts) or unit
            info = TableInfo(
                index=len(tables), title=title, table_type=ttype.id, page_start=page.number,
                page_end=page.number, unit=unit, columns=[c.name for c in parsed.columns if c.role == "value"],
                rows=len({c.row_index for c in parsed.cells}),
            )
            tables.append(AssembledTable(info, parsed, [raw.grid]))
    return tables, hints


def table_facts(tables: list[AssembledTable], document: str, department: str, year: int, kind: str,
                scope: str = "部门") -> list[Fact]:
    facts = []
    for t in tables:
        common = dict(document=document, department=department, year=year, kind=kind, table=t.info.title,
                      table_type=t.info.table_type, source="table", table_index=t.info.index, scope=scope)
        targets = target_cells(t.grids)
        as_target = {tc.bbox for tc in targets}
        for c in t.parsed.cells:
            if c.bbox in as_target:
                continue  # read below as a target, with its comparison sign
            own = dict(common)
            if period := column_period(c.column, year):  # "2022年预算执行数", "上年预算数"
                own.update(year=period[0], kind=period[1])
            facts.append(Fact(**own, page=c.page, row=c.row, row_code=c.row_code, column=c.column,  # type: ignore[arg-type]
                              value=c.value, unit=c.unit or t.info.unit, quote=c.text, bbox=c.bbox,
                              measure=measure_of(c.column)))  # type: ignore[arg-type]
        for tc in targets:
            facts.append(Fact(**common, page=tc.page, row=tc.row, column=tc.column, value=tc.value,  # type: ignore[arg-type]
                              unit=tc.unit, measure="target", comparison=tc.comparison,  # type: ignore[arg-type]
                              quote=tc.text, bbox=tc.bbox))
    return facts
