""""为什么…减少/增加的原因" is answered with the sentence that gives the reason ("主要是…" as well as
"主要原因是…"), the item named one or two sentences before it; "X主要用于什么" with the sentence that says
what X is used for, even in a long passage the search ranks low. Sentences of the layouts of
2018年省检察院部门预算公开.pdf p24 and 中共上海市普陀区委社会工作部 2024 年度部门决算.pdf p18."""

from __future__ import annotations

import pytest

from assistant.service import Assistant
from ingest.records import DocumentInfo, IngestReport, Passage
from vectorstore.facts_db import FactStore

DEPT = "某某市某某局"


def _passage(page: int, heading: str, text: str) -> Passage:
    return Passage(document="d.pdf", department=DEPT, year=2018, kind="预算", page=page, heading=heading, text=text)


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    store = FactStore(f"sqlite:///{tmp_path_factory.mktemp('reasons') / 'facts.sqlite3'}")
    info = DocumentInfo(document="d.pdf", department=DEPT, year=2018, kind="预算", pages=30, sha256="2" * 64,
                        group=f"{DEPT}|2018|预算")
    passages = [
        _passage(24, "第三部分 > 一、收支预算总体情况说明 > （二）支出预算总计",
                 "2018年本部门单位预留机动经费预算数为2,388.04万元。与上年相比增加2,247.84万元，增长16倍。"
                 "主要是财政加强预算管理，将年终考核奖等相关支出纳入了部门年度预算。"),
        _passage(30, "第四部分名词解释 > 七、单位预留机动经费", "七、单位预留机动经费：指预算单位年初预留用于年度执行中增人、增资等不可预见支出的经费。"),
        _passage(22, "第三部分 > 十一、“三公”经费支出预算情况说明",
                 "公务接待费支出156.55万元，占“三公”经费的26.72%。具体情况如下：1．因公出国（境）费预算支出110万元，与上年预算数相等。"
                 "3．公务接待费预算支出156.55万元，本年数小于上年预算数29.65万元，主要是严格贯彻落实中央“八项规定”作出的选择。"),
        _passage(18, "第三部分 > 五、一般公共预算财政拨款支出决算情况说明 > （三）具体情况",
                 "一般公共预算财政拨款支出年初预算为0万元，全年预算为321.02万元，支出决算为307.82万元。其中：1、一般公共服务支出（类）"
                 "社会工作事务（款）行政运行（项）。主要用于：行政单位人员支出、公用支出。全年预算为52.00万元。"
                 "3、一般公共服务支出（类）社会工作事务（款）其他社会工作事务支出（项）。主要用于：新建部门开办费、基层政权和社区建设项目支出。"),
        _passage(27, "第三部分 > 五、财政拨款支出预算情况说明 > （一）公共安全（类）",
                 "2．检察（款）一般行政管理事务（项）支出2354.4万元，与上年相比减少1311.6万元。主要原因是取消培训费收费项目。"
                 "4．检察（款）事业运行（项）支出315万元，主要是学院运行费项目支出。"),
        _passage(22, "第三部分 > （二）政府采购支出情况", "本部门2018年度政府采购金额为21.07万元，其中：货物采购金额21.07万元。"),
    ]
    store.save(IngestReport(info=info, facts=[], passages=passages))
    return Assistant(store, use_ranker=False)


def test_a_reason_opened_by_主要是_two_sentences_after_the_item(bot):
    a = bot.ask("某某局2018年单位预留机动经费为什么增加这么多？")
    assert a.status == "answered" and "年终考核奖" in a.answer


def test_the_reason_sentence_not_the_share_sentence(bot):
    a = bot.ask("某某局2018年公务接待费减少的原因是什么？")
    assert a.status == "answered" and "八项规定" in a.answer


def test_what_an_item_is_used_for(bot):
    a = bot.ask("某某局2018年其他社会工作事务支出主要用于什么？")
    assert a.status == "answered" and "开办费" in a.answer and "行政单位人员支出" not in a.answer


def test_a_numbered_item_described_with_主要是_is_no_reason(bot):
    # "4．…315万元，主要是…项目支出" describes an item; the reason of the decline is the 主要原因 sentence
    a = bot.ask("某某局2018年一般行政管理事务项目支出为什么减少？")
    assert a.status == "answered" and "取消培训费收费项目" in a.answer
