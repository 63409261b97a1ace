"""Sums across departments (assistant/department_sums.py) over real documents: each department's figure
cited, the value their sum, never one operand. Figures read from the PDFs: 2019 "三公"经费 of
江苏省人大常委会办公厅 767.60 (公开表九) and of 江苏省政协办公厅 660.10 (公开表 p9)."""

from __future__ import annotations

import pytest
from real_corpus import real_home

from assistant.conversation import Conversation
from assistant.department_sums import asks_difference, asks_sum, without_adding
from assistant.service import Assistant
from vectorstore.facts_db import FactStore


@pytest.fixture(scope="module")
def conv(tmp_path_factory: pytest.TempPathFactory) -> Conversation:
    return Conversation(Assistant(FactStore(f"sqlite:///{real_home(tmp_path_factory) / 'facts.sqlite3'}")))


@pytest.mark.parametrize(("text", "adds"), [
    ("A和B加在一起是多少", True), ("两个部门一共多少", True), ("A与B的总和", True), ("A和B合计多少", True),
    ("A和B的支出合计分别是多少", False), ("A和B的收支总计各是多少", False), ("A和B分别是多少", False),
])
def test_which_questions_ask_a_sum(text: str, adds: bool) -> None:
    assert asks_sum(text) is adds


def test_the_adding_words_are_not_the_item() -> None:
    assert without_adding("年末结转和结余加起来是多少") == "年末结转和结余"
    assert without_adding("三公经费") == "三公经费"


def test_two_departments_figures_are_added_and_each_cited(conv: Conversation) -> None:
    a = conv.ask("省人大常委会办公厅和省政协办公厅2019年的三公经费加在一起是多少？")
    assert a.status == "answered" and a.value == 1427.7 and a.unit == "万元"
    assert a.computation == "767.60 + 660.10 = 1,427.70" and a.measure == "sum"
    assert len({c.document for c in a.citations}) == 2


def test_each_department_asked_is_not_added(conv: Conversation) -> None:
    a = conv.ask("省人大常委会办公厅和省政协办公厅2019年的三公经费分别是多少？")
    assert a.status == "answered" and a.computation is None and {p.value for p in a.series} == {767.6, 660.1}


def test_a_department_without_that_years_document_is_never_summed_as_one_operand(conv: Conversation) -> None:
    # 江苏省高级人民法院 has only its 2019 document here: the 2017 sum cannot be made
    a = conv.ask("省法院和省政协办公厅2017年的三公经费加起来是多少？")
    assert a.value is None and "无法相加" in a.answer


def test_figures_of_different_years_are_not_added(conv: Conversation) -> None:
    # no year named: 省检察院's latest document is of 2019, 普陀区财政局's of 2024
    a = conv.ask("省检察院和普陀区财政局的基本支出加起来是多少？")
    assert a.value is None and "不相加" in a.answer


@pytest.mark.parametrize(("text", "differs"), [
    ("江苏省高院2019年预算总计比省检察院2019年多多少？", True), ("两家的三公经费相差多少", True),
    ("A和B加起来是多少", False), ("A比上年增长了多少", False),
])
def test_which_questions_ask_a_difference(text: str, differs: bool) -> None:
    assert asks_difference(text) is differs


def test_one_department_figure_taken_from_anothers(conv: Conversation) -> None:
    # 2019 "三公"经费: 江苏省人大常委会办公厅 767.60, 江苏省政协办公厅 660.10
    a = conv.ask("省人大常委会办公厅2019年的三公经费比省政协办公厅多多少？")
    assert a.status == "answered" and a.value == 107.5 and a.unit == "万元" and a.measure == "difference"
    assert a.computation == "767.60 - 660.10 = 107.50" and len({c.document for c in a.citations}) == 2
