"""Labels as people say them, for the page: a row's name and its table, without the store's internal
header paths ("基本支出 / 人员经费 / 工资福利支出"), list numbering ("(1)", "（十）") or side markers
("收入总计（收入）"). Presentation only: digits are never touched, so every figure stays the stored one."""

from __future__ import annotations

import re

from assistant.records import Answer, Citation
from budgetqa.vocabulary import is_generic_column

# list numbering printed before a label: (1) （十） 一、 1. 1、 ①
_NUMBERING = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、](?!\d)|[①-⑳])\s*")
# the same numbering inside a sentence, right before a Chinese label
_NUMBERING_IN_TEXT = re.compile(r"[（(][一二三四五六七八九十\d]{1,3}[)）](?=[\u4e00-\u9fff“])")
# a side marker the tables print after a total: 收入总计（收入）, 本年支出合计（支出）
_SIDE = re.compile(r"[（(](?:收入|支出)[)）]")
# a header path written into a sentence: "（基本支出 / 人员经费 / 工资福利支出）" → "（工资福利支出）"
_PATH = re.compile(r"(?:[^\s（()）/，。、“”；;：:]+ / )+([^\s（()）/，。、“”；;：:]+)")
# "其中：财政拨款": the table's way of saying a row is part of the one above
_PART = re.compile(r"^\s*其中\s*[:：]\s*")
# where the assistant says a figure stands; the page shows this once, as the source line: in brackets
# inside a sentence ("…677.87万元（见《…》第15页“…”）；…"), or at its end, with the table's title or
# "说明部分：" and the quoted sentence (the source card quotes it)
_WHERE_IN = re.compile(r"[（(]见《[^》]{1,200}》第(\d+)页(?:“([^”]{0,120})”)?[)）]")
_WHERE = re.compile(r"见《[^》]{1,200}》第\d+页(?:“[^”]{0,120}”|说明部分(?:[：:][^。；;\n]*)?)?[。；;]?")
_BARE_TOTAL = {"合计", "总计", "小计"}


def plain(label: str | None) -> str:
    """One label part without numbering or side markers: '(1)基本支出' → '基本支出'."""
    text = _PART.sub("", _SIDE.sub("", _NUMBERING.sub("", label or ""))).strip()
    return text or (label or "").strip()


def leaf(path: str | None, sep: str = " / ") -> str:
    """The most specific part of a path, as people say it."""
    parts = [plain(p) for p in (path or "").split(sep) if p.strip()]
    return parts[-1] if parts else ""


def column_name(column: str | None) -> str:
    """The column a figure stands in, by its own name; '' when the name says nothing ('合计', '金额')."""
    parts = [plain(p) for p in (column or "").split(" / ") if p.strip()]
    named = [p for p in parts if not is_generic_column(p)]
    return named[-1] if named else ""


def cell_label(c: Citation) -> str:
    """'行政运行 · 工资福利支出', '公务接待费', or the quoted passage's heading."""
    if c.table is None and not c.row:
        return leaf(c.heading, " > ") or "说明部分"
    row, col = leaf(c.row), column_name(c.column)
    if row in _BARE_TOTAL and col:  # "合计 · 工资福利支出": the column's total is the column's figure
        return col
    if row and col and col not in row:  # "收入总计 · 收入" says 收入 twice
        return f"{row} · {col}"
    return row or col or plain(c.column)


def table_name(c: Citation) -> str:
    return plain(c.table) if c.table else (leaf(c.heading, " > ") or "说明部分")


def document_title(name: str) -> str:
    return re.sub(r"\.pdf$", "", name, flags=re.IGNORECASE)


def source_line(c: Citation) -> str:
    """One line saying where the answer stands: '《…》第22页 · 2025年一般公共预算“三公”经费预算表'."""
    return f"《{document_title(c.document)}》第{c.page}页 · {table_name(c)}"


def readable_answer(ans: Answer) -> str:
    """The answer sentence as the page shows it: without the inline '见《…》第N页' (the source line says
    it once) and, for figures read from tables, without header paths, numbering and side markers."""
    # inside a sentence the page and table stay, shortly: they tell apart readings that differ only there
    text = _WHERE_IN.sub(lambda m: f"（第{m.group(1)}页" + (f"，{m.group(2)}" if m.group(2) else "") + "）", ans.answer)
    text = _WHERE.sub("", text).strip()
    for raw in sorted({p for c in ans.citations if c.table for p in (c.row, *(c.column or "").split(" / "))
                       if p and plain(p) != p}, key=len, reverse=True):
        text = text.replace(raw, plain(raw))  # the cited labels as people say them
    if any(c.table for c in ans.citations):
        text = _PATH.sub(lambda m: plain(m.group(1)), text)
        text = _SIDE.sub("", _NUMBERING_IN_TEXT.sub("", text))
    text = re.sub(r"[；;，,]\s*$", "。", text)
    return text or ans.answer


def unique_citations(citations: list[Citation]) -> list[Citation]:
    """The citations without repeats (same cell or passage cited twice)."""
    seen: set[tuple] = set()
    out = []
    for c in citations:
        key = ((c.document, c.page, c.table, c.row, c.column) if c.table
               else (c.document, c.page, (c.quote or c.heading or "")[:80]))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
