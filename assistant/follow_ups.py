"""Follow-up patterns resolved against the conversation state: the item of the last answer in another
year, column or department; its change; a pronoun for it; a part of it; a row under or beside it.
Arithmetic on the last figures is in follow_up_arithmetic.py, other columns of its row in
follow_up_columns.py, the facts around it in follow_up_facts.py, answers from the text in
follow_up_passages.py, the reading of the question in follow_up_words.py.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.compose import cite, fmt, label, where
from assistant.conversation_state import ConversationAnswer, Scope, TurnLike, headline
from assistant.follow_up_arithmetic import _compare_last, _difference_last, _share, _sum_last
from assistant.follow_up_columns import AGAINST_COLUMN, column, column_difference
from assistant.follow_up_facts import (
    CHANGE_COL,
    asked_text,
    change_word,
    fact_answer,
    figure_facts,
    last_fact,
    prior_column,
    same_fact_in,
    single,
    stated_change,
)
from assistant.follow_up_other_item import other_item
from assistant.follow_up_passages import elaborate, more, where_from, why
from assistant.follow_up_shares import of_last_in_whole, part_of_sum, share_in_whole
from assistant.follow_up_words import (
    change_measure,
    column_of,
    has_item,
    item_of,
    measure_of,
    phrase,
    pronoun_in,
    strip_ends,
)
from assistant.follow_up_years import later_year, stated_year, years_on_screen
from assistant.mentions import fold, pattern
from assistant.neighbourhood import asked_unit, asks_other_measure, before_after, beside, chosen, under
from assistant.records import Answer
from assistant.stated_years import level_with

_LOCATIVE = re.compile(r"(里|中|里面|当中|之中)(的)?$")


# ---- the dispatcher ------------------------------------------------------------------------


def resolve(turn: TurnLike) -> ConversationAnswer | None:
    """The follow-up's answer, or None when the question stands on its own (then answered fresh)."""
    s = turn.state
    assert s is not None
    t = fold(turn.rest)
    item_here = has_item(turn.rest)
    if s.readings:
        picked = chosen([f for f in (turn.conv.finder.verified(r) for r in s.readings) if f is not None], turn.rest)
        if picked is not None:  # the reply to "请问您指的是哪一项？"
            return fact_answer(turn, picked, s.item, "value")
        if not item_here and not turn.m.departments:
            asked = _which_reading(turn)
            if asked is not None:  # "比上年多了多少" before saying which reading: ask again, never pick one
                return asked
    if pattern("source_of").search(t) and not has_item(pattern("source_of").sub("", t)):
        told = where_from(turn)
        if told is not None:  # "它是哪张表里的": where the last figure stands
            return told
    if pattern("why").search(t):
        return why(turn)
    turned = _before_after(turn)
    if turned is not None:  # "那合并之前是几辆": the other side of the change the last sentence states
        return turned
    if pattern("details").search(t) and not has_item(pattern("details").sub("", t)):
        told = more(turn)
        if told is not None:  # "说详细点": more of what the last answer quoted or cited
            return told
    if pattern("elaboration").search(t):
        told = elaborate(turn)
        if told is not None:  # "另外两家是哪两家": the sentences the last figure stands in
            return told
    # "社保就业和卫生健康两项加起来": the items it names; "两项加起来占基本支出的百分之几": the last two, of a total
    if pattern("sum_last").search(t) and not has_item(re.sub(r"占.*$", "", turn.rest)):
        return _sum_last(turn, t)
    if pattern("difference_last").search(t) and not item_here and len(s.figures) >= 2:
        return _difference_last(turn)
    if pattern("compare_last").search(t) and len(s.figures) >= 2:
        return _compare_last(turn, t)
    against = AGAINST_COLUMN.search(t)
    if against and (pattern("change").search(t) or pattern("difference_last").search(t)):
        versus = column_difference(turn, against.group(2))
        if versus is not None:  # "比年初预算少了多少": the same row's two columns, not two years
            return versus
    if pattern("change").search(t) and not pattern("share").search(t) and not item_here and not re.search(r"变成|变为", t):
        return _change(turn, t)
    col = column_of(t)
    if col and not item_here:
        return column(turn, col)
    if pattern("share").search(t) and (turn.m.departments or turn.m.years):
        part = part_of_sum(turn)
        if part is not None:  # "其中检察院占多少" after "两家加起来"
            return part
    elif pattern("share").search(t) and of_last_in_whole(t):
        return share_in_whole(turn)  # "它占总数多少": never the figure itself
    if pattern("share").search(t):
        shared = _share(turn, t)
        if shared is not None:
            return shared
    year = _target_year(turn, t)
    if year is not None and year != s.year and not item_here:
        return _other_year(turn, year)
    carried = other_item(turn)
    if carried is not None:  # "那人员经费呢" after a share, a change, a column: the same measure of X
        return carried
    if t.startswith("其中") and item_here:
        return _part_of_last(turn, t)
    if item_here and not asks_other_measure(t):
        near = nearby(turn, rows_under=True)
        if near is not None:  # "它的总成本", "满意度目标定的多少": a row under the item just answered
            return near
    if not item_here:
        return _same_item(turn, t)
    p = pronoun_in(t)
    if p and s.item:
        return _with_pronoun(turn, t, p)
    return None


