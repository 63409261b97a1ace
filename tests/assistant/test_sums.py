"""Sums and differences of named items over the sample (2025年西工区政府办部门预算, read from the PDF):
items named one by one, the rows whose name contains a word, a class's items, two items of one
table compared, and figures a user quotes checked against the document."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import sums
from assistant.service import Assistant
from vectorstore.facts_db import FactStore


@pytest.fixture(scope="module")
def bot(sample_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}"))


def test_parts_drop_count_words_and_keep_where_the_items_stand() -> None:
    assert sums.parts("办公费和印刷费,两项 多少?") == ["办公费", "印刷费"]
    assert sums.parts("基本支出预算表中办公费、印刷费合计") == ["基本支出预算表 办公费", "基本支出预算表 印刷费"]
    assert sums.parts("人大事务款下,人大立法、人大监督和代表工作三项合计") == [
        "人大事务 人大立法", "人大事务 人大监督", "人大事务 代表工作"]


def test_the_word_the_names_contain_and_the_class_asked() -> None:
    assert sums.named_word("名字里带'信息化建设'的那几个项目加起来") == "信息化建设"
    assert sums.named_word("名称中含有“办公经费”字样的项目") == "办公经费"
    assert sums.named_word("办公费和印刷费加起来") is None
    asked = sums.class_asked("基本支出中属于'社会保障缴费'的几项加起来")
    assert asked is not None and asked[0] == "社会保障缴费" and "30109" in asked[1]


def test_figure_said_by_the_user() -> None:
    assert sums.figure_said("合计写的是1,074.61万") == ("合计", 1074.61, "万元")
    assert sums.figure_said("三公经费") == ("三公经费", None, None)


def test_two_named_items_with_a_count_word(bot: Assistant) -> None:
    a = bot.ask("基本支出预算表中办公费和印刷费，两项加起来一共多少？")
    assert a.status == "answered" and a.value == 7.0 and a.unit == "万元"
    assert a.computation == "4.00 + 3.00 = 7.00" and len(a.citations) == 2


def test_rows_whose_name_contains_a_word_are_all_added_and_listed(bot: Assistant) -> None:
    # p26 项目支出预算表: 信息化建设--维护类 96.30, 信息化建设--设备购置 4.00
    a = bot.ask("名字里带'信息化建设'的那几个项目，加起来一共多少钱？")
    assert a.status == "answered" and a.value == 100.3
    assert "96.30 + 4.00 = 100.30" in (a.computation or "")
    assert {c.page for c in a.citations} == {26}


def test_rows_headed_by_the_word_and_rows_merely_containing_it_are_two_readings(bot: Assistant) -> None:
    # p25-26: 办公经费—其他 20.31, —公务接待费 0.83, -差旅费 0.96, -会议费 1.30, --公务用车维护费 4.60 (28.00)
    # and 国防办办公经费 10.80, which contains the word too (38.80 with it)
    a = bot.ask("名称中含“办公经费”的项目合计多少？")
    assert a.status == "ambiguous" and a.value is None
    assert "合计28.00万元" in a.alternatives[0] and "国防办" not in a.alternatives[0]
    assert "合计38.80万元" in a.alternatives[1] and "国防办办公经费10.80" in a.alternatives[1]


def test_a_count_the_user_gives_that_the_rows_do_not_match_is_asked_about(bot: Assistant) -> None:
    a = bot.ask("名字里带'信息化建设'的三个项目加起来多少？")  # two such rows on p26
    assert a.status == "ambiguous" and a.value is None and "项数与文件不符" in a.answer


def test_a_word_no_row_name_contains_is_not_found(bot: Assistant) -> None:
    a = bot.ask("名字里带'高速公路'的项目加起来多少？")
    assert a.status == "not_found" and "高速公路" in a.answer and a.value is None


def test_items_of_a_class_by_their_codes(bot: Assistant) -> None:
    # p19 基本支出预算表: 30108 60.12, 30109 0.75, 30110 55.87, 30112 1.70 (no 30111 printed)
    a = bot.ask("基本支出预算表中经济分类属于'社会保障缴费'的几项加起来是多少？")
    assert a.status == "answered" and a.value == 118.44 and len(a.citations) == 4
    assert all(c.page == 19 for c in a.citations)


def test_the_second_item_is_taken_from_the_first_ones_table(bot: Assistant) -> None:
    # "设备购置" beside "信息化建设--维护类" is 信息化建设--设备购置 (p26), not 办公设备购置 (p21)
    a = bot.ask("信息化建设维护类比设备购置多出多少钱？")
    assert a.status == "answered" and a.value == 92.3
    assert [c.page for c in a.citations] == [26, 26] and "信息化建设--设备购置" in a.answer


def test_difference_of_two_projects(bot: Assistant) -> None:
    a = bot.ask("党建工作经费比政府购买服务少多少？")
    assert a.status == "answered" and a.value == 2.58 and "少2.58万元" in a.answer


def test_figures_the_user_quotes_are_checked_against_the_document(bot: Assistant) -> None:
    right = bot.ask("合计写的是1074.61万，可三公经费只有5.43万，多出来的是多少？")
    assert right.status == "answered" and right.value == 1069.18 and "不一致" not in right.answer
    wrong = bot.ask("合计写的是1074.61万，可三公经费只有5.50万，多出来的是多少？")
    assert wrong.status == "answered" and wrong.value == 1069.18  # the document's 5.43, never the user's 5.50
    assert "5.50万元与文件不一致" in wrong.answer and "5.43" in wrong.answer
