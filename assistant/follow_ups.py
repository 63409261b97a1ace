"""Follow-up patterns resolved against the conversation state: the item of the last answer in another
year, column or department; its change; a pronoun for it; a part of it. Arithmetic on the last
figures is in follow_up_arithmetic.py, the reading of the question in follow_up_words.py.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.compose import cite, fmt, label, where
from assistant.conversation_state import ConversationAnswer, Scope, TurnLike, describe, headline
from assistant.follow_up_arithmetic import _compare_last, _difference_last, _share, _sum_last
from assistant.follow_up_passages import elaborate, why
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
from assistant.mentions import fold, pattern
from assistant.neighbourhood import asked_unit, asks_other_measure, before_after, beside, under
from assistant.records import Answer

_LOCATIVE = re.compile(r"(里|中|里面|当中|之中)(的)?$")
_CHANGE_COL = re.compile(r"^比上年|增减|增长|下降|增加|减少")
# "比年初预算少了多少", "与预算数相差多少": the last figure against another column of its row
_AGAINST_COLUMN = re.compile(r"(比|较|与|和|跟|同)(年初预算|全年预算|调整后?预算|预算|决算)")
_COLUMN_OF_WORD = {"年初预算": "年初预算", "全年预算": "全年预算", "调整预算": "全年预算", "调整后预算": "全年预算",
                   "预算": "预算数", "决算": "决算数"}


# ---- the dispatcher ------------------------------------------------------------------------
def resolve(turn: TurnLike) -> ConversationAnswer | None:
    """The follow-up's answer, or None when the question stands on its own (then answered fresh)."""
    s = turn.state
    assert s is not None
    t = fold(turn.rest)
    item_here = has_item(turn.rest)
    if pattern("why").search(t):
        return why(turn)
    turned = _before_after(turn)
    if turned is not None:  # "那合并之前是几辆": the other side of the change the last sentence states
        return turned
    if pattern("elaboration").search(t):
        told = elaborate(turn)
        if told is not None:  # "另外两家是哪两家": the sentences the last figure stands in
            return told
    if pattern("sum_last").search(t):
        return _sum_last(turn, t)
    if pattern("difference_last").search(t) and not item_here and len(s.figures) >= 2:
        return _difference_last(turn)
    if pattern("compare_last").search(t) and len(s.figures) >= 2:
        return _compare_last(turn, t)
    against = _AGAINST_COLUMN.search(t)
    if against and (pattern("change").search(t) or pattern("difference_last").search(t)):
        versus = _column_difference(turn, against.group(2))
        if versus is not None:  # "比年初预算少了多少": the same row's two columns, not two years
            return versus
    if pattern("change").search(t) and not pattern("share").search(t) and not item_here and not re.search(r"变成|变为", t):
        return _change(turn, t)
    col = column_of(t)
    if col and not item_here:
        return _column(turn, col)
    if pattern("share").search(t):
        shared = _share(turn, t)
        if shared is not None:
            return shared
    year = _target_year(turn, t)
    if year is not None and year != s.year and not item_here:
        return _other_year(turn, year)
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


def _last_fact(turn: TurnLike) -> Any | None:
    """The stored fact the last figure about the item itself is (not its change), when it is one fact."""
    s = turn.state
    if s is None:
        return None
    for fig in reversed(s.figures):
        if fig.computation or len(fig.facts) != 1:
            continue
        f = turn.conv.finder.verified(fig.facts[0])
        if f is None or not (f.source == "narrative" and _CHANGE_COL.search(f.column)):
            return f
    return None


def _figure_facts(turn: TurnLike) -> list[Any]:
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


def _asked(turn: TurnLike, measure: str | None = None, column: str | None = None) -> str:
    s = turn.state
    assert s is not None
    if measure is None and column is None and s.asked:
        return s.asked
    return phrase(s.item or s.asked or "", measure or s.measure, column if column is not None else s.column)


