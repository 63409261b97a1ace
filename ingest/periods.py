"""Which year and kind a figure belongs to when the document states another year's figure: a
column "2022年预算执行数" or "上年预算数" in a 2023 budget, a sentence "2022年当年预算执行数为1.48万元".
Such figures are facts of their own year and kind, so that change questions can use them."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache

from ingest.names import DATA


@lru_cache(maxsize=1)
def _words() -> dict[str, list[str]]:
    return tomllib.loads((DATA / "counts.toml").read_text(encoding="utf-8"))["period"]


def other_year_kind(column: str) -> str:
    """The kind of a figure stated for another year: spent (执行数, 决算) or budgeted."""
    return "决算" if any(w in column for w in _words()["spent_words"]) else "预算"


def column_period(column: str, year: int) -> tuple[int, str] | None:
    """(year, kind) of a table column holding another year's figures; None for this year's columns
    and for columns that compare years (增减, 比上年…)."""
    if not column or any(w in column for w in (*_words()["change_words"], *_words()["carried_words"])):
        return None
    years = {int(y) for y in re.findall(r"(?<!\d)(20\d\d)\s*年", column)}
    if len(years) == 1 and (y := years.pop()) != year:
        return y, other_year_kind(column)
    if not years and any(w in column for w in _words()["previous_year_words"]):
        return year - 1, other_year_kind(column)
    return None


def spent_column(column: str) -> bool:
    """A column of what was spent: 决算数, 预算执行数, 实际支出 (a budget's column otherwise: 预算数, 年初预算)."""
    return any(w in column for w in _words()["spent_words"])
