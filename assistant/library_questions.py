"""Questions over the whole library: one figure per department (各部门…, 哪个部门最高), a small series
of years (从2017到2019年, 历年), two years compared (2019年比2017年) or both given (2017年和2019年).

Each figure comes from `Assistant.ask` with an explicit department and year and is cited; the answer
carries the figures as `series` for the page's chart.
"""

from __future__ import annotations

import re
from typing import Any

from assistant import department_sums
from assistant import follow_up_words as fw
from assistant import follow_ups as fu
from assistant.compose import cite, fmt, label, where
from assistant.conversation_state import (
    MAX_FIGURES,
    ConversationAnswer,
    ConversationState,
    FactRef,
    Figure,
    Scope,
    SeriesPoint,
    TurnLike,
    headline,
)
from assistant.follow_up_facts import same_fact_in
from assistant.mentions import fold, pattern, words
from assistant.neighbourhood import asks_other_measure
from assistant.records import Answer
from budgetqa.vocabulary import convert, is_money, vocabulary


def answer(turn: TurnLike) -> ConversationAnswer | None:
    """The library-wide reading of the question, or None when it asks about one department and year."""
    t = fold(turn.question)
    catalog = turn.conv.catalog()
    s = turn.state
    if s is not None and len(s.figures) >= 2 and any(pattern(n).search(t) for n in ("sum_last", "difference_last",
                                                                                    "compare_last")):
        return None  # "两家加起来", "两家差了多少", "哪家更高": the figures just answered
    if s is not None and s.pending and len(turn.m.departments) == 1 and not fw.has_item(turn.rest) \
            and not turn.m.years:  # "省检察院" after "请说明是哪个部门": the years question, for it
        again = turn.conv.ask(f"{turn.m.departments[0]}{s.pending}", [], None, turn.filters.year, turn.filters.kind)
        return again.model_copy(update={"question": turn.question})
    lib = "library"
    ranked = "desc" if pattern("highest", lib).search(t) else ("asc" if pattern("lowest", lib).search(t) else None)
    year = turn.filters.year or (turn.m.years[0] if len(turn.m.years) == 1 else None)
    if year is None and s is not None and s.year and not turn.m.years:
        year = s.year if any(s.year in ys for ys in catalog.values()) else None
    scope = Scope(None, year, turn.filters.kind)
    years_asked = _years_asked(turn, t)
    if turn.filters.department is None and not ranked and pattern("all_departments", lib).search(t) and years_asked:
        return each_series(turn, list(catalog), years_asked, _item_text(turn, t), t)  # "各部门从2017到2019年…"
    if turn.filters.department is None and (ranked or pattern("all_departments", lib).search(t)):
        return across(turn, list(catalog), scope, _item_text(turn, t), ranked)
    if turn.filters.department is None and pattern("both_departments", lib).search(t):
        depts = turn.m.departments or _conversation_departments(turn) or (list(catalog) if len(catalog) == 2 else [])
        if len(depts) == 2:
            return across(turn, depts, scope, _item_text(turn, t), ranked)
        if len(catalog) > 2 and not turn.m.departments and (s is None or not (s.department or s.departments)):
            # "两个部门的三公经费" opening a conversation: ask which two ("另外两家" about one department is not)
            return _which_two(turn, list(catalog), _item_text(turn, t))
    if turn.filters.department is None and len(turn.m.departments) >= 2 and not pattern("change").search(t):
        return across(turn, turn.m.departments, scope, _item_text(turn, t), ranked)
    dept = turn.scope().department
    if dept is None and turn.filters.year is None and len(catalog) > 1 and years_asked:
        # "从2017到2019年三公经费的变化" naming no department over several: which one, never a silent pick
        having = [d for d, ys in catalog.items() if len(set(ys) & set(years_asked)) >= 2]
        return _which_department(turn, having or list(catalog), years_asked, _item_text(turn, t))
    if dept is None or turn.filters.year is not None:
        return None
    loaded = catalog.get(dept, [])
    m = pattern("series", lib).search(t)
    if m:
        if m.group(1) and m.group(3):
            lo, hi = sorted((int(m.group(1)), int(m.group(3))))
            years = [y for y in loaded if lo <= y <= hi]
        else:
            years = list(loaded)
        if len(years) >= 2:
            return series(turn, dept, years, _item_text(turn, t), change=bool(re.search(r"变化|增|减|涨|降", t)))
    m = pattern("two_years_compare", lib).search(t)
    named = [int(y) for y in re.findall(r"20\d\d", m.group(0))] if m else []
    if len(named) == 2 and named[0] != named[1]:
        new, old = named
        if new != old + 1:  # consecutive years: the document's own stated change comes first (follow_ups)
            measure = fw.change_measure(t, s.change_measure if s else None)
            return fu.two_years(turn, _item_text(turn, t), dept, new, old, measure)
        return None
    m = pattern("two_years_both", lib).search(t)
    if m and m.group(1) != m.group(3) and not pattern("change").search(t):
        return series(turn, dept, [int(m.group(1)), int(m.group(3))], _item_text(turn, t), change=False)
    return None


