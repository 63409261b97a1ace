"""How-many questions answered by counting a list the documents print (numbered items, a 、-list after
包括, numbered sub-headings); the answer says it counted ("按文件所列逐条计数")."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import enumerations
from assistant.service import Assistant
from assistant.understand import parse
from ingest.records import Passage
from vectorstore.facts_db import FactStore


@pytest.fixture(scope="module")
def bot(sample_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}"))


def test_numbered_functions_are_counted_and_said_to_be(bot):
    a = bot.ask("政府办的主要职责一共有多少条？")  # p3-4: 1. … 18.
    assert (a.status, a.value, a.unit) == ("answered", 18, "条")
    assert "逐条计数" in a.answer and a.citations[0].page == 3


def test_a_listed_sentence_is_counted_by_the_thing_named(bot):
    a = bot.ask("财政拨款收入包括几种拨款？")  # p10: 一般公共预算拨款、政府性基金预算拨款、国有资本经营预算拨款
    assert (a.status, a.value, a.unit) == ("answered", 3, "种")


def test_the_last_two_items_joined_by_以及_count_as_two(bot):
    a = bot.ask("行政单位机构运转经费包括多少项费用？")  # p11: 办公及印刷费、…、公务用车运行维护费以及其他费用
    assert (a.value, a.unit) == (11, "项") and "其他费用" in a.answer


def test_a_list_of_other_things_does_not_answer(bot):
    a = bot.ask("名词解释里一共列了多少张预算表？")
    assert a.value is None or "逐条计数" not in a.answer


def _p(heading: str, text: str, page: int = 2) -> Passage:
    return Passage(document="d.pdf", department="某局", year=2025, kind="预算", page=page, heading=heading, text=text)


def test_sub_headings_form_a_list_and_职责_reads_职能():
    ps = [_p("一、主要职能 > （一）组织实施", "（一）组织实施全市工作。"), _p("一、主要职能 > （二）负责督查", "（二）负责督查。"),
          _p("一、主要职能 > （三）完成交办事项", "（三）完成交办的其他事项。"), _p("二、机构设置", "内设3个处室。")]
    a = enumerations.answer(parse("主要职责列了几条？", ["某局"]), ps)
    assert a is not None and (a.value, a.unit) == (3, "条")


def test_an_unfinished_list_with_等_is_not_counted():
    assert enumerations.listed("本部门下设办公室、财务科、人事科等机构。") == []
    assert enumerations.listed("本部门下设办公室、财务科和人事科。") == [("本部门", ["办公室", "财务科", "人事科"])]


def test_two_lists_close_with_different_counts_are_asked_back():
    ps = [_p("二、内设机构", "机关设有：办公室、财务科、人事科。"), _p("三、所属单位", "所属单位包括：一中心、二中心、三中心、四中心。")]
    a = enumerations.answer(parse("内设机构或所属单位有几个？", ["某局"]), ps)
    assert a is not None and a.status == "ambiguous"


def test_numbered_reads_the_longest_run():
    assert len(enumerations.numbered("1.甲。2.乙。3.丙；另有2.5万元")) == 3
    assert len(enumerations.numbered("一是节约；二是压减；三是调整。")) == 3


def test_rows_of_one_kind_in_the_project_table_are_counted(bot):
    a = bot.ask("项目支出预算表里特定目标类的项目一共有几个？")  # p26: 5 rows of 类型 特定目标类
    assert (a.status, a.value, a.unit) == ("answered", 5, "个") and "逐条计数" in a.answer


def test_the_contents_list_of_attached_tables_is_counted(bot):
    a = bot.ask("目录里附件的预算表一共有多少张？")  # p2: 一 … 十四
    assert (a.value, a.unit) == (14, "张") and a.citations[0].page == 2


def test_tasks_of_the_overall_target_table_are_counted(bot):
    a = bot.ask("整体绩效目标表的年度主要任务一共几项？")  # p27: 9 tasks
    assert (a.status, a.value) == ("answered", 9)
