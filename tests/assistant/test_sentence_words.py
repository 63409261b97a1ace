"""A narrative figure asked with the words of its own sentence: those words describe the figure and
are not left uncovered (江苏省高级人民法院2019年度部门预算公开.pdf p25: "2019年本部门实行整体支出绩效目标管理，
涉及财政性资金合计37188.34万元。")."""

from __future__ import annotations

from assistant.fact_labels import stated_runs
from assistant.lookup import FactIndex
from assistant.understand import parse
from ingest.records import Fact

DEPT = "江苏省高级人民法院"
SENTENCE = "2019年本部门实行整体支出绩效目标管理，涉及财政性资金合计37188.34万元。"


def _facts() -> list[Fact]:
    stated = Fact(document="d.pdf", department=DEPT, year=2019, kind="预算", page=25, row="涉及财政性资金合计",
                  column="预算数", value=37188.34, unit="万元", source="narrative", quote=SENTENCE)
    cell = Fact(document="d.pdf", department=DEPT, year=2019, kind="预算", page=9, table="收支预算总表",
                table_type="summary", row="支出总计", column="金额", value=40000.0, unit="万元", quote="40,000.00")
    project = Fact(document="d.pdf", department=DEPT, year=2019, kind="预算", page=12, table="项目支出预算表",
                   row="信息化建设项目", column="金额", value=500.0, unit="万元", quote="500.00")
    return [stated, cell, project]


def _hit(question: str):
    q = parse(question, [DEPT])
    hits = FactIndex(_facts()).lookup(q, [DEPT], [2019], None)
    return next(h for h in hits if h.fact.source == "narrative")


def test_the_sentence_words_of_a_narrative_figure_are_covered():
    h = _hit("江苏省高级人民法院2019年实行整体支出绩效目标管理涉及财政性资金合计多少")
    assert h.fact.value == 37188.34 and h.uncovered == ""


def test_words_the_sentence_does_not_state_stay_uncovered():
    # "信息化建设项目" (a row of the documents) is not what the sentence speaks of: it counts against it
    h = _hit("江苏省高级人民法院2019年信息化建设项目涉及财政性资金合计多少")
    assert "信息化" in h.uncovered


def test_stated_runs_takes_the_longest_runs_left_to_right():
    assert stated_runs("实行绩效目标管理的项目涉及", "共5个项目实行绩效目标管理，涉及") == ["实行绩效目标管理", "项目", "涉及"]
    assert stated_runs("会议费", "培训费30万元") == []
