"""Shares: a part as a percentage of the total the question names ("人员经费在基本支出里占百分之多少",
"三公经费占全年总支出的比例"), as the document states it when the stated share is of that total, else
computed from the two figures, both cited."""

from __future__ import annotations

import re

from assistant import sums
from assistant.compose import cite, computed, fmt, label, not_found, nothing_found, where
from assistant.compute import Tools
from assistant.plan import Plan
from assistant.records import Answer
from assistant.whole import whole_of_money
from budgetqa.vocabulary import vocabulary
from ingest.records import Fact

# where the words naming the total end: "占基本支出的比例", "占了九成多", "占百分之多少"
_DEN_END = re.compile(r"(的)?(比例|比重|百分比|百分之|多少|多大|份额|[一二三四五六七八九十几]成|大概|大约|约|[?？,，。]).*$")


def share(t: Tools, p: Plan) -> Answer:
    """A share: as the narrative states it, else one fact divided by its total (or the named denominator)."""
    q, depts, years, kind = p.query, p.departments, p.years, p.kind
    num_text, den_text = share_parts(q.rest or q.item)
    num_q = t.sub_query(num_text or q.item, q)
    a = _part(t, p, num_text or q.item, den_text)
    total = _whole(t, p, a, den_text) if a is not None else None
    stated = t.lookup(num_q, depts, years, kind, "share")
    if stated:
        f = stated[0].fact
        agrees = (a is not None and total is not None and total.value != 0
                  and abs(a.value / total.value * 100 - f.value) < 0.015)
        # a denominator the question writes out ("占“三公”经费小计（833.60万元）的比例") must be the stated
        # share's own: a share of another total is computed from the figures instead
        written = re.search(r"\d+(?:\.\d+)?", den_text or "") is not None
        if agrees or (not written and (not den_text or _mentions(f.quote or "", den_text))):
            of = f"{label(total)}的" if agrees and total is not None else (f"{den_text}的" if den_text else "")
            also = [cite(x) for x in (a, total) if agrees and x is not None]
            return Answer(question=q.text, status="answered", value=f.value, unit="%", citations=[cite(f), *also],
                          answer=f"{f.year}年{f.department}{f.row}占{of}{fmt(f.value)}%。{where(f)}说明部分：{f.quote}",
                          department=f.department, year=f.year, item=q.item, measure="share")
    if a is None:
        return not_found(q.text, nothing_found(num_text or q.item, q.text))
    if total is None or total.value == 0:
        return not_found(q.text, f"找到“{label(a)}”，但没有找到可作分母的“{den_text or '合计'}”，无法计算占比。")
    v = round(a.value / total.value * 100, 2)
    how = f"{fmt(a.value)} ÷ {fmt(total.value)} × 100% = {fmt(v)}%"
    return computed(q.text, q.item, q.measure, v, "%", f"{label(a)}占{label(total)}的{fmt(v)}%", how, [a, total])


def _part(t: Tools, p: Plan, num_text: str, den_text: str) -> Fact | None:
    """The part: the words in brackets first ("发给人的钱（人员经费）"), looked up within the total's
    words ("人员经费" of 基本支出) when a fact found so names them, else on its own."""
    q = p.query
    said = re.findall(r"[(（]([^()（）]{2,})[)）]", num_text)
    names = [*said, num_text]
    for text in names:
        if den_text:
            hits = t.lookup(t.sub_query(f"{den_text} {text}", q), p.departments, p.years, p.kind)
            named = [h for h in hits if sums.names(h.fact, text) and not sums.names(h.fact, den_text + text)]
            named = named or [h for h in hits if sums.names(h.fact, text)]
            if named:
                return named[0].fact
        hits = t.lookup(t.sub_query(text, q), p.departments, p.years, p.kind)
        if hits:
            return hits[0].fact
    return None


def _whole(t: Tools, p: Plan, a: Fact, den_text: str) -> Fact | None:
    """The total: the part's own table's total when it is the one named, else the named total looked up."""
    own = total_for(t, a)
    if not den_text:
        return own
    den_text = whole_of_money(den_text) or den_text  # "政府办的钱里": the document's whole spending
    if own is not None and sums.names(own, den_text):
        return own
    q = p.query
    fits = [d.fact for d in t.lookup(t.sub_query(den_text, q), p.departments, p.years, p.kind)
            if d.fact.unit == a.unit and d.fact is not a and d.fact.value >= a.value]
    # a total whose label holds the words named ("本部门政府采购预算" for "政府采购预算") before one that merely
    # shares most of them ("政府采购工程预算", another part of the same total)
    words = sums.fold(den_text).strip("的")
    named = ([f for f in fits if words in _own(f)] or _named_in_scope(t, a, words)
             or [f for f in fits if sums.names(f, den_text)])
    return next(iter(named or fits), None)


def _own(f: Fact) -> str:
    return sums.fold((f.row or "").split(" / ")[-1])


def _named_in_scope(t: Tools, a: Fact, words: str) -> list[Fact]:
    """The one figure (several facts may state it) whose own row label ends with the words naming the
    total, in the part's document; [] when none or several figures do."""
    if len(words) < 3:
        return []
    same = [f for f in t.facts_in(a.department, a.year) if f.document == a.document and f is not a
            and f.unit == a.unit and f.value >= a.value and _own(f).endswith(words)]
    return same if len({round(f.value, 2) for f in same}) == 1 else []


def total_for(t: Tools, f: Fact) -> Fact | None:
    """The total a fact is part of: its row's 合计 column (the same column group's 合计), else its
    column's 合计 row."""
    same_table = [g for g in t.facts_in(f.department, f.year)
                  if g.document == f.document and g.table_index == f.table_index and g.source == "table"]
    plain = vocabulary().plain_totals
    path = f.column.split(" / ")
    row_total = [g for g in same_table if g.column == f.column and (g.row or "") in plain and g is not f]
    col_total = [g for g in same_table if g.row == f.row and g.page == f.page and g is not f
                 and g.column.split(" / ")[-1] in plain and g.column.split(" / ")[:-1] == path[:-1]]
    if path[-1] not in plain and col_total:
        return col_total[0]
    return row_total[0] if row_total else None


def share_parts(item: str) -> tuple[str, str]:
    """'人员经费占基本支出的百分之几' -> ('人员经费', '基本支出'); '项目支出中其他运转类占…' -> ('其他运转类', '项目支出');
    '人员经费在基本支出里占了九成多' -> ('人员经费', '基本支出')."""
    if "占" not in item:
        return item, ""
    num, den = item.split("占", 1)
    den = re.sub(r"^(了|到)?(比例|比重|比)?(是|为)?", "", den)
    den = _DEN_END.sub("", den).strip("的 ")
    m = re.match(r"^在?(.+?)(?:里面|里|中|当中)(.+)$", num)
    m2 = re.match(r"^(.+?)在(.+?)(?:里面|里|中|当中)?$", num)
    if m2 and not den:
        num, den = m2.group(1), m2.group(2)
    elif m and not den:
        den, num = m.group(1), m.group(2)
    elif m:
        num = m.group(2)
    den = den.strip("的是为 ")
    num = re.split(r"[,，?？。]", num.strip(",，?？。 "))[-1]
    return num.strip("的 "), den if len(re.findall(r"[\u4e00-\u9fff]", den)) >= 2 else ""


def _mentions(quote: str, text: str) -> bool:
    words = re.findall(r"[\u4e00-\u9fff]{2,}", text)
    return bool(words) and all(w[:2] in quote for w in words)
