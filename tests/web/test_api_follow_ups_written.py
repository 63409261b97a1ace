"""Follow-ups written from the PDFs the way people talk, played through `POST /api/ask` with the history a
chat client keeps (each answer's JSON sent back unchanged). One test per follow-up kind that went wrong:
a share of "its total" answered with the figure itself, "那X呢" for an item the documents lack answered with
a passage about the last item (and the next "比去年多了多少" with that item's change), a department named by
two characters of its name, a reply naming the department after "which department?", "说详细点", a share of
a figure in 元 in a total in 万元."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PDFS
from fastapi.testclient import TestClient
from helpers import api_client
from real_corpus import real_home

from budgetqa.settings import Settings

WANLI = PDFS / "上海市普陀区人民政府万里街道办事处23年预算.pdf"


@pytest.fixture(scope="module")
def sample(sample_home: Path) -> Iterator[TestClient]:
    yield from api_client(sample_home)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from api_client(real_home(tmp_path_factory))


@pytest.fixture(scope="module")
def wanli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from library import Library

    home = tmp_path_factory.mktemp("wanli")
    assert all(o.status == "ingested" for o in Library(Settings(home=home, embed_model="hash")).ingest([WANLI]))
    yield from api_client(home)


class Chat:
    """A chat client: the history as the contract says, sent with every question after a JSON round trip."""

    def __init__(self, client: TestClient):
        self.client, self.history = client, []  # type: ignore[var-annotated]

    def ask(self, question: str) -> dict:
        body = {"question": question, "department": None, "year": None, "history": self.history}
        r = self.client.post("/api/ask", content=json.dumps(body, ensure_ascii=False).encode(),
                             headers={"Content-Type": "application/json"})
        assert r.status_code == 200, r.text
        a = r.json()
        self.history = self.history + [{"role": "user", "content": question},
                                       {"role": "assistant", "content": a["answer"], "answer": json.loads(json.dumps(a))}]
        return a


def _is(a: dict, value: float, unit: str) -> bool:
    return a["status"] == "answered" and a["unit"] == unit and a["value"] is not None and abs(a["value"] - value) < 0.005


# ---- a share of "its total" ----------------------------------------------------------------------


def test_share_of_its_total_is_the_share_the_document_states_never_the_figure(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _is(chat.ask("人员经费预算多少？"), 781.35, "万元")
    a = chat.ask("它占总数的百分之几？")
    assert _is(a, 93.77, "%"), a["answer"]  # "人员经费支出781.35万元，占93.77%" (p7)
    assert any(c["page"] == 7 for c in a["citations"])


def test_share_of_its_total_for_a_figure_without_a_whole_asks_which_whole(sample: TestClient) -> None:
    chat = Chat(sample)
    first = chat.ask("政府办有几辆车？")  # p8 "公车由3辆变为4辆", p9 "共有车辆1辆": answered or asked which
    assert (first["status"] == "answered" and first["unit"] == "辆") or first["status"] == "ambiguous", first["answer"]
    a = chat.ask("它占总数多少？")
    assert a["status"] == "ambiguous" and a["value"] is None, a["answer"]  # asks which total, states no figure


def test_share_of_a_figure_in_yuan_in_a_total_in_wanyuan(wanli: TestClient) -> None:
    chat = Chat(wanli)
    assert _is(chat.ask("万里街道今年的三公经费预算是多少？"), 22.91, "万元")
    part = chat.ask("其中公务用车运行费多少？")
    assert part["status"] == "answered" and part["value"] in (21.56, 215600.0), part["answer"]
    a = chat.ask("它占三公经费的比例是多少？")
    assert _is(a, 94.11, "%"), a["answer"]  # 21.56 ÷ 22.91, whichever table's unit the part came in


def test_stated_share_over_the_real_corpus(real: TestClient) -> None:
    chat = Chat(real)
    assert _is(chat.ask("省检察院2019年公务接待费预算多少？"), 101.26, "万元")
    a = chat.ask("占多少？")
    assert _is(a, 24.2, "%"), a["answer"]  # "公务接待费支出101.26万元，占“三公”经费的24.2%" (p30)


# ---- "那X呢" for another item ---------------------------------------------------------------------


def test_other_item_the_documents_lack_is_not_found_and_its_change_too(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _is(chat.ask("公务用车运行维护费多少？"), 4.6, "万元")
    a = chat.ask("那物业管理费呢？")
    assert a["status"] == "not_found" and a["value"] is None, a["answer"]  # not a passage about 公务用车
    b = chat.ask("比去年多了多少？")
    assert b["status"] == "not_found" and b["value"] is None, b["answer"]  # never 公务用车's 2.17


def test_other_item_after_a_share_is_its_amount(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _is(chat.ask("公用经费是多少？"), 51.91, "万元")
    assert _is(chat.ask("它占基本支出的比例是多少？"), 6.23, "%")
    assert _is(chat.ask("那人员经费呢？"), 781.35, "万元")


def test_other_item_keeps_the_column_asked(real: TestClient) -> None:
    chat = Chat(real)
    assert _is(chat.ask("普陀区财政局2024年的三公经费年初预算是多少？"), 0.95, "万元")
    assert _is(chat.ask("决算呢？"), 0.0, "万元")


# ---- departments -----------------------------------------------------------------------------------


def test_two_characters_of_a_department_name_in_a_bare_follow_up(real: TestClient) -> None:
    chat = Chat(real)
    assert _is(chat.ask("江苏省检察院2019年会议费预算多少？"), 158.44, "万元")
    a = chat.ask("人大呢？")
    assert _is(a, 1469.73, "万元") and a["department"] == "江苏省人大常委会办公厅", a["answer"]
    assert _is(chat.ask("两家差多少？"), 1311.29, "万元")


def test_reply_naming_the_department_after_which_department_keeps_the_year(real: TestClient) -> None:
    chat = Chat(real)
    first = chat.ask("2019年公务接待费预算是多少？")
    assert first["status"] == "ambiguous" and first["value"] is None
    a = chat.ask("我问的是检察院")
    assert _is(a, 101.26, "万元") and a["year"] == 2019, a["answer"]
    b = chat.ask("那2017年呢？")
    assert _is(b, 156.55, "万元") and b["year"] == 2017, b["answer"]


# ---- more of the same ------------------------------------------------------------------------------


def test_details_after_a_reason_quote_the_whole_paragraph(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _is(chat.ask("公务接待费预算多少？"), 0.83, "万元")
    assert _is(chat.ask("比上年少了多少？"), 1.0, "万元")
    why = chat.ask("为什么减少？")
    assert why["status"] == "answered" and "厉行节约" in why["answer"]
    more = chat.ask("说详细点")
    assert more["status"] == "answered" and "公务接待(含外宾接待)" in more["answer"], more["answer"]
    assert len(more["answer"]) > len(why["answer"])
    topic = chat.ask("机构运转经费预算是多少？")  # a new item: nothing of 公务接待费 carried over
    assert _is(topic, 51.91, "万元")


def test_department_part_of_a_sum_of_two_departments(real: TestClient) -> None:
    chat = Chat(real)
    assert _is(chat.ask("省检察院2019年会议费是多少？"), 158.44, "万元")
    assert _is(chat.ask("那人大常委会呢？"), 1469.73, "万元")
    assert _is(chat.ask("两项加起来是多少？"), 1628.17, "万元")
    a = chat.ask("其中检察院占多少？")
    assert _is(a, 9.73, "%"), a["answer"]  # 158.44 ÷ 1628.17, not 检察院's share of a table total of its own


def test_where_the_figure_stands_after_picking_a_reading(sample: TestClient) -> None:
    chat = Chat(sample)
    first = chat.ask("办公费是多少？")
    assert first["status"] == "ambiguous"  # 4.00 in the basic-expenditure table, 28.26 in the summary
    assert _is(chat.ask("第二个"), 28.26, "万元")
    a = chat.ask("它是哪张表里的？")
    assert _is(a, 28.26, "万元") and "支出经济分类汇总表" in a["answer"], a["answer"]
    assert a["citations"][0]["page"] == 20


def test_base_column_of_a_change_is_not_carried_to_the_next_item(wanli: TestClient) -> None:
    chat = Chat(wanli)
    first = chat.ask("万里街道2023年群众体育安排了多少？")
    assert first["status"] == "answered" and first["value"] in (20.0, 200000.0), first["answer"]
    assert _is(chat.ask("比2022年执行数增加了百分之几？"), 66.11, "%")
    a = chat.ask("那科普活动呢？")  # its 2023 amount, not a 决算数 from "执行数" in the change question
    assert a["status"] == "answered" and a["value"] in (10.0, 100000.0), a["answer"]


def test_follow_up_on_the_figure_before_saying_which_reading_asks_again(sample: TestClient) -> None:
    chat = Chat(sample)
    assert chat.ask("办公费是多少？")["status"] == "ambiguous"  # two tables, two figures
    a = chat.ask("比上年多了多少？")
    assert a["status"] == "ambiguous" and a["value"] is None and "28.26" in a["answer"], a["answer"]
    assert _is(chat.ask("第一个"), 4.0, "万元")  # the readings are still there to pick from


def test_two_items_added_after_one_of_them_got_its_stated_rate(wanli: TestClient) -> None:
    chat = Chat(wanli)
    first = chat.ask("万里街道2023年购房补贴预算多少？")
    assert first["status"] == "answered" and first["value"] in (325.68, 3256800.0), first["answer"]
    rate = chat.ask("它比2022年执行数增长了多少？")  # the document states only the rate; no 2022 document
    assert _is(rate, 1.96, "%"), rate["answer"]
    second = chat.ask("住房公积金呢？")
    assert second["status"] == "answered" and second["value"] in (352.67, 3526694.0), second["answer"]
    both = chat.ask("两项加起来多少？")  # the two amounts, not the rate between them
    assert both["status"] == "answered" and both["value"] in (678.35, 6783494.0), both["answer"]


def test_difference_of_the_last_two_when_a_share_stands_between_them_asks_which(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _is(chat.ask("政府办的三公经费是多少？"), 5.43, "万元")
    assert _is(chat.ask("其中公务接待费占多少？"), 15.29, "%")
    assert _is(chat.ask("那公务用车运行维护费呢？"), 4.6, "万元")
    a = chat.ask("这两项差多少？")
    assert a["status"] == "ambiguous" and a["value"] is None, a["answer"]  # never 5.43 - 4.60 unasked


def test_share_of_the_last_figure_in_itself_asks_instead_of_100_percent(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _is(chat.ask("基本支出是多少？"), 833.26, "万元")
    a = chat.ask("其中基本支出占多少？")  # the part named is the figure just given
    assert a["status"] == "ambiguous" and a["value"] is None, a["answer"]


def test_follow_up_naming_nothing_new_asks_what_else_instead_of_repeating(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _is(chat.ask("公务接待费预算多少？"), 0.83, "万元")
    a = chat.ask("还有呢？")
    assert a["status"] == "ambiguous" and a["value"] is None, a["answer"]
    assert _is(chat.ask("比上年少了多少？"), 1.0, "万元")  # the conversation goes on about the same item


def test_reply_naming_the_department_by_two_characters(real: TestClient) -> None:
    chat = Chat(real)
    assert chat.ask("2019年会议费是多少？")["status"] == "ambiguous"  # which department?
    a = chat.ask("我问的是人大")
    assert _is(a, 1469.73, "万元") and a["department"] == "江苏省人大常委会办公厅", a["answer"]


def test_a_part_cited_beside_the_last_answer_is_answered_when_asked(wanli: TestClient) -> None:
    # p29: "政府采购预算830.00万元，其中：政府采购货物预算10.00万元、政府采购工程预算550.00万元…"
    chat = Chat(wanli)
    first = chat.ask("万里街道2023年政府采购预算是多少")
    assert first["status"] == "answered" and first["value"] == 830.0
    part = chat.ask("其中工程类的呢？")
    assert part["status"] == "answered" and part["value"] == 550.0


def test_two_items_named_with_two_items_are_those_items_not_the_last_two_answers(sample: TestClient) -> None:
    # sample p15 部门支出预算表: 社会保障和就业支出 165.56, 其中行政单位离退休 105.44; 卫生健康支出 55.87
    chat = Chat(sample)
    chat.ask("社会保障和就业支出安排了多少")
    chat.ask("其中行政单位离退休是多少？")
    chat.ask("那卫生健康呢")
    both = chat.ask("社保就业和卫生健康两项加起来多少")
    assert both["status"] == "answered" and both["value"] == 221.43 and "105.44" not in (both["computation"] or "")


def test_what_a_part_takes_in_money_is_its_amount_not_its_share(sample: TestClient) -> None:
    # sample p7 三公 table: 合计 5.43, 公务接待费 0.83
    chat = Chat(sample)
    chat.ask("西工区政府办2025年三公经费预算多少？")
    part = chat.ask("其中公务接待费占多少钱")
    assert part["status"] == "answered" and part["value"] == 0.83 and part["unit"] == "万元"


def test_the_two_departments_of_the_conversation_added_for_the_item_asked(real: TestClient) -> None:
    # 2019 收支预算总计: 江苏省人民检察院 24,169.74 (p25), 江苏省高级人民法院 37,188.34 (p17)
    chat = Chat(real)
    chat.ask("江苏省人民检察院2019年收支预算总计是多少？")
    chat.ask("那江苏省高级人民法院2019年呢？")
    both = chat.ask("两家2019年加起来多少")
    assert both["status"] == "answered" and both["value"] == 61358.08 and len(both["citations"]) >= 2


def test_a_name_under_two_classes_is_the_one_beside_the_row_just_answered(sample: TestClient) -> None:
    # sample p15: 201 03 01 行政运行 551.60, 201 03 02 一般行政管理事务 159.42; 217 01 02 一般行政管理事务 11.23
    # stands under 金融支出
    chat = Chat(sample)
    chat.ask("西工区政府办2025年一般公共服务支出安排了多少？")
    chat.ask("其中行政运行多少？")
    sibling = chat.ask("那一般行政管理事务呢？")
    assert sibling["status"] == "answered" and sibling["value"] == 159.42


def test_the_change_asked_after_going_back_a_year_is_between_the_two_years_shown(real: TestClient) -> None:
    # 江苏省人民检察院 "三公"经费: 2019 418.26 (2019年度部门预算公开.pdf p20), 2018 484.30 (p19); neither answer
    # states its own change, so "比上年少了多少" compares the two figures on the screen
    chat = Chat(real)
    chat.ask("江苏省检察院2019年“三公”经费预算是多少？")
    chat.ask("那2018年呢？")
    less = chat.ask("比上年少了多少？")
    assert less["status"] == "answered" and less["value"] == 66.04 and less["unit"] == "万元"


def test_the_last_two_added_as_a_share_of_a_total_the_question_names(sample: TestClient) -> None:
    # sample p19: 职业年金缴费 0.75, 机关事业单位基本养老保险缴费 60.12; 基本支出 833.26 → 60.87 ÷ 833.26 = 7.31%
    chat = Chat(sample)
    chat.ask("政府办给员工交的职业年金多少？")
    chat.ask("那基本养老保险呢？")
    share = chat.ask("两项加起来占基本支出的百分之几？")
    assert share["status"] == "answered" and share["value"] == 7.31 and share["unit"] == "%"


def test_a_change_asked_of_a_figure_the_document_says_is_level_is_no_change(wanli: TestClient) -> None:
    # p28: "公务车用车运行费21.56万元，比2022年预算持平"; the answer on the screen says 与上年持平
    chat = Chat(wanli)
    chat.ask("万里街道2023年三公经费预算多少？")
    chat.ask("其中公务用车运行费是多少？")
    change = chat.ask("比2022年涨了多少？")
    assert change["status"] == "answered" and change["value"] == 0.0 and "持平" in change["answer"]
