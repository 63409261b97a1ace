"""A figure of the year before, as a year's document states it in passing ("与2016年度相比（2016年度部门
支出预算安排为8,648.07万元），增加498.72万元"): quoted, never recomputed, when the sentence names the
year and the item just before the figure."""

from __future__ import annotations

import re

from assistant import sums
from budgetqa.vocabulary import is_money
from ingest.records import Fact


def stated_for(facts: list[Fact], year: int, item: str) -> Fact | None:
    """The one narrative figure whose sentence gives it as `year`'s (the year before the document's)
    for the item; None when none or several different figures are stated so."""
    core = sums.fold(sums.meaningful(item))
    if len(core) < 2:
        return None
    found: dict[float, Fact] = {}
    for f in facts:
        if f.source != "narrative" or not f.quote or not is_money(f.unit) or f.measure != "amount":
            continue
        for number in {f"{f.value:,.2f}", f"{f.value:.2f}", f"{f.value:,.2f}".rstrip("0").rstrip("."),
                       f"{f.value:.2f}".rstrip("0").rstrip(".")}:
            at = f.quote.find(number)
            if at < 0:
                continue
            # the clause before the figure: "2016年度部门支出预算安排为" names the year, then the item
            clause = re.split(r"[，。；,;（(]", f.quote[:at])[-1]
            m = re.search(rf"(?<!\d){year}\s*年度?", clause)
            if m and core in sums.fold(clause[m.end():]):
                found.setdefault(round(f.value, 2), f)
                break
    return next(iter(found.values())) if len(found) == 1 else None
