"""A question naming a table and asking how many things it lists (or which) is answered from its rows."""

from __future__ import annotations

from assistant import table_rows
from assistant.understand import parse
from ingest.records import Fact


def _cell(row: str | None, value: float, page: int = 25, column: str = "合计") -> Fact:
    return Fact(document="d.pdf", department="某区政府办公室", year=2025, kind="预算", page=page,
                table="2025年项目支出预算表", table_type="project_expenditure", row=row, column=column,
                value=value, unit="万元")


TABLE = [_cell(None, 30.0), _cell("102", 30.0), _cell("某区政府办公室", 30.0), _cell("办公经费—其他", 20.0),
         _cell("《年鉴》经费", 9.5), _cell("办公经费—其他", 20.0, column="本年拨款 / 一般公共预算"),
         _cell("信息化建设", 0.5, page=26), _cell("信息化建设 / 维护类", 0.5, page=26), _cell("合计", 30.0, page=26)]
SENTENCE = Fact(document="d.pdf", department="某区政府办公室", year=2025, kind="预算", page=9, row="项目",
                column="数量", value=28, unit="个", source="narrative", measure="count",
                quote="全面实施绩效管理，涉及预算拨款241.35万元,共28个项目")


def test_the_rows_of_the_named_table_are_counted_not_a_sentence_elsewhere():
    q = parse("2025年项目支出预算表里一共列了多少个项目？", [])
    assert table_rows.asks_rows(q)
    a = table_rows.answer(q, [*TABLE, SENTENCE])
    assert a is not None and a.value == 3 and a.unit == "个"
    assert "办公经费—其他、《年鉴》经费、信息化建设 / 维护类" not in a.answer  # the leaf names are listed
    assert "办公经费—其他、《年鉴》经费、维护类" in a.answer


def test_which_items_a_table_lists_and_questions_that_do_not_ask_it():
    assert table_rows.asks_rows(parse("项目支出预算表里有哪些项目", []))
    assert not table_rows.asks_rows(parse("一共有多少个项目实施了绩效管理", []))  # no table named
    assert not table_rows.asks_rows(parse("项目支出预算表里办公经费是多少", []))  # a figure, not the list
    assert not table_rows.asks_rows(parse("项目支出预算表里有多少人", []))  # people, not listed items
