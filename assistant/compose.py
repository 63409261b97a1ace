"""Answer sentences in Chinese, built only from facts and computed values."""

from __future__ import annotations

import re

from assistant.records import Answer, Citation
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
    if not row or row in vocabulary().plain_totals or row.endswith("合计"):
        return " / ".join(cols) or row or f.column
    return f"{row}（{' / '.join(cols)}）" if cols else row


def where(f: Fact) -> str:
    return f"见《{f.document}》第{f.page}页" + (f"“{f.table}”" if f.table else "")


def kind_word(f: Fact) -> str:
    """预算 for a budget's figure; 决算数 / 预算数 for the two columns a 决算 prints side by side (the
    column's own name when it says which budget: 年初预算数, 全年预算数); nothing a label already ends with."""
    word = "预算"
    if f.kind == "决算":
        if "决算" in f.column:
            word = "决算数"
        elif "预算" in f.column:
            word = budget_column_word(f.column)
        else:
            word = "决算数" if f.source == "narrative" else ""
    return "" if word and label(f).endswith(word[:2]) else word


def budget_column_word(column: str) -> str:
    """The budget figure a 决算 column names, in its own words (年初预算数, 全年预算数), else 预算数."""
    col = (column or "").split(" / ")[-1]
    return col if re.fullmatch(r"[\u4e00-\u9fff]{0,4}预算数", col) else "预算数"


def nothing_found(item: str, text: str = "") -> str:
    what = re.sub(r"[\d.,%]+", "", item.strip() or text)[:40]  # never echo a figure the documents lack
    return f"已导入的文件中没有找到“{what}”的相关数据，无法回答。"


def not_found(question: str, text: str, suggestions: list[str] | None = None) -> Answer:
    if suggestions:
        text += "您是不是想问：" + "；".join(suggestions) + "？"
    return Answer(question=question, status="not_found", answer=text, alternatives=list(suggestions or []))


def computed(question: str, item: str, measure: str, value: float, unit: str, sentence: str, how: str,
             facts: list[Fact]) -> Answer:
    """A figure computed in code from cited facts: the sentence, how it was computed, each input and where."""
    f = facts[0]
    text = f"{f.year}年{f.department}{sentence}。计算方法：{how}。" + "；".join(
        f"{label(x)}{fmt(x.value)}{x.unit}{where(x)}" for x in facts) + "。"
    return Answer(question=question, status="answered", answer=text, value=value, unit=unit,
                  citations=[cite(x) for x in facts], computation=how, department=f.department, year=f.year,
                  item=item, measure=measure)


def each_cited(question: str, item: str, found: list[Answer], missing: str = "") -> Answer:
    """Several answers in one ("A和B各是多少", one item over several years): each one's first sentence with its
    page, then what was not found; the headline figure is the first answer's."""
    lines = []
    for a in found:
        first = a.answer.split("。")[0]
        c = a.citations[0] if a.citations else None
        lines.append(first + (f"（见《{c.document}》第{c.page}页）" if c else ""))
    text = "；".join(lines) + "。" + missing
    head = found[0]
    return Answer(question=question, status="answered", answer=text, value=head.value, unit=head.unit,
                  citations=[c for a in found for c in a.citations[:1]], department=head.department,
                  year=head.year, item=item, measure="value")
