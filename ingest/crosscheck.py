"""Identities that budget tables must satisfy; each failure goes into the ingest report.

Failures are how we find extraction errors, and how users find errors in the documents.
Tolerance: one cent of the printed unit.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from budgetqa.vocabulary import fmt as _fmt
from budgetqa.vocabulary import is_part_of, is_subtotal, is_summing_code, is_total_row, squeeze, vocabulary
from ingest.records import CheckResult, Fact

TOL = 0.0101
NARRATIVE_CHECK = "说明与表格一致"
# figures the narrative states that a table of the same document must also hold
NARRATIVE_ITEMS = re.compile(r"^(“三公”经费|三公经费|因公出国（境）费|公务接待费|公务用车购置及运行费|公务用车购置费|公务用车运行维护费|基本支出|项目支出|收入总计|支出总计|收入支出总计|收支总计|财政拨款收入支出总计|本年收入合计|本年支出合计)$")
_TOTAL_ITEM = re.compile(r"总计$|合计$")  # a total stated as 0 is an error worth reporting, not an empty cell
RATE_CHECK = "增减额与增减率一致"


def _top_total(column: str) -> bool:
    return is_total_row(column) or squeeze(column) in vocabulary().three_public_totals


def _eq(a: float, b: float) -> bool:
    return abs(a - b) <= TOL


def _agrees(name: str, f: Fact, expected: float, detail: str) -> CheckResult:
    """Check `name`: fact f's value equals `expected` (within TOL), reported on f's table and page."""
    return CheckResult(name=name, ok=_eq(f.value, expected), table=f.table, page=f.page, detail=detail)


def _by_table(facts: Iterable[Fact]) -> dict[int, list[Fact]]:
    out: dict[int, list[Fact]] = defaultdict(list)
    for f in facts:
        if f.source == "table" and f.table_index is not None:
            out[f.table_index].append(f)
    return out


def _rows(facts: list[Fact]) -> dict[tuple[str | None, str | None, int], dict[str, Fact]]:
    rows: dict[tuple[str | None, str | None, int], dict[str, Fact]] = defaultdict(dict)
    for f in facts:
        # page + row position tells apart rows that share a label (two 一般行政管理事务)
        key = (f.row, f.row_code, f.page * 10000 + int(f.bbox[1] if f.bbox else 0))
        rows[key][f.column] = f
    return rows


def _group_total(cols: dict[str, Fact], prefix: tuple[str, ...]) -> float | None:
    """Total of the columns under a header prefix: its 小计 if printed, else the sum of its parts."""
    under = {tuple(c.split(" / ")): f for c, f in cols.items() if tuple(c.split(" / "))[: len(prefix)] == prefix}
    if not under:
        return None
    if prefix in under and len(under) == 1:
        return under[prefix].value
    for path, f in under.items():
        if len(path) == len(prefix) + 1 and is_subtotal(path[-1]):
            return f.value
    # dict, not set: header order, the same in every process (set order follows the per-process str hash)
    children = dict.fromkeys(p[len(prefix)] for p in under if len(p) > len(prefix))
    parts = [_group_total(cols, prefix + (c,)) for c in children if not is_part_of(c)]
    return sum(p for p in parts if p is not None)


def column_sums(facts: list[Fact]) -> list[CheckResult]:
    out = []
    for (row, _code, _pos), cols in _rows(facts).items():
        paths = [tuple(c.split(" / ")) for c in cols if c]
        for path in paths:
            f = cols[" / ".join(path)]
            if len(path) >= 2 and is_subtotal(path[-1]):
                parent = path[:-1]
                siblings = dict.fromkeys(p[len(parent)] for p in paths if p[: len(parent)] == parent and len(p) > len(parent))
                parts = [s for s in siblings if not is_subtotal(s) and not is_part_of(s)]
            elif len(path) == 1 and _top_total(path[0]):
                parent = ()
                parts = [p[0] for p in paths if p[0] != path[0] and not is_part_of(p[0])]
                parts = list(dict.fromkeys(parts))
            else:
                continue
            if not parts:
                continue
            total = sum(v for v in (_group_total(cols, parent + (s,)) for s in parts) if v is not None)
            name = " / ".join(path)
            out.append(_agrees("合计 = 各分项之和", f, total,
                               f"{row or ''} [{name}] {_fmt(f.value)} vs sum of {'、'.join(parts)} {_fmt(total)}"))
    return out


def code_hierarchy(facts: list[Fact]) -> list[CheckResult]:
    out = []
    by_col: dict[str, list[Fact]] = defaultdict(list)
    for f in facts:
        if f.row_code and is_summing_code(f.row_code):
            by_col[f.column].append(f)
    for col, fs in by_col.items():
        codes: dict[str, Fact] = {}
        for f in fs:
            codes.setdefault(f.row_code or "", f)
        for code, f in codes.items():
            kids = [g for c, g in codes.items() if len(c) == len(code) + 2 and c.startswith(code)]
            if not kids:
                continue
            total = sum(g.value for g in kids)
            out.append(_agrees("上级科目 = 下级科目之和", f, total,
                               f"{code} {f.row} [{col}] {_fmt(f.value)} vs children {_fmt(total)}"))
    return out


def totals_balance(facts: list[Fact]) -> list[CheckResult]:
    out = []
    income = [f for f in facts if f.row and squeeze(f.row) in vocabulary().income_totals]
    spend = [f for f in facts if f.row and squeeze(f.row) in vocabulary().spending_totals]
    if income and spend:
        a, b = income[0], spend[0]
        out.append(_agrees("收入总计 = 支出总计", a, b.value, f"{a.row} {_fmt(a.value)} vs {b.row} {_fmt(b.value)}"))
    return out


def narrative_agrees(facts: list[Fact]) -> list[CheckResult]:
    """A figure the narrative states for a key item must stand in some table of the document. With no
    table at all (the narrative file of a two-file publication, its tables file not ingested yet) there
    is nothing to check against: no result, rather than every figure failed; library.Library runs the
    check again over the whole group when the other part arrives (with_group_narrative)."""
    table_values = {(round(f.value, 2), f.unit) for f in facts if f.source == "table"}
    if not table_values:
        return []
    out = []
    for f in facts:
        if f.source != "narrative" or f.column not in ("预算数", "决算数") or not f.row:
            continue
        if not NARRATIVE_ITEMS.match(f.row) or (f.value == 0 and not _TOTAL_ITEM.search(f.row)):
            continue
        ok = (round(f.value, 2), f.unit) in table_values
        out.append(CheckResult(name=NARRATIVE_CHECK, ok=ok, table=None, page=f.page,
                               detail=f"narrative {f.row} {_fmt(f.value)}{f.unit}: {'found' if ok else 'not found'} in the tables"))
    return out


def with_group_narrative(checks: list[CheckResult], own: list[Fact], group: list[Fact]) -> list[CheckResult]:
    """A document's checks with its narrative check run against the tables of its whole department-year
    group: the other part of a two-file publication may hold the tables its narrative quotes."""
    document = own[0].document if own else None
    tables = [f for f in group if f.source == "table" and f.document != document]
    return [c for c in checks if c.name != NARRATIVE_CHECK] + narrative_agrees(own + tables)


def rates_agree(facts: list[Fact]) -> list[CheckResult]:
    """'减少63.14万元，下降2.09%' must agree with the stated figure: rate = change / last year's figure."""
    out = []
    nar = [f for f in facts if f.source == "narrative" and f.row]
    for ch in nar:
        word = next((w for w in ("增加", "减少") if ch.column == f"比上年{w}"), None)
        if word is None or ch.unit == "%":
            continue
        same = [f for f in nar if f.document == ch.document and f.row == ch.row and f.page == ch.page]
        rate = next((f for f in same if f.column.startswith("比上年") and f.unit == "%"), None)
        cur = next((f for f in same if f.column in ("预算数", "决算数") and f.unit == ch.unit), None)
        if rate is None or cur is None:
            continue
        prev = cur.value - ch.value if word == "增加" else cur.value + ch.value
        if prev <= 0:
            continue
        expected = ch.value / prev * 100
        out.append(CheckResult(name=RATE_CHECK, ok=abs(expected - rate.value) <= 0.01 + 1e-9, table=None, page=ch.page,
                               detail=f"{ch.row}: {word}{_fmt(ch.value)}{ch.unit} on {_fmt(prev)} is {expected:.2f}%, "
                                      f"the text says {rate.value:.2f}%"))
    return out


