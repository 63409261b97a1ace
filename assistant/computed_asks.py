"""Which computed measure a question asks when its words name none: "会议费比上年" (no 多少, no 增减) asks
the change from last year, not the figure. Phrasings are data (assistant/data/computed.toml)."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache

from assistant.understand import DATA


@lru_cache(maxsize=1)
def _words() -> dict[str, str]:
    return tomllib.loads((DATA / "computed.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _bare() -> re.Pattern[str]:
    return re.compile(_words()["bare_comparison"])


def asks_change(text: str) -> bool:
    """Whether the question ends comparing with last year without naming a measure ("培训费比上年？")."""
    t = re.sub(r"\s+", "", text)
    return bool(_bare().search(t)) and not re.search(_words()["why"], t)


__all__ = ["asks_change"]
