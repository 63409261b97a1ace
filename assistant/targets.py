"""Performance-target questions ("X项目的绩效目标里，Y定的是多少？", "X经费打算奖励多少人？", "整体绩效目标
里对预算调整率是怎么要求的？") answered from the target facts of the 绩效目标表 (Fact.measure == "target").

A target fact's row is "项目 / 级别 / 指标" (a project's table) or "一级 / 二级 / 指标" (the body's whole
table). A question is matched to those rows by general signals only:

- how much of the indicator's name and of the project's name the question contains (bigrams);
- the unit the question asks for ("多少本" → 本, "覆盖率" → %), which must be the target's unit;
- whether the question speaks of the whole body ("整体绩效目标") or names a project;
- a level the question names ("满意度", "成本") against the indicator's levels.

The answer states the indicator's value with its sign and unit ("≤10%") and cites the row; never a
project's money figure in place of an indicator. Several indicators with different values close in
score → the readings are listed and the user asked which. A project named without an indicator → its
indicators are listed (no single figure). Nothing named well enough → None: the other tools answer.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from assistant import counts
from assistant.compose import cite, where
from assistant.counts import asked_unit
from assistant.grams import chinese_bigrams, longest_first, share_named
from assistant.records import Answer
from assistant.understand import DATA, Query
from budgetqa.vocabulary import fmt, is_money
from ingest.records import Fact

# Readings whose scores lie this close to the best one, with another value, are listed and asked about.
_CLOSE = 0.3
# Least share of an indicator's name (bigrams) the question must contain for it to count as named.
_NAMED = 0.5
# Least share of a project's name the question must contain for it to count as named.
_PROJECT = 0.6


@dataclass(frozen=True)
class _Words:
    strong: re.Pattern[str]
    weak: re.Pattern[str]
    money: re.Pattern[str]
    percent: re.Pattern[str]
    overall: re.Pattern[str]
    levels: tuple[str, ...]
    filler: tuple[str, ...]
    list_ask: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> _Words:
    raw = tomllib.loads((DATA / "targets.toml").read_text(encoding="utf-8"))
    return _Words(re.compile(raw["strong_cue"]), re.compile(raw["weak_cue"]), re.compile(raw["money_ask"]),
                  re.compile(raw["percent_ask"]), re.compile(raw["overall_words"]), tuple(raw["levels"]),
                  longest_first(raw["filler"]), re.compile(raw["list_ask"]))


def _longest_common(a: str, b: str) -> int:
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size


def _project_share(project: str, grams: set[str], text: str) -> float:
    """How well the question names a project: the share of its name's bigrams, or a run of four or
    more of its characters ("西工年鉴" for "《西工年鉴》财政预算经费"), which counts as named."""
    share = share_named(project, grams)
    if share < _PROJECT and _longest_common(re.sub(r"[^\u4e00-\u9fff]", "", project), text) >= 4:
        return _PROJECT
    return share


@dataclass
class Row:
    """A target fact's row read as project (None in the whole body's table), levels and indicator."""

    fact: Fact
    project: str | None
    levels: list[str]
    indicator: str


def row_of(f: Fact) -> Row:
    parts = [p for p in (f.row or "").split(" / ") if p]
    indicator = parts[-1] if parts else ""
    rest = parts[:-1]
    overall = (f.table_type or "").startswith("overall") or bool(rest and rest[0].endswith("指标"))
    if overall or not rest:
        return Row(f, None, rest, indicator)
    return Row(f, rest[0], rest[1:], indicator)


@dataclass
class Reading:
    row: Row
    score: float
    named: float  # share of the indicator's name in the question
    project: float  # share of the project's name in the question (0 for the whole body's table)


def asks_target(q: Query) -> bool:
    """The question speaks of targets or of what is planned or required."""
    w = words()
    return bool(w.strong.search(q.q) or w.weak.search(q.q))


def _question_grams(q: Query) -> set[str]:
    t = q.rest or q.q
    for x in words().filler:
        t = t.replace(x, " ")
    return chinese_bigrams(t)  # the pieces run across a removed filler word, as the spaces are dropped


def _asked_unit(text: str) -> str | None:
    """The unit of "多少本" / "几个人" only: "案件数量" in an indicator's name asks for no 件."""
    m = re.search(r"多少|几", text)
    return asked_unit(text[m.start():]) if m else None


def _unit_ok(f: Fact, unit: str | None, percent: bool, money: bool) -> bool:
    if unit:
        return f.unit == unit or (unit == "次" and f.unit == "人次")
    if percent:
        return f.unit == "%"
    if money:
        return is_money(f.unit)
    return True


def readings(q: Query, facts: list[Fact]) -> list[Reading]:
    """Target facts scored against the question, best first (empty when the question names none)."""
    w = words()
    text = q.rest or q.q
    grams = _question_grams(q)
    unit = _asked_unit(text)
    if unit is not None and is_money(unit):
        unit = None
    percent = unit is None and bool(w.percent.search(text))
    money = unit is None and not percent and bool(w.money.search(text))
    overall_asked = bool(w.overall.search(text))
    rows = [row_of(f) for f in facts if f.measure == "target"]
    out = []
    for r in rows:
        if not _unit_ok(r.fact, unit, percent, money):
            continue
        named = share_named(r.indicator, grams)
        project = _project_share(r.project, grams, text) if r.project else 0.0
        if money and named < _NAMED:
            continue  # "X经费安排多少钱": the budget figure, not a cost bound
        score = 2.0 * named + 1.5 * project
        if unit is not None or percent:
            score += 0.5
        if r.project is None:
            score += 1.0 if overall_asked else 0.0
        elif overall_asked:
            score -= 1.0
        asked_levels = [x for x in w.levels if x in text]
        if any(x in lv for x in asked_levels for lv in r.levels):
            score += 0.3
        out.append(Reading(r, score, named, project))
    out.sort(key=lambda x: (-x.score, x.row.fact.page))
    return out


