"""A rate or change the document states is quoted, not recomputed; a decline stays a decline; the
final figure over the budget is asked as "花了预算的百分之几"."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.service import Assistant
from ingest.records import DocumentInfo, Fact, IngestReport
from vectorstore.facts_db import FactStore

DEPT = "某某市某某局"
SENT = "2018年本部门一般公共预算机关运行经费预算支出2094.58万元，与上年相比减少8007.18万元，降低79.27 %。"


def _store(tmp_path: Path) -> FactStore:
    store = FactStore(f"sqlite:///{tmp_path / 'facts.sqlite3'}")
    info = DocumentInfo(document="d2018.pdf", department=DEPT, year=2018, kind="预算", pages=3, sha256="0" * 64,
                        group=f"{DEPT}|2018|预算")
    row = "本部门一般公共预算机关运行经费预算支出"
    common = {"document": "d2018.pdf", "department": DEPT, "year": 2018, "kind": "预算", "page": 2, "row": row,
              "source": "narrative", "quote": SENT, "unit": "万元"}
    facts = [Fact(**common, column="预算数", value=2094.58),
             Fact(**common, column="比上年减少", value=8007.18, measure="change")]
    store.save(IngestReport(info=info, facts=facts))
    return store


@pytest.fixture()
def bot(tmp_path: Path) -> Assistant:
    return Assistant(_store(tmp_path), use_ranker=False)


def test_rate_stated_beside_the_change_is_quoted(bot):
    a = bot.ask("某某局2018年一般公共预算机关运行经费比上年下降了百分之几？")
    assert a.status == "answered" and a.value == 79.27 and a.unit == "%"
    assert "下降79.27%" in a.answer and "降低79.27 %" in a.answer  # the sentence itself is quoted
    assert a.computation is None  # quoted, not recomputed


def test_change_amount_is_a_decline(bot):
    a = bot.ask("某某局2018年一般公共预算机关运行经费比上年减少了多少？")
    assert a.value == 8007.18 and "减少" in a.answer


def test_completion_words_read_as_completion():
    from assistant.understand import parse

    assert parse("三公经费只花了预算的百分之几", []).measure == "completion"
    assert parse("整体绩效目标里预算执行率的目标值是多少", []).measure != "completion"
