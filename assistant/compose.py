"""Answer sentences in Chinese, built only from facts and computed values."""

from __future__ import annotations

from assistant.records import Citation
from budgetqa.vocabulary import fmt, vocabulary
from ingest.records import Fact

__all__ = ["cite", "fmt", "label", "where"]


def cite(f: Fact) -> Citation:
    return Citation(document=f.document, page=f.page, table=f.table, row=f.row, column=f.column or None,
                    quote=f.quote if f.source == "table" else (f.quote or "")[:200], bbox=f.bbox)


_GENERIC = vocabulary().unnamed_columns


def label(f: Fact) -> str:
    """What a figure is, in words: '公务用车运行维护费', '行政运行（基本支出 / 人员经费 / 工资福利支出）',
    or for a total row the column it stands in: '项目支出 / 其他运转类'."""
    row = (f.row or "").split(" / ")[-1]
    if f.source == "narrative":
        return row
    cols = [p for p in f.column.split(" / ") if p not in _GENERIC]
    if not row or row in ("合计", "总计") or row.endswith("合计"):
        return " / ".join(cols) or row or f.column
    return f"{row}（{' / '.join(cols)}）" if cols else row


def where(f: Fact) -> str:
    return f"见《{f.document}》第{f.page}页" + (f"“{f.table}”" if f.table else "")
