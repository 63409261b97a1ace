"""Phrasing a looked-up figure: the sentence, the change the narrative states for it, the same
figure in other tables as extra citations, close readings with other figures named."""

from __future__ import annotations

import re

from assistant.compose import cite, fmt, kind_word, label, where
from assistant.compute import Tools
from assistant.fact_labels import economic_tables
from assistant.lookup import Scored
from assistant.plan import Plan
from assistant.records import Answer, Citation
from assistant.stated_years import level_with
from budgetqa.vocabulary import convert, is_money, vocabulary
from ingest.records import Fact


def context(t: Tools, f: Fact) -> tuple[str, list[Citation]] | None:
    """The change from last year and its reason, when the narrative states them for this item;
    a decline is stated as a decline."""
    name = (f.row or "").split(" / ")[-1] if f.source == "narrative" else label(f)
    same_doc_year = t.facts_in(f.department, f.year)
    # the narrative may name the item in its own words: the rows of its sentences stating the same figure
    # (a figure of 0, or one that several sentences state, names no item: "因公出国（境）费0万元" is not
    # the 政府性基金 sentence's "0万元，比2022年预算增加1421.25万元")
    alias = {g.row for g in same_doc_year if g.source == "narrative" and g.row and g.unit == f.unit
             and abs(g.value - f.value) < 0.005 and not g.column.startswith("比上年")}
    names = {name} | (alias if abs(f.value) >= 0.005 and len(alias - {name}) <= 2 else set())
    changes = [g for g in same_doc_year if g.source == "narrative" and g.row and g.column.startswith("比上年")
               and g.unit != "%" and g.row in names]
    own_row = [g for g in changes if g.row == name]
    changes = own_row or changes
    # two items may print the same figure (政协会议 and 会议费 both 1282.56) with their own changes: the
    # change of the row naming the item; none when the rows disagree and none names it
    if len({round(g.value, 2) for g in changes}) > 1:
        own = [g for g in changes if name and (name in (g.row or "") or (g.row or "").split(" / ")[-1] in name)]
        changes = own if len({round(g.value, 2) for g in own}) == 1 else []
    for g in changes:
        rate = next((h for h in same_doc_year if h.source == "narrative" and h.document == g.document
                     and h.row == g.row and h.unit == "%" and h.column.startswith("比上年")), None)
        word = "增加" if ("增加" in g.column or "增长" in g.column) else "减少"
        s = f"比上年{word}{fmt(abs(g.value))}{g.unit}" + (f"，{'增长' if word == '增加' else '下降'}{fmt(abs(rate.value))}%" if rate else "")
        reason = re.search(r"主要原因[:：]?([^。]*)", g.quote or "")
        s += f"，主要原因：{reason.group(1)}" if reason else ""
        return s + "。", [cite(g)] + ([cite(rate)] if rate else [])
    level = level_with(f, same_doc_year, f.year - 1, name) if f.year else None
    if level is not None:  # "因公出国（境）费0万元，比2022年预算持平"
        return "与上年持平。", [cite(level)]
    return None


def _other_version(f: Fact, g: Fact) -> bool:
    """g prints the same item as f in another document of the same department, year and kind (another
    version of the publication) with a different figure."""
    return (g.document != f.document and (g.department, g.year, g.kind) == (f.department, f.year, f.kind)
            and (g.table_type, g.row, g.row_code, g.column, g.unit) == (f.table_type, f.row, f.row_code, f.column, f.unit)
            and abs(g.value - f.value) >= 0.005)


def conflicting(p: Plan, f: Fact, others: list[Fact]) -> Answer | None:
    """When two versions of one publication print different figures for the item: say so, quote both
    and ask which document to go by, never choose one silently."""
    versions = [f] + [g for g in others if _other_version(f, g)][:2]
    if len(versions) < 2:
        return None
    lines = [f"{x.year}年{x.department}{label(x)}{kind_word(x)}为{_figure(x)}（{where(x)}）" for x in versions]
    text = ("同一部门同一年度的几份文件对这一项目的数字不一致：\n" + "\n".join(f"· {x}" for x in lines)
            + "\n请问以哪一份文件为准？")
    return Answer(question=p.query.text, status="ambiguous", answer=text, alternatives=lines,
                  citations=[cite(x) for x in versions], department=f.department, year=f.year, item=p.query.item,
                  measure="value")


def figure_answer(t: Tools, p: Plan, hits: list[Scored], close: list[Scored] | None = None) -> Answer:
    """The best hit as the answer; the same figure elsewhere cited too; `close` readings named; two
    versions of the document that disagree on it both quoted."""
    best = hits[0]
    f = best.fact
    disagree = conflicting(p, f, [h.fact for h in hits[1:]])
    if disagree is not None:
        return disagree
    same = [h.fact for h in hits[1:] if _same_figure(h.fact, f) and h.fact.table != f.table][:2]
    others = close if close is not None else [
        h for h in hits[1:] if not _same_figure(h.fact, f) and best.score - h.score < 1.0
        and label(h.fact) != label(f)][:2]
    # the same item in another table of the document with another figure (a 基本支出 table's 会议费 beside
    # the “三公”经费、会议费、培训费 table's): named, so that neither reading is hidden
    elsewhere: list[Fact] = []
    for h in hits[1:]:
        g = h.fact
        if (g.document == f.document and g.table != f.table and g.source == f.source == "table"
                and _leaf(g) == _leaf(f) and not _same_figure(g, f) and g.table_type in economic_tables()
                and h not in (close or []) and all(round(x.value, 2) != round(g.value, 2) for x in elsewhere)):
            elsewhere.append(g)  # one per figure
    text = f"{f.year}年{f.department}{label(f)}{kind_word(f)}为{_figure(f)}。"
    ctx = context(t, f)
    if ctx:
        text += ctx[0]
    elsewhere = elsewhere[:2]
    if elsewhere:
        text += "另，" + "；".join(f"“{g.table}”中的{_leaf(g)}为{_figure(g)}" for g in elsewhere) + "（口径不同）。"
    alternatives = [f"{label(h.fact)}{fmt(h.fact.value)}{h.fact.unit}（{where(h.fact)}）" for h in others]
    if alternatives:
        text += "另有相近项目：" + "；".join(alternatives) + "。如指的是它们，请说明。"
    text += where(f) + "。"
    cits = [cite(f)] + [cite(x) for x in same] + (ctx[1] if ctx else []) + [cite(h.fact) for h in others] \
        + [cite(g) for g in elsewhere]
    return Answer(question=p.query.text, status="answered", answer=text, value=f.value, unit=f.unit, citations=cits,
                  alternatives=alternatives, department=f.department, year=f.year, item=p.query.item,
                  measure="value", comparison=f.comparison)


def _leaf(f: Fact) -> str:
    return (f.row or f.column or "").split(" / ")[-1].strip()


def _same_figure(g: Fact, f: Fact) -> bool:
    """g states f's figure, in f's unit or another money unit (13,500.00元 is 1.35万元)."""
    v = convert(g.value, g.unit, f.unit) if is_money(g.unit) and is_money(f.unit) else g.value
    return v is not None and abs(v - f.value) < 0.005 and (g.unit == f.unit or is_money(g.unit) and is_money(f.unit))


def _figure(f: Fact) -> str:
    """'4.60万元', '127辆', '≤200人次' (a target's bound keeps its sign)."""
    printed_as_amount = is_money(f.unit) or f.unit == vocabulary().percent
    number = fmt(f.value) if printed_as_amount or f.value != int(f.value) else f"{int(f.value)}"
    return f"{f.comparison or ''}{number}{f.unit}"
