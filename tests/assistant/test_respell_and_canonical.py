"""Homophone typos read as the label word they sound like; an item of the 三公 table (培训费, 公务接待费)
answered from that table rather than from a same-named row of a table that shows one part of spending."""

from __future__ import annotations

from pathlib import Path

from assistant.respell import respell, sound_index
from assistant.service import Assistant
from ingest.records import DocumentInfo, Fact, IngestReport
from vectorstore.facts_db import FactStore

LABELS = ["委托业务费", "绩效工资", "公务接待费", "培训费", "职业年金缴费", "资金"]
GRAMS = frozenset(t[i:i + 2] for t in LABELS for i in range(len(t) - 1))


def test_homophone_typos_take_the_label_spelling():
    idx = sound_index(GRAMS)
    assert respell("委拖业务费", GRAMS, idx) == "委托业务费"
    assert respell("计效工资", GRAMS, idx) == "绩效工资"
    assert respell("公务接代费", GRAMS, idx) == "公务接待费"
    assert respell("陪训费", GRAMS, idx) == "培训费"
    # words no label sounds like stay as typed
    assert respell("我家孩子写作业", GRAMS, idx) == "我家孩子写作业"


DEPT = "某某市某某局"


def _bot(tmp_path: Path) -> Assistant:
    store = FactStore(f"sqlite:///{tmp_path / 'facts.sqlite3'}")
    info = DocumentInfo(document="d.pdf", department=DEPT, year=2019, kind="预算", pages=3, sha256="0" * 64,
                        group=f"{DEPT}|2019|预算")
    common = {"document": "d.pdf", "department": DEPT, "year": 2019, "kind": "预算", "unit": "万元"}
    store.save(IngestReport(info=info, facts=[
        Fact(**common, page=5, table="一般公共预算基本支出预算表", table_type="general_budget_basic_expenditure",
             row="培训费", row_code="30216", column="金额", value=16.0),
        Fact(**common, page=9, table="“三公”经费、会议费、培训费支出预算表", table_type="three_public",
             row=None, column="培训费", value=97.6)]))
    return Assistant(store, use_ranker=False)


def test_three_public_item_from_its_table(tmp_path):
    bot = _bot(tmp_path)
    a = bot.ask("某某局2019年培训费是多少")
    assert a.value == 97.6 and a.citations[0].page == 9
    assert bot.ask("某某局2019年的培训废是多少").value == 97.6  # a typo of the same word
    assert bot.ask("某某局2019年基本支出预算表中培训费是多少").value == 16.0  # the table the question names
