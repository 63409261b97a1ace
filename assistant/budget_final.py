"""A 决算 prints the budget figure (预算数, 年初预算数) beside the final one (决算数): which two facts the gap
or the completion rate (执行率, 决算/预算) is computed from. Both must be of one item: the same row of
one document (a table row, or the sentence "X年初预算为…，支出决算为…"); a column that names a source of
funds ("一般公共预算财政拨款") is no budget figure. No such pair: nothing is computed."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import lru_cache

from assistant.understand import DATA, norm
from ingest.records import Fact


@lru_cache(maxsize=1)
def _columns() -> tuple[re.Pattern[str], re.Pattern[str], tuple[str, ...]]:
    raw = tomllib.loads((DATA / "computed.toml").read_text(encoding="utf-8"))
    return re.compile(raw["budget_column"]), re.compile(raw["final_column"]), tuple(raw["named_budgets"])


def _last(f: Fact) -> str:
    return norm(f.column.split(" / ")[-1])


def is_budget(f: Fact) -> bool:
    """The fact is a budget figure of a 决算 (its column: 预算数, 年初预算数, 调整预算数)."""
    return bool(_columns()[0].match(_last(f)))


def is_final(f: Fact) -> bool:
    """The fact is a final figure (its column: 决算数)."""
    return bool(_columns()[1].match(_last(f)))


def same_item(b: Fact, f: Fact) -> bool:
    """Budget and final figure of one item: one document, one row label, and (for table cells) one table
    and the same column group ("三公经费 / 合计 / 预算数" with "三公经费 / 合计 / 决算数")."""
    if b.document != f.document or b.unit != f.unit or norm(b.row) != norm(f.row):
        return False
    if b.source == "table" and f.source == "table":
        return b.table_index == f.table_index and b.column.split(" / ")[:-1] == f.column.split(" / ")[:-1]
    return b.source == f.source


def pair(budget: Sequence[Fact], final: Sequence[Fact], question: str = "") -> tuple[Fact, Fact] | None:
    """The best-ranked budget figure with a final figure of the same item, and that final figure; the
    budget column the question names first ("比全年预算少多少": 全年预算数, not a 年初预算数 of 0)."""
    finals = [f for f in final if is_final(f)]
    named = [w for w in _columns()[2] if w in norm(question)]
    if named:
        budget = sorted(budget, key=lambda b: not any(w in _last(b) for w in named))
    for b in budget:
        if not is_budget(b):
            continue
        for f in finals:
            if same_item(b, f):
                return b, f
    return None


__all__ = ["is_budget", "is_final", "pair", "same_item"]
