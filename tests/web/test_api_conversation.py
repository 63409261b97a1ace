"""Conversations through `POST /api/ask` with the history a chat client keeps (CONTRACT.md, HTTP):
each answer's JSON is sent back unchanged, after a JSON round trip, with the next question.
Every follow-up pattern of the conversation layer, over the bundled sample and over real documents."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import api_client
from real_corpus import real_home


@pytest.fixture(scope="module")
def sample(sample_home: Path) -> Iterator[TestClient]:
    yield from api_client(sample_home)


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from api_client(real_home(tmp_path_factory))


class Chat:
    """A chat client: keeps the history as the contract says and sends it with every question."""

    def __init__(self, client: TestClient, **filters: object):
        self.client, self.filters, self.history = client, filters, []  # type: ignore[var-annotated]

    def ask(self, question: str, **filters: object) -> dict:
        body = {"question": question, "department": None, "year": None, "history": self.history,
                **self.filters, **filters}
        r = self.client.post("/api/ask", content=json.dumps(body, ensure_ascii=False).encode(),
                             headers={"Content-Type": "application/json"})
        assert r.status_code == 200, r.text
        a = r.json()
        self.history = self.history + [{"role": "user", "content": question},
                                       {"role": "assistant", "content": a["answer"], "answer": json.loads(json.dumps(a))}]
        return a


def _value(a: dict) -> float | None:
    return a["value"] if a["status"] == "answered" else None


def _cites(a: dict, document: str, page: int) -> bool:
    return any(c["document"] == document and c["page"] == page for c in a["citations"])


SAMPLE_DOC = "2025年洛阳市西工区人民政府办公室部门预算公开.pdf"
PROCURATORATE_2019 = "2019年度部门预算公开.pdf"


# ---- the sample alone -------------------------------------------------------------------------
def test_three_public_then_how_much_more_than_last_year_never_contradicts(sample: TestClient) -> None:
    chat = Chat(sample)
    first = chat.ask("三公经费是多少？")
    assert _value(first) == 5.43 and "比上年增加1.17万元" in first["answer"]
    a = chat.ask("比去年多了多少？")
    assert _value(a) == 1.17 and a["unit"] == "万元"
    assert a["measure"] == "change_amount" and a["conversation"]["kind"] == "预算"
    assert _cites(a, SAMPLE_DOC, 7) and "1.17" in a["answer"]
    rate = chat.ask("增长了百分之几？")
    assert _value(rate) == 27.46 and rate["unit"] == "%" and rate["measure"] == "change_rate"


def test_last_year_from_the_stated_change_shows_the_computation(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _value(chat.ask("车辆维护的预算是多少？")) == 4.6
    a = chat.ask("那去年呢？")
    assert _value(a) == 2.43 and a["year"] == 2024
    assert "4.60 - 2.17 = 2.43" in a["computation"] and len(a["citations"]) == 2


def test_a_follow_up_item_is_cited_from_the_three_public_table_like_a_single_question(sample: TestClient) -> None:
    """The bug of "公务接待费呢" cited from the economic-classification table (p. 21): canonical.toml says the
    三公 table (p. 22) states it for the whole department, as for the question asked on its own."""
    three_public = "2025年一般公共预算“三公”经费预算表"
    alone = Chat(sample).ask("公务接待费是多少？")
    chat = Chat(sample)
    chat.ask("三公经费是多少？")
    a = chat.ask("公务接待费呢？")
    for got in (alone, a):
        assert _value(got) == 0.83 and got["citations"][0]["table"] == three_public and got["citations"][0]["page"] == 22
        assert "第22页" in got["answer"]


def test_share_of_the_last_total(sample: TestClient) -> None:
    chat = Chat(sample)
    chat.ask("三公经费是多少？")
    a = chat.ask("其中公务接待费占多少？")
    assert _value(a) == 15.29 and a["unit"] == "%"  # 0.83 ÷ 5.43
    assert "0.83 ÷ 5.43" in a["computation"]


def test_difference_after_a_sum_is_between_the_two_added(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _value(chat.ask("培训费是多少？")) == 1.5
    assert _value(chat.ask("会议费呢？")) == 1.3
    assert _value(chat.ask("它们加起来是多少？")) == 2.8  # 它们: the two just answered
    d = chat.ask("差多少？")  # 1.50 - 1.30, not the sum minus one of its parts
    assert _value(d) == 0.2 and "1.50 - 1.30" in d["computation"]


def test_a_share_above_the_whole_is_refused_not_stated(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _value(chat.ask("基本支出是多少？")) == 833.26
    a = chat.ask("它在项目支出里占多少？")  # 833.26 is not a part of 241.35
    assert a["status"] == "not_found" and a["value"] is None and "无法计算占比" in a["answer"]


def test_pronoun_and_two_items_added(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _value(chat.ask("政府办的职业年金是多少？")) == 0.75
    assert _value(chat.ask("那基本养老保险呢？")) == 60.12
    total = chat.ask("两项加起来多少？")
    assert _value(total) == 60.87 and "0.75 + 60.12 = 60.87" in total["computation"]
    chat = Chat(sample)
    chat.ask("车辆维护的预算是多少？")
    assert _value(chat.ask("它比去年多了多少？")) == 2.17


def test_an_indicator_of_the_project_just_answered(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _value(chat.ask("《西工年鉴》财政预算经费是多少？")) == 9.5
    a = chat.ask("它的绩效目标里覆盖多少个单位？")
    assert _value(a) == 350 and a["unit"] == "个" and _cites(a, SAMPLE_DOC, 32)
    cost = chat.ask("总成本目标呢？")  # the same project's row, not another project's 总成本
    assert _value(cost) == 9.5 and _cites(cost, SAMPLE_DOC, 32)


def test_a_row_beside_the_last_one_in_its_table(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _value(chat.ask("党建工作经费安排了多少？")) == 1.02
    a = chat.ask("那金融局的那个呢？")
    assert _value(a) == 0.6 and _cites(a, SAMPLE_DOC, 26)
    assert _value(chat.ask("它的党建活动次数目标是多少？")) == 12


def test_a_part_no_row_names_is_not_answered_with_the_figure_just_given(sample: TestClient) -> None:
    chat = Chat(sample)
    first = chat.ask("党建工作经费安排了多少？")
    assert _value(first) == 1.02
    given = {(c["document"], c["page"], c["row"]) for c in first["citations"]}
    for follow_up in ("那下属单位的那个呢？", "那机关的那个呢？"):  # no row of the document holds those words
        a = Chat(sample)
        a.history = chat.history
        got = a.ask(follow_up)
        assert got["status"] != "answered" or not {(c["document"], c["page"], c["row"]) for c in got["citations"]} & given
        assert got["value"] != 1.02


def test_why_quotes_the_reason_the_document_gives_for_the_figure(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _value(chat.ask("公务接待费是多少？")) == 0.83
    a = chat.ask("为什么减少了？")
    assert a["status"] == "answered" and a["value"] is None
    assert "厉行节约" in a["answer"] and _cites(a, SAMPLE_DOC, 8)


def test_why_with_no_reason_for_the_total_gives_its_parts_reasons(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _value(chat.ask("三公经费是多少？")) == 5.43
    a = chat.ask("为什么会多？")  # the total's paragraph gives none; its parts' paragraphs do
    assert "没有直接说明" in a["answer"] and "机构改革" in a["answer"]
    assert _cites(a, SAMPLE_DOC, 8)


def test_a_year_with_no_document_and_no_statement_is_refused(sample: TestClient) -> None:
    chat = Chat(sample)
    assert _value(chat.ask("政府办社会保障和就业支出是多少？")) == 165.56
    a = chat.ask("那2024年这一块是多少？")
    assert a["status"] == "not_found" and a["value"] is None


def test_after_a_not_found_the_change_is_not_the_change_of_an_older_answer(sample: TestClient) -> None:
    """"比去年多了多少" after "那飞机购置费呢" (no such item) used to answer the 三公经费's +1.17 from the turn before."""
    chat = Chat(sample)
    assert _value(chat.ask("三公经费是多少？")) == 5.43
    assert chat.ask("那飞机购置费呢？")["status"] == "not_found"
    a = chat.ask("比去年多了多少？")
    assert a["status"] == "not_found" and a["value"] is None and "1.17" not in a["answer"]
    assert "飞机购置费" in a["answer"] and "上年" in a["answer"]  # what it would need
    assert chat.ask("它占多少？")["value"] is None  # 它 is the item not found, not the 三公经费
    again = chat.ask("那公务接待费呢？")  # an item of its own: answered as usual, and the state moves on
    assert _value(again) == 0.83 and _value(chat.ask("比去年少了多少？")) == 1.0


