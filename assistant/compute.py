"""Compute tools: figures the documents imply (sums, differences, shares, changes, budget against
final account, last year's figure), each computed in code from looked-up facts and saying how.

A figure the document states (a change, a rate, a share in the narrative) is quoted, not
recomputed: every tool here first asks the lookup for a stated one.
"""

from __future__ import annotations

import re
from typing import Protocol

from assistant.compose import cite, computed, fmt, label, not_found, nothing_found, where
from assistant.lookup import Scored
from assistant.plan import Plan
from assistant.records import Answer
from assistant.understand import Query
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
    computed from two years' documents."""
    q, depts, years, kind = p.query, p.departments, p.years, p.kind
    hits = t.lookup(q, depts, years, kind, q.measure)
    if hits:
        f = hits[0].fact
        word = f.column.replace("比上年", "").replace("率", "")
        unit = "%" if q.measure == "change_rate" else f.unit
        return _stated(q, f, unit, f"{f.year}年{f.department}{f.row}比上年{word}{fmt(f.value)}{unit}。{where(f)}说明部分。",
                       q.measure)
    if q.measure == "change_rate":
        said = _rate_in_sentence(t.lookup(q, depts, years, kind, "change_amount"))
        if said is not None:
            f, word, rate = said
            return _stated(q, f, "%", f"{f.year}年{f.department}{label(f)}比上年{word}{fmt(rate)}%"
                                      f"（原文：“{f.quote}”）。{where(f)}。", q.measure).model_copy(update={"value": rate})
    if years:
        cur = t.lookup(q, depts, years, kind)
        prev = t.lookup(q, depts, [years[0] - 1], kind) if cur else []
        if cur:  # the same item last year: same label, else same row in the same kind of table
            a0 = cur[0].fact
            prev = ([x for x in prev if label(x.fact) == label(a0) and x.fact.table_type == a0.table_type]
                    or [x for x in prev if label(x.fact) == label(a0)]
                    or [x for x in prev if x.fact.row == a0.row and x.fact.table_type == a0.table_type])
        if cur and prev:
            a, b = cur[0].fact, prev[0].fact
            diff = round(a.value - b.value, 2)
            if q.measure == "change_rate":
                if b.value == 0:
                    return not_found(q.text, "上年数为0，无法计算增长率。")
                rate = round(diff / b.value * 100, 2)
                how = f"({fmt(a.value)} - {fmt(b.value)}) ÷ {fmt(b.value)} × 100% = {fmt(rate)}%"
                word = "增长" if rate >= 0 else "下降"
                return computed(q.text, q.item, q.measure, rate, "%",
                                f"{a.year}年{label(a)}比{b.year}年{word}{fmt(abs(rate))}%", how, [a, b])
            how = f"{fmt(a.value)} - {fmt(b.value)} = {fmt(diff)}"
            word = "增加" if diff >= 0 else "减少"
            return computed(q.text, q.item, q.measure, abs(diff), a.unit,
                            f"{a.year}年{label(a)}比{b.year}年{word}{fmt(abs(diff))}{a.unit}", how, [a, b])
    return not_found(q.text, "文件中没有说明该项目与上年相比的变化，也没有上年的文件可供计算。")


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
    budget = [h for h in t.lookup(q, depts, years, kind) if "预算" in h.fact.column]
    q.wants_budget_column = False
    final = [h for h in t.lookup(q, depts, years, kind) if "决算" in h.fact.column]
    if not budget or not final:
        return not_found(q.text, "没有同时找到该项目的预算数和决算数，无法比较。")
    b, f = budget[0].fact, final[0].fact
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
    return computed(q.text, q.item, q.measure, abs(gap), f.unit, f"{label(f)}决算数比预算数{word}{fmt(abs(gap))}{f.unit}",
                    how, [f, b])


def previous_year(t: Tools, p: Plan) -> Answer:
    """Last year's figure: from last year's document, else this year's minus the stated change."""
    q, depts, kind = p.query, p.departments, p.kind
    year = p.years[0]
    if any(y == year - 1 for d in depts for y in t.years_of(d)):
        q.years = [year - 1]
        return t.value(Plan(p.question, p.text, q, depts, [year - 1], kind, "value"))
    cur = t.lookup(q, depts, [year], kind)
    ch = t.lookup(q, depts, [year], kind, "change_amount")
    if cur and ch:
        a, c = cur[0].fact, ch[0].fact
        up = "增加" in c.column or "增长" in c.column
        prev = round(a.value - c.value if up else a.value + c.value, 2)
        how = (f"{fmt(a.value)} {'-' if up else '+'} {fmt(c.value)} = {fmt(prev)}（{year}年数{'减去' if up else '加上'}"
               f"比上年{'增加' if up else '减少'}额）")
        return computed(q.text, q.item, q.measure, prev, a.unit, f"{year - 1}年{label(a)}约为{fmt(prev)}{a.unit}", how, [a, c])
    return not_found(q.text, f"已导入的文件中没有{year - 1}年的该项数据，无法回答。")


