""""那X呢" after a figure: another item's amount, in the column the conversation asked for (年初预算, 决算数).

People go back to the amount with "那X呢" whatever the last turn derived from it: after "它占总数多少" or "比上年
少了多少", "那项目支出呢" asks what 项目支出 is (as the written conversations of eval/independent read it). The
question is put to the single-question assistant as a figure question ("X是多少"), so that "X" alone is never
answered with a passage about the last item, and a not-found X stays not found for the next follow-up."""

from __future__ import annotations

import re

from assistant.conversation_state import ConversationAnswer, TurnLike
from assistant.follow_up_facts import single
from assistant.follow_up_words import column_of, has_item, item_of, measure_of, phrase, pronoun_in, strip_ends
from assistant.mentions import fold
from budgetqa.vocabulary import is_money

# words that make a follow-up more than "(那)X(呢)": a question of its own, read on its own path
_MORE = re.compile(r"多少|几|是|吗|哪|什么|怎么|为|占|比|和|与|及|、|加|减|差|其中|的那")


def bare_item(turn: TurnLike) -> str | None:
    """X of a follow-up that is only "(那)X(呢)": an item named with no measure, column, pronoun, year or
    department of its own; None for anything else."""
    if turn.m.departments or turn.m.years or turn.filters.department:
        return None
    rest = strip_ends(turn.rest)
    t = fold(rest)
    if not has_item(t) or pronoun_in(t) or column_of(t) or measure_of(t) != "value" or _MORE.search(t):
        return None
    item = item_of(rest)
    return item if item == t else None


def other_item(turn: TurnLike) -> ConversationAnswer | None:
    """The answer for "那X呢" after an amount, or None when it is no such follow-up (a count's "那设备呢" is
    asked afresh: its question words carry the measure)."""
    s = turn.state
    if s is None or not s.figures or not is_money(s.figures[-1].unit if s.measure == "value" else _amount_unit(turn)):
        return None
    item = bare_item(turn)
    if item is None:
        return None
    return single(turn, phrase(item, "value", s.column), turn.scope(), item, "value", s.column, topic=True)


def _amount_unit(turn: TurnLike) -> str | None:
    """The unit of the last amount answered (before a share or a change was derived from it)."""
    s = turn.state
    assert s is not None
    return next((f.unit for f in reversed(s.figures) if f.unit != "%" and not f.computation), None)
