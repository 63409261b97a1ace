"""Compute tools: figures the documents imply (sums, differences, shares, changes, budget against
final account, last year's figure), each computed in code from looked-up facts and saying how.

A figure the document states (a change, a rate, a share in the narrative) is quoted, not
recomputed: every tool here first asks the lookup for a stated one.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Protocol

from assistant import budget_final, prior, stated_years, sums
from assistant.compose import budget_column_word, cite, computed, fmt, label, not_found, where
from assistant.lookup import Scored
from assistant.plan import Plan
from assistant.records import Answer
from assistant.understand import Query, expand, norm
from budgetqa.vocabulary import convert, is_money, vocabulary
from ingest.records import Fact


class Tools(Protocol):
    """What the compute tools need of the assistant: ranked lookups and the facts of one document."""

    def lookup(self, q: Query, depts: list[str], years: list[int], kind: str | None,
               measure: str = "value") -> list[Scored]: ...

    def sub_query(self, text: str, q: Query) -> Query: ...

    def facts_in(self, department: str, year: int) -> list[Fact]: ...

    def years_of(self, department: str) -> list[int]: ...

    def value(self, plan: Plan) -> Answer: ...


def _stated(q: Query, f: Fact, value_unit: str, sentence: str, measure: str) -> Answer:
    return Answer(question=q.text, status="answered", answer=sentence, value=f.value, unit=value_unit,
                  citations=[cite(f)], department=f.department, year=f.year, item=q.item, measure=measure)


def change(t: Tools, p: Plan) -> Answer:
    """The change from last year: as the document states it (a decline stated as a decline), else
    computed from two years' documents. A year the question names to compare with ('比2017年' in a
    2019 question) is compared with that year's document, never with the year before."""
    q, depts, years, kind = p.query, p.departments, p.years, p.kind
    if not sums.meaningful(_CHANGE_WORDS.sub("", _COMPARING.sub("", q.item))):
        # "how much did the budget grow": no item but the budget itself, its total
        total = _total_change(t, p)
        if total is not None:
            return total
        whole = t.sub_query(sorted(vocabulary().spending_totals)[0], q)
        whole.measure = q.measure
        p = replace(p, query=whole)
        q = whole
    if p.compare_year is None:
        stated = _stated_change(t, p)
        if stated is not None:
            return stated
    if years:
        base = p.compare_year if p.compare_year is not None else years[0] - 1
        item = _COMPARING.sub(" ", _BASE_ACCOUNT.sub(r"\1", q.item)).strip()
        # '一般公共服务支出比 相比': the comparing words name no item; the figures are looked up without them,
        # and an account word of the base ('比2022年执行数') describes the other year's figure, not this one
        lq = t.sub_query(item, q) if item != q.item.strip() else q
        cur = t.lookup(lq, depts, years, kind)
        prev = t.lookup(lq, depts, [base], kind) if cur else []
        if cur:  # the same item in the other year: same label, else same row in the same kind of table
            a0 = cur[0].fact
            prev = ([x for x in prev if label(x.fact) == label(a0) and x.fact.table_type == a0.table_type]
                    or [x for x in prev if label(x.fact) == label(a0)]
                    or [x for x in prev if x.fact.row == a0.row and x.fact.table_type == a0.table_type])
        pair = None
        if cur and not prev and len(depts) == 1:  # the base year's figure stated in this year's document
            pair = stated_years.change_pair([h.fact for h in cur], t.facts_in(depts[0], base) + t.facts_in(depts[0], years[0]), base)
        if (cur and prev) or pair:
            a, b = pair or (cur[0].fact, prev[0].fact)
            if a.unit != b.unit:
                return not_found(q.text, f"{a.year}年和{b.year}年的该项数字单位不同，无法比较。")
            diff = round(a.value - b.value, 2)
            if q.measure == "change_rate":
                if b.value == 0:
                    return not_found(q.text, f"{b.year}年数为0，无法计算增长率。")
                rate = round(diff / b.value * 100, 2)
                how = f"({fmt(a.value)} - {fmt(b.value)}) ÷ {fmt(b.value)} × 100% = {fmt(rate)}%"
                word = "增长" if rate >= 0 else "下降"
                return computed(q.text, q.item, q.measure, rate, "%",
                                f"{label(a)}比{b.year}年{word}{fmt(abs(rate))}%", how, [a, b])
            how = f"{fmt(a.value)} - {fmt(b.value)} = {fmt(diff)}"
            word = "增加" if diff >= 0 else "减少"
            return computed(q.text, q.item, q.measure, abs(diff), a.unit,
                            f"{label(a)}比{b.year}年{word}{fmt(abs(diff))}{a.unit}", how, [a, b])
        if p.compare_year is not None:
            missing = years[0] if not cur else p.compare_year
            return not_found(q.text, f"没有找到该项目{missing}年的数字，无法比较{years[0]}年和{p.compare_year}年。")
    return not_found(q.text, "文件中没有说明该项目与上年相比的变化，也没有上年的文件可供计算。")


