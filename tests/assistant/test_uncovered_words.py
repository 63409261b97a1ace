"""Words of a question that no label uses lower a fact's score a little but never veto it; beside a
short, generic label an unknown word is the item itself and the question is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.service import Assistant
from vectorstore.facts_db import FactStore


@pytest.fixture(scope="module")
def bot(sample_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}"), use_ranker=False)


@pytest.mark.parametrize("question", ["我家孩子写作业要用，老师布置的。政府办今年的公务接待费是多少？",
                                      "公务接待费这个词我老看到，政府办今年公务接待费是多少"])
def test_story_words_do_not_veto_a_covering_fact(bot, question):
    a = bot.ask(question)
    assert a.status == "answered" and a.value == 0.83 and a.unit == "万元"


def test_unknown_word_beside_a_generic_label_is_refused(bot):
    a = bot.ask("政府办今年东郊宾馆的收入预算是多少")
    assert a.status == "not_found" and a.value is None


def test_a_label_word_the_fact_lacks_still_counts(bot):
    # "其他交通费用" names a row; 公务接待费 alone does not answer a question about both
    a = bot.ask("政府办今年公务接待费里的其他交通费用是多少")
    assert a.value != 0.83


def test_not_found_names_what_the_documents_have(bot):
    a = bot.ask("政府办今年东郊宾馆的收入预算是多少")
    assert a.status == "not_found" and "您是不是想问" in a.answer
    assert 1 <= len(a.alternatives) <= 3 and all("收入" in x for x in a.alternatives)


def test_an_unloaded_body_is_not_a_story_word(bot):
    # only one department is loaded; "教育局" is another body, not words of a story
    a = bot.ask("教育局的三公经费是多少？")
    assert a.status == "not_found" and a.value is None


@pytest.mark.parametrize("question", ["水利支出是多少", "教育支出是多少", "教育支出合计是多少", "政府办今年水利支出总计是多少"])
def test_a_category_the_documents_lack_is_not_answered_by_a_total(bot, question):
    # the sample's expenditure has no 水利 or 教育 item; its 支出合计 (1074.61) answers neither
    a = bot.ask(question)
    assert a.status == "not_found" and a.value is None


@pytest.mark.parametrize(("question", "value"), [("一般公共服务支出是多少", 711.02), ("社会保障和就业支出是多少", 165.56),
                                                 ("卫生健康支出是多少", 55.87), ("住房保障支出是多少", 60.23),
                                                 ("支出合计是多少", 1074.61), ("政府办的支出是多少", 1074.61)])
def test_categories_and_totals_the_documents_have_still_answer(bot, question, value):
    a = bot.ask(question)
    assert a.status == "answered" and a.value == value
