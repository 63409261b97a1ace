"""Recognise a document's department, year and kind from its title page, table headers and file name."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache

from ingest.classify import DATA
from ingest.textnorm import clean


@lru_cache(maxsize=1)
def department_aliases() -> tuple[tuple[str, str], ...]:
    """(alias, canonical name), longest alias first."""
    raw = tomllib.loads((DATA / "departments.toml").read_text(encoding="utf-8"))
    pairs = [(a, d["name"]) for d in raw["department"] for a in [d["name"], *d["aliases"]]]
    # ties broken by the pair itself: set order differs between processes
    return tuple(sorted(set(pairs), key=lambda p: (-len(p[0]), p)))


def match_department(text: str) -> str | None:
    t = re.sub(r"\s+", "", text)
    for alias, name in department_aliases():
        if alias in t:
            return name
    return None


_TITLE_DEPT = re.compile(r"^(.{2,40}?)(?:20\d\d|\d{2})?\s*年度?.{0,6}(?:部门|单位)?(?:预算|决算)")


def _title_department(title: str) -> str | None:
    m = _TITLE_DEPT.search(title)
    if m:
        name = re.sub(r"20\d\d$", "", m.group(1)).strip("：: ")
        if len(name) >= 3:
            return name
    return None


def identify(file_name: str, first_pages_text: str, table_hints: list[str]) -> tuple[str, int | None, str]:
    """-> (department, year or None, kind)."""
    head = clean(first_pages_text[:600])
    stem = re.sub(r"\.pdf$", "", file_name, flags=re.I)
    department = (
        match_department(head[:200])
        or next((d for d in map(match_department, table_hints) if d), None)
        or match_department(stem)
        or match_department(head)
        or _title_department(head)
        or (max(table_hints, key=len) if table_hints else None)
        or stem
    )
    year = None
    for text in (head, stem):
        m = re.search(r"(20\d\d)\s*年?度?\s*(?:省级)?(?:部门|单位)?(?:预算|决算)", text)
        if m:
            year = int(m.group(1))
            break
    if year is None:
        m = re.search(r"(20\d\d)", stem) or re.search(r"(20\d\d)\s*年", head) or re.search(r"(?<!\d)(\d{2})年", stem)
        if m:
            y = int(m.group(1))
            year = y if y > 1999 else 2000 + y
    kind = "决算" if ("决算" in head[:200] or "决算" in stem) else "预算"
    return department, year, kind