_CHANGE_WORDS = re.compile(r"增长|下降|增加|减少|变化|增幅|降幅|多了|少了|多少|百分|之几|比|较|[?？]")
_BASE_ACCOUNT = re.compile(r"((?:比|较|与|和|同)\s*)(?:上年|去年|上一年)?\s*(?:预算执行数|执行数|决算数|预算数|年初预算数?)")
_COMPARING = re.compile(r"相比|比较|对比|(?:比|较|与|和|同|到|至|从)(?=\s|$)|^\s*(?:从|比|与|和|到)")


def _total_change(t: Tools, p: Plan) -> Answer | None:
    """The change of the whole budget (收支总计: income and spending together) as the narrative states
    it, when every such sentence states the same figure."""
    q = p.query
    rate = q.measure == "change_rate"
    said = [f for d in p.departments for y in p.years[:1] for f in t.facts_in(d, y)
            if f.source == "narrative" and f.column.startswith("比上年") and (f.unit == "%") == rate
            and (p.kind is None or f.kind == p.kind)
            and "收支" in (f.row or "") and (f.row or "").endswith(tuple(vocabulary().plain_totals))]
    if not said or len({round(f.value, 2) for f in said}) != 1:
        return None
    f = said[0]
    word = f.column.replace("比上年", "").replace("率", "")
    unit = "%" if rate else f.unit
    return _stated(q, f, unit, f"{f.year}年{f.department}{f.row}比上年{word}{fmt(f.value)}{unit}"
                               f"（原文：“{f.quote}”）。{where(f)}。", q.measure)


def _stated_change(t: Tools, p: Plan) -> Answer | None:
    """The change from last year the document states for the item, quoted."""
    q, depts, years, kind = p.query, p.departments, p.years, p.kind
    item = _COMPARING.sub(" ", q.item).strip()
    if item != q.item.strip():  # '机关运行经费比': the comparing word names no item
        q = replace(q, item=item, targets=expand(item) if q.targets else [])
    hits = t.lookup(q, depts, years, kind, q.measure)
    if hits:
        f = hits[0].fact
        word = f.column.replace("比上年", "").replace("率", "")
        unit = "%" if q.measure == "change_rate" else f.unit
        printed = f"（原文：“{f.quote[:200]}”）" if f.quote else ""  # the base it is measured from, as printed
        return _stated(q, f, unit, f"{f.year}年{f.department}{f.row}比上年{word}{fmt(f.value)}{unit}{printed}。{where(f)}说明部分。",
                       q.measure)
    if q.measure == "change_rate":
        said = _rate_in_sentence(t.lookup(q, depts, years, kind, "change_amount"))
        if said is not None:
            f, word, rate = said
            return _stated(q, f, "%", f"{f.year}年{f.department}{label(f)}比上年{word}{fmt(rate)}%"
                                      f"（原文：“{f.quote}”）。{where(f)}。", q.measure).model_copy(update={"value": rate})
    return None


_RATE = re.compile(r"(增长|上升|增加|提高|下降|降低|减少|下降了|增长了)\s*(?:了|为|幅度为)?\s*(\d+(?:\.\d+)?)\s*[%％]")
_DOWN = ("下降", "降低", "减少")


def _rate_in_sentence(hits: list[Scored]) -> tuple[Fact, str, float] | None:
    """A rate the sentence of a stated change gives beside it ("减少8007.18万元，降低79.27 %") when
    ingest kept the amount but not the rate: quoted, not recomputed; a decline stays a decline."""
    for h in hits:
        f = h.fact
        if f.source != "narrative" or not f.quote:
            continue
        amount = f"{f.value:,.2f}".rstrip("0").rstrip(".")
        at = max(f.quote.find(amount), f.quote.find(amount.replace(",", "")))
        m = _RATE.search(f.quote, max(at, 0))
        if m:
            word = "下降" if m.group(1).startswith(_DOWN) else "增长"
            return f, word, float(m.group(2))
    return None


