"""Answer sentences in Chinese, built only from facts and computed values."""

from __future__ import annotations

from assistant.records import Citation
from ingest.records import Fact


def fmt(value: float) -> str:
    return f"{value:,.2f}"


def cite(f: Fact) -> Citation:
    return Citation(document=f.document, page=f.page, table=f.table, row=f.row, column=f.column or None,
                    quote=f.quote if f.source == "table" else (f.quote or "")[:200], bbox=f.bbox)


def label(f: Fact) -> str:
    """What a figure is, in words: '公务用车运行维护费' or '行政运行（基本支出 / 人员经费 / 工资福利支出）'."""
    row = (f.row or "").split(" / ")[-1]
    col = f.column
    generic = col in ("", "合计", "金额", "小计", "预算数", "决算数", "总计") or col.endswith(("/ 金额", "/ 合计"))
    if f.source == "narrative":
        return row
    if row and row not in ("合计", "总计") and not generic:
        return f"{row}（{col}）"
    if row and not generic:
        return row
    if row and row not in ("合计", "总计"):
        return row
    return col.split(" / ")[-1] if col.split(" / ")[-1] not in ("小计", "合计") else col


def where(f: Fact) -> str:
    return f"见《{f.document}》第{f.page}页" + (f"“{f.table}”" if f.table else "")
