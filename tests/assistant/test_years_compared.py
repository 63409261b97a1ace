"""Years named in a question stay the years compared (issue 13: "explicit years stay explicit"), over
three years of one department's documents (江苏省政协办公厅 2017-2019, read from the PDFs: 三公经费
676.10 in 2017 (公开表 p11), 675.10 in 2018 (p9), 660.10 in 2019 (p9))."""

from __future__ import annotations

import pytest
from real_corpus import real_home

from assistant.plan import compared_years
from assistant.service import Assistant
from vectorstore.facts_db import FactStore


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{real_home(tmp_path_factory) / 'facts.sqlite3'}"))


@pytest.mark.parametrize(("text", "years", "read"), [
    ("2019年的三公经费比2017年多了多少", [2019], ([2019], 2017)),
    ("2019年三公经费与2017年相比增加了多少", [2019], ([2019], 2017)),
    ("2017年到2019年三公经费增长了多少", [2017, 2019], ([2019], 2017)),
    ("2019年三公经费比2018年增加了多少", [2019], ([2019], None)),  # the year before: the stated change first
    ("2018年到2019年三公经费增长了多少", [2018, 2019], ([2019], None)),
    ("2019年三公经费比上年增加了多少", [2019], ([2019], None)),
])
def test_compared_years(text: str, years: list[int], read: tuple[list[int], int | None]) -> None:
    assert compared_years(text, years) == read


def test_a_named_earlier_year_is_compared_with_that_years_document(bot: Assistant) -> None:
    a = bot.ask("江苏省政协办公厅2019年三公经费比2017年减少了多少？")
    assert a.status == "answered" and a.value == 16.0 and "2017年" in a.answer and "2018年" not in a.answer
    assert a.computation == "660.10 - 676.10 = -16.00"
    docs = {c.document for c in a.citations}
    assert "2017年度部门预算公开表.pdf" in docs and not any("2018" in d for d in docs)


def test_a_rate_between_two_named_years_is_computed_from_both(bot: Assistant) -> None:
    a = bot.ask("江苏省政协办公厅从2017年到2019年三公经费下降了百分之几？")
    assert a.status == "answered" and a.unit == "%" and a.value == -2.37 and "下降2.37%" in a.answer


def test_two_years_named_give_both_figures(bot: Assistant) -> None:
    a = bot.ask("江苏省政协办公厅2017年和2019年的三公经费各是多少？")
    assert a.status == "answered" and "676.10" in a.answer and "660.10" in a.answer
    assert {c.document for c in a.citations} == {"2017年度部门预算公开表.pdf", "江苏省政协办公厅2019年预算公开表.pdf"}


def test_a_compared_year_not_loaded_is_refused_never_replaced(bot: Assistant) -> None:
    # only the 2019 documents of the high court are in this store
    a = bot.ask("江苏省高级人民法院2019年三公经费比2017年增加了多少？")
    assert a.status == "not_found" and "2017" in a.answer and a.value is None


def test_the_year_before_the_first_document_as_that_document_states_it(bot: Assistant) -> None:
    # 2017年度部门预算 p6: "（2016年度部门支出预算安排为8,648.07万元）" - quoted, not recomputed
    a = bot.ask("江苏省政协办公厅2016年的部门支出预算是多少？")
    assert a.status == "answered" and a.value == 8648.07 and a.year == 2016 and a.computation is None
    assert "2016年度部门支出预算安排为8,648.07万元" in a.answer