def budget_vs_final(t: Tools, p: Plan) -> Answer:
    """决算 documents print 预算数 beside 决算数: the gap between them, or the completion rate."""
    q, depts, years, kind = p.query, p.departments, p.years, p.kind
    if q.measure == "completion":
        stated = t.lookup(q, depts, years, kind, "completion")
        if stated:
            f = stated[0].fact
            return _stated(q, f, "%", f"{f.year}年{f.department}{f.row}完成预算的{fmt(f.value)}%。{where(f)}说明部分：{f.quote}",
                           q.measure)
    q.wants_budget_column = True
    budget = [h.fact for h in t.lookup(q, depts, years, kind)]
    q.wants_budget_column = False
    both = budget_final.pair(budget, [h.fact for h in t.lookup(q, depts, years, kind)] + budget, q.text)
    if both is None:  # the two figures of one item, never a budget of one row and a final of another
        return not_found(q.text, "没有同时找到该项目的预算数和决算数，无法比较。")
    b, f = both
    if b.unit != f.unit:
        return not_found(q.text, "预算数和决算数的单位不同，无法比较。")
    if q.measure == "completion":
        if b.value == 0:
            return not_found(q.text, "预算数为0，无法计算完成比例。")
        rate = round(f.value / b.value * 100, 2)
        how = f"{fmt(f.value)} ÷ {fmt(b.value)} × 100% = {fmt(rate)}%"
        return computed(q.text, q.item, q.measure, rate, "%", f"{label(f)}决算数为预算数的{fmt(rate)}%", how, [f, b])
    gap = round(f.value - b.value, 2)
    how = f"{fmt(f.value)} - {fmt(b.value)} = {fmt(gap)}"
    word = "多" if gap >= 0 else "少"
    return computed(q.text, q.item, q.measure, abs(gap), f.unit,
                    f"{label(f)}决算数比{budget_column_word(b.column)}{word}{fmt(abs(gap))}{f.unit}",
                    how, [f, b])


def previous_year(t: Tools, p: Plan) -> Answer:
    """Last year's figure: from last year's document, else this year's minus the stated change."""
    q, depts, kind = p.query, p.departments, p.kind
    year = p.years[0]
    if any(y == year - 1 for d in depts for y in t.years_of(d)):
        q.years = [year - 1]
        return t.value(Plan(p.question, p.text, q, depts, [year - 1], kind, "value"))
    # the year's figure as this year's document states it ("2022年当年预算执行数为1.48万元")
    stated = stated_years.answer_of(q.text, q.item, [h.fact for h in t.lookup(q, depts, [year - 1], kind)], year - 1)
    if stated is not None:
        return stated
    said = [f for d in depts for f in [prior.stated_for(t.facts_in(d, year), year - 1, q.item)] if f is not None]
    if len(said) == 1:
        f = said[0]
        return Answer(question=q.text, status="answered", value=f.value, unit=f.unit, citations=[cite(f)],
                      answer=f"{year - 1}年{f.department}的该项为{fmt(f.value)}{f.unit}（{year}年文件中写明：“{f.quote}”）。{where(f)}。",
                      department=f.department, year=year - 1, item=q.item, measure="value")
    cur = t.lookup(q, depts, [year], kind)
    level = stated_years.level_with(cur[0].fact, t.facts_in(cur[0].fact.department, year), year - 1, q.item) if cur else None
    if level is not None:  # "与上年预算数持平": the same figure, the sentence quoted
        how = f"文件写明{year}年数与{year - 1}年持平（原文：“{(level.quote or '')[:120]}”）"
        return computed(q.text, q.item, q.measure, level.value, level.unit,
                        f"{year - 1}年{label(level)}为{fmt(level.value)}{level.unit}", how, [level])
    ch = t.lookup(q, depts, [year], kind, "change_amount")
    # the change the sentence of the same figure states, under another name ("收支总计各增加155.64万元")
    told = stated_years.change_in_sentence(cur[0].fact, t.facts_in(cur[0].fact.department, year)) if cur and not ch else None
    if (cur and ch) or told:
        a, c = told or (cur[0].fact, ch[0].fact)
        up = "增加" in c.column or "增长" in c.column
        prev = round(a.value - c.value if up else a.value + c.value, 2)
        how = (f"{fmt(a.value)} {'-' if up else '+'} {fmt(c.value)} = {fmt(prev)}（{year}年数{'减去' if up else '加上'}"
               f"比上年{'增加' if up else '减少'}额）")
        return computed(q.text, q.item, q.measure, prev, a.unit, f"{year - 1}年{label(a)}约为{fmt(prev)}{a.unit}", how, [a, c])
    return not_found(q.text, f"已导入的文件中没有{year - 1}年的该项数据，无法回答。")


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
