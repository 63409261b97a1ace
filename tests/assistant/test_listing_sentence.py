"""A "which ones" question is answered with the sentence that prints the list, found by the words
before its marker ("纳入…预算单位共2家，包括：甲、乙。"), even when another heading names the same words
(the layout of 省法院2018年度部门预算公开.pdf p8: the list stands in the passage after the sub-headings)."""

from __future__ import annotations

import pytest

from assistant.service import Assistant
from ingest.records import DocumentInfo, IngestReport, Passage
from vectorstore.facts_db import FactStore

DEPT = "某某市某某局"
HEAD = "第一部分部门概况 > 三、部门机构设置和所属单位情况"


def _passage(page: int, heading: str, text: str) -> Passage:
    return Passage(document="d.pdf", department=DEPT, year=2018, kind="预算", page=page, heading=heading, text=text)


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    store = FactStore(f"sqlite:///{tmp_path_factory.mktemp('listing') / 'facts.sqlite3'}")
    info = DocumentInfo(document="d.pdf", department=DEPT, year=2018, kind="预算", pages=20, sha256="1" * 64,
                        group=f"{DEPT}|2018|预算")
    passages = [
        _passage(8, HEAD, "根据部门职责分工，本部门包括12个内设机构、1个下属事业单位和1个派出机构，具体包括："),
        _passage(8, HEAD + " > （二）下属差额拨款事业单位", "1、某某培训学院"),
        _passage(8, HEAD + " > （三）派出机构", "1、某某分局从预算单位构成看，纳入本部门2018年度部门汇总预算编制范围的预算单位共2家，"
                                               "包括：某某局机关（本级）、某某分局。"),
        _passage(12, "第三部分 > 六、财政拨款基本支出预算情况说明 > （二）公用经费",
                 "（二）公用经费1642.08万元。主要包括：办公费、水费、电费、邮电费、差旅费。"),
    ]
    store.save(IngestReport(info=info, facts=[], passages=passages))
    return Assistant(store, use_ranker=False)


def test_the_listing_sentence_answers_which_units(bot):
    a = bot.ask("某某局2018年纳入部门汇总预算的预算单位有哪些？")
    assert a.status == "answered" and "某某局机关（本级）、某某分局" in a.answer
    assert "培训学院" not in a.answer


def test_a_list_of_other_things_is_not_taken(bot):
    # the 公用经费 list does not speak of 预算单位: the units' sentence answers, not the expenses
    a = bot.ask("某某局2018年公用经费主要包括哪些？")
    assert a.status == "answered" and "办公费、水费" in a.answer and "分局" not in a.answer