def _which_reading(turn: TurnLike) -> ConversationAnswer | None:
    """The readings the last (ambiguous) answer listed, asked again: a follow-up on "the figure" cannot be
    answered before the user says which one it is."""
    s = turn.state
    assert s is not None
    readings = [f for f in (turn.conv.finder.verified(r) for r in s.readings) if f is not None]
    if len(readings) < 2:
        return None
    lines = "\n".join(f"· {label(f)}：{fmt(f.value)}{f.unit}（{where(f)}）" for f in readings[:5])
    return ConversationAnswer(question=turn.question, status="ambiguous",
                              answer=f"上一个问题有几种读法，请先说明指的是哪一项（例如“第一个”）：\n{lines}",
                              alternatives=[label(f) for f in readings[:5]], citations=[cite(f) for f in readings[:5]],
                              conversation=turn.carried())


def _target_year(turn: TurnLike, t: str) -> int | None:
    s = turn.state
    if turn.m.years:
        return turn.m.years[0]
    if s is None or s.year is None:
        return None
    if pattern("year_before_previous").search(t):
        return s.year - 2
    if pattern("previous_year").search(t):
        return s.year - 1
    if pattern("next_year").search(t):
        return s.year + 1
    return None


def _change_on_screen(turn: TurnLike, rate: bool) -> Any | None:
    """The change of the last figure from the year before that the last answer cites, or its document
    states: a follow-up asking that change is answered with it, never contradicted."""
    s = turn.state
    assert s is not None
    for g in (turn.conv.finder.verified(r) for r in s.facts):
        if g is not None and g.source == "narrative" and CHANGE_COL.search(g.column) and (g.unit == "%") == rate:
            return g
    f = last_fact(turn)
    return stated_change(turn, f, rate) if f is not None else None


def _change(turn: TurnLike, t: str) -> ConversationAnswer:
    s = turn.state
    assert s is not None
    measure = change_measure(t, s.change_measure)
    scope = turn.scope()
    years = turn.m.years
    new: int | None
    old: int | None
    if len(years) >= 2:
        new, old = years[0], years[1]
    elif len(years) == 1 and re.search(rf"(比|跟|与|较|同){years[0]}", fold(turn.question)):
        new, old = turn.filters.year or s.year, years[0]  # "比2023年增加了多少": the year answered vs 2023
    elif len(years) == 1:
        new, old = years[0], years[0] - 1
    else:
        new, old = scope.year, (scope.year - 1 if scope.year else None)
        later = later_year(turn, new) if new is not None else None
        shown = years_on_screen(turn)
        if later is not None:  # after "那去年呢" answered from the next year's document: its change from that year
            new, old = later, later - 1
        elif shown is not None and shown[1] == new and _change_on_screen(turn, measure == "change_rate") is None:
            new, old = shown  # "2019年…", "那2018年呢", "比上年少了多少": the two shown (none states its own change)
    if new is None or old is None:
        return turn.refused("请说明要比较的年份。")
    scope.year = new
    here = scope.department == s.department and new == s.year
    rate = measure == "change_rate"
    if old == new - 1 and here:
        # the change the last answer cited, or the document states for its figure: never contradicted
        g = _change_on_screen(turn, rate)
        if g is not None:
            return _stated(turn, g, measure)
        f = last_fact(turn)
        if f is not None and not rate and not pattern("change_amount").search(t) \
                and not turn.conv.loaded(scope.department, old):
            g = stated_change(turn, f, True)
            if g is not None:  # "增长了多少" where the document states only the rate, and no year before is loaded
                return _stated(turn, g, "change_rate")
        level = level_with(f, turn.conv.finder.facts(f.document), old, s.item or "") if f is not None else None
        if f is not None and level is not None:  # "…21.56万元，比2022年预算持平": no change, as the answer said
            unit = "%" if rate else f.unit
            return turn.computed(0.0, unit, f"{label(f)}{new}年与{old}年持平，变化为0{unit}",
                                 f"文件写明与{old}年持平（原文：“{(level.quote or '')[:120]}”）", [level],
                                 s.item, measure, label=label(f))
    item = s.item or s.asked or ""
    new_scope = type(scope)(scope.department, new, scope.kind)
    if old == new - 1:
        ans, facts = turn.conv.single(phrase(item, measure), new_scope)
        if ans.status == "answered" and ans.value is not None:
            return turn.finish(ans, facts, item=item, measure=measure)
    return two_years(turn, item, scope.department, new, old, measure)