def test_after_a_not_found_the_last_two_figures_are_not_added(sample: TestClient) -> None:
    chat = Chat(sample)
    chat.ask("培训费是多少？")
    chat.ask("会议费呢？")
    assert chat.ask("那飞机购置费呢？")["status"] == "not_found"
    for follow_up in ("两项加起来多少？", "差多少？"):
        a = Chat(sample)
        a.history = chat.history
        got = a.ask(follow_up)
        assert got["status"] == "not_found" and got["value"] is None and "飞机购置费" in got["answer"]


def test_a_not_found_first_question_then_its_change_says_what_is_needed(sample: TestClient) -> None:
    chat = Chat(sample)
    assert chat.ask("政府办的飞机购置费是多少？")["status"] == "not_found"
    a = chat.ask("比去年多了多少？")
    assert a["status"] == "not_found" and "飞机购置费" in a["answer"] and "请说明要比较的年份" not in a["answer"]


def test_altered_history_figure_is_never_stated(sample: TestClient) -> None:
    chat = Chat(sample)
    chat.ask("政府办的职业年金是多少？")
    chat.ask("那基本养老保险呢？")
    for turn in chat.history:
        if turn["role"] == "assistant":
            for fig in turn["answer"]["conversation"]["figures"]:
                fig["value"] += 100
                for ref in fig["facts"]:
                    ref["value"] += 100
    a = chat.ask("两项加起来多少？")
    assert "160.87" not in a["answer"] and "260.87" not in a["answer"]
    assert a["status"] == "not_found" or _value(a) == 60.87


