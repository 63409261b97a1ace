"""Figures compared (assistant/comparisons.py) over the sample (2025年西工区政府办部门预算, read from the PDF):
p7 人员经费支出781.35万元、公用经费支出51.91万元; p21 会议费1.30、培训费1.50; p22 “三公”经费预算表:
合计5.43 = 公务用车购置及运行费4.60 + 公务接待费0.83."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.computed_asks import comparison
from assistant.service import Assistant
from vectorstore.facts_db import FactStore


@pytest.fixture(scope="module")
def bot(sample_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}"))


@pytest.mark.parametrize(("text", "reading"), [
    ("人员经费和公用经费哪个多", "which_of_two"), ("会议费与培训费哪一项更少？", "which_of_two"),
    ("人员经费是公用经费的几倍", "ratio"), ("三公经费中哪一项最多", "which_most"),
    ("哪个部门的三公经费最高", None), ("会议费是多少", None), ("住房公积金属于哪个大类", None),
])
def test_which_comparison_is_asked(text: str, reading: str | None) -> None:
    assert comparison(text) == reading


def test_the_larger_of_two_named_items_with_both_cited(bot: Assistant) -> None:
    a = bot.ask("会议费和培训费哪个少？")
    assert a.status == "answered" and a.value == 1.3 and a.computation == "1.50 - 1.30 = 0.20"
    assert len(a.citations) == 2 and "会议费更少" in a.answer


def test_a_multiple_of_another_figure(bot: Assistant) -> None:
    a = bot.ask("人员经费是公用经费的几倍？")
    assert a.status == "answered" and a.unit == "倍" and a.value == 15.05
    assert a.computation == "781.35 ÷ 51.91 = 15.05"


def test_the_largest_item_under_a_total_never_the_total(bot: Assistant) -> None:
    a = bot.ask("三公经费中哪一项最多？")
    assert a.value != 5.43
    assert a.status == "answered" and a.value == 4.6 and "公务用车购置及运行费" in a.answer


def test_which_class_and_which_project_are_told_apart(bot: Assistant) -> None:
    # p15 部门支出预算表: 项目支出 / 其他运转类 137.53, / 特定目标类 103.82 (classes, not projects)
    a = bot.ask("项目支出中哪一类最多？")
    assert a.status == "answered" and a.value == 137.53 and "特定目标类103.82" in a.answer
    b = bot.ask("项目支出里哪个项目的钱最多？")
    assert b.value not in (137.53, 241.35)  # never a class nor the total
