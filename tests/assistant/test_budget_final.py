"""Budget against final account (assistant/budget_final.py): the gap and the completion rate come from
the budget and final figures of one item. Over the Putuo finance bureau's 2024 决算 (tests/pdfs, p21,
read from the PDF): "住房公积金…年初预算为187.75万元，支出决算为187.19万元"; "行政运行…年初预算为1560.05万元，
支出决算为1511.89万元"; its tables print no budget figure for 项目支出."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import budget_final, sums
from assistant.service import Assistant
from ingest.records import Fact
from vectorstore.facts_db import FactStore


def _f(row: str, column: str, value: float, source: str = "table", table_index: int | None = 3) -> Fact:
    return Fact(document="d.pdf", department="某局", year=2024, kind="决算", page=5, row=row, column=column,
                value=value, unit="万元", source=source, table_index=table_index if source == "table" else None)


def test_a_source_of_funds_column_is_no_budget_figure() -> None:
    assert budget_final.is_budget(_f("项目支出", "年初预算数", 1.0))
    assert budget_final.is_budget(_f("", "三公经费 / 合计 / 预算数", 1.0))
    assert not budget_final.is_budget(_f("", "支出 / 一般公共预算财政拨款", 1.0))
    assert budget_final.is_final(_f("", "支出 / 决算数", 1.0)) and not budget_final.is_final(_f("", "预算数", 1.0))


def test_budget_and_final_of_different_items_are_never_paired() -> None:
    total = _f("合计", "支出 / 一般公共预算财政拨款", 2940.05)
    part = _f("项目支出", "决算数", 603.14)
    assert budget_final.pair([total], [part]) is None
    assert budget_final.pair([_f("行政运行", "年初预算数", 9.0, "narrative")], [_f("住房公积金", "决算数", 8.0, "narrative")]) is None
    b, f = _f("三公经费", "合计 / 预算数", 2.0), _f("三公经费", "合计 / 决算数", 1.0)
    assert budget_final.pair([b], [_f("三公经费", "公务接待费 / 决算数", 0.5), f]) == (b, f)


@pytest.fixture(scope="module")
def bot(corpus_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{corpus_home / 'facts.sqlite3'}"))


def test_completion_of_one_item_from_its_own_two_figures(bot: Assistant) -> None:
    a = bot.ask("普陀区财政局2024年住房公积金决算数是年初预算的百分之几？")
    assert a.status == "answered" and a.value == 99.7 and a.computation == "187.19 ÷ 187.75 × 100% = 99.70%"
    g = bot.ask("普陀区财政局2024年行政运行决算比年初预算少了多少？")
    assert g.status == "answered" and g.value == 48.16 and "1,511.89 - 1,560.05" in (g.computation or "")


def test_an_item_without_a_budget_figure_gets_no_rate(bot: Assistant) -> None:
    a = bot.ask("普陀区财政局2024年项目支出的执行率是多少？")
    # never 603.14 ÷ 2,940.05 (项目支出 over the whole 一般公共预算财政拨款 column), nor another item's stated rate
    assert a.status == "not_found" and a.value is None


def test_one_items_budget_and_final_figures_asked_together(bot: Assistant) -> None:
    assert sums.column_pair("住房公积金年初预算数和决算数各是") == ("住房公积金", "年初预算数", "决算数")
    a = bot.ask("普陀区财政局2024年住房公积金年初预算数和决算数各是多少？")
    assert a.status == "answered" and a.value == 187.75 and "187.19" in a.answer and len(a.citations) == 2
    b = bot.ask("普陀区财政局2024年项目支出预算数和决算数分别是多少？")  # no budget figure printed for it
    assert b.status == "not_found" and b.value is None
