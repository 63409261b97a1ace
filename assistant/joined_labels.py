"""A label joining two items ("公务用车购置及运行费", "文件印刷及机要邮资费") states their total. A question
that names one of the two and not the other ("公务用车购置费") asks for a part: the joined figure is
not its answer (183.60 for a 购置费 the table prints as 0 would be a wrong figure)."""

from __future__ import annotations

import re

from ingest.records import Fact

_JOIN = re.compile(r"([^\s/（）()及]{2,})及([^\s/（）()及]{2,})")  # the two sides of "A及B"


def names_one_side(f: Fact, question: str) -> bool:
    """The fact's row or column leaf joins two items with 及 and the question names one side (its
    last or first two characters) without the other, and without the joining word."""
    if "及" in question:
        return False
    for part in ((f.row or "").split(" / ")[-1], f.column.split(" / ")[-1]):
        for m in _JOIN.finditer(part):
            left, right = m.group(1)[-2:], m.group(2)[:2]
            if (left in question) != (right in question):
                return True
    return False
