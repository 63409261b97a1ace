"""Which computed measure a question asks when its words name none: "会议费比上年" (no 多少, no 增减) asks
the change from last year, not the figure; "A和B哪个多", "A是B的几倍", "X中哪一项最多" ask a comparison.
Phrasings are data (assistant/data/computed.toml)."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache

from assistant.understand import DATA


@lru_cache(maxsize=1)
def words() -> dict[str, str]:
    """The phrasings of assistant/data/computed.toml."""
    return tomllib.loads((DATA / "computed.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _bare() -> re.Pattern[str]:
    return re.compile(words()["bare_comparison"])


def asks_change(text: str) -> bool:
    """Whether the question ends comparing with last year without naming a measure ("培训费比上年？")."""
    t = re.sub(r"\s+", "", text)
    return bool(_bare().search(t)) and not re.search(words()["why"], t)


def comparison(text: str) -> str | None:
    """Which comparison of figures the question asks (assistant/comparisons.py): 'ratio' ("A是B的几倍"),
    'which_most' ("X中哪一项最多"), 'which_of_two' ("A和B哪个多"), or None. Across departments or years
    ("哪个部门最高") is the library's question, not one of these."""
    t = re.sub(r"\s+", "", text)
    if re.search(r"哪(?:个|一个|些)?(?:部门|单位|年|家)", t):
        return None
    for name in ("ratio", "which_most", "which_of_two"):
        if re.search(words()[name], t):
            return name
    return None


__all__ = ["asks_change", "comparison", "words"]
