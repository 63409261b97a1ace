"""Figures compared, not looked up: which of two named items is larger ("人员经费和公用经费哪个多"), one
figure as a multiple of another ("人员经费是公用经费的几倍"), and the largest item under a named total
("三公经费中哪一项最多": the rows or columns printed under it in its own table). Every figure is a looked-up
fact, cited; the value is the figure asked (the larger item, the ratio, the top item), never the total.
Phrasings are data (assistant/data/computed.toml)."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant import sums
from assistant.compose import cite, computed, fmt, label, not_found, where
from assistant.compute import Tools
from assistant.computed_asks import words as _words
from assistant.plan import Plan
from assistant.records import Answer
from budgetqa.vocabulary import is_total_row
from ingest.records import Fact


def _one(t: Tools, p: Plan, words: str) -> Fact | None:
    """The fact a part names, as a question about it alone would find it (an answered single figure)."""
    a = t.value(replace(p, query=t.sub_query(words, p.query), route="value"))
    if a.status != "answered" or a.value is None or a.computation or not a.citations:
        return None
    c = a.citations[0]
    facts = [f for d in p.departments for y in p.years for f in t.facts_in(d, y)]
    return next((f for f in facts if f.document == c.document and f.page == c.page and f.row == c.row
                 and (f.column or None) == c.column and abs(f.value - a.value) < 0.005), None)


def _two(t: Tools, p: Plan, text: str) -> tuple[Fact, Fact] | str:
    named = sums.parts(text, sums.joined_labels([f for d in p.departments for y in p.years for f in t.facts_in(d, y)]))
    if len(named) != 2:
        return "请说明要比较的两项。"
    found = [_one(t, p, w) for w in named]
    missing = [w for w, f in zip(named, found, strict=True) if f is None]
    if missing:
        return f"没有找到“{missing[0].strip()}”的数，无法比较。"
    a, b = found
    assert a is not None and b is not None
    if a.unit != b.unit:
        return "这两项的单位不同，无法比较。"
    return a, b


def which_of_two(t: Tools, p: Plan) -> Answer:
    """The larger (or smaller) of the two items named, both cited, the difference shown."""
    q = p.query
    m = re.search(_words()["which_of_two"], q.text)
    pair = _two(t, p, re.split(_words()["which_of_two"], q.item)[0])
    if isinstance(pair, str):
        return not_found(q.text, pair)
    a, b = pair
    small = bool(m and re.fullmatch(_words()["smaller"], m.group("d")))
    big, little = (a, b) if a.value >= b.value else (b, a)
    pick = little if small else big
    d = round(big.value - little.value, 2)
    how = f"{fmt(big.value)} - {fmt(little.value)} = {fmt(d)}"
    word = "少" if small else "多"
    sentence = (f"{label(a)}与{label(b)}相同，都是{fmt(a.value)}{a.unit}" if d == 0 else
                f"{label(pick)}更{word}：{fmt(pick.value)}{pick.unit}，比{label(big if small else little)}{word}{fmt(d)}{pick.unit}")
    return computed(q.text, q.item, "value", pick.value, pick.unit, sentence, how, [pick, big if small else little])


def ratio(t: Tools, p: Plan) -> Answer:
    """One figure as a multiple of another ("A是B的几倍")."""
    q = p.query
    m = re.search(_words()["ratio"], q.item) or re.search(_words()["ratio"], q.text)
    text = f"{q.item[:m.start()]}和{m.group('b')}" if m and m.start() > 0 else q.item
    pair = _two(t, p, text)
    if isinstance(pair, str):
        return not_found(q.text, pair)
    a, b = pair
    if b.value == 0:
        return not_found(q.text, f"{label(b)}为0，无法计算倍数。")
    r = round(a.value / b.value, 2)
    how = f"{fmt(a.value)} ÷ {fmt(b.value)} = {fmt(r)}"
    return computed(q.text, q.item, "ratio", r, "倍", f"{label(a)}是{label(b)}的{fmt(r)}倍", how, [a, b])


_TOTAL = r"(?:合计|小计|总计)$"


def _children(facts: list[Fact], whole: Fact) -> list[Fact]:
    """The figures printed directly under `whole` in its own table: the columns one level below its column
    (same row), else the rows one level below its row (same column)."""
    same = [f for f in facts if f.document == whole.document and f.table == whole.table and f.page == whole.page
            and f.table_index == whole.table_index and f.source == "table" and f is not whole and f.unit == whole.unit]
    path = whole.column.split(" / ")
    cols = [f for f in same if f.row == whole.row and f.column.split(" / ")[:-1] == path and len(f.column.split(" / ")) == len(path) + 1]
    if len(cols) >= 2:
        return cols
    if re.search(_TOTAL, path[-1]):  # "“三公”经费合计" beside its parts: the columns of its level, a group by its 小计
        level = [f for f in same if f.row == whole.row and f.column.split(" / ")[:-1] == path[:-1]]
        groups = [f for f in same if f.row == whole.row and len(f.column.split(" / ")) == len(path) + 1
                  and f.column.split(" / ")[:len(path) - 1] == path[:-1] and re.fullmatch(_TOTAL, f.column.split(" / ")[-1])]
        if len(level) + len(groups) >= 2:
            return level + groups
    top = (whole.row or "")
    if not top or is_total_row(top):  # a table's total row: the table's own rows beneath it, in its column
        return [f for f in same if f.column == whole.column and f.row and not is_total_row(f.row)
                and f.value < whole.value and not re.fullmatch(r"[\d\s]+", f.row)]
    return [f for f in same if f.column == whole.column and (f.row or "").startswith(top + " / ")
            and (f.row or "").count(" / ") == top.count(" / ") + 1]


def which_most(t: Tools, p: Plan) -> Answer:
    """The largest (or smallest) item printed under the total the question names, every item listed."""
    q = p.query
    m = re.search(_words()["which_most"], q.item) or re.search(_words()["which_most"], q.text)
    whole_words = re.split(r"中|里|当中|里面|之中|的", q.item[:m.start()] if m and m.start() > 0 else q.item)[0]
    if len(sums.meaningful(whole_words)) < 2:
        return not_found(q.text, "请说明是在哪一项（哪张表）里比较。")
    hits = [h.fact for h in t.lookup(t.sub_query(whole_words, q), p.departments, p.years, p.kind)]
    facts = [f for d in p.departments for y in p.years for f in t.facts_in(d, y)]
    # the total as its own table prints it when the best reading is a sentence: a table cell stating that figure
    hits += [f for f in facts if f.source == "table" and any(abs(f.value - h.value) < 0.005 and f.unit == h.unit
                                                             for h in hits[:1])
             and (sums.names(f, whole_words) or sums.fold(sums.meaningful(whole_words)) in sums.fold(f.table or ""))]
    found = [(w, k) for w in hits[:6] for k in [_children(facts, w)] if len(k) >= 2]
    if re.search(r"哪(?:一|个)?个?项目", q.text):
        # "哪个项目": the rows of a table of projects, never the classes its columns or another table name
        found = [(w, k) for w, k in found if k[0].column == w.column and "项目" in (w.table or "")]
    if not found:
        return not_found(q.text, f"没有找到“{whole_words}”下分列的各项，无法比较。")
    whole, kids = found[0]
    small = bool(m and re.fullmatch(_words()["smaller"], m.group("d")))
    kids = sorted(kids, key=lambda f: f.value, reverse=not small)
    top = kids[0]
    if len(kids) > 1 and kids[1].value == top.value:
        return not_found(q.text, f"“{label(whole)}”下有几项并列{'最少' if small else '最多'}，都是{fmt(top.value)}{top.unit}。")
    rest = "；".join(f"{label(f)}{fmt(f.value)}{f.unit}" for f in kids[1:])
    text = (f"{top.year}年{top.department}{label(whole)}中{'最少' if small else '最多'}的是{label(top)}，"
            f"{fmt(top.value)}{top.unit}（其余：{rest}）。{where(top)}。")
    return Answer(question=q.text, status="answered", answer=text, value=top.value, unit=top.unit,
                  citations=[cite(top), cite(whole)], department=top.department, year=top.year,
                  item=q.item, measure="value")


__all__ = ["ratio", "which_most", "which_of_two"]
