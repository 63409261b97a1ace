"""Performance-target questions answered from the 绩效目标表 rows of the sample (pages 28-34): the
indicator's value with its sign and unit, the row cited; never the project's money figure."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import targets
from assistant.service import Assistant
from assistant.understand import parse
from ingest.records import Fact
from vectorstore.facts_db import FactStore


@pytest.fixture(scope="module")
def bot(sample_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}"))


@pytest.mark.parametrize(("question", "value", "unit", "sign", "page"), [
    ("信创工程资金打算买多少台安可电脑？", 45, "台", "≤", 34),  # project named, unit asked
    ("办公经费公务接待费项目的绩效目标里，公务接待次数定的是多少？", 200, "人次", "≤", 33),
    ("整体绩效目标对结转结余率有什么要求？", 10, "%", "≤", 28),  # the whole body's table, no project
    ("部门整体绩效目标里政府采购执行率的目标值是多少？", 99, "%", "≥", 29),
    ("信息化建设维护类项目的系统正常运行率要求达到多少？", 99, "%", "≥", 34),
    ("区志办人员工资这个项目打算保障几个人？", 5, "人", None, 32),
    ("处非工作经费项目的绩效目标里处理案件数量定的多少？", 100, "次", "≤", 33),  # "案件数" asks for no 件
])
def test_target_value_with_sign_unit_and_row(bot, question, value, unit, sign, page):
    a = bot.ask(question)
    assert a.status == "answered", a.answer
    assert (a.value, a.unit, a.comparison, a.measure) == (value, unit, sign, "target")
    assert a.citations[0].page == page and a.citations[0].table and "绩效目标" in a.citations[0].table
    assert "目标" in a.answer


def test_same_indicator_in_several_projects_is_asked_back(bot):
    a = bot.ask("群众满意度的目标是多少？")  # 98% for the body, 97% / 96% / 98% for projects
    assert a.status == "ambiguous" and len(a.alternatives) >= 2
    assert all("%" in x for x in a.alternatives)


def test_project_named_without_an_indicator_lists_its_indicators(bot):
    a = bot.ask("西工年鉴这个项目的绩效目标是什么？")
    assert a.status == "answered" and a.value is None
    for word in ("覆盖单位数量", "≥350个", "印刷合格率", "≥99"):
        assert word in a.answer


def test_a_money_question_with_a_plan_word_gets_the_budget_not_a_target(bot):
    a = bot.ask("会议费今年计划安排多少钱？")
    assert a.measure != "target"  # the budget figure (or nothing), never a cost bound of a target row


def _target(row: str, value: float, unit: str, comparison: str | None = "≥") -> Fact:
    return Fact(document="d.pdf", department="某局", year=2025, kind="预算", table="项目绩效目标表",
                table_type="project_performance_targets", page=7, row=row, column="指标值", value=value,
                unit=unit, measure="target", comparison=comparison, quote=f"{comparison or ''}{value:g}{unit}")


FACTS = [_target("助学补助 / 产出指标 / 资助学生人数", 300, "人"), _target("助学补助 / 满意度指标 / 学生满意度", 90, "%"),
         _target("助学补助 / 成本指标 / 总成本", 12.5, "万元", "≤"), _target("图书购置 / 产出指标 / 购置图书数量", 2000, "册"),
         Fact(document="d.pdf", department="某局", year=2025, kind="预算", table="项目支出预算表", page=5,
              row="助学补助", column="合计", value=12.5, unit="万元")]


def test_unit_asked_picks_the_indicator_of_the_named_project():
    a = targets.answer(parse("助学补助打算资助多少人？", ["某局"]), FACTS)
    assert a is not None and (a.value, a.unit, a.comparison) == (300, "人", "≥")


def test_no_cue_and_no_project_named_is_left_to_the_other_tools():
    assert targets.first(parse("一共有多少人？", ["某局"]), FACTS) is None
    assert targets.first(parse("助学补助是多少万元？", ["某局"]), FACTS) is None


def test_a_rate_question_reads_percent_targets_only():
    a = targets.answer(parse("助学补助项目的满意度目标定的多少？", ["某局"]), FACTS)
    assert a is not None and (a.value, a.unit) == (90, "%")


def test_row_of_reads_project_levels_and_indicator():
    r = targets.row_of(FACTS[0])
    assert (r.project, r.levels, r.indicator) == ("助学补助", ["产出指标"], "资助学生人数")
    whole = _target("投入管理指标 / 预算和财务管理 / 预算调整率", 10, "%", "≤")
    assert targets.row_of(whole).project is None


def test_an_indicator_named_outright_is_answered_as_a_target_when_nothing_else_states_it(bot):
    a = bot.ask("政府采购执行率是多少？")  # p29: only the 整体绩效目标表 states it (≥99%)
    assert (a.status, a.value, a.unit, a.comparison) == ("answered", 99, "%", "≥") and "目标" in a.answer


def test_a_projects_indicators_asked_as_a_list_are_listed(bot):
    a = bot.ask("公务接待费项目的绩效指标有哪些？")  # p33: 总成本 ≤0.83万元, 公务接待次数 ≤200人次, 群众满意度 ≥98%
    assert a.status == "answered" and a.value is None
    assert "≤200人次" in a.answer and "群众满意度" in a.answer


def test_a_target_the_body_sets_itself_is_its_overall_target(bot: Assistant) -> None:
    # sample p31 整体绩效目标表: 群众满意度 ≥98%; p3x the 政府购买服务 project's 群众满意度 ≥97%
    a = bot.ask("政府办给自己定的群众满意度目标是多少？")
    assert a.status == "answered" and a.value == 98.0 and a.unit == "%"
    b = bot.ask("政府购买服务项目的群众满意度目标是多少")
    assert b.status == "answered" and b.value == 97.0
