"""Everyday phrasings over the sample (2025年洛阳市西工区人民政府办公室部门预算公开.pdf), as the settings serve
by default (the lexical lookup, then the fitted decision). Figures read from the PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import served_assistant

from assistant.service import Assistant


@pytest.fixture(scope="module")
def bot(sample_home: Path) -> Assistant:
    return served_assistant(sample_home)


def test_a_share_of_the_departments_money_is_of_its_whole_spending(bot: Assistant) -> None:
    # p6: "支出合计1074.61万元，其中：基本支出833.26万元，占77.54%"; the story sentence names nothing asked
    a = bot.ask("我是个退休老师，平时爱看政府公开的账本。想问问区政府办2025年的钱里，保运转的基本支出占了多大比例")
    assert a.status == "answered" and a.value == 77.54 and a.unit == "%"


def test_a_year_written_before_the_comparison_is_the_base_and_the_stated_rate_is_quoted(bot: Assistant) -> None:
    # p8: 公务接待费 "比2024年支出预算减少1.00万元，下降54.64%"
    a = bot.ask("公务接待费跟2024年比下降了百分之多少？")
    assert a.status == "answered" and a.value == 54.64 and a.unit == "%" and "下降" in a.answer


def test_is_there_and_how_much_is_answered_with_the_figure(bot: Assistant) -> None:
    # p9: "政府采购预算安排0.00万元"
    a = bot.ask("政府办2025年有没有政府采购？采购预算多少钱？")
    assert a.status == "answered" and a.value == 0.0 and a.unit == "万元"


def test_the_change_of_the_departments_money_is_the_change_of_its_whole(bot: Assistant) -> None:
    # p6: "收支总计各增加155.64万元，增长16.94%"
    a = bot.ask("政府办今年的钱比去年多了百分之几啊")
    assert a.status == "answered" and a.value == 16.94 and a.unit == "%"
