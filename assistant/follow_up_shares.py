"""A follow-up asking the share of the figure just answered in "its total" ("它占总数多少", "这部分占整体的
几成"): the share the document states for that figure, else the figure divided by the total of its own
table row or column (assistant/shares.py), both cited. When neither is there the answer asks which total
is meant: a share question is never answered with the figure itself."""

from __future__ import annotations

import re
from typing import Any

from assistant import shares
from assistant.compose import cite, fmt, label, where
from assistant.conversation_state import ConversationAnswer, TurnLike
from assistant.follow_up_facts import last_fact
from assistant.follow_up_words import has_item
from assistant.grams import chinese_bigrams, share_named
from assistant.mentions import fold, words
from assistant.records import Answer
from budgetqa.vocabulary import convert, is_money


def generic_whole(text: str) -> bool:
    """Whether the words naming the whole are no item of their own ("总数", "整体", "全部", or nothing)."""
    t = fold(text).strip("的里中")
    return not t or not has_item(t) or t in words()["wholes"]


def share_in_whole(turn: TurnLike) -> ConversationAnswer:
    """The last figure's share of the total it is part of; asks which total when none is found (or when the
    last figure was computed: a sum's "total" is no row of any table)."""
    s = turn.state
    f = last_fact(turn)
    item = (s.item if s else None) or (label(f) if f is not None else None)
    if f is None or not is_money(f.unit) or (s is not None and s.figures and s.figures[-1].computation):
        return _which_whole(turn, item)
    stated = stated_share(turn, f)
    if stated is not None:
        text = (f"{stated.year}年{stated.department}{label(stated)}占{fmt(stated.value)}%。"
                f"{where(stated)}说明部分：{(stated.quote or '')[:200]}")
        ans = Answer(question=turn.question, status="answered", answer=text, value=stated.value, unit="%",
                     citations=[cite(stated), cite(f)], department=stated.department, year=stated.year,
                     item=item, measure="share")
        return turn.finish(ans, [stated, f], item=item, measure="share")
    total = shares.total_for(turn.conv.bot, f)
    if total is None or not total.value or total is f:
        return _which_whole(turn, item)
    value = convert(f.value, f.unit, total.unit)
    if value is None or value > total.value + 0.005:
        return _which_whole(turn, item)
    share = round(value / total.value * 100, 2)
    how = f"{fmt(value)} ÷ {fmt(total.value)} × 100% = {fmt(share)}%"
    return turn.computed(share, "%", f"{label(f)}占{label(total)}的{fmt(share)}%", how, [f, total], item=item,
                         measure="share")


def part_of_sum(turn: TurnLike) -> ConversationAnswer | None:
    """"其中检察院占多少" after "两家加起来": the named department's (or year's) part of the sum just given, or
    None when the last figure is no sum with exactly one part of that department or year."""
    s = turn.state
    if s is None or not s.figures or not s.figures[-1].computation or "+" not in s.figures[-1].computation:
        return None
    total = s.figures[-1]
    parts = [f for f in (turn.conv.finder.verified(r) for r in total.facts) if f is not None]
    if len(parts) < 2 or any(f.unit != total.unit for f in parts) \
            or abs(sum(f.value for f in parts) - total.value) > 0.011 or not total.value:
        return None
    named = [f for f in parts if (not turn.m.departments or f.department in turn.m.departments)
             and (not turn.m.years or f.year in turn.m.years)]
    if len(named) != 1:
        return None
    f = named[0]
    share = round(f.value / total.value * 100, 2)
    how = f"{fmt(f.value)} ÷ {fmt(total.value)} × 100% = {fmt(share)}%"
    return turn.computed(share, "%", f"{f.year}年{f.department}{label(f)}占{total.label}的{fmt(share)}%", how, parts,
                         item=s.item, measure="share", department=f.department, year=f.year)


def stated_share(turn: TurnLike, f: Any) -> Any | None:
    """The share the document's text states for fact f's figure: a "占…%" fact of the same sentence as a
    figure equal to f's ("基本支出833.26万元，占77.54%"), in f's document."""
    held = turn.conv.finder.facts(f.document)
    names = chinese_bigrams(label(f) + ((turn.state.item or "") if turn.state else ""))
    same = [g for g in held if g.source == "narrative" and is_money(g.unit)
            and _equal(convert(g.value, g.unit, f.unit), f.value)
            and share_named((g.row or "").split(" / ")[-1], names) >= 0.5]  # the same item, not a figure equal by chance
    for g in same:
        for h in held:
            if h.source == "narrative" and h.unit == "%" and h.measure == "share" and h.row == g.row \
                    and h.page == g.page and h.quote == g.quote:
                return h
    return None


def _equal(a: float | None, b: float) -> bool:
    return a is not None and abs(a - b) <= max(0.005, abs(b) * 1e-9)


def _which_whole(turn: TurnLike, item: str | None) -> ConversationAnswer:
    name = f"“{item}”" if item else "上一个数"
    return ConversationAnswer(question=turn.question, status="ambiguous",
                              answer=f"没有找到{name}所属的总数，无法确定占的是哪一项。请说明要占哪一项的比例，"
                                     f"例如“占支出总计的比例是多少”。",
                              conversation=turn.carried())


_END = re.compile(r"(的)?(比例|比重|百分比|百分之几|百分之多少|多少|多大|份额|几成|%).*$")
_IN = re.compile(r"^(.*?)在(.+?)(里面|当中|之中|里|中)?$")


def share_sides(text: str) -> tuple[str, str] | None:
    """The part's and the whole's words of a share question ("它占总数多少" -> ("它", "总数"), "这部分在总支出里
    占几成" -> ("这部分", "总支出")), or None without "占"."""
    t = fold(text)
    if "占" not in t:
        return None
    left, right = t.split("占", 1)
    right = _END.sub("", right).strip("的是为了")
    left = re.sub(r"^(其中|那么|那)", "", left)
    m = _IN.match(left)
    if m and not right:
        left, right = m.group(1), m.group(2)
    return left, right


def of_last_in_whole(text: str) -> bool:
    """Whether a share question asks the last figure's share of its own total: it names no part of its
    own and no whole that is an item ("它占总数多少", "占多少", "这部分占整体的几成")."""
    sides = share_sides(text)
    return sides is not None and not has_item(sides[0]) and generic_whole(sides[1])