def _stated(turn: TurnLike, g: Any, measure: str) -> ConversationAnswer:
    word = change_word(g)
    unit = g.unit
    text = (f"{g.year}年{g.department}{(g.row or '').split(' / ')[-1]}比上年{word}{fmt(g.value)}{unit}。"
            f"{where(g)}说明部分：{(g.quote or '')[:200]}")
    ans = Answer(question=turn.question, status="answered", answer=text, value=g.value, unit=unit,
                 citations=[cite(g)], department=g.department, year=g.year, item=turn.state.item if turn.state else None,
                 measure=measure)
    return turn.finish(ans, [g], item=ans.item, measure=measure)


def two_years(turn: TurnLike, item: str, department: str | None, new: int, old: int, measure: str) -> ConversationAnswer:
    """The item's change between two years, computed from each year's figure."""
    figs = []
    for y in (new, old):
        ans, facts = turn.conv.single(phrase(item, "value"), Scope(department, y, turn.filters.kind))
        fig = headline(ans, facts)
        if fig is None or fig.computation:
            return turn.refused(f"已导入的文件中没有找到{department or ''}{y}年“{item}”的数，无法比较{new}年与{old}年。")
        figs.append((fig, facts))
    (a, fa), (b, fb) = figs
    if a.unit != b.unit:
        return turn.refused("两年的数单位不同，无法比较。")
    f_new, f_old = turn.conv.finder.verified(a.facts[0]), turn.conv.finder.verified(b.facts[0])
    if f_new is None or f_old is None:
        return turn.refused("无法核对两年的数，无法比较。")
    twin = same_fact_in(turn, f_new, department, old)
    f_old = twin if twin is not None else f_old
    diff = round(f_new.value - f_old.value, 2)
    if measure == "change_rate":
        if f_old.value == 0:
            return turn.refused(f"{old}年的数为0，无法计算增长率。")
        r = round(diff / f_old.value * 100, 2)
        how = f"({fmt(f_new.value)} - {fmt(f_old.value)}) ÷ {fmt(f_old.value)} × 100% = {fmt(r)}%"
        return turn.computed(r, "%", f"{new}年{label(f_new)}比{old}年{'增长' if r >= 0 else '下降'}{fmt(abs(r))}%",
                             how, [f_new, f_old], item=item, measure=measure, department=department, year=new)
    how = f"{fmt(f_new.value)} - {fmt(f_old.value)} = {fmt(diff)}"
    return turn.computed(abs(diff), f_new.unit, f"{new}年{label(f_new)}比{old}年{'增加' if diff >= 0 else '减少'}"
                         f"{fmt(abs(diff))}{f_new.unit}", how, [f_new, f_old], item=item, measure="change_amount",
                         department=department, year=new)


def _before_after(turn: TurnLike) -> ConversationAnswer | None:
    f = last_fact(turn)
    if f is None or f.source != "narrative" or turn.m.departments or turn.m.years:
        return None
    g = before_after(f, turn.conv.finder.facts(f.document), turn.rest)
    if g is None:
        return None
    item = turn.state.item if turn.state else None
    return fact_answer(turn, g, item, "value", name=f"{label(g)}（原文：“{(g.quote or '')[:120]}”）")


def nearby(turn: TurnLike, rows_under: bool) -> ConversationAnswer | None:
    """The row the follow-up names under the last answer's row (`rows_under`) or beside it in its table,
    in the last answer's document, when the question names no other department or year
    (assistant/neighbourhood.py)."""
    scope = turn.scope()
    anchors = [last_fact(turn)] if rows_under else figure_facts(turn)  # beside: any figure answered
    g = None
    for f in anchors:
        if f is None or (scope.department, scope.year) != (f.department, f.year) \
                or (turn.filters.kind and turn.filters.kind != f.kind):
            continue
        facts = turn.conv.finder.facts(f.document)
        g = under(f, facts, turn.rest) if rows_under else beside(f, facts, turn.rest)
        if g is not None:
            break
    if g is None:
        return None
    segs = [x for x in (g.row or "").split(" / ") if x]
    if rows_under:  # "“金融扶贫贷款贴息”扶贫贴息覆盖率（指标值）"
        col = f"（{g.column}）" if g.column else ""
        name = f"“{segs[0]}”{segs[-1]}{col}"
        return fact_answer(turn, g, f"{segs[0]}{segs[-1]}", "value", name=name)
    return fact_answer(turn, g, segs[-1] if segs else None, "value")


