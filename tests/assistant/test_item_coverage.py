"""The item's own label in the question answers it, whatever other words stand around it: a story
before the question, everyday words ("开会的钱"), a class in everyday form ("农林水支出"), a label
written short or without its bracketed qualifier; an 三公 item under its "“三公”经费" heading wins over
the basic-expenditure row of the same name even when the table's title was not read. Words naming
another expense ("油费", "保险费") or another budget term keep their weight."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.clauses import asking_part
from assistant.fact_labels import abbreviated, class_stem, core
from assistant.service import Assistant
from ingest.records import DocumentInfo, Fact, IngestReport
from vectorstore.facts_db import FactStore


@pytest.mark.parametrize(("text", "part"), [
    ("我开了个小饭馆，想了解一下。财政局的政府采购金额是多少？", "财政局的政府采购金额是多少？"),
    ("我在区里开了一家公司，想问财政局的政府采购金额是多少", "想问财政局的政府采购金额是多少"),
    ("培训费是多少？会议费呢？", "培训费是多少？会议费呢？"),  # both sentences ask
    ("我们单位的培训费，是多少", "我们单位的培训费，是多少"),  # the clause after names nothing
    ("我们办公室的培训费，比上年多了多少？", "我们办公室的培训费，比上年多了多少？"),  # the owner, not a story
    ("政府办的培训费是多少", "政府办的培训费是多少"),
    # a yes-or-no sentence beside one asking how much checks a premise: the latter is the question
    ("政府性基金比上年增加了1421.25万元吗？政府性基金到底安排了多少？", "政府性基金到底安排了多少？"),
    ("三公经费是5.43万元吗？", "三公经费是5.43万元吗？"),
])
def test_the_part_that_asks(text, part):
    assert asking_part(text) == part


def test_label_forms():
    assert core("政府采购金额(以合同签订为准)") == "政府采购金额"
    assert core("一般公共服务(类)") == "一般公共服务(类)"  # class markers stay
    assert class_stem("农林水事务") == "农林水" and class_stem("城乡社区事务支出") == "城乡社区"
    assert class_stem("培训费") == ""
    assert abbreviated("公务用车运行维护费", "公务用车运维费是多少") == "公务用车运维费"
    assert abbreviated("党建工作经费", "某局的党建经费") == "党建经费"
    assert abbreviated("党建工作经费", "党建活动") == ""


@pytest.fixture(scope="module")
def sample_bot(sample_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}"), use_ranker=False)


@pytest.mark.parametrize(("question", "value"), [
    # the sample (西工区政府办 2025): 会议费 1.30 (p21), 职业年金缴费 0.75 (p19), 公务接待费 0.83 (p22),
    # 农林水事务 0.70 (p13/p16), 社会保障和就业支出 165.56 (p16), 党建工作经费（金融局）0.60 and 党建工作经费 1.02 (p26)
    ("政府办今年办会议的钱，就是会议费，预算多少？", 1.3),
    ("政府办替职工缴的职业年金预算多少", 0.75),
    ("政府办招待来客的钱，也就是公务接待费，安排了多少", 0.83),
    ("政府办农林水支出预算多少", 0.7),
    ("政府办社保和就业这块合计多少钱", 165.56),
    ("原金融局那部分的党建经费是多少", 0.6),
    ("不是金融局的那个党建工作经费是多少", 1.02),
    ("我孩子在做社会实践作业，要查数据。政府办今年的会议费是多少？", 1.3),
])
def test_the_item_named_in_the_question_is_answered(sample_bot, question, value):
    a = sample_bot.ask(question)
    assert a.status == "answered" and a.value == value and a.unit == "万元"


@pytest.mark.parametrize("question", ["政府办公车的保险费是多少", "政府办每辆公车加油的费用是多少"])
def test_another_expense_beside_a_covered_item_is_not_answered_by_it(sample_bot, question):
    # the sample states 公务用车运行费 4.60 but no insurance or fuel figure
    a = sample_bot.ask(question)
    assert a.value != 4.6


@pytest.fixture(scope="module")
def corpus_bot(corpus_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{corpus_home / 'facts.sqlite3'}"), use_ranker=False)


@pytest.mark.parametrize("question", [
    # 普陀区财政局 2024 决算 p24: 政府采购金额（以合同签订为准） 251.25万元
    "普陀区财政局2024年政府采购金额是多少",
    "我是做办公家具的，想了解行情。普陀区财政局2024年政府采购一共花了多少钱？",
])
def test_a_label_without_its_qualifier_and_a_story_before_the_question(corpus_bot, question):
    a = corpus_bot.ask(question)
    assert a.status == "answered" and a.value == 251.25


def test_a_story_does_not_name_the_department(corpus_bot):
    # the story mentions a place; the question names the body asked about
    q = corpus_bot.plan("我家住在洛阳，常路过那里。普陀区财政局2024年政府采购金额是多少？")
    assert q.departments == ["上海市普陀区财政局"] and q.query.unknown_department is None


DEPT = "某某市某某院"


def test_an_item_under_the_three_public_heading_wins_when_the_title_was_not_read(tmp_path: Path):
    store = FactStore(f"sqlite:///{tmp_path / 'facts.sqlite3'}")
    info = DocumentInfo(document="d.pdf", department=DEPT, year=2017, kind="预算", pages=20, sha256="0" * 64,
                        group=f"{DEPT}|2017|预算")
    common = {"document": "d.pdf", "department": DEPT, "year": 2017, "kind": "预算", "unit": "万元"}
    store.save(IngestReport(info=info, facts=[
        Fact(**common, page=13, table="六、财政拨款基本支出预算表", table_type="general_budget_basic_expenditure",
             row="公务接待费", row_code="30217", column="金额", value=36.55),
        Fact(**common, page=16, table="算表", table_type="other", row=None, column="“三公”经费 / 公务接待费",
             value=156.55)]))
    bot = Assistant(store, use_ranker=False)
    for question in ("某某院2017年公务接待费是多少", "某某院2017年公务接代费多少"):
        a = bot.ask(question)
        assert a.status == "answered" and a.value == 156.55, question


def test_a_word_of_the_question_inside_a_long_label(tmp_path: Path):
    store = FactStore(f"sqlite:///{tmp_path / 'facts.sqlite3'}")
    info = DocumentInfo(document="d.pdf", department=DEPT, year=2019, kind="预算", pages=20, sha256="1" * 64,
                        group=f"{DEPT}|2019|预算")
    common = {"document": "d.pdf", "department": DEPT, "year": 2019, "kind": "预算", "unit": "万元",
              "table": "一般公共预算支出预算表（功能科目）", "table_type": "general_budget_expenditure", "page": 7,
              "column": "金额"}
    store.save(IngestReport(info=info, facts=[
        Fact(**common, row="机关事业单位职业年金缴费支出", row_code="2080506", value=553.89),
        Fact(**common, row="机关事业单位基本养老保险缴费支出", row_code="2080505", value=1107.78)]))
    bot = Assistant(store, use_ranker=False)
    a = bot.ask("某某院2019年职业年金预算多少")
    assert a.status == "answered" and a.value == 553.89
    assert bot.ask("某某院2019年医疗保险预算多少").value is None


@pytest.mark.parametrize(("question", "value"), [
    # 江苏省委办公厅 2019 tables: 差旅费 350.00 (p6, p11), 机关运行经费支出 2,232.91 (p11)
    ("How much did the Jiangsu provincial party committee general office budget for travel expenses in 2019?", 350.0),
    ("What are the 2019 operating expenses of the Jiangsu provincial party committee general office?", 2232.91),
])
def test_english_questions_in_budget_vocabulary(corpus_bot, question, value):
    a = corpus_bot.ask(question)
    assert a.status == "answered" and a.value == value and a.unit == "万元"


def test_most_of_a_short_label_in_one_word_of_the_question(tmp_path: Path):
    # the narrative of a 2017 预算 states its procurement by kind: "拟购买货物…万元，拟购买服务…万元"
    store = FactStore(f"sqlite:///{tmp_path / 'facts.sqlite3'}")
    info = DocumentInfo(document="d.pdf", department=DEPT, year=2017, kind="预算", pages=20, sha256="2" * 64,
                        group=f"{DEPT}|2017|预算")
    common = {"document": "d.pdf", "department": DEPT, "year": 2017, "kind": "预算", "unit": "万元", "page": 12,
              "source": "narrative", "column": "预算数"}
    store.save(IngestReport(info=info, facts=[
        Fact(**common, row="我部门政府采购预算总额", value=1774.7),
        Fact(**common, row="拟购买货物", value=496.2),
        Fact(**common, row="拟购买服务", value=1278.5)]))
    bot = Assistant(store, use_ranker=False)
    assert bot.ask("某某院2017年政府采购里，买货物的钱有多少？").value == 496.2
    assert bot.ask("某某院2017年拟买服务的钱是多少").value == 1278.5


def test_words_before_a_province_short_form_are_no_place(corpus_bot):
    # "想问一下省委办公厅": 一下省 is no place the library lacks
    p = corpus_bot.plan("我平时关注政务公开，想问一下省委办公厅2019年差旅费安排了多少")
    assert p.query.unknown_department is None and p.departments == ["中共江苏省委办公厅"]


def test_one_label_on_several_rows_asks_which(tmp_path: Path):
    # a procurement table lists "会议服务" under several projects (江苏省委办公厅 2019 p12: 50.00, 25.00, 872.10 …)
    store = FactStore(f"sqlite:///{tmp_path / 'facts.sqlite3'}")
    info = DocumentInfo(document="d.pdf", department=DEPT, year=2019, kind="预算", pages=20, sha256="3" * 64,
                        group=f"{DEPT}|2019|预算")
    common = {"document": "d.pdf", "department": DEPT, "year": 2019, "kind": "预算", "unit": "万元", "page": 12,
              "table": "2019年政府采购预算表", "table_type": "government_procurement", "column": "总计"}
    store.save(IngestReport(info=info, facts=[
        Fact(**common, row="会议服务", value=50.0), Fact(**common, row="会议服务", value=25.0),
        Fact(**common, row="会议服务", value=872.1), Fact(**common, row="复印纸", value=0.8)]))
    bot = Assistant(store, use_ranker=False)
    a = bot.ask("某某院2019年政府采购预算表里会议服务有多少")
    assert a.status == "ambiguous" and a.value is None and len(a.alternatives) == 3
    assert bot.ask("某某院2019年复印纸采购预算多少").value == 0.8


@pytest.mark.parametrize(("text", "measure"), [
    ("机关运行经费比上年增长了多少？", "change_rate"),  # documents print 增长1.40% beside 增加2.55万元
    ("公务接待费比上年下降了多少", "change_rate"),
    ("机关运行经费比上年增加了多少？", "change_amount"),
    ("公务接待费比去年少了多少钱", "change_amount"),
])
def test_growth_asks_the_rate_and_an_increase_the_amount(text, measure):
    from assistant.understand import parse

    assert parse(text, []).measure == measure


def test_a_count_in_another_unit_than_the_one_asked_is_no_answer():
    from assistant.counts import not_a_count
    from assistant.understand import parse

    batches = Fact(document="d.pdf", department="某局", year=2024, kind="决算", page=25, row="列明公务接待",
                   column="数量", value=2, unit="批", source="narrative", measure="count")
    assert not_a_count(parse("公务接待了多少人次？", []), batches)
    assert not not_a_count(parse("公务接待了多少批？", []), batches)


@pytest.mark.parametrize(("text", "read"), [
    ("江苏省委办公厅的预算从2017年到2019年一共涨了多少？", "2019年江苏省委办公厅的预算比2017年一共涨了多少？"),
    ("2017年至2019年培训费下降了百分之几", "2019年培训费比2017年下降了百分之几"),
    ("从2017到2019年的变化", "从2017到2019年的变化"),  # a series, not one figure
    ("2019年到2019年培训费增加了多少", "2019年到2019年培训费增加了多少"),
])
def test_a_span_of_years_asked_for_one_change_is_the_last_year_against_the_first(text, read):
    from assistant.understand import span_as_change

    assert span_as_change(text) == read


@pytest.mark.parametrize(("text", "read"), [
    ("听说江苏省人大常委会办公厅2019年有100多辆公车，是真的吗？", "江苏省人大常委会办公厅2019年有多少辆公车？"),
    ("听说三公经费有10万元，对吗", "三公经费有多少万元？"),
    ("三公经费是多少？", "三公经费是多少？"),
    ("这是真的吗？", "这是真的吗？"),  # no figure heard: nothing to look up
])
def test_a_figure_heard_and_asked_to_be_checked_is_asked_as_how_many(text, read):
    from assistant.understand import premise_as_question

    assert premise_as_question(text) == read
