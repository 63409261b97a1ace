"""The budget vocabulary (budgetqa/data/vocabulary.toml) as one typed, read-once object, and the few
questions every layer asks of it: is this a total row, a generic column, a money unit; what level is
this classification code; how is an amount printed."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "vocabulary.toml"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Vocabulary:
    grand_totals: frozenset[str]
    plain_totals: frozenset[str]
    subtotals: frozenset[str]
    three_public_totals: frozenset[str]
    income_totals: frozenset[str]
    spending_totals: frozenset[str]
    part_of_prefix: str
    generic_columns: frozenset[str]
    unnamed_columns: frozenset[str]
    money_scale: dict[str, float]  # unit -> how many 元
    usual_money: str
    percent: str
    count_units: frozenset[str]
    code_levels: dict[str, int]  # 类/款/项 -> digits
    expenditure_first_digit: frozenset[str]
    summing_first_digit: frozenset[str]
    decimals: int
    thousands_separator: bool


@cache
def vocabulary() -> Vocabulary:
    d = tomllib.loads(DATA.read_text(encoding="utf-8"))
    t, c, u, k, f = d["totals"], d["columns"], d["units"], d["codes"], d["format"]
    return Vocabulary(
        grand_totals=frozenset(t["grand"]), plain_totals=frozenset(t["plain"]),
        subtotals=frozenset(t["subtotal"]),
        three_public_totals=frozenset(t["three_public"]), income_totals=frozenset(t["income"]),
        spending_totals=frozenset(t["spending"]), part_of_prefix=t["part_of_prefix"],
        generic_columns=frozenset(c["generic"]), unnamed_columns=frozenset(c["unnamed"]),
        money_scale={unit: float(v) for unit, v in u["money"].items()}, usual_money=u["usual_money"],
        percent=u["percent"],
        count_units=frozenset(u["count"]),
        code_levels={level: int(n) for level, n in k["levels"].items()},
        expenditure_first_digit=frozenset(k["expenditure_first_digit"]),
        summing_first_digit=frozenset(k["summing_first_digit"]),
        decimals=int(f["decimals"]), thousands_separator=bool(f["thousands_separator"]),
    )


def squeeze(label: str | None) -> str:
    """A label as the vocabulary compares it: white space removed."""
    return _SPACE.sub("", label or "")


def is_total_row(label: str | None) -> bool:
    """A row (or top-level column) that is the table's total: 合计, 总计, 本年支出合计 ..."""
    return squeeze(label) in vocabulary().grand_totals


def is_subtotal(part: str) -> bool:
    """The last part of a column path that totals its group ("基本支出 / 小计")."""
    return squeeze(part) in vocabulary().subtotals


def is_part_of(label: str) -> bool:
    """"其中：…" rows and columns list a part of the line above, not one more item."""
    return label.startswith(vocabulary().part_of_prefix)


def is_generic_column(part: str) -> bool:
    """A column name that says nothing about the item (合计, 金额, 预算数 ...)."""
    return part in vocabulary().generic_columns


def is_money(unit: str | None) -> bool:
    return unit in vocabulary().money_scale


def money_units() -> tuple[str, ...]:
    """元, 万元, 亿元: smallest first."""
    scale = vocabulary().money_scale
    return tuple(sorted(scale, key=scale.__getitem__))


def money_pattern() -> str:
    """The money units as a regular-expression alternation, largest first: "亿元|万元|元"."""
    return "|".join(re.escape(u) for u in reversed(money_units()))


def convert(value: float, unit: str | None, to: str | None) -> float | None:
    """`value` in `unit` expressed in `to`; the value itself when either unit is missing or both are the
    same, None when they cannot be converted (万元 to 人, % to 元)."""
    if unit == to or to is None or unit is None:
        return value
    scale = vocabulary().money_scale
    if unit in scale and to in scale:
        return value * scale[unit] / scale[to]
    return None


def code_level(code: str | None) -> str | None:
    """类, 款 or 项 for a classification code of 3, 5 or 7 digits; None for anything else."""
    if not code or not code.isdigit():
        return None
    return next((level for level, n in vocabulary().code_levels.items() if len(code) == n), None)


def is_expenditure_function(code: str | None, level: str | None = None) -> bool:
    """A function-classification expenditure code (2xx), optionally of one level (类/款/项)."""
    lv = code_level(code)
    return (lv is not None and code is not None and code[0] in vocabulary().expenditure_first_digit
            and (level is None or lv == level))


def is_summing_code(code: str | None) -> bool:
    """A code whose row is the sum of its next-level rows (2xx functions, 3xx/5xx economic classes)."""
    return code_level(code) is not None and code is not None and code[0] in vocabulary().summing_first_digit


def class_of(code: str) -> str:
    """The 类 a code belongs to: 2010301 -> 201."""
    return code[: vocabulary().code_levels["类"]]


def fmt(value: float) -> str:
    """An amount as answers and reports print it: 2,946.25."""
    v = vocabulary()
    return f"{value:{',' if v.thousands_separator else ''}.{v.decimals}f}"
