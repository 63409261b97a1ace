"""Arithmetic on the figures of a conversation: the last answers added (两项加起来) or subtracted
(差了多少), a share of or in the last figure (其中X占多少, 它在总支出里占多少). Every figure is a stored
fact re-read from the store; the computation is stated."""

from __future__ import annotations

import re
from typing import Any

from assistant.compose import fmt
from assistant.conversation_state import ConversationAnswer, Figure, TurnLike, headline
from assistant.follow_up_facts import CHANGE_COL
from assistant.follow_up_words import has_item, phrase
from assistant.grams import chinese_bigrams, share_named
from assistant.mentions import pattern
from budgetqa.vocabulary import convert


def _figures_unit(figs: list[Figure]) -> str | None:
    units = {f.unit for f in figs}
    return units.pop() if len(units) == 1 else None


def _figure_name(f: Figure, figs: list[Figure]) -> str:
    """A figure's name among others: with its department or year when those differ between them."""
    name = f.label
    if len({x.year for x in figs}) > 1 and f.year and not name.startswith(str(f.year)):
        name = f"{f.year}年{name}"
    if len({x.department for x in figs}) > 1 and f.department:
        name = f"{f.department}{name}"
    return name


def _facts_of(turn: TurnLike, figs: list[Figure]) -> list[Any]:
    out = []
    for fig in figs:
        for ref in fig.facts:
            f = turn.conv.finder.verified(ref)
            if f is not None and f not in out:
                out.append(f)
    return out


def _amounts(figs: list[Figure]) -> list[Figure]:
    """The figures without a stated change that only followed the amount it is the change of ("购房补贴 …" then
    "它比上年增长了多少" 1.96%): "两项加起来" after a third item means the two amounts. A computed share stays
    (whose parts are meant is not sure then, and the units differ: the caller asks)."""
    out: list[Figure] = []
    for f in figs:
        ref = f.facts[0] if len(f.facts) == 1 else None
        derived = (ref is not None and f.computation is None and f.unit == "%" and ref.row is not None
                   and CHANGE_COL.search(ref.column or "") is not None and out
                   and share_named((ref.row or "").split(" / ")[-1], chinese_bigrams(out[-1].label)) >= 0.5)
        if not derived:
            out.append(f)
    return out


def _sum_last(turn: TurnLike, t: str) -> ConversationAnswer | None:
    s = turn.state
    assert s is not None
    n = 3 if re.search(r"三", pattern("sum_last").search(t).group(0)) else 2  # type: ignore[union-attr]
    figs = _amounts(s.figures)[-n:]
    unit = _figures_unit(figs)
    if len(figs) < n or unit is None:
        return turn.refused("前面的几个数字单位不同（或不足两个），无法相加。请直接说明要加的项目。")
    total = round(sum(f.value for f in figs), 2)
    how = " + ".join(fmt(f.value) for f in figs) + f" = {fmt(total)}"
    names = "、".join(_figure_name(f, figs) for f in figs)
    facts = _facts_of(turn, figs)
    m = re.search(r"占(.+?)(的)?(百分之|比例|比重|多少|%|几成)", t)
    if m and len(re.findall(r"[\u4e00-\u9fff]", m.group(1))) >= 2:
        den_text = m.group(1).strip("的")
        ans, den_facts = turn.conv.single(phrase(den_text, "value"), turn.scope())
        den = headline(ans, den_facts)
        if den is None or not den.value or den.unit != unit:
            return turn.refused(f"{names}合计{fmt(total)}{unit}，但没有找到“{den_text}”的数，无法计算占比。")
        share = round(total / den.value * 100, 2)
        if share > 100:
            return turn.refused(f"{names}合计{fmt(total)}{unit}，大于{den.label}（{fmt(den.value)}{unit}），无法计算占比。")
        how2 = f"({' + '.join(fmt(f.value) for f in figs)}) ÷ {fmt(den.value)} × 100% = {fmt(share)}%"
        return turn.computed(share, "%", f"{names}合计占{den.label}的{fmt(share)}%", how2,
                             facts + [f for f in den_facts if f not in facts][:1], item=f"{names}合计", measure="share")
    # one item in several years or departments stays the item ("这三年加起来" then "从2017到2019年的变化")
    item = s.item if len({f.label for f in figs}) == 1 and s.item else f"{names}合计"
    return turn.computed(total, unit, f"{names}合计{fmt(total)}{unit}", how, facts, item=item,
                         measure="sum", department=figs[-1].department if len({f.department for f in figs}) == 1 else None)


def _last_pair(figs: list[Figure]) -> tuple[Figure, Figure]:
    """The last two figures answered; when the last is their sum or difference ("两者合计", "差了多少"),
    the two it was computed from: a further "差多少" / "哪家更高" is about them."""
    a, b = figs[-2], figs[-1]
    if len(figs) >= 3 and b.computation:
        x, y = figs[-3], figs[-2]
        if x.unit == y.unit == b.unit and any(abs(v - b.value) <= 0.011 for v in (x.value + y.value, abs(x.value - y.value))):
            return x, y
    return a, b


def _difference_last(turn: TurnLike) -> ConversationAnswer | None:
    s = turn.state
    assert s is not None
    a, b = _last_pair(_amounts(s.figures))
    if a.unit != b.unit:  # a share between two amounts: which two is not sure, so ask
        return ConversationAnswer(question=turn.question, status="ambiguous", conversation=turn.carried(),
                                  answer=f"前面最近的两个数单位不同（{fmt(a.value)}{a.unit}、{fmt(b.value)}{b.unit}），"
                                         "请说明要相减的是哪两项。")
    big, small = (a, b) if a.value >= b.value else (b, a)
    d = round(big.value - small.value, 2)
    how = f"{fmt(big.value)} - {fmt(small.value)} = {fmt(d)}"
    nb, ns = _figure_name(big, [a, b]), _figure_name(small, [a, b])
    if nb == ns:  # the same row read in two tables or columns: name where each stands
        nb, ns = f"{nb}（{_where_short(turn, big)}）", f"{ns}（{_where_short(turn, small)}）"
    return turn.computed(d, a.unit, f"{nb}比{ns}多{fmt(d)}{a.unit}", how, _facts_of(turn, [big, small]),
                         item=f"{big.label}与{small.label}之差", measure="difference")


