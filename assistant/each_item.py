"""Several items asked at once ("基本支出和项目支出各是多少", "会议费、培训费分别是多少"): each item answered
on its own, the way a question about it alone would be, and every figure cited. The headline value is
the first item's; an item the documents do not give is said to be missing, never filled with another's
figure; when an item has two readings, which one is asked before any figure is given.
"""

from __future__ import annotations

from dataclasses import replace

from assistant import budget_final, sums
from assistant.compose import cite, each_cited, fmt, label, not_found, where
from assistant.compute import Tools
from assistant.plan import Plan
from assistant.records import Answer


def each_item(t: Tools, p: Plan) -> Answer:
    """Every named item's figure, each cited (see the module's docstring)."""
    q = p.query
    pair = sums.column_pair(q.item)
    if pair is not None:
        return _two_columns(t, p, pair[0], pair[1])
    named = sums.each_items(q.item, sums.joined_labels([f for d in p.departments for y in p.years
                                                        for f in t.facts_in(d, y)]))
    if len(named) < 2:
        return t.value(replace(p, route="value"))
    answers = []
    for part in named:
        sub = t.sub_query(part, q)
        answers.append((part, t.value(replace(p, query=sub, route="value"))))
    unclear = next((a for _, a in answers if a.status == "ambiguous"), None)
    if unclear is not None:
        return unclear  # which reading of that item is meant is asked first
    found = [(part, a) for part, a in answers if a.status == "answered" and a.value is not None]
    if not found:
        return not_found(q.text, answers[0][1].answer)
    missing = [part for part, a in answers if all(a is not b for _, b in found)]
    note = ("已导入的文件中没有找到" + "、".join(f"“{m.strip()}”" for m in missing) + "的数字。") if missing else ""
    return each_cited(q.text, q.item, [a for _, a in found], note)


def _two_columns(t: Tools, p: Plan, item: str, first: str) -> Answer:
    """One item's budget figure and final figure ("预算数和决算数分别是多少"): the two of that one item
    (assistant/budget_final.py), both cited; the headline is the column named first."""
    sub = t.sub_query(item, p.query)
    sub.wants_budget_column = True
    budget = [h.fact for h in t.lookup(sub, p.departments, p.years, p.kind)]
    sub.wants_budget_column = False
    both = budget_final.pair(budget, [h.fact for h in t.lookup(sub, p.departments, p.years, p.kind)] + budget)
    if both is None:
        return not_found(p.query.text, f"没有同时找到“{item}”的预算数和决算数。")
    b, f = both
    head = f if "决算" in first else b
    text = (f"{f.year}年{f.department}{label(f)}：预算数{fmt(b.value)}{b.unit}（{where(b)}），"
            f"决算数{fmt(f.value)}{f.unit}（{where(f)}）。")
    return Answer(question=p.query.text, status="answered", answer=text, value=head.value, unit=head.unit,
                  citations=[cite(head), cite(f if head is b else b)], department=f.department, year=f.year,
                  item=p.query.item, measure="value")


__all__ = ["each_item"]
