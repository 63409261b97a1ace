"""The stored facts around the last answer that follow-ups read: its figure's fact, the same row in
another column or in another year's document, the change the document states for it, and the answer
built from one such fact."""

from __future__ import annotations

import re
from typing import Any

from assistant.compose import cite, fmt, label, where
from assistant.conversation_state import ConversationAnswer, Scope, TurnLike, describe
from assistant.follow_up_words import phrase
from assistant.records import Answer
from budgetqa.vocabulary import is_money

CHANGE_COL = re.compile(r"^比上年|增减|增长|下降|增加|减少")


def last_fact(turn: TurnLike) -> Any | None:
    """The stored fact the last figure about the item itself is (not its change), when it is one fact."""
    s = turn.state
    if s is None:
        return None
    for fig in reversed(s.figures):
        if fig.computation or len(fig.facts) != 1:
            continue
        f = turn.conv.finder.verified(fig.facts[0])
        if f is None or not (f.source == "narrative" and CHANGE_COL.search(f.column)):
            return f
    return None

def figure_facts(turn: TurnLike) -> list[Any]:
    """The stored facts of the one-fact figures answered so far, newest first."""
    s = turn.state
    if s is None:
        return []
    out = []
    for fig in reversed(s.figures):
        if fig.computation or len(fig.facts) != 1:
            continue
        f = turn.conv.finder.verified(fig.facts[0])
        if f is not None and f not in out:
            out.append(f)
    return out

def asked_text(turn: TurnLike, measure: str | None = None, column: str | None = None) -> str:
    s = turn.state
    assert s is not None
    if measure is None and column is None and s.asked:
        return s.asked
    return phrase(s.item or s.asked or "", measure or s.measure, column if column is not None else s.column)

def single(turn: TurnLike, text: str, scope: Scope, item: str | None, measure: str | None,
            column: str | None = None, topic: bool = False) -> ConversationAnswer:
    """Ask the single-question assistant; a `topic` question is the one asked again when only the
    department or year changes ("那省高院呢"), a derived one (its change, a column) is not."""
    ans, facts = turn.conv.single(text, scope)
    if ans.status == "ambiguous" and (code := _sibling_code(turn, facts)) is not None:
        ans, facts = turn.conv.single(f"{code} {text}", scope)  # the code names that row exactly
    return turn.finish(ans, facts, item=item, measure=measure, column=column, asked=text if topic else None)


def _sibling_code(turn: TurnLike, readings: list[Any]) -> str | None:
    """Of rows printing one name under several classes ("一般行政管理事务" under 政府办公厅事务 and under
    金融事务), the code of the one in the class of the row just answered ("其中行政运行", 2010301): the
    conversation goes on among its siblings. None when not exactly one reading is."""
    last = last_fact(turn)
    parent = _parent(last.row_code) if last is not None else None
    if last is None or parent is None:
        return None
    codes = {f.row_code for f in readings if f.row_code and _parent(f.row_code) == parent and f.row_code != last.row_code}
    return codes.pop() if len(codes) == 1 else None


def _parent(code: str | None) -> str | None:
    """A 款 or 项 code's class: "2010301" -> "20103", "20103" -> "201"; None for a 类 or no code."""
    return code[:-2] if code and code.isdigit() and len(code) in (5, 7) else None

def stated_change(turn: TurnLike, f: Any, rate: bool) -> Any | None:
    """The change from last year the document states for fact f ("比上年增加1.17万元"), under f's name or
    the name of another fact the last answer cited for the same figure (the 三公 table's "公务用车运行费"
    is the economic table's "公务用车运行维护费", whose sentence states the change)."""
    same = [f] + [g for g in (turn.conv.finder.verified(r) for r in (turn.state.facts if turn.state else []))
                  if g is not None and g.document == f.document and abs(g.value - f.value) < 0.005]
    names = {n for g in same for n in (label(g), (g.row or "").split(" / ")[-1]) if n}
    for g in turn.conv.finder.facts(f.document):
        if g.source != "narrative" or not g.column.startswith("比上年") or (g.unit == "%") != rate:
            continue
        if (g.row or "").split(" / ")[-1] in names:
            return g
    return None

def change_word(g: Any) -> str:
    up, down = ("增长", "下降") if g.unit == "%" else ("增加", "减少")
    return up if re.search(r"增加|增长", g.column) else (down if re.search(r"减少|下降", g.column) else "变化")

def fact_answer(turn: TurnLike, g: Any, item: str | None, measure: str, col: str | None = None,
                 name: str | None = None) -> ConversationAnswer:
    count = not is_money(g.unit) and g.unit != "%" and g.value == int(g.value)  # "2个", not "2.00个"
    number = f"{int(g.value)}" if count else fmt(g.value)
    text = f"{g.year}年{g.department}{name or describe(g)}为{g.comparison or ''}{number}{g.unit}。{where(g)}。"
    ans = Answer(question=turn.question, status="answered", answer=text, value=g.value, unit=g.unit,
                 citations=[cite(g)], department=g.department, year=g.year, item=item, measure=measure,
                 comparison=g.comparison)
    return turn.finish(ans, [g], item=item, measure=measure, column=col)


def same_row(turn: TurnLike, f: Any, col: str) -> Any | None:
    """The fact in f's row under another column (决算数 beside 年初预算, 全年预算…): in f's table, else
    in another table of the same document with the same row code (or, without codes, the same row)."""
    want = {"决算数": r"决算|执行", "年初预算": r"年初", "全年预算": r"全年|调整", "预算数": r"预算"}[col]
    avoid = r"决算|执行|年初|全年|调整" if col == "预算数" else r"^比|增减|增长|下降|完成|%"
    leaf = (f.row or "").split(" / ")[-1]
    same_table, elsewhere = [], []
    for g in turn.conv.finder.facts(f.document):
        if g is f or g.unit != f.unit:
            continue
        if not re.search(want, g.column) or re.search(avoid, g.column):
            continue
        if g.table == f.table and g.row == f.row and (g.row_code or None) == (f.row_code or None):
            same_table.append(g)
        elif (f.row_code and g.row_code == f.row_code) or (g.row or "").split(" / ")[-1] == leaf:
            elsewhere.append(g)  # the narrative states it too ("年初预算为85.55万元，决算数为84.65万元")
    found = same_table or elsewhere
    return found[0] if found else None

def verified_figure_facts(turn: TurnLike) -> list[Any]:
    s = turn.state
    assert s is not None
    return [g for g in (turn.conv.finder.verified(r) for fig in reversed(s.figures) for r in fig.facts) if g is not None]

def same_fact_in(turn: TurnLike, f: Any, department: str | None, year: int) -> Any | None:
    """Fact f's counterpart in another year's document: same label, same kind of table, same unit."""
    if department is None or f.source != "table" or not f.table_type:
        return None
    found = [g for doc in turn.conv.documents(department, year) for g in turn.conv.finder.facts(doc)
             if g.table_type == f.table_type and g.unit == f.unit and label(g) == label(f)]
    return found[0] if len({g.value for g in found}) == 1 else None

def prior_column(turn: TurnLike, f: Any, year: int) -> Any | None:
    """The same row's figure for an earlier year printed beside it ("2018年预算数", "上年决算数")."""
    for g in turn.conv.finder.facts(f.document):
        if g is f or g.table != f.table or g.row != f.row or g.source != "table" or g.unit != f.unit:
            continue
        if (str(year) in g.column or re.search(r"上年", g.column)) and not re.search(r"增减|增长|下降|比", g.column) \
                and str(f.year) not in g.column:
            return g
    return None