def _single(turn: TurnLike, text: str, scope: Scope, item: str | None, measure: str | None,
            column: str | None = None, topic: bool = False) -> ConversationAnswer:
    """Ask the single-question assistant; a `topic` question is the one asked again when only the
    department or year changes ("那省高院呢"), a derived one (its change, a column) is not."""
    ans, facts = turn.conv.single(text, scope)
    return turn.finish(ans, facts, item=item, measure=measure, column=column, asked=text if topic else None)


def stated_change(turn: TurnLike, f: Any, rate: bool) -> Any | None:
    """The change from last year the document states for fact f ("比上年增加1.17万元")."""
    name = label(f)
    for g in turn.conv.finder.facts(f.document):
        if g.source != "narrative" or not g.column.startswith("比上年") or (g.unit == "%") != rate:
            continue
        if (g.row or "").split(" / ")[-1] in (name, (f.row or "").split(" / ")[-1]):
            return g
    return None


def _change_word(g: Any) -> str:
    up, down = ("增长", "下降") if g.unit == "%" else ("增加", "减少")
    return up if re.search(r"增加|增长", g.column) else (down if re.search(r"减少|下降", g.column) else "变化")


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
    if new is None or old is None:
        return turn.refused("请说明要比较的年份。")
    scope.year = new
    here = scope.department == s.department and new == s.year
    rate = measure == "change_rate"
    if old == new - 1 and here:
        # the change the last answer cited, or the document states for its figure: never contradicted
        for g in (turn.conv.finder.verified(r) for r in s.facts):
            if g is not None and g.source == "narrative" and _CHANGE_COL.search(g.column) and (g.unit == "%") == rate:
                return _stated(turn, g, measure)
        f = _last_fact(turn)
        g = stated_change(turn, f, rate) if f is not None else None
        if g is not None:
            return _stated(turn, g, measure)
    item = s.item or s.asked or ""
    new_scope = type(scope)(scope.department, new, scope.kind)
    if old == new - 1:
        ans, facts = turn.conv.single(phrase(item, measure), new_scope)
        if ans.status == "answered" and ans.value is not None:
            return turn.finish(ans, facts, item=item, measure=measure)
    return two_years(turn, item, scope.department, new, old, measure)


def _stated(turn: TurnLike, g: Any, measure: str) -> ConversationAnswer:
    word = _change_word(g)
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
    return _fact_answer(turn, g, item_of(turn.rest), "value", col)


def _column_difference(turn: TurnLike, word: str) -> ConversationAnswer | None:
    col = _COLUMN_OF_WORD[word]
    f = _last_fact(turn)
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


def _column(turn: TurnLike, col: str) -> ConversationAnswer:
    s = turn.state
    assert s is not None
    scope = turn.scope()
    f = _last_fact(turn)
    if col == "完成率":
        return _completion(turn, f)
    if f is not None and (f.department, f.year) == (scope.department, scope.year):
        g = same_row(turn, f, col)
        if g is not None:
            return _fact_answer(turn, g, s.item, "value", col)
    item = s.item or ""
    return _single(turn, phrase(item, "value", col), scope, item, "value", col)


def _fact_answer(turn: TurnLike, g: Any, item: str | None, measure: str, col: str | None = None,
                 name: str | None = None) -> ConversationAnswer:
    text = f"{g.year}年{g.department}{name or describe(g)}为{g.comparison or ''}{fmt(g.value)}{g.unit}。{where(g)}。"
    ans = Answer(question=turn.question, status="answered", answer=text, value=g.value, unit=g.unit,
                 citations=[cite(g)], department=g.department, year=g.year, item=item, measure=measure,
                 comparison=g.comparison)
    return turn.finish(ans, [g], item=item, measure=measure, column=col)