def test_malformed_history_is_ignored_not_an_error(sample: TestClient) -> None:
    chat = Chat(sample)
    chat.history = [{"role": "assistant", "content": "x", "answer": {"conversation": {"year": "soon", "figures": 3}}},
                    {"role": "user"}]  # an answer that is not an object is a 400 (tests/web/test_security.py)
    a = chat.ask("车辆维护的预算是多少？")
    assert _value(a) == 4.6


# ---- real documents, several departments and years -------------------------------------------
def test_other_department_same_item_then_its_change(real: TestClient) -> None:
    chat = Chat(real)
    assert _value(chat.ask("江苏省人民检察院2019年三公经费里，因公出国（境）费是多少？")) == 80
    assert _value(chat.ask("比上年少了多少？")) == 20
    a = chat.ask("那省高院呢？")
    assert _value(a) == 160 and a["department"] == "江苏省高级人民法院" and a["year"] == 2019
    assert _value(chat.ask("高院比上年少了多少？")) == 10


def test_other_year_from_that_years_document_and_change_between_named_years(real: TestClient) -> None:
    chat = Chat(real)
    assert _value(chat.ask("江苏省政协办公厅2019年提租补贴是多少？")) == 1754.17
    assert _value(chat.ask("比上年增长了百分之多少？")) == 58.38
    a = chat.ask("换成2018年呢？")
    assert _value(a) == 1107.6 and a["year"] == 2018
    b = chat.ask("2018年又比2017年涨了多少？")  # 涨了多少 after a percent question: the percent again
    assert _value(b) == 47.33 and b["unit"] == "%"


def test_same_item_last_year_reads_the_same_kind_of_table(real: TestClient) -> None:
    chat = Chat(real)
    first = chat.ask("江苏省政协办公厅2019年会议费是多少？")
    a = chat.ask("那去年呢？")
    assert a["year"] == 2018 and a["citations"][0]["table"] == first["citations"][0]["table"]


