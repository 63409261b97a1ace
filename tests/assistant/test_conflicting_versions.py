"""Two versions of one publication that print different figures for the asked item: the answer says
so, quotes both and asks which to go by; where they agree, it answers."""

from __future__ import annotations

from pathlib import Path

from assistant.service import Assistant
from ingest.records import DocumentInfo, Fact, IngestReport
from vectorstore.facts_db import FactStore

DEPT = "某某市某某局"


def _save(store: FactStore, name: str, meeting: float) -> None:
    info = DocumentInfo(document=name, department=DEPT, year=2024, kind="决算", pages=3, sha256=name[0] * 64,
                        group=f"{DEPT}|2024|决算")
    common = {"document": name, "department": DEPT, "year": 2024, "kind": "决算", "unit": "万元", "page": 4,
              "table": "一般公共预算财政拨款基本支出决算表", "table_type": "general_budget_basic_expenditure"}
    store.save(IngestReport(info=info, facts=[Fact(**common, row="会议费", row_code="30215", column="决算数", value=meeting),
                                              Fact(**common, row="培训费", row_code="30216", column="决算数", value=2.5)]))


def test_versions_that_disagree_are_both_quoted(tmp_path: Path):
    store = FactStore(f"sqlite:///{tmp_path / 'facts.sqlite3'}")
    _save(store, "a.pdf", 3.2)
    _save(store, "b.pdf", 32.0)
    bot = Assistant(store, use_ranker=False)
    a = bot.ask("某某局2024年会议费决算是多少")
    assert a.status == "ambiguous" and a.value is None
    assert "3.20万元" in a.answer and "32.00万元" in a.answer and "不一致" in a.answer
    assert {c.document for c in a.citations} == {"a.pdf", "b.pdf"}
    agreed = bot.ask("某某局2024年培训费决算是多少")
    assert agreed.status == "answered" and agreed.value == 2.5