def again(turn: TurnLike) -> ConversationAnswer | None:
    """After an answer over several departments ("各部门…", "哪个部门最高", "省法院和省检察院…"), a follow-up
    naming no department ("那公务接待费呢", "2018年呢") is answered over the same departments, ranked
    again when the last one was; None when the question names a department or asks a change, a share,
    a sum or a reason of the figures just given."""
    s = turn.state
    if s is None or s.department or len(s.departments) < 2 or turn.m.departments or turn.filters.department:
        return None
    t = fold(turn.rest)
    if asks_other_measure(t) or len(turn.m.years) > 1:
        return None
    year = turn.filters.year or (turn.m.years[0] if turn.m.years else None)
    if year is None and s.year is not None:
        year = s.year - 1 if pattern("previous_year").search(t) else (
            s.year + 1 if pattern("next_year").search(t) else s.year)
    item = fw.item_of(turn.rest) if fw.has_item(turn.rest) else s.item
    if not item:
        return None
    ranked = "desc" if pattern("highest", "library").search(t) else (
        "asc" if pattern("lowest", "library").search(t) else s.ranked)
    return across(turn, list(s.departments), Scope(None, year, turn.filters.kind), item, ranked)


def again_years(turn: TurnLike) -> ConversationAnswer | None:
    """After a series of years for one department, "那会议费呢" (another item, nothing else named) gives
    that item for the same years; None otherwise."""
    s = turn.state
    if s is None or len(s.series_years) < 2 or not s.department or turn.m.departments or turn.m.years \
            or turn.filters.department or turn.filters.year or not fw.has_item(turn.rest):
        return None
    t = fold(turn.rest)
    if asks_other_measure(t) or pattern("change").search(t) or fw.pronoun_in(turn.rest) \
            or not re.search(r"呢[？?]?$", t):
        return None
    return series(turn, s.department, list(s.series_years), fw.item_of(turn.rest) or fw.strip_ends(turn.rest),
                  change=s.measure == "change_amount")


def _item_text(turn: TurnLike, t: str) -> str:
    """The item asked about, without the library words: '哪个部门的三公经费最高' -> '三公经费'."""
    rest = fold(turn.m.without_names())
    for w in sorted(words()["library"]["words"], key=len, reverse=True):
        rest = rest.replace(w, " ")
    rest = re.sub(r"近[两三四五六七八九十\d]年|(?<![\u4e00-\u9fff])(到|至|比|较|与|和|跟|及|同)(?=\s|$)|^\s*(从|比|较|与|和|跟|及|同|到|至)", " ", rest)
    rest = re.sub(r"\s*(从|到|至|比|较|与|和|跟|及|同)\s+", " ", " " + rest)
    # "两家2019年加起来多少": the words of the sum name no item, the conversation's item is meant
    item = fw.item_of(department_sums.bare(rest)) or (turn.state.item if turn.state else None) or rest.strip()
    return item


def _conversation_departments(turn: TurnLike) -> list[str]:
    s = turn.state
    if s is None:
        return []
    out: list[str] = []
    for fig in reversed(s.figures):
        if fig.department and fig.department not in out:
            out.append(fig.department)
    return out[:2]


def _to_wan(value: float, unit: str) -> float | None:
    """A money amount in the usual money unit (万元); None for a count or a rate."""
    return convert(value, unit, vocabulary().usual_money) if is_money(unit) else None


def _point(turn: TurnLike, item: str, scope: Scope) -> tuple[SeriesPoint, Any] | None:
    ans, facts = turn.conv.single(fw.phrase(item, "value"), scope)
    fig = headline(ans, facts)
    if fig is None or fig.computation or not fig.facts:
        return None
    f = turn.conv.finder.verified(fig.facts[0])
    if f is None:
        return None
    return SeriesPoint(department=f.department, year=f.year, label=label(f), value=f.value, unit=f.unit,
                       citation=cite(f)), f


