"""How a question's words are read before any lookup: the hearsay before a question, a story told up to
"想问下", a classification path, the words of a comparison, a share of "the money", a row the 收支总表
prints by name. Pure functions over text; the end-to-end cases are in test_wanli_computed.py and
test_department_sums.py."""

from __future__ import annotations

import pytest

from assistant.clauses import asking_part
from assistant.understand import _measure, leaf_of_path, parse, premise_as_question
from assistant.whole import names_printed_row, whole_item, whole_of_money


@pytest.mark.parametrize(("typed", "read"), [
    ("听说区政府办有好几十辆公车？2024年底到底有几辆车", "区政府办有公车，2024年底到底有几辆车"),
    ("有人说万里街道有20多辆公车，真的吗？到底有几辆", "万里街道有公车，到底有几辆"),
    ("听说江苏省检察院2019年车辆超过100辆了？到底多少辆", "江苏省检察院2019年车辆，到底多少辆"),
    ("听说政府办有100多辆公车，是真的吗", "政府办有多少辆公车？"),
    ("听说会议费下降了？", "听说会议费下降了？"),  # no figure heard, nothing asked after it
])
def test_hearsay_names_the_body_and_item_and_the_figure_heard_is_dropped(typed: str, read: str) -> None:
    assert premise_as_question(typed) == read


def test_a_story_begun_by_the_asker_runs_to_the_words_turning_to_the_question() -> None:
    assert asking_part("我家就住万里街道,孩子在附近上学,想问下街道的三公经费是多少") == "想问下街道的三公经费是多少"
    # no turn to the question: only the first-person clause is the story
    assert asking_part("我在万里街道,街道的三公经费,是多少") == "街道的三公经费,是多少"


def test_the_words_turning_to_the_question_are_no_part_of_the_item() -> None:
    q = parse("想问下街道2023年的三公经费预算是多少", [])
    assert "想问" not in q.item and "三公经费" in q.item


def test_a_yes_no_premise_stays_when_the_sentence_asking_how_much_names_no_item() -> None:
    text = "“三公”经费是不是超支了？决算完成预算的百分之多少"
    assert asking_part(text) == text
    assert asking_part("政府性基金比上年增加了1421.25万元吗？政府性基金到底安排了多少？") == "政府性基金到底安排了多少？"


def test_a_classification_path_reads_as_its_last_level() -> None:
    assert leaf_of_path("一般公共服务支出(类)统计信息事务(款)统计管理(项)预算") == "统计管理 预算"
    assert leaf_of_path("社会保障和就业支出(类)行政事业单位养老支出(款)") == "行政事业单位养老支出 "
    assert leaf_of_path("统计管理(项)预算") == "统计管理(项)预算"  # one level: nothing to read


@pytest.mark.parametrize(("rest", "measure"), [
    ("城乡社区规划与管理(项)实际比年初预算少花了多少", "budget_gap"),
    ("决算比预算少了多少", "budget_gap"),
    ("一般公共预算财政拨款支出比年初预算少了多少", "budget_gap"),
    ("预算比上年预算执行数增加了百分之几", "change_rate"),  # last year's execution: a change
    ("其中公务接待费占多少钱", "value"),
    ("其中公务接待费占多少", "share"),
])
def test_the_measure_asked(rest: str, measure: str) -> None:
    assert _measure(rest) == measure


def test_a_year_compared_with_written_before_the_comparison_is_the_base() -> None:
    q = parse("公务接待费跟2024年比下降了百分之多少", [])
    assert 2024 not in q.years and q.measure == "change_rate"


def test_a_share_of_the_money_is_a_share_of_the_whole_spending() -> None:
    assert whole_of_money("想问问 的钱") == "支出总计"
    assert whole_of_money("收入") == "收入总计"
    assert whole_of_money("基本支出") is None


def test_a_row_the_summary_table_prints_is_not_read_as_the_whole() -> None:
    assert names_printed_row("本年支出合计是多少") and not names_printed_row("支出合计是多少")
    assert whole_item("支出合计是多少") == "支出总计"
