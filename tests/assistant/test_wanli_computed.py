"""Computed figures and counts over a Shanghai district budget (tests/pdfs/上海市普陀区人民政府万里街道办事处
23年预算.pdf, p29, read from the PDF): "政府采购预算830.00万元，其中：政府采购货物预算10.00万元、政府采购工程预算
550.00万元、政府采购服务预算270.00万元"; "本部门2个预算单位开展了…绩效目标编报工作，编报绩效目标的项目5个"."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.service import Assistant
from vectorstore.facts_db import FactStore

WANLI = Path(__file__).resolve().parents[1] / "pdfs" / "上海市普陀区人民政府万里街道办事处23年预算.pdf"


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    from budgetqa.settings import Settings
    from library import Library

    home = tmp_path_factory.mktemp("wanli")
    outcomes = Library(Settings(home=home, embed_model="hash")).ingest([WANLI])
    assert all(o.status == "ingested" for o in outcomes)
    return Assistant(FactStore(f"sqlite:///{home / 'facts.sqlite3'}"))


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