def test_another_year_of_this_item_asks_the_item_not_its_share(real: TestClient) -> None:
    chat = Chat(real)
    share = chat.ask("江苏省政协办公厅2018年收入里，一般公共预算收入占多大比例？")
    assert _value(share) == 99.21 and share["unit"] == "%"
    a = chat.ask("2017年还有这项收入吗？")  # the income itself in 2017, not its share
    assert _value(a) == 9066.79 and a["unit"] == "万元" and a["year"] == 2017
    assert _value(chat.ask("那2019年呢？")) == 13297.11
    why = chat.ask("为什么增加了？")  # the reason stated beside the 2019 figure
    assert "主要原因" in why["answer"] and why["citations"][0]["page"] == 9 and why["year"] == 2019


def test_a_question_about_the_last_figure_quotes_it_and_keeps_the_topic(real: TestClient) -> None:
    chat = Chat(real)
    assert _value(chat.ask("江苏省人民检察院2019年预算单位有几家？")) == 3
    which = chat.ask("除了本级，另外两家是哪两家？")
    assert "铁路运输检察院" in which["answer"] and which["citations"][0]["page"] == 5
    a = chat.ask("那高级人民法院呢，几家？")  # the topic is still the number of budget units
    assert _value(a) == 2 and a["department"] == "江苏省高级人民法院"


def test_against_another_column_of_the_row_not_another_year(real: TestClient) -> None:
    chat = Chat(real)
    assert _value(chat.ask("上海市普陀区财政局2024年信息化建设年初预算是多少？")) == 135.9
    assert _value(chat.ask("换成决算数呢？")) == 135.25
    d = chat.ask("比年初预算少了多少？")  # the row's 决算数 against its 年初预算, not 2024 against 2023
    assert _value(d) == 0.65 and "135.25 - 135.90" in d["computation"] and len(d["citations"]) == 2


def test_the_column_the_question_names_wins(real: TestClient) -> None:
    # the row code alone finds the 决算 table's 84.65; the question asks for the 年初预算 stated beside it
    a = Chat(real).ask("上海市普陀区财政局2024年行政单位离退休（2080501）年初预算是多少？")
    assert _value(a) == 85.55 and "年初预算" in a["answer"] and a["citations"][0]["column"] == "年初预算数"


def test_other_column_difference_and_completion(real: TestClient) -> None:
    chat = Chat(real)
    assert _value(chat.ask("普陀区财政局2024年行政单位离退休（2080501）决算是多少？")) == 84.65
    assert _value(chat.ask("年初预算呢？")) == 85.55
    d = chat.ask("差了多少？")
    assert _value(d) == 0.9 and "85.55 - 84.65 = 0.90" in d["computation"]
    c = chat.ask("完成率呢？")
    assert _value(c) == 98.95 and c["unit"] == "%"


def test_two_departments_added(real: TestClient) -> None:
    chat = Chat(real)
    assert _value(chat.ask("江苏省人大常委会办公厅2019年公务用车运行维护费是多少？")) == 183.6
    assert _value(chat.ask("那省检察院呢？")) == 237
    a = chat.ask("两家加起来多少？")
    assert _value(a) == 420.6 and {c["document"] for c in a["citations"]} >= {PROCURATORATE_2019}


def test_question_and_filters_win_over_the_history(real: TestClient) -> None:
    chat = Chat(real)
    chat.ask("江苏省政协办公厅2019年提租补贴是多少？")
    a = chat.ask("2018年提租补贴是多少？")
    assert a["year"] == 2018 and _value(a) == 1107.6
    b = chat.ask("三公经费里因公出国（境）费是多少？", department="江苏省人民检察院", year=2019)
    assert b["department"] == "江苏省人民检察院" and _value(b) == 80


def test_no_department_over_several_asks_which_never_picks(real: TestClient) -> None:
    a = Chat(real).ask("车辆维护的预算是多少？")
    assert a["status"] == "ambiguous" and a["value"] is None
    assert len(a["alternatives"]) >= 4 and all(d in a["answer"] for d in a["alternatives"])


def test_which_department_is_highest_ranks_every_department_with_citations(real: TestClient) -> None:
    a = Chat(real).ask("2019年哪个部门的三公经费最高？")
    points = a["series"]
    assert a["status"] == "answered" and len(points) >= 3
    values = [p["value"] for p in points]
    assert values == sorted(values, reverse=True) and a["value"] == values[0]
    assert a["department"] == points[0]["department"]
    for p in points:
        assert p["citation"]["document"] and p["citation"]["page"] >= 1 and f"{p['value']:,.2f}" in a["answer"]