def _as_point(f: Any) -> SeriesPoint:
    return SeriesPoint(department=f.department, year=f.year, label=label(f), value=f.value, unit=f.unit, citation=cite(f))


def _seen(turn: TurnLike, department: str, item: str) -> dict[int, Any]:
    """Year → the one-fact figure the conversation gave for this item and department (what the user saw)."""
    s = turn.state
    if s is None or s.item != item:
        return {}
    out: dict[int, Any] = {}
    for fig in s.figures:
        if fig.computation or len(fig.facts) != 1:
            continue
        f = turn.conv.finder.verified(fig.facts[0])
        if f is not None and f.department == department:
            out[f.year] = f
    return out


def across(turn: TurnLike, departments: list[str], scope: Scope, item_text: str, ranked: str | None) -> ConversationAnswer:
    """One figure per department, each cited; ranked when the question asks which is highest/lowest."""
    catalog = turn.conv.catalog()
    item_text = department_sums.without_adding(item_text) if not ranked else item_text
    item = fw.item_of(item_text) or item_text
    points: list[tuple[SeriesPoint, Any]] = []
    missing: list[str] = []
    for d in departments:
        years = catalog.get(d, [])
        y = scope.year if scope.year in years else (years[-1] if years and scope.year is None else None)
        got = _point(turn, item, Scope(d, y, scope.kind)) if y is not None else None
        if got is None:
            missing.append(d if y is not None else f"{d}（没有{scope.year}年的文件）")
        else:
            points.append(got)
    if not points:
        return turn.refused(f"已导入的各部门文件中都没有找到“{item}”的数，无法回答。")
    comparable = all(_to_wan(p.value, p.unit) is not None for p, _ in points) or len({p.unit for p, _ in points}) == 1
    apart: list[tuple[SeriesPoint, Any]] = []
    if ranked and comparable and len(points) > 1:
        points, apart = _same_year_and_kind(points)
        points.sort(key=lambda x: (_to_wan(x[0].value, x[0].unit) or x[0].value), reverse=ranked == "desc")
    lines = [f"{p.department}{p.year}年{p.label}{fmt(p.value)}{p.unit}（{where(f)}）" for p, f in points]
    text = "；".join(lines) + "。"
    if apart:  # another year or kind (决算 beside 预算) is listed, never ranked with them
        text += "以下部门没有同一年度、同一类型的文件，未参与排序：" + "；".join(
            f"{p.department}{p.year}年{f.kind}{p.label}{fmt(p.value)}{p.unit}（{where(f)}）" for p, f in apart) + "。"
    if ranked and comparable and len(points) > 1:
        top = points[0][0]
        text = f"{'最高' if ranked == 'desc' else '最低'}的是{top.department}（{fmt(top.value)}{top.unit}）。" \
               f"按{'从高到低' if ranked == 'desc' else '从低到高'}：" + text
        if len({p.unit for p, _ in points}) > 1:
            text += f"比较时已将元折算为{vocabulary().usual_money}。"
    elif len(points) > 1 or missing:
        text = f"按部门分别是：{text}"
    if missing:
        text += "以下部门的文件中没有找到该项：" + "、".join(missing) + "。"
    # one figure stands for the answer only when it is the answer: the top of a ranking, or the only point
    # (several departments listed side by side have no one value; the first is not their sum)
    head = points[0][0] if (ranked or len(points) == 1) else None
    points = points + apart
    facts = [f for _, f in points]
    ans = Answer(question=turn.question, status="answered", answer=text,
                 value=head.value if head else None, unit=head.unit if head else None,
                 citations=[cite(f) for f in facts], department=head.department if head else None,
                 year=head.year if head else scope.year, item=item, measure="value")
    if not ranked:  # "A和B加起来": the figures added, each cited (assistant/department_sums.py)
        ans = department_sums.added(turn.question, ans, points, missing)
    state = ConversationState(department=head.department if head and len(points) == 1 else None,
                              departments=list(dict.fromkeys([p.department for p, _ in points] + departments)),
                              ranked=ranked if comparable else None, year=scope.year or (head.year if head else None),
                              item=item, asked=fw.phrase(item, "value"), measure="value",
                              facts=[FactRef.of(f) for f in facts],
                              figures=[Figure(label=p.label, value=p.value, unit=p.unit, department=p.department,
                                              year=p.year, facts=[FactRef.of(f)]) for p, f in points][-4:])
    return ConversationAnswer.of(ans, conversation=state, series=[p for p, _ in points])


