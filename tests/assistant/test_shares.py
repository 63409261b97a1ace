"""Shares over the sample (p7 说明: 基本支出833.26万元, 人员经费781.35万元占93.77%, 公用经费51.91万元占6.23%;
p15 部门支出预算表: 工资福利支出677.87): the denominator the question names, a stated share quoted when it
is of that total, else computed with both figures cited."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.service import Assistant
from assistant.shares import share_parts
from vectorstore.facts_db import FactStore


@pytest.fixture(scope="module")
def bot(sample_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}"))


@pytest.mark.parametrize(("item", "parts"), [
    ("人员经费在基本支出里占百分之多少", ("人员经费", "基本支出")),
    ("预算里,人员经费在基本支出里占了九成多?具体是 ?", ("人员经费", "基本支出")),
    ("公用经费占基本支出的比例", ("公用经费", "基本支出")),
    ("项目支出中特定目标类占项目支出总额的 是多少?", ("特定目标类", "项目支出总额")),
    ("基本支出里,发给人的钱(人员经费)占多大 ?", ("发给人的钱(人员经费)", "基本支出")),
])
def test_share_parts(item: str, parts: tuple[str, str]) -> None:
    assert share_parts(item) == parts


def test_the_share_of_the_named_total(bot: Assistant) -> None:
    # stated on p7 (占93.77%) and computable from p19 (781.35 ÷ 833.26): either way of 基本支出
    a = bot.ask("人员经费在基本支出里占百分之多少？")
    assert a.status == "answered" and a.value == 93.77 and a.unit == "%"
    assert "基本支出" in a.answer and (a.computation is None or "833.26" in a.computation)


def test_a_share_said_in_tenths_is_answered_exactly(bot: Assistant) -> None:
    a = bot.ask("公用经费在基本支出里占了几成？具体百分之几？")
    assert a.status == "answered" and a.value == 6.23


def test_a_share_no_sentence_states_is_computed_from_both_figures(bot: Assistant) -> None:
    # p22 三公表 / p7-8: 公务接待费0.83, 三公经费5.43
    a = bot.ask("公务接待费在三公经费里占多大比例？")
    assert a.status == "answered" and a.value == 15.29
    assert a.computation == "0.83 ÷ 5.43 × 100% = 15.29%" and len(a.citations) == 2


def test_the_growth_of_the_whole_budget_is_the_stated_rate(bot: Assistant) -> None:
    # p6: "与2024年预算相比，收支总计各增加155.64万元，增长16.94%"
    a = bot.ask("By what percentage did the 2025 budget grow compared with 2024?")
    assert a.status == "answered" and a.value == 16.94 and a.unit == "%" and a.computation is None
    b = bot.ask("今年的预算比去年增加了多少？")
    assert b.status == "answered" and b.value == 155.64 and "增加" in b.answer
