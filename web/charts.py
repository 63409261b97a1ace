"""Chart data for a document's page: spending by function class, basic vs project spending, 三公 items.
Presentation only: every figure is a stored fact."""

from __future__ import annotations

import re

from budgetqa.vocabulary import class_of, is_expenditure_function, is_subtotal, is_total_row
from ingest.records import Fact


def _expenditure_tables(facts: list[Fact]) -> list[list[Fact]]:
    """The facts of the expenditure tables, general budget table first, each table as one list."""
    tables: dict[tuple[int, str], list[Fact]] = {}
    for f in facts:
        if f.source == "table" and f.table_type in ("general_budget_expenditure", "expenditure_summary"):
            order = 0 if f.table_type == "general_budget_expenditure" else 1
            tables.setdefault((order, str(f.table_index)), []).append(f)
    return [tables[k] for k in sorted(tables)]


def _row_value(row_facts: list[Fact]) -> Fact:
    """The row's 合计 column when printed, else its first column."""
    for f in row_facts:
        top = f.column.split(" / ")[0]
        if is_total_row(top) or top == "金额":
            return f
    return row_facts[0]


def spending_by_function(facts: list[Fact]) -> tuple[list[tuple[str, float]], str]:
    """(label, value) per function class, and a note saying where the figures stand."""
    for table in _expenditure_tables(facts):
        rows: dict[str, list[Fact]] = {}
        for f in table:
            if f.row_code and f.unit != "%":
                rows.setdefault(f.row_code, []).append(f)
        classes = {c: _row_value(fs) for c, fs in rows.items() if is_expenditure_function(c, "类")}
        if classes:
            picked = [classes[c] for c in sorted(classes)]
            note = f"{picked[0].table}，第{picked[0].page}页，{picked[0].unit}"
            return [(f"{f.row_code} {(f.row or '').split(' / ')[-1]}", f.value) for f in picked], note
        # only 项 rows printed: add the most detailed rows up to their class (201xxxx -> 201)
        leaves = {c: _row_value(fs) for c, fs in rows.items() if is_expenditure_function(c, "项")}
        if leaves:
            sums: dict[str, float] = {}
            names: dict[str, list[str]] = {}
            for code, f in sorted(leaves.items()):
                sums[class_of(code)] = sums.get(class_of(code), 0.0) + f.value
                names.setdefault(class_of(code), []).append((f.row or "").split(" / ")[-1])
            first = next(iter(leaves.values()))
            note = f"由{first.table}（第{first.page}页）各项级科目按类汇总，{first.unit}"
            return [(f"{c}类（{'、'.join(names[c])[:24]}）", round(v, 2)) for c, v in sorted(sums.items())], note
    return [], ""


def basic_vs_project(facts: list[Fact]) -> tuple[list[tuple[str, float]], str]:
    for table in _expenditure_tables(facts):
        got: dict[str, Fact] = {}
        for f in table:
            parts = f.column.split(" / ")
            if is_total_row(f.row) and parts[0] in ("基本支出", "项目支出"):
                if len(parts) == 1 or is_subtotal(parts[-1]):
                    got.setdefault(parts[0], f)
        if len(got) == 2:
            f = got["基本支出"]
            return [(k, got[k].value) for k in ("基本支出", "项目支出")], f"{f.table}，第{f.page}页，{f.unit}"
    said: dict[str, Fact] = {}
    for f in facts:
        if (f.source == "narrative" and f.row in ("基本支出", "项目支出") and f.unit != "%"
                and not f.column.startswith("比上年")):
            said.setdefault(f.row, f)
    if len(said) == 2:
        f = said["基本支出"]
        return [(k, said[k].value) for k in ("基本支出", "项目支出")], f"说明部分第{f.page}页，{f.unit}"
    return [], ""


def three_public_breakdown(facts: list[Fact]) -> tuple[list[tuple[str, float]], str]:
    items = [f for f in facts if f.table_type == "three_public" and f.source == "table" and f.unit != "%"
             and re.search(r"三公|因公出国|公务用车|公务接待", f.column) and "比上年" not in f.column]
    if any(f.column.endswith("决算数") for f in items):
        items = [f for f in items if not f.column.endswith("预算数")]
    if not items:
        return [], ""
    rows = []
    for f in items:
        label = re.sub(r"^(财政拨款)?“?三公”?经费 / ", "", f.column)
        label = "“三公”经费合计" if is_subtotal(label) else label
        rows.append(((f"{f.row}：" if f.row else "") + label, f.value))
    return rows, f"{items[0].table}，第{items[0].page}页，{items[0].unit}"
