"""A growth rate the narrative states is found when the question writes the item short ("机关运行经费" of
"本部门一般公共预算机关运行经费预算支出") or begins it with the department's short name ("政协会议" asked of
江苏省政协办公厅). Sentences read from 2017年省检察院部门预算.pdf p22 and 江苏省政协办公厅2019年度部门预算.pdf p12."""

from __future__ import annotations

import pytest

from assistant.service import Assistant
from assistant.understand import parse
from ingest.records import DocumentInfo, Fact, IngestReport
from vectorstore.facts_db import FactStore

PROCURATORATE = "江苏省人民检察院"
CPPCC = "江苏省政协办公厅"
RUNNING = "2017年本部门一般公共预算机关运行经费预算支出6032.55万元，比2016年增加3401.59万元，增长129.97 %。"
SESSIONS = "3.政协事务（款）政协会议（项）1,282.56万元，与上年相比增加468.4万元，增长57.53%。"


def _report(dept: str, year: int, row: str, quote: str, figures: list[tuple[str, float, str, str]]) -> IngestReport:
    doc = f"{dept}{year}.pdf"
    info = DocumentInfo(document=doc, department=dept, year=year, kind="预算", pages=30, sha256=str(year) * 16,
                        group=f"{dept}|{year}|预算")
    facts = [Fact(document=doc, department=dept, year=year, kind="预算", page=12, row=row, column=column, value=value,
                  unit=unit, measure=measure, source="narrative", quote=quote)  # type: ignore[arg-type]
             for column, value, unit, measure in figures]
    return IngestReport(info=info, facts=facts)


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    store = FactStore(f"sqlite:///{tmp_path_factory.mktemp('growth') / 'facts.sqlite3'}")
    store.save(_report(PROCURATORATE, 2017, "本部门一般公共预算机关运行经费预算支出", RUNNING,
                       [("预算数", 6032.55, "万元", "amount"), ("比上年增加", 3401.59, "万元", "change"),
                        ("比上年增长率", 129.97, "%", "change_rate")]))
    store.save(_report(CPPCC, 2019, "政协事务 / 政协会议", SESSIONS,
                       [("预算数", 1282.56, "万元", "amount"), ("比上年增加", 468.4, "万元", "change"),
                        ("比上年增长率", 57.53, "%", "change_rate")]))
    return Assistant(store, use_ranker=False)


def test_a_stated_rate_of_an_item_written_short_is_quoted(bot):
    a = bot.ask("省检察院2017年机关运行经费比上年增长了百分之几？")
    assert a.status == "answered" and a.value == 129.97 and a.unit == "%"
    assert a.computation is None  # the document's rate, not recomputed


def test_the_department_short_name_beginning_the_item_stays_in_it():
    q = parse("省政协办公厅2019年政协会议支出是多少", [CPPCC, PROCURATORATE])
    assert q.departments == [CPPCC] and "政协会议" in q.item
    # named once, the short name is the department and leaves the item
    q = parse("政协2019年的会议费是多少", [CPPCC, PROCURATORATE])
    assert q.departments == [CPPCC] and "政协" not in q.item


@pytest.mark.parametrize(("question", "value", "unit"), [
    ("江苏省政协办公厅2019年政协会议支出的增长率是多少", 57.53, "%"),
    ("省政协办公厅2019年政协会议支出比上年增加了多少", 468.4, "万元"),
])
def test_an_item_named_with_the_department_short_name_answers(bot, question, value, unit):
    a = bot.ask(question)
    assert a.status == "answered" and a.value == value and a.unit == unit
