"""Several years named in one question ("2017年和2019年的三公经费"): one figure per year, each from
that year's document and cited; a year the documents lack is said to be missing, never filled
with another year's figure."""

from __future__ import annotations

from dataclasses import replace

from assistant.compose import each_cited, not_found
from assistant.compute import Tools
from assistant.plan import Plan
from assistant.records import Answer


def each_year(t: Tools, p: Plan) -> Answer:
    """The item in every year the plan names, answered one year at a time; the headline value is
    the first year's."""
    q = p.query
    answers: list[tuple[int, Answer]] = []
    for y in p.years:
        sub = t.sub_query(q.item, q)
        sub.years = [y]
        answers.append((y, t.value(replace(p, query=sub, years=[y], route="value"))))
    found = [(y, a) for y, a in answers if a.status == "answered" and a.value is not None and a.year == y]
    unclear = next((a for _, a in answers if a.status == "ambiguous"), None)
    if unclear is not None and len(found) < len(answers):
        return unclear  # which item is meant is asked before any year is answered
    if not found:
        return not_found(q.text, answers[0][1].answer)
    missing = [y for y, a in answers if all(a is not b for _, b in found)]
    note = ("已导入的文件中没有找到" + "、".join(f"{y}年" for y in missing) + "的该项数字。") if missing else ""
    return each_cited(q.text, q.item, [a for _, a in found], note)
