"""What a named table lists: "项目支出预算表里一共列了多少个项目", "项目支出表里有哪些项目".

A question that names a table ("…表里", "…表中") and asks how many things it lists, or which, is answered
from that table's rows, not from a sentence elsewhere that counts something else (a narrative's "共28
个项目" may count the projects under performance management). The rows counted are the table's own items:
not its total lines, not the lines that only head a group of other rows, not a line naming the reporting
unit or printing a code alone. One department and year only; several → left to the other tools.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.compose import cite, where
from assistant.counts import asked_unit
from assistant.guards import NAMED_TABLE, named_table_type
from assistant.records import Answer
from assistant.understand import Query
from budgetqa.vocabulary import is_total_row
from ingest.records import Fact

_WHICH = re.compile(r"哪些|哪几|列了什么|有什么|都有|列出")
_ITEM_UNITS = ("个", "项")  # a count of listed things, not of people or vehicles
_SHOWN = 30  # names listed in the answer at most


# what a question of the whole list says besides the table's name ("…表里一共列了多少个项目"); any other
# word qualifies the rows ("特定目标类的项目有几个") and leaves the question to the counting of listings
_PLAIN = re.compile(r"20\d\d年?度?|今年|本年|表格?|里面|里|中|上|一共|总共|共|合计|列了|列出|列有|列|包括|包含|有|是|"
                    r"多少|几|个|项目?|条|行|哪些|哪几|什么|都|的|了|呢|吗|请问|[？?。，,、\s]")


def asks_rows(q: Query) -> bool:
    """The question names a table and asks how many things it lists, or which, and nothing narrower."""
    if named_table_type(q) is None or re.search(r"[\u4e00-\u9fff]", _PLAIN.sub("", NAMED_TABLE.sub("", q.rest or q.q, count=1))):
        return False
    unit = asked_unit(q.q)
    return bool(_WHICH.search(q.q)) or (q.count and (unit is None or unit in _ITEM_UNITS))


def _own_rows(facts: Sequence[Fact]) -> list[str]:
    """The row paths of one table that are its items, in printed order."""
    def at(f: Fact) -> tuple[int, float]:
        return f.page, f.bbox[1] if f.bbox else 0.0

    paths = list(dict.fromkeys(f.row for f in sorted(facts, key=at) if f.row))
    departments = {f.department for f in facts}
    out = []
    for path in paths:
        leaf = path.split(" / ")[-1].strip()
        if not re.search(r"[\u4e00-\u9fff]", leaf) or is_total_row(leaf):
            continue  # "102", "合计"
        if any(leaf in d or d in leaf for d in departments):
            continue  # the reporting unit's line
        if any(other.startswith(path + " / ") for other in paths):
            continue  # a heading over other rows
        out.append(path)
    return out


def answer(q: Query, scope: Sequence[Fact]) -> Answer | None:
    """How many items (and which) the named table of the one department and year in scope lists."""
    t = named_table_type(q)
    if t is None:
        return None
    facts = [f for f in scope if f.table_type == t and f.source == "table"]
    if len({(f.department, f.year) for f in facts}) != 1:
        return None
    first_doc = facts[0].document
    facts = [f for f in facts if f.document == first_doc]  # another version of the document lists the same
    rows = _own_rows(facts)
    if not rows:
        return None
    f = facts[0]
    pages = sorted({g.page for g in facts})
    shown = "、".join(r.split(" / ")[-1] for r in rows[:_SHOWN]) + ("等" if len(rows) > _SHOWN else "")
    table = f.table or ""
    text = (f"{f.year}年{f.department}《{table}》列有{len(rows)}项：{shown}。"
            f"（按表中各行计数，不含合计行。）{where(f)}")
    if len(pages) > 1:
        text += f"，共{len(pages)}页（第{pages[0]}–{pages[-1]}页）"
    text += "。"
    cits = [cite(next(g for g in facts if g.row == r)) for r in rows[:8]]  # each row's first cell
    return Answer(question=q.text, status="answered", answer=text, value=float(len(rows)), unit="个",
                  citations=cits, department=f.department, year=f.year, item=q.item, measure="count")


__all__ = ["answer", "asks_rows"]