def _same_year_and_kind(points: list[tuple[SeriesPoint, Any]]) -> tuple[list[tuple[SeriesPoint, Any]],
                                                                       list[tuple[SeriesPoint, Any]]]:
    """The points of the (year, kind) most departments have (the latest on a tie), and the others: a
    ranking compares one year's budgets, not a 2019 预算 with a 2024 决算."""
    groups: dict[tuple[int, str], int] = {}
    for p, f in points:
        groups[(p.year, f.kind)] = groups.get((p.year, f.kind), 0) + 1
    key = max(groups, key=lambda k: (groups[k], k[0]))
    return ([x for x in points if (x[0].year, x[1].kind) == key],
            [x for x in points if (x[0].year, x[1].kind) != key])


def _years_asked(turn: TurnLike, t: str) -> list[int]:
    """The years a question asks across ("从2017到2019年", "2019年比2017年", "2017年和2019年"), else []."""
    m = pattern("series", "library").search(t)
    if m and m.group(1) and m.group(3):
        lo, hi = sorted((int(m.group(1)), int(m.group(3))))
        return list(range(lo, hi + 1))
    for name in ("two_years_compare", "two_years_both"):
        m = pattern(name, "library").search(t)
        named = sorted({int(y) for y in re.findall(r"20\d\d", m.group(0))}) if m else []
        if len(named) == 2:
            return named
    return []


def _which_department(turn: TurnLike, departments: list[str], years: list[int], item: str) -> ConversationAnswer:
    item = fw.item_of(item) or item
    state = ConversationState(item=item, asked=fw.phrase(item, "value"), measure="value",
                              pending=turn.question if not turn.m.departments else None)
    span = f"{years[0]}—{years[-1]}年" if len(years) > 2 else "和".join(f"{y}年" for y in years)
    return ConversationAnswer(
        question=turn.question, status="ambiguous", alternatives=departments, conversation=state,
        answer=f"请说明是哪个部门。{span}的文件已导入的部门有：{'、'.join(departments)}；"
               f"也可以问“各部门……”逐个部门列出。")


def each_series(turn: TurnLike, departments: list[str], years: list[int], item_text: str, t: str) -> ConversationAnswer:
    """"各部门从2017到2019年的培训费": the series of each department that has at least two of the years."""
    catalog = turn.conv.catalog()
    having = [d for d in departments if len(set(catalog.get(d, [])) & set(years)) >= 2]
    if not having:
        return turn.refused(f"已导入的文件中没有哪个部门有{years[0]}—{years[-1]}年中两年以上的文件，无法比较。")
    change = bool(re.search(r"变化|增|减|涨|降", t))
    parts = [series(turn, d, [y for y in catalog[d] if y in years], item_text, change) for d in having]
    answered = [p for p in parts if p.status == "answered"]
    if not answered:
        return parts[0]
    others = [d for d in departments if d not in having]
    text = " ".join(p.answer for p in answered)
    if others:
        text += "以下部门没有这些年份中两年以上的文件：" + "、".join(others) + "。"
    points = [pt for p in answered for pt in p.series]
    ans = Answer(question=turn.question, status="answered", answer=text, citations=[c for p in answered for c in p.citations],
                 item=fw.item_of(item_text) or item_text, measure="value")
    state = ConversationState(departments=[p.department for p in answered if p.department],
                              item=ans.item, asked=fw.phrase(ans.item or "", "value"), measure="value",
                              figures=[g for p in answered for g in (p.conversation.figures if p.conversation else [])][-MAX_FIGURES:])
    return ConversationAnswer.of(ans, conversation=state, series=points)


def _which_two(turn: TurnLike, departments: list[str], item: str) -> ConversationAnswer:
    """"两个部门…" when the conversation has not named two: ask which two, listing the loaded ones."""
    item = fw.item_of(item) or item
    state = ConversationState(item=item, asked=fw.phrase(item, "value"), measure="value")
    return ConversationAnswer(
        question=turn.question, status="ambiguous", alternatives=departments, conversation=state,
        answer=f"请说明是哪两个部门。已导入{len(departments)}个部门的文件：{'、'.join(departments)}；"
               f"也可以问“各部门{item}是多少”比较所有部门。")


