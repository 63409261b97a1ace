"""A budget term the question names ("三公") that a fact does not speak of keeps that fact from
answering: "三公经费支出了多少" is not answered with the total spending of the same document."""

from __future__ import annotations

from pathlib import Path

from assistant.service import Assistant
from ingest.records import DocumentInfo, Fact, IngestReport
from vectorstore.facts_db import FactStore

DEPT = "某某市某某局"


def _bot(tmp_path: Path, with_three_public: bool) -> Assistant:
    store = FactStore(f"sqlite:///{tmp_path / 'facts.sqlite3'}")
    info = DocumentInfo(document="d.pdf", department=DEPT, year=2024, kind="决算", pages=3, sha256="0" * 64,
                        group=f"{DEPT}|2024|决算")
    common = {"document": "d.pdf", "department": DEPT, "year": 2024, "kind": "决算", "unit": "万元"}
    facts = [Fact(**common, page=1, table="收入支出决算总表", table_type="income_expenditure_summary",
                  row="本年支出合计", column="支出 / 决算数", value=307.82)]
    if with_three_public:
        facts.append(Fact(**common, page=2, table="财政拨款“三公”经费支出决算表", table_type="three_public",
                          row=None, column="“三公”经费合计 / 决算数", value=1.25))
    store.save(IngestReport(info=info, facts=facts))
    return Assistant(store, use_ranker=False)


def test_total_spending_does_not_answer_a_three_public_question(tmp_path):
    a = _bot(tmp_path, False).ask("某某局2024年度“三公”经费支出了多少？")
    assert a.status == "not_found" and a.value is None


def test_the_three_public_table_does(tmp_path):
    a = _bot(tmp_path, True).ask("某某局2024年度“三公”经费支出了多少？")
    assert a.status == "answered" and a.value == 1.25


def test_unknown_words_not_forgiven_across_several_departments(tmp_path):
    store = FactStore(f"sqlite:///{tmp_path / 'facts.sqlite3'}")
    for name, dept in (("a.pdf", "某某市甲乙局"), ("b.pdf", "某某市丙丁局")):
        info = DocumentInfo(document=name, department=dept, year=2024, kind="决算", pages=3, sha256=name[0] * 64,
                            group=f"{dept}|2024|决算")
        store.save(IngestReport(info=info, facts=[Fact(
            document=name, department=dept, year=2024, kind="决算", unit="万元", page=2,
            table="财政拨款“三公”经费支出决算表", table_type="three_public", row=None,
            column="财政拨款“三公”经费 / 合计 / 决算数", value=1.25)]))
    a = Assistant(store, use_ranker=False).ask("教育局的三公经费是多少？")
    assert a.status == "not_found" and a.value is None
