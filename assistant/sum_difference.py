"""Sums and differences: two or more named items added, or one taken from the other; the rows whose
name contains a word, or a class's items, added (the words are read by assistant/sums.py). Each sum
is computed in code from looked-up facts and shows how."""

from __future__ import annotations

from dataclasses import replace

from assistant import sums
from assistant.compose import cite, computed, fmt, label, not_found, where
from assistant.compute import Tools
from assistant.lookup import Scored
from assistant.plan import Plan
from assistant.records import Answer
from assistant.understand import Query, expand, norm
from budgetqa.vocabulary import convert, is_money
from ingest.records import Fact


def sum_or_difference(t: Tools, p: Plan) -> Answer:
    """Two or more named items added, or one taken from the other; the rows whose name contains a
    word, or a class's items, added (assistant/sums.py)."""
    q, depts, years = p.query, p.departments, p.years
    if q.measure == "sum" and len(depts) == 1 and len(years) == 1:
        listed = _rows_asked(t, p)
        if listed is not None:
            return listed
    fuller = sums.item_keeping_names(p.text, list(depts))
    parts = sums.parts(fuller if fuller else q.item, sums.joined_labels(_in_scope(t, p)))
    if fuller:  # the parts keep the body's name inside their words ('人大立法'): read them as they are
        p = replace(p, query=replace(q, item=fuller, rest=fuller))
    if len(parts) < 2:
        return t.value(p)
    if q.measure == "difference":
        parts = parts[:2]
    found: list[Fact] = []
    said: list[tuple[float, str | None] | None] = []
    named: list[str] = []
    for part in parts:
        words, number, unit_said = sums.figure_said(part)
        f = _operand(t, p, words, number, unit_said, found[0] if found else None, bool(fuller))
        if f is None:
            return not_found(q.text, f"没有找到“{(words or part).strip()}”的数据，无法计算。")
        found.append(f)
        named.append(words)
        said.append((number, unit_said) if number is not None else None)
    if not any(said):
        found = _one_table(t, found, named)
    unit = found[0].unit
    if any(f.unit != unit for f in found):
        return not_found(q.text, "这些数字的单位不同，无法直接相加减。")
    note = _check_said(found, said)
    if note:
        answer = _combine(q, found, unit)
        return answer.model_copy(update={"answer": note + answer.answer})
    return _combine(q, found, unit)


def _in_scope(t: Tools, p: Plan) -> list[Fact]:
    return [f for d in p.departments for y in p.years for f in t.facts_in(d, y)]


def _combine(q: Query, found: list[Fact], unit: str) -> Answer:
    if q.measure == "sum":
        return _total(q, found, "、".join(label(f) for f in found))
    a, b = found
    v = round(a.value - b.value, 2)
    how = f"{fmt(a.value)} - {fmt(b.value)} = {fmt(v)}"
    return computed(q.text, q.item, q.measure, abs(v), unit, f"{label(a)}比{label(b)}{'多' if v >= 0 else '少'}{fmt(abs(v))}{unit}",
                    how, [a, b])


def _one_table(t: Tools, found: list[Fact], named: list[str]) -> list[Fact]:
    """The items of a sum or difference from one table and column when one table holds them all
    (the rows of the first operand's table first): figures of one table add up as it prints them."""
    if len({(f.document, f.table, f.column) for f in found}) == 1:
        return found
    for anchor in found:
        facts = t.facts_in(anchor.department, anchor.year)
        out: list[Fact] = []
        for f, words in zip(found, named, strict=True):
            if (f.document, f.table, f.column) == (anchor.document, anchor.table, anchor.column):
                out.append(f)
                continue
            mate = sums.same_table_row(facts, anchor, words)
            if mate is None:
                break
            out.append(mate)
        else:
            return out
    return found


def _listing(what: str, rows: tuple[Fact, ...]) -> str:
    v = round(sum(f.value for f in rows), 2)
    return (f"{what}（" + "、".join(f"{label(f)}{fmt(f.value)}" for f in rows)
            + f"）合计{fmt(v)}{rows[0].unit}（{where(rows[0])}）")


def _adding(rows: tuple[Fact, ...]) -> str:
    return " + ".join(fmt(f.value) for f in rows) + f" = {fmt(round(sum(f.value for f in rows), 2))}"


def _operand(t: Tools, p: Plan, words: str, number: float | None, unit_said: str | None,
             first: Fact | None, keep_names: bool = False) -> Fact | None:
    """One side of a sum or difference: the fact the words name; the one stating the figure the user
    quotes when several may be meant; a row of the first side's table when one there is named so."""
    own = words.split(" ", 1)[-1]  # without the words saying where the items stand ('人大事务 人大立法')
    hits: list[Scored] = []
    for text in dict.fromkeys([words, own]):
        found = _looked_up(t, p, text, keep_names)
        # a hit must speak of the item's own words: the class the context names ('人大事务') is not its item
        named = [h for h in found if own == words or sums.names(h.fact, own)]
        hits = named or hits or ([] if own != words and text == words else found)
        if named:
            break
    if number is not None:
        scope = [h.fact for h in hits] + [f for d in p.departments for y in p.years for f in t.facts_in(d, y)
                                          if p.kind is None or f.kind == p.kind]
        same = [f for f in scope if is_money(f.unit) and _equal(f, number, unit_said)
                and (sums.names(f, words) or f in [h.fact for h in hits])]
        if same:
            return same[0]
    if first is not None and hits and hits[0].fact.table != first.table:
        mate = sums.same_table_row(t.facts_in(first.department, first.year), first, words)
        if mate is not None:
            return mate
    return hits[0].fact if hits else None