def series(turn: TurnLike, department: str, years: list[int], item_text: str, change: bool) -> ConversationAnswer:
    """The item in each of the years, each cited; with the change from the first to the last when asked."""
    item = fw.item_of(item_text) or item_text
    points, missing = [], []
    seen = _seen(turn, department, item)
    anchor = next(iter(seen.values()), None)
    for y in sorted(set(years)):
        # the figure the conversation already gave for that year, or the same row of the same kind of table
        f = seen.get(y) or (same_fact_in(turn, anchor, department, y) if anchor is not None else None)
        got = (_as_point(f), f) if f is not None else _point(turn, item, Scope(department, y, turn.filters.kind))
        if got is None:
            missing.append(y)
        else:
            points.append(got)
    if not points:
        return turn.refused(f"已导入的文件中没有找到{department}这些年份“{item}”的数，无法回答。")
    lines = [f"{p.year}年{fmt(p.value)}{p.unit}（{where(f)}）" for p, f in points]
    text = f"{department}{points[0][0].label}：" + "；".join(lines) + "。"
    if missing:
        text += "没有找到" + "、".join(f"{y}年" for y in missing) + "的数。"
    facts = [f for _, f in points]
    value, unit, how = points[0][0].value, points[0][0].unit, None
    first, last = points[0][0], points[-1][0]
    if change and len(points) >= 2 and first.unit == last.unit:
        d = round(last.value - first.value, 2)
        how = f"{fmt(last.value)} - {fmt(first.value)} = {fmt(d)}"
        rate = f"，{'增长' if d >= 0 else '下降'}{fmt(abs(d / first.value * 100))}%" if first.value else ""
        text += (f"{last.year}年比{first.year}年{'增加' if d >= 0 else '减少'}{fmt(abs(d))}{last.unit}{rate}。"
                 f"计算方法：{how}" + (f"；({fmt(last.value)} - {fmt(first.value)}) ÷ {fmt(first.value)} × 100%"
                                     if first.value else "") + "。")
        value, unit = abs(d), last.unit
    ans = Answer(question=turn.question, status="answered", answer=text, value=value, unit=unit,
                 citations=[cite(f) for f in facts], computation=how, department=department, year=last.year,
                 item=item, measure="change_amount" if how else "value")
    given = [Figure(label=p.label, value=p.value, unit=p.unit, department=p.department, year=p.year,
                    facts=[FactRef.of(f)]) for p, f in points]
    years_here = {p.year for p, _ in points}
    # the same item's figures for other years given earlier stay ("2019年…", "那2017年和2018年呢", "哪一年最高")
    earlier = [g for g in (turn.state.figures if turn.state else []) if not g.computation and g.department == department
               and g.label == points[0][0].label and g.year not in years_here]
    figures = sorted(earlier + given, key=lambda g: g.year or 0)[-MAX_FIGURES:]
    state = ConversationState(department=department, year=last.year, item=item, asked=fw.phrase(item, "value"),
                              measure="value", facts=[FactRef.of(f) for f in facts], figures=figures,
                              series_years=[p.year for p, _ in points] if len(points) >= 2 else [])
    return ConversationAnswer.of(ans, conversation=state, series=[p for p, _ in points])


def chart_of(ans: Any) -> tuple[str, list[tuple[str, float]], str] | None:
    """(title, bars, note) for the page's bar chart of an answer's `series`, in one unit; None without one."""
    points = list(getattr(ans, "series", None) or [])
    if len(points) < 2:
        return None
    units = {p.unit for p in points}
    money = all(is_money(p.unit) for p in points)
    if len(units) > 1 and not money:
        return None
    unit = units.pop() if len(units) == 1 else vocabulary().usual_money
    one_year, one_dept = len({p.year for p in points}) == 1, len({p.department for p in points}) == 1

    def name(p: SeriesPoint) -> str:
        return f"{p.year}年" if one_dept else (p.department if one_year else f"{p.department}{p.year}年")

    rows = [(name(p), (_to_wan(p.value, p.unit) or 0.0) if unit == vocabulary().usual_money and money else p.value) for p in points]
    title = f"{points[0].label}（{unit}）"
    docs = "、".join(dict.fromkeys(f"《{p.citation.document}》第{p.citation.page}页" for p in points if p.citation))
    return title, rows, docs