CLASS_TOTAL_CHECK = "合计行 = 各类之和"


def class_totals(facts: list[Fact]) -> list[CheckResult]:
    """A classification table's 合计 row equals, column by column, the sum of its 类 rows (3-digit
    codes): the check that a totals row printed alone on the next page joined the right table."""
    out = []
    by_col: dict[str, list[Fact]] = defaultdict(list)
    for f in facts:
        by_col[f.column].append(f)
    for col, fs in by_col.items():
        classes = {f.row_code: f for f in fs if f.row_code and len(f.row_code) == 3 and f.row_code.isdigit()}
        totals = [f for f in fs if not f.row_code and f.row and is_total_row(f.row)]
        if len(classes) < 2 or len(totals) != 1:
            continue
        t = totals[0]
        s = sum(f.value for f in classes.values())
        out.append(_agrees(CLASS_TOTAL_CHECK, t, s, f"{t.row} [{col}] {_fmt(t.value)} vs sum of {len(classes)} 类 {_fmt(s)}"))
    return out


def run_checks(facts: list[Fact]) -> list[CheckResult]:
    results: list[CheckResult] = []
    for table_facts in _by_table(facts).values():
        results += (column_sums(table_facts) + code_hierarchy(table_facts) + totals_balance(table_facts)
                    + class_totals(table_facts))
    return results + narrative_agrees(facts) + rates_agree(facts)