def _other_year(turn: TurnLike, year: int) -> ConversationAnswer:
    s = turn.state
    assert s is not None
    scope = turn.scope(year=year)
    scope.year = year
    measure = "value"  # "换成2018年呢" after its change: the item itself in that year
    named_col = column_of(turn.rest)
    col = named_col or s.column
    item = s.item or ""
    f = last_fact(turn)
    if turn.conv.loaded(scope.department, year):
        twin = same_fact_in(turn, f, scope.department, year) if f is not None and not named_col else None
        if twin is not None:  # the same row of the same kind of table in that year's document
            return fact_answer(turn, twin, item, "value", col)
        itself = pronoun_in(turn.rest) is not None  # "2018年还有这项收入吗": the item, not the last measure of it
        text = phrase(item, measure, col) if (named_col or itself or not s.asked) else s.asked
        return single(turn, text, scope, item, measure, col, topic=not named_col)
    if f is not None and measure == "value" and year == f.year - 1 and f.department == scope.department:
        g = prior_column(turn, f, year)
        if g is not None:
            return fact_answer(turn, g, item, "value", col)
        stated = stated_year(turn, f, year, item, col)  # "2022年当年预算执行数为…" in this year's document
        if stated is not None:
            return stated
        c = stated_change(turn, f, rate=False)
        if c is not None and c.unit == f.unit:
            up = change_word(c) in ("增加", "增长")
            prev = round(f.value - c.value if up else f.value + c.value, 2)
            how = (f"{fmt(f.value)} {'-' if up else '+'} {fmt(c.value)} = {fmt(prev)}"
                   f"（{f.year}年数{'减去' if up else '加上'}比上年{'增加' if up else '减少'}额）")
            return turn.computed(prev, f.unit, f"{year}年{f.department}{label(f)}为{fmt(prev)}{f.unit}", how, [f, c],
                                 item=item, label=f"{year}年{label(f)}",
                                 measure="value", department=f.department, year=year)
    dept = scope.department or "所问部门"
    return turn.refused(f"已导入的文件中没有{dept}{year}年的文件，已有文件也没有说明“{item}”{year}年的数，无法回答。")


def _part_of_last(turn: TurnLike, t: str) -> ConversationAnswer:
    s = turn.state
    assert s is not None
    part = strip_ends(re.sub(r"^其中", "", t))
    part_item = item_of(part) or part
    scope = turn.scope()
    if _LOCATIVE.search(part_item):  # "其中基本支出里的是多少": a qualifier of the same item
        text = f"{part_item}{s.item or ''}是多少"
        return single(turn, text, scope, f"{part_item}{s.item or ''}", "value")
    f = last_fact(turn)
    ans, facts = turn.conv.single(part, scope)
    if f is not None and not any(g.table == f.table for g in facts):
        again, again_facts = turn.conv.single(f"{label(f)}中的{part}", scope)
        if again.status == "answered" and any(g.table == f.table for g in again_facts):
            ans, facts = again, again_facts
    return turn.finish(ans, facts, item=part_item, measure=measure_of(part), asked=part)


def _same_item(turn: TurnLike, t: str) -> ConversationAnswer | None:
    """No item named: "那省高院呢", "金额是多少", "2019年呢": the item just answered, scope from the question."""
    s = turn.state
    assert s is not None
    if not (s.item or s.asked):
        return None
    scope = turn.scope()
    if not re.search(r"[\u4e00-\u9fffA-Za-z]", strip_ends(turn.rest)) and not turn.m.departments \
            and not turn.m.years and (scope.department, scope.year) == (s.department, s.year):
        # "还有呢？": nothing named, nothing changed; the same answer again would tell nothing new
        return ConversationAnswer(question=turn.question, status="ambiguous", conversation=turn.carried(),
                                  answer=f"请问还想了解“{s.item or s.asked}”的什么？例如：比上年增减多少、为什么、"
                                         "占总数多少，或换一个项目、部门、年份。")
    named = measure_of(t)
    bare = not re.search(r"多少|几|是|金额|数", strip_ends(turn.rest))
    if bare or (named == "value" and s.asked and asked_unit(t) is not None):
        # "那省高院呢", "那省高院呢，几家？": the topic question again, scope changed
        text = asked_text(turn)
        return single(turn, text, scope, s.item, measure_of(text), s.column, topic=True)
    return single(turn, phrase(s.item or s.asked or "", named), scope, s.item, named)


def _with_pronoun(turn: TurnLike, t: str, p: str) -> ConversationAnswer:
    s = turn.state
    assert s is not None
    scope = turn.scope()
    text = strip_ends(turn.rest).replace(p, s.item or "", 1)
    ans, facts = turn.conv.single(text, scope)
    if ans.status != "answered":
        bare = strip_ends(turn.rest).replace(p, "", 1)
        again, again_facts = turn.conv.single(bare, scope)
        if again.status == "answered":
            ans, facts, text = again, again_facts, bare
    return turn.finish(ans, facts, item=item_of(text) or s.item, measure=measure_of(text), asked=text)
