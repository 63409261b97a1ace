"""Question → Plan: the typed, public description of what will be looked up and how.

`make_plan` normalises the question (assistant/normalise.py), reads it (assistant/understand.py),
resolves the department and year against what is loaded (`Catalog`) and picks a route: which tool
answers it (a figure lookup, a computation, narrative passages) or why it is refused. Nothing here
reads a fact; the tools do (assistant/service.py dispatches on `Plan.route`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from assistant import computed_asks, sums
from assistant.duties import asks_contents, asks_duty
from assistant.normalise import readable
from assistant.understand import Query, expand, parse
from assistant.whole import names_printed_row, whole_item

Route = Literal["refuse", "which_department", "value", "narrative", "sum_or_difference", "share", "change",
                "budget_vs_final", "previous_year", "each_year", "each_item", "ratio", "which_most", "which_of_two"]


@dataclass
class Catalog:
    """What is loaded: department names and the years each has a document for."""

    departments: list[str]
    years: dict[str, list[int]] = field(default_factory=dict)

    def years_of(self, departments: list[str]) -> list[int]:
        return sorted({y for d in (departments or self.departments) for y in self.years.get(d, [])})


@dataclass
class Plan:
    """One question, read: where to look (departments, years, kind), what for (query: item words,
    measure, codes) and which tool answers (route). `reason` says why, when the route is refuse."""

    question: str
    text: str
    query: Query
    departments: list[str]
    years: list[int]
    kind: str | None
    route: Route
    reason: str | None = None
    compare_year: int | None = None  # the year a change is measured from when the question names it


# "比2017年", "较2017年度", "与2017年相比": the year a change is measured from; "2017年和2019年相比" names
# two years without saying which is the base, read in time order
_FROM_YEAR = re.compile(r"(?:比|较|同|与)(20\d\d)年?度?")
_ANY_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)\s*年")
_CHANGE = ("change_amount", "change_rate", "difference")
_ADDING = r"合计|一共|总共|共计|加起来|加在一起|之和|总和|总共"


def compared_years(text: str, years: list[int]) -> tuple[list[int], int | None]:
    """The year asked about and the year it is compared with, when the question names both:
    '2019年的X比2017年多了多少' -> ([2019], 2017); '2017年到2019年增长了多少' -> ([2019], 2017).
    A change against the year before ('比上年', '比2018年' with 2019) is (years, None): the
    document's own stated change answers it first."""
    base = next((int(y) for y in _FROM_YEAR.findall(text) if int(y) not in years), None)
    if base is None:
        named = sorted({*years, *(int(y) for y in _ANY_YEAR.findall(text))})
        if len(named) == 2:
            base, years = named[0], [named[1]]
    if base is None or len(years) != 1 or base == years[0] - 1:
        return years, None  # ([2019], None) from '2018年到2019年': the later year's stated change
    return years, base


def read(question: str, catalog: Catalog, use_thesaurus: bool = True, normalised: bool = True) -> Query:
    """The question normalised and parsed; `Query.text` is the normalised question."""
    text = readable(question, catalog.departments) if normalised else question
    q = parse(text, catalog.departments)
    # "管不管人防工作": the function list says; "X主要包含什么": the passage naming X, not its amount
    q.narrative = q.narrative or asks_duty(q.rest or q.q) or (asks_contents(q.rest or q.q) and not q.count)
    if q.measure == "value" and computed_asks.asks_change(q.rest or q.q):
        # "会议费比上年", "与上年相比怎么样": the change, not last year's figure nor a passage
        q.measure, q.previous_year, q.narrative = "change_amount", False, False
    if q.measure == "value" and not (q.count or q.narrative) and not names_printed_row(q.rest) \
            and (whole := whole_item(q.item)):
        q.item, q.targets = whole, expand(whole)  # "一共有多少预算": the document's 收入/支出总计
    if not use_thesaurus:
        q.targets = []
    return q


def scope(q: Query, catalog: Catalog, department: str | None, year: int | None) -> tuple[list[str], list[int], str | None]:
    """Departments and years to search: the caller's filters first, then the question's, then what
    is unambiguous in the library (its only department; that department's latest year)."""
    depts = [department] if department else q.departments
    years = [year] if year else list(q.years)
    if not depts and len(catalog.departments) == 1:
        depts = list(catalog.departments)
    if not years:
        known = catalog.years_of(depts)
        if known and (len(depts) == 1 or len(catalog.departments) == 1):
            years = [known[-1]]
    return depts, years, q.kind


