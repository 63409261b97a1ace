"""One printed label, several figures: a table that lists the same item name on several rows (a
procurement table's "会议服务" under each of its projects) does not say which of them a question
means. The readings are listed and the user is asked which, never one picked by its place."""

from __future__ import annotations

from assistant.compose import cite, fmt, label, where
from assistant.lookup import Scored
from assistant.plan import Plan
from assistant.records import Answer

_TIE = 0.05  # score difference within which two hits are read as equally good


def twins(hits: list[Scored]) -> list[Scored]:
    """The best hit and the equally scored hits printing the same label in the same table of the same
    document with another figure, one per figure; [] when the best hit has no such twin."""
    if not hits:
        return []
    best = hits[0].fact
    out, seen = [hits[0]], {round(best.value, 2)}
    for h in hits[1:]:
        f = h.fact
        if hits[0].score - h.score > _TIE:
            break
        if (f.document, f.table, f.row, f.column, f.unit) == (best.document, best.table, best.row, best.column, best.unit) \
                and round(f.value, 2) not in seen:
            out.append(h)
            seen.add(round(f.value, 2))
    return out if len(out) > 1 else []


def which_row(p: Plan, readings: list[Scored]) -> Answer:
    """Ask which of the same-named rows is meant, one line per figure with where it stands."""
    lines = [f"{label(h.fact)}：{fmt(h.fact.value)}{h.fact.unit}（{where(h.fact)}）" for h in readings[:5]]
    text = ("表中有几行名称相同、数字不同：\n" + "\n".join(f"· {x}" for x in lines)
            + "\n请问您指的是哪一行（例如所属的项目）？")
    f = readings[0].fact
    return Answer(question=p.query.text, status="ambiguous", answer=text, alternatives=lines,
                  citations=[cite(h.fact) for h in readings[:5]], department=f.department, year=f.year,
                  item=p.query.item, measure="value")
