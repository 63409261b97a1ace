"""Trap questions written from a reading of the sample (西工区政府办 2025 部门预算): one item in several
tables with different figures, a part beside its total, a scope the question names, last year's
figure stated beside this year's, items and departments the documents do not hold. Checked figures:
p19 一般公共预算基本支出预算表 办公费 4.00 / 印刷费 3.00 / 绩效工资 24.34; p20 支出经济分类汇总表
办公费 28.26 / 印刷费 18.00 / 差旅费 30.96 / 委托业务费 35.00 / 劳务费 17.10; p22 三公 table 公务接待费 0.83;
p7 三公经费 5.43, 比2024年增加 1.17; 基本支出 833.26, 人员经费 781.35; 项目支出 241.35."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.service import Assistant
from vectorstore.facts_db import FactStore


@pytest.fixture(scope="module")
def sample_bot(sample_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}"), use_ranker=False)


@pytest.mark.parametrize(("question", "value"), [
    ("基本支出里的办公费是多少", 4.0),  # the question names the basic-expenditure table
    ("基本支出中的印刷费", 3.0),
    ("支出经济分类汇总表里的办公费", 28.26),  # names the summary table
    ("差旅费预算多少", 30.96),  # one table prints it
    ("绩效工资是多少", 24.34),  # two tables, one figure
    ("三公经费里的公务接待费", 0.83),
    ("公务接待费多少", 0.83),
    ("委托业务费是多少", 35.0),
    ("劳务费多少", 17.1),
    ("基本支出中的人员经费", 781.35),
    ("项目支出合计", 241.35),
    ("2025年收入总计", 1074.61),
    ("三公经费比去年增加了多少", 1.17),
])
def test_a_figure_the_question_picks(sample_bot, question, value):
    a = sample_bot.ask(question)
    assert a.status == "answered" and a.value == value, a.answer


@pytest.mark.parametrize(("question", "readings"), [
    # the basic-expenditure table's row and the summary table's row of the same name differ; the
    # question names neither table: ask which, never state one of them as the answer
    # ("办公费一共预算了多少" asks the whole: answered from the table of all the spending, see below)
    ("办公费预算了多少", {"4.00", "28.26"}),
    ("印刷费全年多少", {"3.00", "18.00"}),
    ("政府办2025年其他商品和服务支出", {"6.30", "9.30"}),
])
def test_one_item_in_two_tables_with_different_figures_is_asked_which(sample_bot, question, readings):
    a = sample_bot.ask(question)
    assert a.status == "ambiguous" and a.value is None, a.answer
    assert all(any(r in x for x in a.alternatives) for r in readings), a.alternatives


@pytest.mark.parametrize("question", [
    "西工区教育局2025年的办公费",  # a department not loaded
    "2023年的三公经费",  # a year not loaded
    "物业管理费预算多少",  # named in a definition, never budgeted
    "离休费多少",  # only 退休费 is printed
])
def test_what_the_documents_do_not_hold_states_no_figure(sample_bot, question):
    a = sample_bot.ask(question)
    assert a.status != "answered" and a.value is None, a.answer


def test_a_joined_label_is_no_answer_for_one_of_its_sides():
    from assistant.joined_labels import names_one_side
    from ingest.records import Fact

    def fact(row: str | None, column: str = "预算数") -> Fact:
        return Fact(document="d.pdf", department="某局", year=2019, kind="预算", page=1, row=row, column=column,
                    value=183.6, unit="万元")

    joined = fact("公务用车购置及运行费支出")
    assert names_one_side(joined, "2019年公务用车购置费是多少")
    assert names_one_side(joined, "公务用车运行费多少")
    assert not names_one_side(joined, "公务用车购置及运行费多少")  # both sides, the joining word
    assert not names_one_side(joined, "公务用车购置和运行一共多少")  # both sides named
    assert not names_one_side(fact(None, "“三公”经费 / 公务用车购置及运行维护费 / 小计"), "公务用车购置费")  # the leaf is 小计
    assert names_one_side(fact(None, "“三公”经费 / 公务用车购置及运行维护费"), "公务用车购置费")
    assert not names_one_side(fact("公务用车运行维护费"), "公务用车购置费")


def test_one_side_of_a_joined_item_is_answered_by_its_own_figure(sample_bot):
    # p8: 公务用车购置及运行费 4.60, of which 公务用车购置费 0.00 and 公务用车运行维护费 4.60
    a = sample_bot.ask("公务用车购置费预算")
    assert a.status == "answered" and a.value == 0.0, a.answer
    a = sample_bot.ask("公务用车购置及运行费是多少")
    assert a.status == "answered" and a.value == 4.6, a.answer


@pytest.fixture(scope="module")
def corpus_bot(corpus_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{corpus_home / 'facts.sqlite3'}"), use_ranker=False)


@pytest.mark.parametrize(("question", "value"), [
    # 省委办公厅 2019 公开表格 p9: “三公”经费 / 小计 508.20 beside the table's 合计 (三公 + 会议费 + 培训费);
    # "合计" in the question is no match for a budget term's total: another table's 合计 row (the whole
    # budget) was stated
    ("中共江苏省委办公厅2019年三公经费合计是多少", 508.2),
    ("江苏省委办公厅2019年三公经费一共多少", 508.2),
    # 普陀区财政局 2024 决算 p10 支出决算表: 一般公共服务支出 2106.66 (收入决算表 prints 2112.86 on that row),
    # 行政运行 1511.89 of which 项目支出 8.37; p16 退休费 69.10
    ("普陀区财政局2024年一般公共服务支出是多少", 2106.66),
    ("普陀区财政局2024年行政运行的项目支出", 8.37),
    ("普陀区财政局2024年退休费", 69.1),
    # 省委办公厅 2019 公开文件 p13: "单价20万元（含）以上的设备33台/套": the 20万 the question writes is not
    # the answer
    ("江苏省委办公厅2019年单价20万以上设备有多少台？", 33),
    # the same table's 公务接待费 27 of the 三公 小计 508.2, the denominator written out: 27 ÷ 508.2
    ("江苏省委办公厅2019年公务接待费占“三公”经费小计（508.20万元）的比例是多少？", 5.31),
])
def test_real_figures_the_question_picks(corpus_bot, question, value):
    a = corpus_bot.ask(question)
    assert a.status == "answered" and a.value == value, a.answer


@pytest.mark.parametrize("question", [
    "普陀区财政局2023年一般公共服务支出",  # a year not loaded
    "普陀区教育局2024年公务接待费",  # a department not loaded
])
def test_real_what_is_not_loaded_states_no_figure(corpus_bot, question):
    a = corpus_bot.ask(question)
    assert a.status != "answered" and a.value is None, a.answer


def test_the_change_stated_beside_a_figure_is_the_items_own():
    # 江苏省政协办公厅 2019 部门预算 p12/p15: 政协会议 1282.56 (比上年增加 468.40) and 会议费 1282.56 (比上年增加
    # 398.40): one figure, two items; the 会议费 answer must not quote 政协会议's change
    from assistant.figures import context
    from ingest.records import Fact

    common = {"document": "d.pdf", "department": "某办", "year": 2019, "kind": "预算", "page": 12, "unit": "万元",
              "source": "narrative"}
    facts = [Fact(**common, row="政协事务 / 政协会议", column="预算数", value=1282.56),
             Fact(**common, row="政协事务 / 政协会议", column="比上年增加", value=468.4),
             Fact(**common, row="一般公共预算拨款安排的会议费预算支出", column="预算数", value=1282.56),
             Fact(**common, row="一般公共预算拨款安排的会议费预算支出", column="比上年增加", value=398.4)]

    class _T:
        def facts_in(self, department: str, year: int) -> list[Fact]:
            return facts

    cell = Fact(document="d.pdf", department="某办", year=2019, kind="预算", page=9, table="三公经费、会议费、培训费支出预算表",
                row=None, column="会议费", value=1282.56, unit="万元")
    said = context(_T(), cell)  # type: ignore[arg-type]
    assert said is not None and "398.40" in said[0] and "468" not in said[0]
    unnamed = Fact(document="d.pdf", department="某办", year=2019, kind="预算", page=9, table="某表", row="其他项目",
                   column="金额", value=1282.56, unit="万元")
    assert context(_T(), unnamed) is None  # two changes, neither row names the item: none stated


def test_a_figure_of_zero_takes_no_other_items_change_and_a_level_sentence_says_level():
    # a 2023 街道 budget p6/p29: 政府性基金拨款支出预算0万元，比2022年预算增加1421.25万元 beside 因公出国（境）费0万元，
    # 比2022年预算持平: the 出国 answer says level with last year, never the 政府性基金 increase
    from assistant.figures import context
    from ingest.records import Fact

    common = {"document": "d.pdf", "department": "某街道", "year": 2023, "kind": "预算", "unit": "万元",
              "source": "narrative"}
    facts = [Fact(**common, page=6, row="政府性基金拨款支出预算", column="预算数", value=0.0,
                  quote="政府性基金拨款支出预算0万元，比2022年预算增加1421.25万元；"),
             Fact(**common, page=6, row="政府性基金拨款支出预算", column="比上年增加", value=1421.25,
                  quote="政府性基金拨款支出预算0万元，比2022年预算增加1421.25万元；"),
             Fact(**common, page=29, row="因公出国（境）费", column="预算数", value=0.0,
                  quote="（一）、因公出国（境）费0万元，比2022年预算持平。")]

    class _T:
        def facts_in(self, department: str, year: int) -> list[Fact]:
            return facts

    said = context(_T(), facts[2])  # type: ignore[arg-type]
    assert said is not None and "持平" in said[0] and "1,421.25" not in said[0]
    cell = Fact(document="d.pdf", department="某街道", year=2023, kind="预算", page=28, table="“三公”经费预算表",
                row="因公出国(境)费", column="预算数", value=0.0, unit="万元")
    assert "1,421.25" not in (context(_T(), cell) or ("",))[0]


def test_the_same_figure_in_another_money_unit_is_the_same_figure_not_a_close_reading():
    from assistant.figures import _same_figure
    from ingest.records import Fact

    common = {"document": "d.pdf", "department": "某街道", "year": 2023, "kind": "预算", "page": 27, "row": "公务接待费",
              "column": "合计"}
    wan, yuan = Fact(**common, value=1.35, unit="万元"), Fact(**common, value=13500.0, unit="元")
    assert _same_figure(yuan, wan) and _same_figure(wan, yuan)
    assert not _same_figure(Fact(**common, value=1.35, unit="元"), wan)
    assert not _same_figure(Fact(**common, value=1.35, unit="%"), wan)


def test_a_final_accounts_figure_names_its_own_column_and_no_label_repeats_it():
    from assistant.compose import kind_word
    from ingest.records import Fact

    common = {"document": "d.pdf", "department": "某局", "year": 2024, "page": 21, "unit": "万元", "value": 1.0}
    assert kind_word(Fact(**common, kind="决算", row="一般公共预算财政拨款支出", column="年初预算数",
                          source="narrative")) == "年初预算数"
    assert kind_word(Fact(**common, kind="决算", row="公务接待费", column="决算数", source="narrative")) == "决算数"
    assert kind_word(Fact(**common, kind="决算", row="公务接待费支出决算", column="决算数", source="narrative")) == ""
    assert kind_word(Fact(**common, kind="预算", row="政府性基金拨款支出预算", column="预算数", source="narrative")) == ""
    assert kind_word(Fact(**common, kind="预算", row="培训费", column="合计", table="t")) == "预算"


def test_an_items_whole_is_the_table_of_all_the_spending_and_its_part_is_named(sample_bot):
    # sample p19 基本支出 印刷费 3.00, p20 支出经济分类汇总表 印刷费 18.00 (with the project money)
    a = sample_bot.ask("政府办印刷费一共安排了多少？")
    assert (a.status, a.value) == ("answered", 18.0) and "3.00" in a.answer, a.answer
    a = sample_bot.ask("办公费一共预算了多少")
    assert (a.status, a.value) == ("answered", 28.26) and "4.00" in a.answer, a.answer
    assert sample_bot.ask("政府办印刷费安排了多少？").status == "ambiguous"  # which table, asked back


def test_the_same_item_in_a_table_of_another_scope_is_named_beside_the_answer(corpus_bot):
    # 省委办公厅 2019 公开表格: p9 “三公”经费、会议费、培训费 table 会议费 933.50; p6/p8 基本支出 tables 50.00
    a = corpus_bot.ask("江苏省委办公厅2019年会议费是多少")
    assert (a.status, a.value) == ("answered", 933.5) and "50.00" in a.answer, a.answer
