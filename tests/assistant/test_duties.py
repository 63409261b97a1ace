""""管不管X" / "负不负责X": the item of the body's function list naming X (short forms included), or a
plain no when the list does not name it."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import duties
from assistant.service import Assistant
from assistant.understand import parse
from ingest.records import Passage
from vectorstore.facts_db import FactStore


@pytest.fixture(scope="module")
def bot(sample_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}"))


def test_the_function_item_naming_the_thing_is_quoted(bot):
    a = bot.ask("政府办负不负责地方志的编纂？")  # item 9: 负责全区地方志书和综合年鉴的编纂、修订工作
    assert a.status == "answered" and "9.负责全区地方志书" in a.answer and a.value is None


def test_a_short_form_matches_its_characters_one_apart(bot):
    a = bot.ask("政府办管不管国动工作？")  # item 11: 统筹国防动员工作
    assert "11.统筹国防动员" in a.answer


def test_a_thing_the_list_does_not_name_gets_a_no(bot):
    a = bot.ask("政府办管不管环境保护？")
    assert a.status == "answered" and "没有提到“环境保护”" in a.answer


def test_asks_duty_and_the_thing_asked():
    assert duties.asks_duty("管不管人防工作") and duties.asks_duty("负责金融风险防范吗")
    assert not duties.asks_duty("人防经费是多少")
    assert duties.thing(parse("管不管人防工作？", [])) == "人防"


def test_no_function_list_in_scope_leaves_the_question_to_the_passages():
    ps = [Passage(document="d.pdf", department="某局", year=2025, kind="预算", page=3, heading="一、收支总体情况", text="收入100万元。")]
    assert duties.answer(parse("管不管人防工作？", ["某局"]), ps) is None


def test_a_task_row_of_the_overall_target_table_is_quoted(bot):
    a = bot.ask("机要档案管理这项任务具体要干什么？")  # p27: 区政府机要文件传达保管、印章管理等
    assert a.status == "answered" and "印章管理" in a.answer


def test_what_an_item_contains_is_told_by_its_passage_not_its_amount(bot):
    a = bot.ask("机构运转经费主要包含什么？")  # was answered with 51.91万元; p11 十 lists what it holds
    assert a.status == "answered" and a.value is None and "办公及印刷费" in a.answer
    assert duties.asks_contents("由哪些构成") and not duties.asks_contents("机构运转经费是多少")