def test_a_ranking_without_a_year_compares_one_year_and_kind_only(real: TestClient) -> None:
    """No year named: each department's latest document, but a 2024 决算 is listed apart, never ranked with
    the 2019 预算s (it was ranked among them)."""
    a = Chat(real).ask("哪个部门的培训费最低？")  # the Putuo 决算's 4.05 is not "the lowest"
    ranked = [p for p in a["series"] if p["year"] == 2019]
    others = [p for p in a["series"] if p["year"] != 2019]
    assert len(ranked) >= 3 and a["series"][:len(ranked)] == ranked
    assert [p["value"] for p in ranked] == sorted(p["value"] for p in ranked)
    assert a["value"] == ranked[0]["value"] and a["department"] == ranked[0]["department"]
    assert [(p["department"], p["value"]) for p in others] == [("上海市普陀区财政局", 4.05)]
    head, _, tail = a["answer"].partition("未参与排序")
    assert "上海市普陀区财政局" not in head and "4.05" in tail
    assert len(a["citations"]) == len(a["series"])


def test_two_departments_not_yet_named_are_asked_for_then_answered(real: TestClient) -> None:
    chat = Chat(real)
    a = chat.ask("两个部门的三公经费是多少？")  # none named, none in the conversation: which two?
    assert a["status"] == "ambiguous" and a["value"] is None and len(a["alternatives"]) >= 4
    b = chat.ask("省法院和省检察院")
    assert {(p["department"], p["value"]) for p in b["series"]} == {("江苏省高级人民法院", 513.75),
                                                                  ("江苏省人民检察院", 418.26)}
    assert all(p["year"] == 2019 for p in b["series"]) and len(b["citations"]) == 2
    higher = chat.ask("哪家更高？")
    assert _value(higher) == 513.75 and "513.75 - 418.26" in higher["computation"]


def test_a_series_of_years_is_cited_year_by_year_for_each_department(real: TestClient) -> None:
    """"从2017到2019年" for each department with three years loaded."""
    for dept, values in (("江苏省人民检察院", [584.35, 484.3, 418.26]), ("江苏省政协办公厅", None)):
        a = Chat(real).ask(f"{dept}从2017到2019年三公经费的变化")
        assert [p["year"] for p in a["series"]] == [2017, 2018, 2019] and len(a["citations"]) == 3
        assert values is None or [p["value"] for p in a["series"]] == values
        first, last = a["series"][0]["value"], a["series"][-1]["value"]
        assert _value(a) == round(abs(last - first), 2)


def test_years_compared_with_no_department_over_several_ask_which(real: TestClient) -> None:
    """"从2017到2019年三公经费的变化" with no department was not_found ("没有上年的文件"): it asks which department,
    listing those with documents of those years."""
    for q in ("从2017到2019年三公经费的变化", "2019年比2017年三公经费增加了多少？", "2017年和2019年的会议费分别是多少？"):
        a = Chat(real).ask(q)
        assert a["status"] == "ambiguous" and a["value"] is None, q
        assert set(a["alternatives"]) == {"江苏省政协办公厅", "江苏省人民检察院"}, q
    chat = Chat(real)
    chat.ask("从2017到2019年三公经费的变化")
    b = chat.ask("省检察院")  # the reply: the years question, for that department
    assert [p["value"] for p in b["series"]] == [584.35, 484.3, 418.26] and _value(b) == 166.09
    assert b["question"] == "省检察院"


def test_each_department_over_years_gives_each_ones_cited_series(real: TestClient) -> None:
    a = Chat(real).ask("各部门从2017到2019年的培训费是多少？")
    by_dept: dict[str, list[int]] = {}
    for p in a["series"]:
        by_dept.setdefault(p["department"], []).append(p["year"])
        assert p["citation"]["document"] and p["citation"]["page"] >= 1
    assert by_dept == {"江苏省政协办公厅": [2017, 2018, 2019], "江苏省人民检察院": [2017, 2018, 2019]}
    procuratorate = [p["value"] for p in a["series"] if p["department"] == "江苏省人民检察院"]
    assert procuratorate == [700.0, 700.0, 700.0] and len(a["citations"]) == 6
    assert "江苏省高级人民法院" in a["answer"]  # named as having too few of those years


