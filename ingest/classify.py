"""Table title -> canonical table type, from the reviewable list in data/table_types.toml."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class TableType:
    id: str
    name: str
    patterns: tuple[re.Pattern[str], ...]
    form: bool = False
    headers: tuple[re.Pattern[str], ...] = ()  # a column-group header that shows the type when the title does not


@lru_cache(maxsize=1)
def table_types() -> tuple[TableType, ...]:
    raw = tomllib.loads((DATA / "table_types.toml").read_text(encoding="utf-8"))
    return tuple(
        TableType(t["id"], t["name"], tuple(re.compile(p) for p in t["patterns"]), bool(t.get("form", False)),
                  tuple(re.compile(p) for p in t.get("header_patterns", [])))
        for t in raw["type"]
    )


def classify(title: str) -> TableType:
    t = re.sub(r"\s+", "", title)
    for tt in table_types():
        if any(p.search(t) for p in tt.patterns):
            return tt
    return table_types()[-1]


def classify_by_headers(title_type: TableType, column_paths: list[list[str]]) -> TableType:
    """The table type its column-group headers show ("“三公”经费" above "因公出国（境）费" and "公务接待费")
    when the title names no type of its own that does ("算表", "支出预算表": the rest of a title cut by
    the page); the title's type otherwise. Only headers above other headers count, not a single column's."""
    if title_type.headers:
        return title_type
    groups = [re.sub(r"\s+", "", part) for path in column_paths for part in path[:-1]]
    for tt in table_types():
        if tt.headers and any(p.search(g) for p in tt.headers for g in groups):
            return tt
    return title_type


def type_by_id(type_id: str) -> TableType:
    return next(t for t in table_types() if t.id == type_id)