def _sure(best: Reading, unit_asked: bool) -> bool:
    """The question names the indicator, or names the project and asks for a unit it states."""
    return best.named >= _NAMED or (unit_asked and best.project >= _PROJECT)


def _figure(f: Fact) -> str:
    number = fmt(f.value) if f.value != int(f.value) or is_money(f.unit) else str(int(f.value))
    return f"{f.comparison or ''}{number}{f.unit}"


def line(r: Row) -> str:
    """'金融扶贫贷款贴息 / 产出指标 / 扶贫贴息覆盖率：≥95%'."""
    path = " / ".join(x for x in [r.project, *r.levels, r.indicator] if x)
    return f"{path}：{_figure(r.fact)}"


def answer(q: Query, facts: list[Fact], cue_needed: bool = True, named_only: bool = False) -> Answer | None:
    """The target the question asks for; the close readings; a named project's indicators; or None.
    `cue_needed`: answer only a question that speaks of targets or plans (else a count question that
    no count fact answered, "说要买书，买多少本": then the project must be named and the unit asked)."""
    cue = asks_target(q)
    if cue_needed and not cue:
        return None
    rs = readings(q, facts)
    if not rs:
        return None
    text = q.rest or q.q
    unit_asked = _asked_unit(text) is not None or bool(words().percent.search(text))
    best = rs[0]
    if not cue and not named_only and not (best.project >= _PROJECT and unit_asked):
        return None
    if words().list_ask.search(text) and not unit_asked:  # "X项目的绩效指标有哪些"
        listed = _project_list(q, rs)
        if listed is not None:
            return listed
    if not _sure(best, unit_asked):
        return _project_list(q, rs) if words().strong.search(q.q) else None
    close = [r for r in rs[1:] if best.score - r.score <= _CLOSE and _sure(r, unit_asked)]
    values = {(best.row.fact.value, best.row.fact.comparison)}
    others = []
    for r in close:
        key = (r.row.fact.value, r.row.fact.comparison)
        if key not in values:
            values.add(key)
            others.append(r)
    f = best.row.fact
    if others:
        options = [best, *others][:4]
        body = "\n".join(f"· {line(r.row)}（{where(r.row.fact)}）" for r in options)
        return Answer(question=q.text, status="ambiguous", answer=f"绩效目标表中有几个指标可以回答这个问题：\n{body}\n请问您指的是哪一项？",
                      alternatives=[line(r.row) for r in options], citations=[cite(r.row.fact) for r in options],
                      department=f.department, year=f.year, item=q.item, measure="target")
    project = f"“{best.row.project}”项目" if best.row.project else "部门整体"
    sentence = (f"{f.department}{f.year}年{project}绩效目标中，{best.row.indicator}的指标值为{_figure(f)}"
                f"（{line(best.row)}，{where(f)}）。这是计划达到的目标值，不是实际完成数。")
    return Answer(question=q.text, status="answered", answer=sentence, value=f.value, unit=f.unit,
                  citations=[cite(f)], department=f.department, year=f.year, item=best.row.indicator,
                  measure="target", comparison=f.comparison)


def _project_list(q: Query, rs: list[Reading]) -> Answer | None:
    """"X项目的绩效目标是什么": the named project's indicators, each with its value (no single figure)."""
    best = max(rs, key=lambda r: r.project)
    if best.project < _PROJECT or best.row.project is None:
        return None
    name = best.row.project
    same = [r for r in rs if r.row.project == name and r.row.fact.document == best.row.fact.document]
    if sum(1 for r in rs if r.project >= best.project and r.row.project != name) > 0:
        return None  # two projects named as well: the question does not say which
    same.sort(key=lambda r: (r.row.fact.page, r.row.fact.bbox[1] if r.row.fact.bbox else 0.0))
    f = best.row.fact
    body = "；".join(f"{' / '.join([*r.row.levels, r.row.indicator])}{_figure(r.row.fact)}" for r in same)
    return Answer(question=q.text, status="answered",
                  answer=f"{f.department}{f.year}年“{name}”项目的绩效目标（{where(f)}）：{body}。",
                  citations=[cite(r.row.fact) for r in same], department=f.department, year=f.year,
                  item=name, measure="target")


__all__ = ["Reading", "Row", "answer", "asks_target", "first", "last", "line", "readings", "row_of"]


def first(q: Query, facts: list[Fact]) -> Answer | None:
    """The target answer a question gets before the figure and narrative tools: a question about
    targets or plans; or a how-many question no count fact answers ("说要买书，买多少本？")."""
    if not any(f.measure == "target" for f in facts):
        return None
    if asks_target(q):
        return answer(q, facts)
    if q.count and counts.answer(q, facts) is None:
        return answer(q, facts, cue_needed=False)
    return None


def last(q: Query, facts: list[Fact]) -> Answer | None:
    """After the other tools found nothing: an indicator the question names outright ("政府采购执行率是
    多少"), which the documents state only as a target. Said to be a target, never an actual figure."""
    if not any(f.measure == "target" for f in facts):
        return None
    rs = readings(q, facts)
    if not rs or rs[0].named < 0.99:
        return None
    return answer(q, [r.row.fact for r in rs if r.named >= 0.99], cue_needed=False, named_only=True)