def test_each_department_lists_one_cited_figure_per_department(real: TestClient) -> None:
    a = Chat(real).ask("各部门2019年的会议费是多少？")
    depts = {p["department"] for p in a["series"]}
    assert len(depts) >= 3 and all(p["year"] == 2019 for p in a["series"])
    assert len(a["citations"]) == len(a["series"])


def test_two_named_departments_both_answered(real: TestClient) -> None:
    a = Chat(real).ask("省法院和省检察院2019年的因公出国（境）费分别是多少？")
    assert {p["department"] for p in a["series"]} == {"江苏省高级人民法院", "江苏省人民检察院"}
    assert {p["value"] for p in a["series"]} == {160.0, 80.0}


def test_after_an_answer_over_departments_another_item_or_year_covers_the_same_ones(real: TestClient) -> None:
    chat = Chat(real)
    both = chat.ask("省法院和省检察院2019年的三公经费分别是多少？")
    depts = {p["department"] for p in both["series"]}
    assert depts == {"江苏省高级人民法院", "江苏省人民检察院"}
    a = chat.ask("那公务接待费呢？")  # the same two departments, not "which department?"
    assert a["status"] == "answered" and {p["department"] for p in a["series"]} == depts
    assert len(a["citations"]) == 2 and all(p["citation"] for p in a["series"])
    total = chat.ask("两家加起来呢？")
    assert _value(total) == round(sum(p["value"] for p in a["series"]), 2)
    ranked = Chat(real)
    top = ranked.ask("2019年哪个部门的三公经费最高？")
    again = ranked.ask("那公务接待费呢？")  # ranked again, over the same departments
    assert again["answer"].startswith("最高的是") and len(again["series"]) >= 2
    values = [p["value"] for p in again["series"]]
    assert values == sorted(values, reverse=True) and len(top["series"]) >= len(again["series"])


def test_two_departments_just_answered_subtracted_and_compared(real: TestClient) -> None:
    chat = Chat(real)
    assert _value(chat.ask("江苏省人大常委会办公厅2019年会议费是多少？")) == 1469.73
    assert _value(chat.ask("这项在政协办公厅是多少？")) == 1282.56
    d = chat.ask("两家差了多少？")  # the two figures just given, not a library-wide question about "差了"
    assert _value(d) == 187.17 and "1,469.73 - 1,282.56" in d["computation"]
    higher = chat.ask("哪家更高？")
    assert _value(higher) == 1469.73 and higher["department"] == "江苏省人大常委会办公厅"


def test_a_series_after_single_years_uses_the_figures_already_given(real: TestClient) -> None:
    chat = Chat(real)
    given = [_value(chat.ask("江苏省政协办公厅2019年培训费是多少？")), _value(chat.ask("2018年呢？")),
             _value(chat.ask("2017年呢？"))]
    assert all(v is not None for v in given)
    total = chat.ask("这三年加起来呢？")
    assert _value(total) == round(sum(v for v in given if v is not None), 2)
    trend = chat.ask("从2017到2019年的变化")  # the same rows, not another table's 培训费
    assert [p["value"] for p in trend["series"]] == given[::-1]


def test_a_body_with_no_document_is_refused_not_answered_for_the_last_department(real: TestClient) -> None:
    chat = Chat(real)
    assert _value(chat.ask("江苏省人民检察院2019年三公经费是多少？")) == 418.26
    a = chat.ask("那省财政厅2019年的呢？")  # no 财政厅 document loaded, and not the 检察院's figure
    assert a["status"] == "not_found" and a["value"] is None and "省财政厅" in a["answer"]
    assert _value(chat.ask("那法院呢？")) == 513.75  # the topic is still the 三公经费


def test_which_year_is_highest_among_every_year_just_given(real: TestClient) -> None:
    chat = Chat(real)
    first = _value(chat.ask("江苏省政协办公厅2019年住房公积金是多少？"))
    both = chat.ask("那2017年和2018年呢？")
    assert [p["year"] for p in both["series"]] == [2017, 2018]
    values = {2019: first, **{p["year"]: p["value"] for p in both["series"]}}
    top = chat.ask("哪一年最高？")  # 2019 from the first turn counts too
    best = max(values, key=lambda y: values[y] or 0)
    assert _value(top) == values[best] and top["year"] == best and len(top["citations"]) == 3


