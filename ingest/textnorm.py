"""Cleaning of printed text and parsing of printed numbers."""

from __future__ import annotations

import math
import re

_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’（）《》、：；，。"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_MONEY = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_EMPTY_MARKS = {"", "-", "—", "－", "--", "/", "无", "——"}


def clean(text: str | None) -> str:
    """Join wrapped lines and drop the spaces that PDF layout puts between Chinese characters."""
    if not text:
        return ""
    t = text.replace("\n", "").replace("\r", "").replace("\u3000", " ")
    t = _SPACE_NEAR_CJK.sub("", t)
    return re.sub(r"\s{2,}", " ", t).strip()


def parse_number(text: str | None) -> float | None:
    """Printed figure -> float ('27,664.22' -> 27664.22); None for text, blanks and dashes."""
    if text is None:
        return None
    t = text.replace("\n", "").replace(" ", "").replace("，", ",")
    if t in _EMPTY_MARKS:
        return None
    if t.startswith("(") and t.endswith(")"):
        t = "-" + t[1:-1]
    if not _MONEY.match(t):
        return None
    try:
        value = float(t.replace(",", "").replace("−", "-"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None  # 400 printed digits are an ID, not a sum of money


def is_money_text(text: str | None) -> bool:
    """A figure as money is printed: with decimals or thousands separators."""
    if text is None:
        return False
    t = text.replace("\n", "").replace(" ", "")
    return parse_number(t) is not None and ("." in t or "," in t)


def is_integer_text(text: str | None) -> bool:
    t = (text or "").replace("\n", "").replace(" ", "")
    return t.isdigit()
