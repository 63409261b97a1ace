""""那去年呢" about a figure whose year before has no document of its own: the figure the answered
document states for that year ("2022年当年预算执行数为440.75万元"), or the same figure when the document
says it is level with that year ("比2022年预算持平"), the reasoning shown."""

from __future__ import annotations

from typing import Any

from assistant.compose import fmt, label
from assistant.conversation_state import ConversationAnswer, TurnLike
from assistant.follow_up_facts import last_fact
from assistant.stated_years import (
    fits_kind,
    level_with,
    sentence_mates,
    stated_answer,
    stated_for,
    wrong_kind,
)


def stated_year(turn: TurnLike, f: Any, year: int, item: str, col: str | None) -> ConversationAnswer | None:
    """`year`'s figure of fact f's item as f's own document states it; None when it states none."""
    facts = turn.conv.finder.facts(f.document)
    g = stated_for(f, facts, year)
    if g is not None:
        ans = stated_answer(turn.question, g, item) if fits_kind(turn.question, g) else wrong_kind(turn.question, g)
        if ans.status != "answered":
            return ConversationAnswer.of(ans, conversation=turn.state)
        return turn.finish(ans, [g], item=item, measure="value", column=col)
    h = level_with(f, facts, year, item)
    if h is None:
        return None
    how = f"文件写明{h.year}年数与{year}年持平，故{year}年数 = {fmt(h.value)}{h.unit}（原文：“{(h.quote or '')[:120]}”）"
    name = item or label(f)
    return turn.computed(h.value, h.unit, f"{year}年{h.department}{name}为{fmt(h.value)}{h.unit}", how, [h],
                         item=item, label=f"{year}年{name}", measure="value", department=h.department, year=year)


def later_year(turn: TurnLike, year: int) -> int | None:
    """"比去年少了多少" just after a figure of `year` that only the next year's document states: the change
    asked is the next year's from it (the sentence states both), so the year it is measured in."""
    s = turn.state
    if s is None or s.department is None or turn.conv.loaded(s.department, year):
        return None
    f = last_fact(turn)
    if f is None or f.year != year:
        return None
    mates = sentence_mates(f, turn.conv.finder.facts(f.document))
    return year + 1 if any(h.year == year + 1 for h in mates) else None


def years_on_screen(turn: TurnLike) -> tuple[int, int] | None:
    """(the later, the earlier year) when the last two answers gave one item of one department for two
    years going back ("2019年…" then "那2018年呢"): "比上年少了多少" then compares the two on the screen,
    not the earlier one with a third year nobody asked about."""
    s = turn.state
    figs = s.figures[-2:] if s is not None else []
    if len(figs) != 2 or any(f.year is None or f.computation for f in figs):
        return None
    first, last = figs
    same = first.label == last.label and first.department == last.department and first.unit == last.unit
    if same and first.year is not None and last.year is not None and first.year == last.year + 1:
        return first.year, last.year
    return None


def held_year(turn: TurnLike, year: int | None, department: str | None, facts: list[Any]) -> int | None:
    """The year a conversation goes on in after an answer: the answer's, or, for a figure of a year without
    a document of its own, the year of the document stating it (the next question is about that document:
    "其中公务接待费是多少", "比去年少了多少")."""
    if year is None or department is None or turn.conv.loaded(department, year) or not facts:
        return year
    doc = getattr(facts[0], "document", None)
    return next((y for y in turn.conv.catalog().get(department, []) if doc in turn.conv.documents(department, y)), year)