def share(t: Tools, p: Plan) -> Answer:
    """A share: as the narrative states it, else one fact divided by its total (or the named denominator)."""
    q, depts, years, kind = p.query, p.departments, p.years, p.kind
    num_text, den_text = share_parts(q.rest or q.item)
    num_q = t.sub_query(num_text or q.item, q)
    stated = t.lookup(num_q, depts, years, kind, "share")
    if stated and (not den_text or _mentions(stated[0].fact.quote or "", den_text)):
        f = stated[0].fact
        return _stated(q, f, "%", f"{f.year}年{f.department}{f.row}占{fmt(f.value)}%。{where(f)}说明部分：{f.quote}", "share")
    cur = t.lookup(num_q, depts, years, kind)
    if not cur:
        return not_found(q.text, nothing_found(q.item, q.text))
    a = cur[0].fact
    if den_text:
        den = t.lookup(t.sub_query(den_text, q), depts, years, kind)
        total = next((d.fact for d in den if d.fact.unit == a.unit and d.fact is not a), None)
    else:
        total = total_for(t, a)
    if total is None or total.value == 0:
        return not_found(q.text, f"找到“{label(a)}”，但没有找到可作分母的合计数，无法计算占比。")
    v = round(a.value / total.value * 100, 2)
    how = f"{fmt(a.value)} ÷ {fmt(total.value)} × 100% = {fmt(v)}%"
    return computed(q.text, q.item, q.measure, v, "%", f"{label(a)}占{label(total)}的{fmt(v)}%", how, [a, total])


def total_for(t: Tools, f: Fact) -> Fact | None:
    """The total a fact is part of: its row's 合计 column, else its column's 合计 row."""
    same_table = [g for g in t.facts_in(f.department, f.year)
                  if g.document == f.document and g.table_index == f.table_index and g.source == "table"]
    plain = vocabulary().plain_totals
    row_total = [g for g in same_table if g.column == f.column and (g.row or "") in plain]
    col_total = [g for g in same_table if g.row == f.row and g.page == f.page and g.column in plain]
    if f.column.split(" / ")[0] not in plain and col_total and f.column not in plain:
        return col_total[0]
    return row_total[0] if row_total and row_total[0] is not f else None


_PARTS = re.compile(r"以及|和|与|及|加上|加|跟|比|、|还有|，|,")


def sum_or_difference(t: Tools, p: Plan) -> Answer:
    """Two or more named items added, or one taken from the other."""
    q, depts, years, kind = p.query, p.departments, p.years, p.kind
    item = re.sub(r"[两三四五六七八九几]项|[两三四五六七八九几]样|这[两三四五六七八九几]个项目|合计|一共|总共|共计|加起来", "", q.item)
    parts = [x for x in _PARTS.split(item) if re.search(r"[\u4e00-\u9fff]{2}", x)]
    if len(parts) < 2:
        return t.value(p)
    if q.measure == "difference":
        parts = parts[:2]
    found: list[Fact] = []
    for part in parts:
        hits = t.lookup(t.sub_query(part, q), depts, years, kind)
        if not hits:
            return not_found(q.text, f"没有找到“{part}”的数据，无法计算。")
        found.append(hits[0].fact)
    unit = found[0].unit
    if any(f.unit != unit for f in found):
        return not_found(q.text, "这些数字的单位不同，无法直接相加减。")
    if q.measure == "sum":
        v = round(sum(f.value for f in found), 2)
        how = " + ".join(fmt(f.value) for f in found) + f" = {fmt(v)}"
        return computed(q.text, q.item, q.measure, v, unit, "、".join(label(f) for f in found) + f"合计{fmt(v)}{unit}", how,
                        found)
    a, b = found
    v = round(a.value - b.value, 2)
    how = f"{fmt(a.value)} - {fmt(b.value)} = {fmt(v)}"
    return computed(q.text, q.item, q.measure, abs(v), unit, f"{label(a)}比{label(b)}{'多' if v >= 0 else '少'}{fmt(abs(v))}{unit}",
                    how, [a, b])


def share_parts(item: str) -> tuple[str, str]:
    """'人员经费占基本支出的百分之几' -> ('人员经费', '基本支出'); '项目支出中其他运转类占…' -> ('其他运转类', '项目支出')."""
    if "占" not in item:
        return item, ""
    num, den = item.split("占", 1)
    den = re.sub(r"^(比例|比重|比)?(是|为)?", "", den)
    den = re.sub(r"(的)?(比例|比重|百分比|百分之几|多少|多大|份额|几成).*$", "", den).strip("的 ")
    m = re.match(r"^在?(.+?)(?:里面|里|中|当中)(.+)$", num)
    m2 = re.match(r"^(.+?)在(.+?)(?:里面|里|中|当中)?$", num)
    if m2 and not den:
        num, den = m2.group(1), m2.group(2)
    elif m and not den:
        den, num = m.group(1), m.group(2)
    elif m:
        num = m.group(2)
    den = den.strip("的是为 ")
    return num.strip("的 "), den if len(re.findall(r"[\u4e00-\u9fff]", den)) >= 2 else ""


def _mentions(quote: str, text: str) -> bool:
    words = re.findall(r"[\u4e00-\u9fff]{2,}", text)
    return bool(words) and all(w[:2] in quote for w in words)
