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


def test_a_premise_stating_this_years_figure_and_its_change_asks_the_base_years_figure() -> None:
    from assistant.understand import base_year_asked

    assert base_year_asked("西工区政府办今年(2025)收支总计1074.61万元,说比2024年增加了155.64万元,那2024年的预算是多少呀?") \
        == "西工区政府办收支总计,那2024年的预算是多少呀?"
    assert base_year_asked("公务用车运行维护费2025年是4.60万元,比2024年增加2.17万元,那2024年这项预算是多少?") \
        == "公务用车运行维护费,那2024年这项预算是多少?"
    same = "三公经费5.43万元,比上年增加1.17万元,增长了百分之几?"  # no year asked: the change itself
    assert base_year_asked(same) == same


def test_a_figure_a_document_is_said_to_state_is_checked_against_it() -> None:
    assert premise_as_question("预算说明里说职业年金缴费支出2023年预算安排441.25万元,是这样吗?") \
        == "职业年金缴费支出2023年预算安排多少万元？"


@pytest.mark.parametrize(("rest", "measure"), [
    ("比2022年预算执行数减少了多少百分比", "change_rate"),
    ("三公经费花掉了预算的百分之多少", "completion"),
])
def test_more_ways_to_ask_a_rate(rest: str, measure: str) -> None:
    assert _measure(rest) == measure


def test_a_budget_term_is_no_short_name_of_a_body() -> None:
    from assistant.mentions import find

    depts = ["上海市普陀区财政局", "中共上海市普陀区委社会工作部"]
    assert find("普陀区财政局2024年,社会保障和就业支出是多少", depts).departments == ["上海市普陀区财政局"]
    assert find("社会工作部2024年的三公经费", depts).departments == ["中共上海市普陀区委社会工作部"]


def test_who_is_given_restates_the_item_only_when_it_shares_its_words() -> None:
    assert "老干部" not in parse("给离休老干部的离休费预算是多少", []).item
    assert "员工" in parse("给员工交的职业年金多少", []).item  # who pays no word of 职业年金: kept as typed


def test_a_double_dash_leads_to_the_question_and_a_single_one_joins_a_name() -> None:
    assert asking_part("想了解下政府办的钱主要花在哪——人员经费比公用经费多多少") == "人员经费比公用经费多多少"
    assert asking_part("政府办“办公经费—其他”这个项目给了多少钱？") == "政府办“办公经费—其他”这个项目给了多少钱？"
