"""Items added under a class the question names, when the body's short name stands inside the items'
names (江苏省人大常委会办公厅2019年部门预算公开表 p5, 人大事务款: 人大立法 729.00, 人大监督 376.88, 代表工作
385.52; the class row 人大事务 13,907.78 is not one of them)."""

from __future__ import annotations

import pytest
from real_corpus import real_home

from assistant.service import Assistant
from vectorstore.facts_db import FactStore


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{real_home(tmp_path_factory) / 'facts.sqlite3'}"))


def test_items_under_a_class_keep_the_bodys_name_in_their_words(bot: Assistant) -> None:
    a = bot.ask("江苏省人大常委会办公厅2019年人大事务款下，人大立法和人大监督两项合计是多少？")
    assert a.status == "answered" and a.value == 1105.88
    assert a.computation == "729.00 + 376.88 = 1,105.88" and "13,907.78" not in a.answer