_ROUTES: dict[str, Route] = {"sum": "sum_or_difference", "difference": "sum_or_difference", "share": "share",
                             "change_amount": "change", "change_rate": "change", "budget_gap": "budget_vs_final",
                             "completion": "budget_vs_final"}


def route(question: str, q: Query, catalog: Catalog, department: str | None = None, year: int | None = None,
          kind: str | None = None) -> Plan:
    """The plan for a read question (see `make_plan`)."""

    def plan(r: Route, depts: list[str], years: list[int], k: str | None, reason: str | None = None) -> Plan:
        return Plan(question, q.text, q, depts, years, k, r, reason)

    if q.sub_year and not q.narrative:
        return plan("refuse", [], [], None, "预算和决算文件只有全年数，没有按月或按季度的执行数据，无法回答。")
    if q.region_total and not q.narrative:
        return plan("refuse", [], [], None, "已导入的是部门预算/决算文件，不包含全区（全市、全省）的汇总数据，无法回答。")
    if q.unknown_department and not department:
        return plan("refuse", [], [], None, f"已导入的文件中没有“{q.unknown_department}”的预算或决算，无法回答。")
    depts, years, k = scope(q, catalog, department, year)
    k = kind or k
    if len(depts) > 1 and q.measure not in ("sum", "difference") and not department:
        # the words name several loaded bodies ("财政局" with two loaded): ask which, never pick one
        return plan("which_department", depts, years, k)
    missing = [y for y in years if depts and all(y not in catalog.years.get(d, []) for d in depts)]
    if q.previous_year and years and not q.years:
        return plan("previous_year", depts, [years[0]], k)
    if q.measure in _CHANGE and not q.narrative:
        asked, base = compared_years(q.text, list(q.years))
        if base is None and len(q.years) == 2 and len(asked) == 1 and not year:
            return plan("change", depts, asked, k)
        if base is not None:
            asked = [year] if year else (asked or years)
            gone = [y for y in (*asked, base) if depts and all(y not in catalog.years.get(d, []) for d in depts)]
            if gone:
                name = "、".join(depts)
                return plan("refuse", depts, asked, k, f"已导入的文件中没有{name}{gone[0]}年的数据，无法比较这两年。")
            p = plan("change", depts, asked, k)
            p.compare_year = base
            return p
    if q.measure == "value" and not q.narrative and re.search(_ADDING, q.text) and (
            sums.named_word(q.text) or sums.class_asked(q.text)):
        q.measure = "sum"  # "名称中含'X'的项目合计多少": every such row added
        return plan("sum_or_difference", depts, years, k)
    if len(q.years) >= 2 and q.measure == "value" and not q.narrative and not q.count and not year:
        return plan("each_year", depts, sorted(set(years)), k)
    if q.measure == "value" and not q.narrative and sums.asks_each(q.text) and len(sums.each_items(q.item)) >= 2:
        return plan("each_item", depts, years, k)  # "A和B各是多少": each figure, cited
    compared = computed_asks.comparison(q.text) if q.measure in ("value", "difference") and not q.count else None
    if compared is not None:  # "A和B哪个多", "A是B的几倍", "X中哪一项最多" (assistant/comparisons.py)
        return plan(compared, depts, years, k)  # type: ignore[arg-type]
    if missing and q.count and not q.narrative:  # "2024年底有几辆车": the 2025 document states it
        later = [y for d in depts for y in catalog.years.get(d, []) if y == missing[0] + 1]
        if later:
            return plan("value", depts, [later[0]], k)
    if missing and q.narrative:  # "2024年期末共有几辆车" is told in the 2025 document
        return plan("narrative", depts, [], k)
    if missing:
        later = [y for d in depts for y in catalog.years.get(d, []) if y == missing[0] + 1]
        if q.previous_year or (later and q.measure == "value" and not q.narrative):
            return plan("previous_year", depts, [missing[0] + 1], k)
        name = "、".join(depts) if depts else "所选部门"
        return plan("refuse", depts, years, k, f"已导入的文件中没有{name}{missing[0]}年的数据，无法回答。")
    if q.narrative:
        return plan("narrative", depts, years, k)
    return plan(_ROUTES.get(q.measure, "value"), depts, years, k)


def make_plan(question: str, catalog: Catalog, department: str | None = None, year: int | None = None,
              kind: str | None = None, use_thesaurus: bool = True) -> Plan:
    """Question → Plan. department/year/kind are the caller's explicit filters (the page's, or the
    conversation layer's); the question's own words fill in what they leave open."""
    return route(question, read(question, catalog, use_thesaurus), catalog, department, year, kind)
