"""Computed figures and counts over a Shanghai district budget (tests/pdfs/上海市普陀区人民政府万里街道办事处
23年预算.pdf, p29, read from the PDF): "政府采购预算830.00万元，其中：政府采购货物预算10.00万元、政府采购工程预算
550.00万元、政府采购服务预算270.00万元"; "本部门2个预算单位开展了…绩效目标编报工作，编报绩效目标的项目5个"."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import served_assistant

from assistant.service import Assistant
from vectorstore.facts_db import FactStore

WANLI = Path(__file__).resolve().parents[1] / "pdfs" / "上海市普陀区人民政府万里街道办事处23年预算.pdf"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from budgetqa.settings import Settings
    from library import Library

    home = tmp_path_factory.mktemp("wanli")
    outcomes = Library(Settings(home=home, embed_model="hash")).ingest([WANLI])
    assert all(o.status == "ingested" for o in outcomes)
    return home


@pytest.fixture(scope="module")
def bot(home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{home / 'facts.sqlite3'}"))


@pytest.fixture(scope="module", params=["fitted", "lexical"])
def either(request: pytest.FixtureRequest, home: Path) -> Assistant:
    """The fitted ranker, and the lexical lookup the settings use by default (BUDGETQA_RANKER)."""
    return Assistant(FactStore(f"sqlite:///{home / 'facts.sqlite3'}"), use_ranker=request.param == "fitted")


@pytest.fixture(scope="module")
def served(home: Path) -> Assistant:
    return served_assistant(home)


def test_everyday_words_for_two_procurement_parts_are_added(bot: Assistant) -> None:
    a = bot.ask("2023年政府采购中买东西和买服务一共花多少钱？")
    assert a.status == "answered" and a.value == 280.0 and a.unit == "万元"
    assert a.computation == "10.00 + 270.00 = 280.00" and {c.page for c in a.citations} == {29}


def test_a_share_of_the_total_named_not_of_another_part(bot: Assistant) -> None:
    # "政府采购工程预算" shares most words of "政府采购预算" but is another part of it, not the total
    a = bot.ask("政府采购服务预算占政府采购预算的比例是多少？")
    assert a.status == "answered" and a.value == 32.53 and a.unit == "%"
    assert a.computation == "270.00 ÷ 830.00 × 100% = 32.53%"


def test_counts_of_one_sentence_are_told_apart_by_what_they_count(bot: Assistant) -> None:
    a = bot.ask("编报了绩效目标的项目一共有几个？")
    assert (a.status, a.value, a.unit) == ("answered", 5, "个")
    b = bot.ask("有几个预算单位开展了绩效目标编报？")
    assert (b.status, b.value) == ("answered", 2)


def test_a_question_naming_the_whole_of_a_sentence_gets_the_whole_not_a_part(either: Assistant) -> None:
    # "政府采购预算830.00万元，其中：货物10.00、工程550.00、服务270.00": the parts add up to the whole
    a = either.ask("万里街道2023年政府采购预算是多少")
    assert a.status == "answered" and a.value == 830.0 and a.unit == "万元"
    b = either.ask("万里街道2023年政府采购工程预算是多少")
    assert b.status == "answered" and b.value == 550.0


def test_a_classification_path_is_read_as_its_last_level(either: Assistant) -> None:
    # p6: "“一般公共服务支出（类）统计信息事务（款）统计管理（项）”…2022年当年预算执行数为1.48万元，2023年预算安排
    # 2.63万元，比2022年预算执行数增加77.70 %"; the 款 row 统计信息事务 is another figure
    a = either.ask("“一般公共服务支出（类）统计信息事务（款）统计管理（项）”2023年预算比2022年预算执行数增加了百分之几？")
    assert a.status == "answered" and a.value == 77.7 and a.unit == "%"


def test_a_story_runs_on_to_where_the_asker_turns_to_the_question(served: Assistant) -> None:
    # p28 三公 table: 2023年"三公"经费预算数 22.91万元 (the fitted ranker still doubts the words 街道 leaves)
    a = served.ask("我家就住万里街道，孩子在附近上学，想问下街道2023年的“三公”经费预算是多少")
    assert a.status == "answered" and a.value == 22.91 and a.unit == "万元"


def test_hearsay_and_the_question_after_it_ask_the_count(either: Assistant) -> None:
    # p29: "车辆7辆（一般公务用车3辆…"; the 20多辆 heard is not the answer
    a = either.ask("有人说万里街道有20多辆公车，真的吗？到底有几辆")
    assert a.status == "answered" and a.value == 7.0 and a.unit == "辆"


def test_the_kind_of_body_names_the_body_asked_about(served: Assistant) -> None:
    # p10 部门财务收支预算总表: 收入总计 164,978,640 元; "街道办" is 万里街道办事处, not an item
    a = served.ask("我住在万里街道，想知道街道办2023年的收入预算一共多少？")
    assert a.status == "answered" and a.value == 164978640.0 and a.unit == "元"


def test_a_part_of_the_year_a_document_prints_is_not_refused_as_annual_only(served: Assistant) -> None:
    # p30 prints "第二季度用款计划180.74万元" in a project's target form; no label prints 上半年
    a = served.ask("第二季度用款计划多少？")
    assert "只有全年数" not in a.answer
    b = served.ask("万里街道2023年上半年花了多少钱")
    assert b.status == "not_found" and "只有全年数" in b.answer