def _looked_up(t: Tools, p: Plan, words: str, keep_names: bool) -> list[Scored]:
    if len(sums.meaningful(words)) < 2:
        return []
    sub = t.sub_query(words, p.query)
    if keep_names:  # the reader would drop the body's name inside the words ('人大立法')
        sub = replace(sub, item=words, rest=words, q=norm(words), targets=expand(words))
    return t.lookup(sub, p.departments, p.years, p.kind)


def _equal(f: Fact, number: float, unit: str | None) -> bool:
    v = convert(number, unit, f.unit) if unit else number
    return v is not None and abs(f.value - v) < 0.005


def _check_said(found: list[Fact], said: list[tuple[float, str | None] | None]) -> str:
    """'您说的X与文件不一致' for every quoted figure the document does not state for its item."""
    notes = []
    for f, s in zip(found, said, strict=True):
        if s is not None and not _equal(f, *s):
            notes.append(f"您提到的{fmt(s[0])}{s[1] or ''}与文件不一致，文件中{label(f)}为{fmt(f.value)}{f.unit}。")
    return "".join(notes)


def _total(q: Query, found: list[Fact] | tuple[Fact, ...], names: str) -> Answer:
    unit = found[0].unit
    v = round(sum(f.value for f in found), 2)
    how = " + ".join(fmt(f.value) for f in found) + f" = {fmt(v)}"
    return computed(q.text, q.item, q.measure, v, unit, f"{names}合计{fmt(v)}{unit}", how, list(found))


def _rows_asked(t: Tools, p: Plan) -> Answer | None:
    """"名字里带'X'的几个项目加起来", "属于'X'的几项加起来": every such row of one table added, each
    listed; None when the question names its items one by one."""
    q = p.query
    word = sums.named_word(p.text)
    cls = sums.class_asked(p.text) if word is None else None
    if word is None and cls is None:
        return None
    facts = [f for f in t.facts_in(p.departments[0], p.years[0]) if p.kind is None or f.kind == p.kind]
    prefer = sums.context(q.item)[0] or p.text
    tables = sums.rows_named(facts, word, prefer) if word else sums.rows_of_class(facts, *cls, prefer) if cls else []
    what = f"名称中含“{word}”的项目" if word else f"属于“{cls[0] if cls else ''}”的项目"
    if not tables or not tables[0].facts:
        return not_found(q.text, f"已导入的文件中没有找到{what}，无法计算。")
    rows = tables[0].facts
    rivals = [r for r in tables[1:] if r.preferred == tables[0].preferred and r.total != tables[0].total]
    if rivals:  # the word stands in rows of several tables that add up differently: ask which
        readings = (tables[0], *rivals[:2])
        lines = [_listing(f"{r.facts[0].table or ''}中", r.facts) for r in readings]
        return Answer(question=q.text, status="ambiguous", alternatives=lines,
                      computation="；".join(_adding(r.facts) for r in readings),
                      answer=f"{what}在几张表中都有，加起来不同：\n" + "\n".join(f"· {x}" for x in lines)
                      + "\n请问您指的是哪一张表？", citations=[cite(f) for r in readings for f in r.facts],
                      department=rows[0].department, year=rows[0].year, item=q.item, measure="sum")
    headed = sums.headed_by(rows, word) if word else rows
    if 0 < len(headed) < len(rows):  # "办公经费—其他", "办公经费-差旅费" … and "国防办办公经费": two readings
        lines = [_listing(f"名称以“{word}”开头的", headed), _listing(f"名称中含“{word}”的", rows)]
        return Answer(question=q.text, status="ambiguous", alternatives=lines, citations=[cite(f) for f in rows],
                      computation="；".join(_adding(x) for x in (headed, rows)),
                      answer="这个问题有两种读法，合计不同：\n" + "\n".join(f"· {x}" for x in lines)
                      + "\n请问您指的是哪一种？", department=rows[0].department, year=rows[0].year, item=q.item,
                      measure="sum")
    said = sums.count_said(p.text)
    if said is not None and said != len(rows):  # "这三个项目" and six rows found: not what the user sees
        lines = [f"{label(f)}{fmt(f.value)}{f.unit}（{where(f)}）" for f in rows]
        return Answer(question=q.text, status="ambiguous", alternatives=lines, citations=[cite(f) for f in rows],
                      answer=f"您说的项数与文件不符，文件中{what}是这些：\n" + "\n".join(f"· {x}" for x in lines)
                      + "\n请问要加哪几项？", department=rows[0].department, year=rows[0].year, item=q.item,
                      measure="sum")
    units = {f.unit for f in rows}
    if len(units) > 1:
        return not_found(q.text, f"{what}的数字单位不同，无法直接相加。")
    names = f"{what}（" + "、".join(label(f) for f in rows) + "）"
    return _total(q, rows, names)
