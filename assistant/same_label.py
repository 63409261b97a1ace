"""One printed label, several figures: a table that lists the same item name on several rows (a
procurement table's "会议服务" under each of its projects) does not say which of them a question
means; nor does a question naming neither of two tables of one document that print the item's row
with different figures (a basic-expenditure table's "办公费" beside the economic-classification
summary's, which also holds the project money). The readings are listed and the user is asked
which, never one picked by its place."""

from __future__ import annotations

from assistant.compose import cite, fmt, label, where
from assistant.fact_labels import whole_of_parts
from assistant.lookup import Scored
from assistant.plan import Plan
from assistant.records import Answer
from assistant.understand import Query
from assistant.whole import words as whole_words
from budgetqa.vocabulary import vocabulary

_TIE = 0.05  # score difference within which two hits are read as equally good


def twins(hits: list[Scored]) -> list[Scored]:
    """The best hit and the equally scored hits printing the same row label in the same document (the
    same table and column, or another table) with another figure, one per figure; [] when the best
    hit has no such twin."""
    if not hits:
        return []
    best = hits[0].fact
    out, seen = [hits[0]], {round(best.value, 2)}
    for h in hits[1:]:
        f = h.fact
        if hits[0].score - h.score > _TIE:
            break
        same_cell = (f.table, f.column) == (best.table, best.column)
        # another table's row of the item itself; a total row's figure is its column's, not the row's
        other_table = f.table != best.table and f.source == best.source == "table" and not _total(best.row)
        if (f.document, f.row, f.unit) == (best.document, best.row, best.unit) and (same_cell or other_table) \
                and f.row and round(f.value, 2) not in seen:
            out.append(h)
            seen.add(round(f.value, 2))
    return out if len(out) > 1 else []


def _total(row: str | None) -> bool:
    leaf = (row or "").split(" / ")[-1]
    return not leaf or leaf in vocabulary().plain_totals or leaf.endswith(tuple(vocabulary().plain_totals))


def which_row(p: Plan, readings: list[Scored]) -> Answer:
    """Ask which of the same-named rows is meant, one line per figure with where it stands."""
    lines = [f"{label(h.fact)}：{fmt(h.fact.value)}{h.fact.unit}（{where(h.fact)}）" for h in readings[:5]]
    tables = {h.fact.table for h in readings[:5]}
    head, ask = (("表中有几行名称相同、数字不同：", "请问您指的是哪一行（例如所属的项目）？") if len(tables) == 1
                 else ("几张表都列有这一项，数字不同：", "请问您指的是哪张表的数字？"))
    text = head + "\n" + "\n".join(f"· {x}" for x in lines) + "\n" + ask
    f = readings[0].fact
    return Answer(question=p.query.text, status="ambiguous", answer=text, alternatives=lines,
                  citations=[cite(h.fact) for h in readings[:5]], department=f.department, year=f.year,
                  item=p.query.item, measure="value")


def the_whole(q: Query, readings: list[Scored]) -> list[Scored] | None:
    """For a question asking an item's whole ("印刷费一共安排了多少"), the reading of the one table of all
    the spending first, when every other reading is from a table of one part of it; else None."""
    if not any(w in q.q for w in whole_words().whole):
        return None
    whole, parts = whole_of_parts()
    of_all = [h for h in readings if h.fact.table_type in whole]
    if len(of_all) != 1 or not all(h.fact.table_type in parts for h in readings if h is not of_all[0]):
        return None
    return [of_all[0], *(h for h in readings if h is not of_all[0])]