def _compare_last(turn: TurnLike, t: str) -> ConversationAnswer | None:
    """"哪家更高": the larger (or smaller) of the last two figures, both cited, the difference shown."""
    s = turn.state
    assert s is not None
    low = re.search(r"低|少|小", t.split("哪")[-1] if "哪" in t else t) is not None
    plain = [f for f in s.figures if not f.computation]
    if "最" in t and len(plain) >= 3 and len({f.unit for f in plain}) == 1:  # "哪一年最高": of all just given
        ranked = sorted(plain, key=lambda f: f.value, reverse=not low)
        top = ranked[0]
        rest = "；".join(f"{_figure_name(f, plain)}{fmt(f.value)}{f.unit}" for f in ranked[1:])
        return turn.computed(top.value, top.unit, f"{_figure_name(top, plain)}最{'低' if low else '高'}："
                             f"{fmt(top.value)}{top.unit}（其余：{rest}）", "按数值排序",
                             _facts_of(turn, ranked), item=s.item, measure="value", department=top.department,
                             year=top.year, label=top.label)
    a, b = _last_pair(_amounts(s.figures))
    if a.unit != b.unit:
        return turn.refused("前面两个数字的单位不同，无法比较。")
    big, small = (a, b) if a.value >= b.value else (b, a)
    pick, other = (small, big) if low else (big, small)
    na, nb = _figure_name(pick, [a, b]), _figure_name(other, [a, b])
    if a.value == b.value:
        return turn.computed(a.value, a.unit, f"{na}与{nb}相同，都是{fmt(a.value)}{a.unit}", f"{fmt(a.value)} = {fmt(b.value)}",
                             _facts_of(turn, [a, b]), item=s.item, measure="value")
    d = round(big.value - small.value, 2)
    word = "低" if low else "高"
    return turn.computed(pick.value, pick.unit, f"{na}更{word}：{fmt(pick.value)}{pick.unit}，比{nb}（{fmt(other.value)}"
                         f"{other.unit}）{'少' if low else '多'}{fmt(d)}{pick.unit}",
                         f"{fmt(big.value)} - {fmt(small.value)} = {fmt(d)}", _facts_of(turn, [pick, other]),
                         item=s.item, measure="value", department=pick.department, year=pick.year, label=pick.label)


def _where_short(turn: TurnLike, fig: Figure) -> str:
    ref = fig.facts[0] if fig.facts else None
    if ref is None:
        return ""
    return f"第{ref.page}页" + (f"“{ref.table}”" if ref.table else "") + (f"{ref.column}" if ref.column else "")


def _share(turn: TurnLike, t: str) -> ConversationAnswer | None:
    s = turn.state
    assert s is not None
    if "占" not in t:
        return None
    left, right = t.split("占", 1)
    right = re.sub(r"(的)?(比例|比重|百分比|百分之几|百分之多少|多少|多大|份额|几成|%).*$", "", right).strip("的是为 ")
    left = re.sub(r"^其中", "", left)
    m = re.match(r"^(.*?)在(.+?)(里面|当中|之中|里|中)?$", left)
    if m and not right:
        left, right = m.group(1), m.group(2)
    num_last = not has_item(left)
    den_last = not has_item(right)
    if num_last == den_last:
        return None  # both named (an explicit question): answered fresh
    last = s.figures[-1] if s.figures else None
    if last is None:
        return None
    other_text = right if num_last else left
    ans, facts = turn.conv.single(phrase(other_text, "value"), turn.scope())
    other = headline(ans, facts)
    same_unit = convert(other.value, other.unit, last.unit) if other is not None else None
    if other is None or same_unit is None:
        return turn.refused(f"没有找到“{other_text}”的数（或单位不同），无法计算占比。")
    if other.unit != last.unit:  # 元 in one table, 万元 in another: the share is the same in either unit
        other = other.model_copy(update={"value": round(same_unit, 2), "unit": last.unit})
    num, den = (last, other) if num_last else (other, last)
    if abs(num.value - den.value) < 0.005 and (num.label == den.label or num.facts[:1] == den.facts[:1]):
        # "其中基本支出占多少" found the last figure itself: a share of a figure in itself says nothing
        return ConversationAnswer(question=turn.question, status="ambiguous", conversation=turn.carried(),
                                  answer=f"“{other_text}”找到的就是上一个数（{num.label}{fmt(num.value)}{num.unit}），"
                                         "请说明要计算的是哪一部分占哪一项的比例。")
    if not den.value:
        return turn.refused("分母为0，无法计算占比。")
    share = round(num.value / den.value * 100, 2)
    if share > 100:  # a part is never more than its whole: one of the two is not the figure meant
        return turn.refused(f"{num.label}（{fmt(num.value)}{num.unit}）大于{den.label}（{fmt(den.value)}{den.unit}），"
                            "不是其中的一部分，无法计算占比。请说明要比较的两项。")
    how = f"{fmt(num.value)} ÷ {fmt(den.value)} × 100% = {fmt(share)}%"
    facts_all = _facts_of(turn, [num, den])
    return turn.computed(share, "%", f"{num.label}占{den.label}的{fmt(share)}%", how, facts_all, item=s.item,
                         measure="share")
