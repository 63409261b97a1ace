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


def test_two_rows_of_one_name_said_as_two_are_added(bot: Assistant) -> None:
    # p26 项目支出预算表: 党建工作经费 1.02, 党建工作经费（金融局） 0.60
    a = bot.ask("两项党建工作经费（含金融局那项）一共多少")
    assert a.status == "answered" and a.value == 1.62 and a.computation == "1.02 + 0.60 = 1.62"


def test_the_kind_of_payment_said_after_the_count_names_no_item(bot: Assistant) -> None:
    # "三项缴费": the count and what they are, not a word of the last item (住房公积金 60.23)
    a = bot.ask("养老保险、医保和住房公积金三项缴费加起来多少")
    assert a.status == "answered" and a.value == 176.22
