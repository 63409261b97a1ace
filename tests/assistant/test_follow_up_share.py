""""它占总数多少" after a figure (assistant/follow_up_shares.py), over the sample (read from the PDF, p6-7:
"基本支出833.26万元，占77.54%"; p21 支出经济分类汇总表: 会议费 1.30 of the 合计 1,074.61)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.conversation import Conversation
from assistant.follow_up_shares import generic_whole
from assistant.service import Assistant
from vectorstore.facts_db import FactStore


@pytest.fixture(scope="module")
def conv(sample_home: Path) -> Conversation:
    return Conversation(Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}")))


def _chat(conv: Conversation, *questions: str) -> list:
    history: list[dict] = []
    out = []
    for q in questions:
        a = conv.ask(q, history)
        history += [{"role": "user", "content": q},
                    {"role": "assistant", "content": a.answer, "answer": json.loads(a.model_dump_json())}]
        out.append(a)
    return out


@pytest.mark.parametrize(("words", "whole"), [("总数", True), ("全部的", True), ("", True), ("支出总计", False),
                                               ("基本支出", False), ("三公经费", False)])
def test_words_naming_only_the_whole(words: str, whole: bool) -> None:
    assert generic_whole(words) is whole


def test_its_share_of_the_whole_is_the_stated_share_not_the_figure_again(conv: Conversation) -> None:
    first, share = _chat(conv, "基本支出是多少？", "它占总数多少？")
    assert first.value == 833.26
    assert share.status == "answered" and share.value == 77.54 and share.unit == "%" and share.measure == "share"


def test_its_share_is_computed_over_its_tables_total_when_none_is_stated(conv: Conversation) -> None:
    first, share = _chat(conv, "支出经济分类汇总表中会议费是多少？", "它占全部的比例是多少？")
    assert first.value == 1.3
    assert share.status == "answered" and share.unit == "%"
    assert share.value == 0.12 and "1.30 ÷ 1,074.61" in (share.computation or "")