def test_series_of_years_with_the_change_computed(real: TestClient) -> None:
    a = Chat(real).ask("江苏省政协办公厅从2017到2019年项目支出的变化")
    assert [p["year"] for p in a["series"]] == [2017, 2018, 2019]
    assert [p["value"] for p in a["series"]] == [3123.68, 3314.68, 4968.34]
    assert _value(a) == 1844.66 and "4,968.34 - 3,123.68" in a["computation"]


def test_a_series_of_a_three_public_item_reads_the_department_wide_figure_every_year(real: TestClient) -> None:
    """2017 and 2018 of the procuratorate print their 三公 table under titles ingest does not recognise ("算表",
    "支出预算表"): its "“三公”经费 / 公务接待费" header still makes it the canonical table, so the series is not
    the basic-expenditure part (36.55, 36.50) in two years against the whole (101.26) in the third."""
    a = Chat(real).ask("江苏省人民检察院从2017到2019年公务接待费的变化")
    assert [p["value"] for p in a["series"]] == [156.55, 116.5, 101.26]  # 2019 states 比上年减少15.24 = 116.50 - 101.26
    assert _value(a) == 55.29 and "101.26 - 156.55" in a["computation"]
    chat = Chat(real)
    assert _value(chat.ask("江苏省人民检察院2019年会议费是多少？")) == 158.44
    b = chat.ask("2017年呢？")
    assert _value(b) == 168 and b["year"] == 2017
    one = Chat(real).ask("江苏省人民检察院2017年公务接待费是多少？")
    assert _value(one) == 156.55


def test_another_item_after_a_series_gives_the_same_years(real: TestClient) -> None:
    chat = Chat(real)
    chat.ask("江苏省人民检察院从2017到2019年公务接待费的变化")
    a = chat.ask("会议费呢？")  # 2019 states 比上年减少42.00: 200.44 - 158.44
    assert [(p["year"], p["value"]) for p in a["series"]] == [(2017, 168.0), (2018, 200.44), (2019, 158.44)]
    assert len(a["citations"]) == 3
    one = chat.ask("2018年呢？")  # a year named: that year only
    assert _value(one) == 200.44 and not one["series"]


def test_2019_compared_with_2017_is_not_rewritten_as_last_year(real: TestClient) -> None:
    a = Chat(real).ask("江苏省政协办公厅2019年比2017年项目支出增加了多少？")
    assert _value(a) == 1844.66
    assert {c["document"] for c in a["citations"]} == {"江苏省政协办公厅2019年预算公开表.pdf", "2017年度部门预算公开表.pdf"}


def test_2017_and_2019_gives_both(real: TestClient) -> None:
    a = Chat(real).ask("江苏省政协办公厅2017年和2019年的项目支出是多少？")
    assert [p["year"] for p in a["series"]] == [2017, 2019]
    assert "3,123.68" in a["answer"] and "4,968.34" in a["answer"]


def test_no_department_and_nothing_anywhere_is_refused_not_asked(real: TestClient) -> None:
    a = Chat(real).ask("教育局的三公经费是多少？")
    assert a["status"] == "not_found" and a["value"] is None


def test_answering_which_department_resolves_the_asked_question(real: TestClient) -> None:
    chat = Chat(real)
    assert chat.ask("车辆维护的预算是多少？")["status"] == "ambiguous"
    a = chat.ask("省检察院2019年")
    assert a["department"] == "江苏省人民检察院" and _value(a) == 237


def test_the_page_draws_a_ranking_as_a_bar_chart(real: TestClient) -> None:
    from assistant.conversation_state import ConversationAnswer
    from web.markup import answer_html

    a = ConversationAnswer.model_validate(Chat(real).ask("2019年哪个部门的三公经费最高？"))
    page = answer_html(a, lambda _c: None)
    assert page.count('class="bq-bar"') == len(a.series) >= 3
    assert all(p.department in page for p in a.series)
    single = ConversationAnswer.model_validate(Chat(real).ask("江苏省政协办公厅2019年提租补贴是多少？"))
    assert "bq-chart" not in answer_html(single, lambda _c: None)
