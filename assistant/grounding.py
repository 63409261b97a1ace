"""Every number an answer states must come from a cited fact or a stated computation."""

from __future__ import annotations

import re

_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")
# numbers that name things rather than state figures: file names, pages, years, quoted headings
_NAMES = re.compile(r"《[^》]*》|第\d+页|20\d\d年度?|“[^”]*”")


def _numbers(text: str) -> list[float]:
    return [float(x.replace(",", "")) for x in _NUM.findall(text or "")]


def allowed_numbers(answer: dict) -> set[float]:
    """The figures an answer may state: those in its citations, its value and its computation."""
    allowed: set[float] = set()
    for c in answer.get("citations") or []:
        for key in ("quote", "row", "column", "table", "heading"):
            allowed.update(_numbers(c.get(key) or ""))
    if answer.get("value") is not None:
        allowed.add(round(float(answer["value"]), 2))
    allowed.update(_numbers(answer.get("computation") or ""))
    return allowed


def ungrounded(text: str, answer: dict) -> list[str]:
    """Numbers in `text` that no citation, value or computation of `answer` accounts for."""
    allowed = allowed_numbers(answer)
    out = []
    for x in _NUM.findall(_NAMES.sub(" ", text or "")):
        v = float(x.replace(",", ""))
        if not any(abs(v - a) < 0.005 for a in allowed):
            out.append(x)
    return out
