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


@lru_cache(maxsize=1)
def table_types() -> tuple[TableType, ...]:
    raw = tomllib.loads((DATA / "table_types.toml").read_text(encoding="utf-8"))
    return tuple(
        TableType(t["id"], t["name"], tuple(re.compile(p) for p in t["patterns"]), bool(t.get("form", False)))
        for t in raw["type"]
    )


def classify(title: str) -> TableType:
    t = re.sub(r"\s+", "", title)
    for tt in table_types():
        if any(p.search(t) for p in tt.patterns):
            return tt
    return table_types()[-1]


def type_by_id(type_id: str) -> TableType:
    return next(t for t in table_types() if t.id == type_id)
