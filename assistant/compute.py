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
from assistant.understand import Query, expand
from assistant.whole import whole_of_money
from budgetqa.vocabulary import vocabulary
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
    left = _CHANGE_WORDS.sub("", _COMPARING.sub("", q.item))
    if not sums.meaningful(left) or whole_of_money(left):
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
        item = _own_item(q.item)
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


_GAP_WORDS = re.compile(r"实际(?=支出)|决算数?(?=\s*(?:比|较|与))|(?:比|较|与)\s*(?:年初|全年|调整后?)?预算数?|[?？]")
_CHANGE_WORDS = re.compile(r"增长|下降|增加|减少|变化|增幅|降幅|多了|少了|多少|百分|之几|比|较|[?？]")
_BASE_ACCOUNT = re.compile(r"((?:比|较|与|和|同)\s*)(?:上年|去年|上一年)?\s*(?:预算执行数|执行数|决算数|预算数|年初预算数?)")
_COMPARING = re.compile(r"相比|比较|对比|(?:比|较|与|和|同|到|至|从)(?=\s|$)|^\s*(?:从|比|与|和|到)")


def _own_item(item: str) -> str:
    """The item of a change without the words comparing it ('一般公共服务支出比 相比') or describing the
    base's figure ('比2022年执行数'): what the change is of."""
    return _COMPARING.sub(" ", _BASE_ACCOUNT.sub(r"\1", item)).strip()


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
    # '机关运行经费比': the comparing word names no item; '比2022年预算执行数': the base's account word
    # describes the other year's figure
    item = _own_item(q.item)
    if item != q.item.strip():
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
    # "一般公共预算财政拨款实际支出比年初预算": the words comparing the two figures name no item
    item = _GAP_WORDS.sub(" ", q.item).strip()
    if item != q.item.strip() and sums.meaningful(item):
        q = t.sub_query(item, q)
        q.measure = p.query.measure
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
