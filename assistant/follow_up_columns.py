"""Follow-ups about another column of the row just answered: 年初预算呢 / 决算数呢 / 完成率呢, the
column a question names winning over the one the answer stood in, and 比年初预算少了多少."""

from __future__ import annotations

import re
from typing import Any

from assistant.compose import fmt, label
from assistant.conversation_state import ConversationAnswer, TurnLike, describe
from assistant.follow_up_facts import fact_answer, last_fact, same_row, single, verified_figure_facts
from assistant.follow_up_words import column_of, item_of, phrase
from assistant.records import Answer

# "比年初预算少了多少", "与预算数相差多少": the last figure against another column of its row
AGAINST_COLUMN = re.compile(r"(比|较|与|和|跟|同)(年初预算|全年预算|调整后?预算|预算|决算)")
_COLUMN_OF_WORD = {"年初预算": "年初预算", "全年预算": "全年预算", "调整预算": "全年预算", "调整后预算": "全年预算",
                   "预算": "预算数", "决算": "决算数"}


def named_column(turn: TurnLike, ans: Answer, facts: list[Any]) -> ConversationAnswer | None:
    """The question names 年初预算 or 全年预算 and the answer's figure stands in another column: the same
    row's figure in the column named (what the question names wins), or None."""
    col = column_of(turn.rest)
    if col not in ("年初预算", "全年预算") or ans.status != "answered" or ans.computation or ans.value is None:
        return None
    f = next((g for g in facts if abs(g.value - ans.value) <= 0.005 and g.unit == ans.unit), None)
    if f is None or re.search(r"年初|全年|调整", f.column):
        return None
    g = same_row(turn, f, col)
    if g is None:
        return None
    return fact_answer(turn, g, item_of(turn.rest), "value", col)

def column_difference(turn: TurnLike, word: str) -> ConversationAnswer | None:
    col = _COLUMN_OF_WORD[word]
    f = last_fact(turn)
    if f is None or (turn.m.departments or turn.m.years):
        return None
    g = same_row(turn, f, col)
    if g is None or g is f or g.unit != f.unit:
        return turn.refused(f"没有找到{label(f)}的{col}，无法比较。")
    d = round(f.value - g.value, 2)
    how = f"{fmt(f.value)} - {fmt(g.value)} = {fmt(d)}"
    return turn.computed(abs(d), f.unit, f"{f.year}年{f.department}{describe(f)}比{col}{'多' if d >= 0 else '少'}"
                         f"{fmt(abs(d))}{f.unit}", how, [f, g], item=turn.state.item if turn.state else None,
                         measure="difference")

def column(turn: TurnLike, col: str) -> ConversationAnswer:
    s = turn.state
    assert s is not None
    scope = turn.scope()
    f = last_fact(turn)
    if col == "完成率":
        return completion(turn, f)
    if f is not None and (f.department, f.year) == (scope.department, scope.year):
        g = same_row(turn, f, col)
        if g is not None:
            return fact_answer(turn, g, s.item, "value", col)
    item = s.item or ""
    return single(turn, phrase(item, "value", col), scope, item, "value", col)

def completion(turn: TurnLike, f: Any | None) -> ConversationAnswer:
    s = turn.state
    assert s is not None
    item = s.item or ""
    ans, facts = turn.conv.single(phrase(item, "completion"), turn.scope())
    stated = ans.status == "answered" and ans.unit == "%" and not ans.computation
    if stated or f is None:
        return turn.finish(ans, facts, item=item, measure="completion")
    leaf = (f.row or "").split(" / ")[-1]
    for g in turn.conv.finder.facts(f.document):  # the completion rate the document states for this row
        if g.unit == "%" and re.search(r"完成", g.column) and (g.row or "").split(" / ")[-1] == leaf:
            return fact_answer(turn, g, item, "completion")
    final = f if re.search(r"决算|执行", f.column) else same_row(turn, f, "决算数")
    budgets = [g for g in (verified_figure_facts(turn) + [same_row(turn, f, "年初预算"), same_row(turn, f, "全年预算")])
               if g is not None and g.table == f.table and g.row == f.row and not re.search(r"决算|执行", g.column)]
    budget = next((b for b in budgets if b.value), None)
    if final is None or budget is None:
        return turn.finish(ans, facts, item=item, measure="completion")
    rate = round(final.value / budget.value * 100, 2)
    how = f"{fmt(final.value)} ÷ {fmt(budget.value)} × 100% = {fmt(rate)}%"
    return turn.computed(rate, "%", f"{final.year}年{final.department}{(f.row or '').split(' / ')[-1]}决算数为预算数的{fmt(rate)}%",
                         how, [final, budget], item=item, measure="completion")