def _before_after(turn: TurnLike) -> ConversationAnswer | None:
    f = _last_fact(turn)
    if f is None or f.source != "narrative" or turn.m.departments or turn.m.years:
        return None
    g = before_after(f, turn.conv.finder.facts(f.document), turn.rest)
    if g is None:
        return None
    item = turn.state.item if turn.state else None
    return _fact_answer(turn, g, item, "value", name=f"{label(g)}（原文：“{(g.quote or '')[:120]}”）")


def nearby(turn: TurnLike, rows_under: bool) -> ConversationAnswer | None:
    """The row the follow-up names under the last answer's row (`rows_under`) or beside it in its table,
    in the last answer's document, when the question names no other department or year
    (assistant/neighbourhood.py)."""
    scope = turn.scope()
    anchors = [_last_fact(turn)] if rows_under else _figure_facts(turn)  # beside: any figure answered
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
        return _fact_answer(turn, g, f"{segs[0]}{segs[-1]}", "value", name=name)
    return _fact_answer(turn, g, segs[-1] if segs else None, "value")


def _completion(turn: TurnLike, f: Any | None) -> ConversationAnswer:
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
            return _fact_answer(turn, g, item, "completion")
    final = f if re.search(r"决算|执行", f.column) else same_row(turn, f, "决算数")
    budgets = [g for g in (_verified_figure_facts(turn) + [same_row(turn, f, "年初预算"), same_row(turn, f, "全年预算")])
               if g is not None and g.table == f.table and g.row == f.row and not re.search(r"决算|执行", g.column)]
    budget = next((b for b in budgets if b.value), None)
    if final is None or budget is None:
        return turn.finish(ans, facts, item=item, measure="completion")
    rate = round(final.value / budget.value * 100, 2)
    how = f"{fmt(final.value)} ÷ {fmt(budget.value)} × 100% = {fmt(rate)}%"
    return turn.computed(rate, "%", f"{final.year}年{final.department}{(f.row or '').split(' / ')[-1]}决算数为预算数的{fmt(rate)}%",
                         how, [final, budget], item=item, measure="completion")


def _verified_figure_facts(turn: TurnLike) -> list[Any]:
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


def _other_year(turn: TurnLike, year: int) -> ConversationAnswer:
    s = turn.state
    assert s is not None
    scope = turn.scope(year=year)
    scope.year = year
    measure = "value"  # "换成2018年呢" after its change: the item itself in that year
    named_col = column_of(turn.rest)
    col = named_col or s.column
    item = s.item or ""
    f = _last_fact(turn)
    if turn.conv.loaded(scope.department, year):
        twin = same_fact_in(turn, f, scope.department, year) if f is not None and not named_col else None
        if twin is not None:  # the same row of the same kind of table in that year's document
            return _fact_answer(turn, twin, item, "value", col)
        itself = pronoun_in(turn.rest) is not None  # "2018年还有这项收入吗": the item, not the last measure of it
        text = phrase(item, measure, col) if (named_col or itself or not s.asked) else s.asked
        return _single(turn, text, scope, item, measure, col, topic=not named_col)
    if f is not None and measure == "value" and year == f.year - 1 and f.department == scope.department:
        g = prior_column(turn, f, year)
        if g is not None:
            return _fact_answer(turn, g, item, "value", col)
        c = stated_change(turn, f, rate=False)
        if c is not None and c.unit == f.unit:
            up = _change_word(c) in ("增加", "增长")
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
        return _single(turn, text, scope, f"{part_item}{s.item or ''}", "value")
    f = _last_fact(turn)
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
    named = measure_of(t)
    bare = not re.search(r"多少|几|是|金额|数", strip_ends(turn.rest))
    if bare or (named == "value" and s.asked and asked_unit(t) is not None):
        # "那省高院呢", "那省高院呢，几家？": the topic question again, scope changed
        text = _asked(turn)
        return _single(turn, text, scope, s.item, measure_of(text), s.column, topic=True)
    return _single(turn, phrase(s.item or s.asked or "", named), scope, s.item, named)


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
