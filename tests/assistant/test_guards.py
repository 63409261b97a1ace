"""A classification code the question writes must be the answer's row code: a word match on another
row (the parent class's sentence, a neighbouring 项) never overrides it; a code and a name that
disagree are asked back. Facts are written here the way a street office's budget prints them (its
classes 212 城乡社区支出 / 21201 城乡社区管理事务 / 2120101 行政运行, 2120102 一般行政管理事务, a
table in 元 and a sentence in 万元)."""

from __future__ import annotations

import pytest

from assistant.guards import asked_unit, by_code, code_admits, code_name_conflict, unit_first
from assistant.understand import parse
from ingest.records import Fact


def _fact(row: str, code: str | None, value: float, unit: str = "元", source: str = "table",
          column: str = "支出预算 / 合计", page: int = 17) -> Fact:
    return Fact(document="d.pdf", department="某街道办事处", year=2023, kind="预算", page=page, row=row,
                row_code=code, column=column, value=value, unit=unit, source=source,  # type: ignore[arg-type]
                table=None if source == "narrative" else "2023年部门支出预算总表")


SCOPE = [
    _fact("城乡社区支出", "212", 120_000_000.0),
    _fact("城乡社区管理事务", "21201", 93_436_078.0),
    _fact("行政运行", "2120101", 18_373_632.0),
    _fact("一般行政管理事务", "2120102", 18_229_543.0),
    _fact("一般行政管理事务", "2012902", 454_100.0),
    _fact("城乡社区管理事务 / 一般行政管理事务", None, 1822.95, "万元", "narrative", "预算数", 3),
    _fact("城乡社区管理事务 / 行政运行", None, 1837.36, "万元", "narrative", "预算数", 3),
]


def test_a_coded_question_admits_only_its_row_and_sentences_stating_its_figure():
    q = parse("城乡社区管理事务的行政运行（2120101）预算多少元？", [])
    kept = by_code(q, SCOPE, SCOPE)
    assert {(f.row, f.value) for f in kept} == {("行政运行", 18_373_632.0), ("城乡社区管理事务 / 行政运行", 1837.36)}


def test_a_question_without_a_code_is_not_filtered():
    assert code_admits(parse("行政运行预算多少？", []), SCOPE) is None


def test_a_number_no_row_carries_rules_out_only_rows_of_other_codes_of_its_length():
    q = parse("有没有100个项目", [])  # "100" is no code of the scope
    kept = by_code(q, SCOPE, SCOPE)
    assert all(f.row_code is None or len(f.row_code) != 3 for f in kept)
    assert any(f.row_code == "2120101" for f in kept)


@pytest.mark.parametrize(("question", "rows"), [
    ("行政运行（2120102）预算多少？", ["一般行政管理事务", "行政运行"]),  # 2120102 is another row
    ("一般行政管理事务（2120101）安排了多少？", ["行政运行", "一般行政管理事务"]),
])
def test_a_code_and_a_name_that_disagree_are_asked_back(question, rows):
    got = code_name_conflict(parse(question, []), SCOPE)
    assert [f.row for f in got] == rows
    # the named row under the code's own class, not the same name under another class
    assert all(f.row_code and f.row_code.startswith("212") for f in got)


@pytest.mark.parametrize("question", ["城乡社区管理事务的行政运行（2120101）预算多少元？", "2120101是多少",
                                      "城乡社区管理事务（21201）预算多少"])
def test_a_code_with_its_own_name_or_its_class_is_no_conflict(question):
    assert code_name_conflict(parse(question, []), SCOPE) == []


def test_the_unit_asked_leads_among_facts_stating_the_same_figure():
    q = parse("行政运行预算多少元？", [])
    sentence, cell = SCOPE[6], SCOPE[2]
    assert asked_unit(q) == "元"
    assert unit_first(q, [sentence, cell])[0] is cell
    assert unit_first(parse("行政运行预算多少万元？", []), [sentence, cell])[0] is sentence
    assert asked_unit(parse("比上年增加了120万元的是哪一项", [])) is None  # a figure quoted, not a unit asked


def test_a_per_person_question_is_not_answered_with_a_total():
    from assistant.guards import asks_per_unit, by_per_unit

    total = _fact("公用经费", None, 51.91, "万元", "narrative", "预算数", 7)
    per_head = _fact("人均公用经费", None, 1.2, "万元", "narrative", "预算数", 7)
    for question in ("每个人的公用经费是多少？", "人均公用经费多少", "每个居委会分到的经费是多少"):
        assert asks_per_unit(parse(question, []))
        assert by_per_unit(parse(question, []), [total, per_head]) == [per_head]
    assert not asks_per_unit(parse("公用经费是多少", []))
    assert not asks_per_unit(parse("每个月的公用经费是多少", []))  # a month is no unit of people


def test_a_hit_leaving_an_item_the_question_names_uncovered_is_dropped():
    from assistant.guards import by_named_items
    from assistant.lookup import Scored

    project_total = _fact("项目支出", None, 241.35, "万元", column="合计", page=15)
    bonus = _fact("奖金", "30103", 210.1, "万元", column="基本支出 / 人员经费", page=19)
    scope = [project_total, bonus]
    q = parse("项目支出中的奖金是多少？", [])
    hits = [Scored(project_total, 7.0, ["项目支出"], ""), Scored(bonus, 5.0, ["奖金"], "")]
    # the 项目支出 total never answers for 奖金; 奖金's own row stands (项目支出, larger, may be its class)
    assert [h.fact.row for h in by_named_items(q, hits, scope)] == ["奖金"]
    small = _fact("合计", None, 137.53, "万元", column="项目支出 / 其他运转类", page=15)
    assert by_named_items(q, [Scored(small, 6.0, ["项目支出"], "")], [*scope, small]) == []  # a total, however small
    # the same words in another order name the same column ("本年拨款 / 一般公共预算" for 一般公共预算拨款)
    cell = _fact("信息化建设", None, 4.0, "万元", column="本年拨款 / 一般公共预算", page=26)
    other = _fact("信息化建设", None, 4.0, "万元", column="一般公共预算拨款", page=27)
    kept = by_named_items(parse("信息化建设的一般公共预算拨款是多少", []), [Scored(cell, 6.0, ["信息化建设"], "")],
                          [cell, other])
    assert len(kept) == 1


def test_a_named_table_keeps_its_own_type_and_sentences():
    from assistant.guards import by_named_table, named_table_type

    basic = _fact("合计", None, 833.26, "万元", column="基本支出 / 小计", page=15).model_copy(
        update={"table_type": "expenditure_summary"})
    said = _fact("政府性基金收支预算", None, 0.0, "万元", "narrative", "预算数", 6)
    q = parse("政府性基金支出预算表合计数是多少", [])
    assert named_table_type(q) == "government_fund_expenditure"
    assert by_named_table(q, [basic, said]) == [said]
    assert named_table_type(parse("基本支出预算表中的办公费", [])) is None  # 支出预算表: a loose name


def test_which_figure_of_an_account_the_question_names():
    from assistant.guards import by_column_kind

    initial = _fact("一般公共预算财政拨款支出", None, 0.0, "万元", "narrative", "年初预算数", 18)
    full = _fact("一般公共预算财政拨款支出", None, 321.02, "万元", "narrative", "全年预算数", 18)
    final = _fact("一般公共预算财政拨款支出", None, 307.82, "万元", "narrative", "决算数", 18)
    hits = [initial, full, final]
    assert by_column_kind(parse("一般公共预算财政拨款支出的全年预算是多少", []), hits) == [full]
    assert by_column_kind(parse("一般公共预算财政拨款支出的年初预算是多少", []), hits) == [initial]
    assert by_column_kind(parse("一般公共预算财政拨款支出是多少", []), hits) == hits


def test_one_name_under_two_parents_of_a_table_is_asked_back():
    from assistant.guards import leaf_rivals
    from assistant.lookup import Scored

    a = _fact("三、服务C / 某业务费 / 物业管理费", None, 34.0, "万元", column="总计", page=12)
    b = _fact("三、服务C / 运转保障经费 / 物业管理费", None, 189.0, "万元", column="总计", page=12)
    c = _fact("物业管理服务", None, 34.0, "万元", column="总计", page=12)
    assert [f.value for f in leaf_rivals([Scored(a, 8.9, [], ""), Scored(b, 8.9, [], ""), Scored(c, 4.4, [], "")])] == [34.0, 189.0]
    assert leaf_rivals([Scored(a, 8.9, [], ""), Scored(b, 6.0, [], "")]) == []  # the question picked one


def test_a_column_the_hits_table_prints_is_no_class_of_the_row():
    from assistant.guards import by_named_items
    from assistant.lookup import Scored

    basic = _fact("行政运行", "2010301", 0.24, "万元", column="基本支出 / 人员经费 / 对个人和家庭的补助", page=15)
    project = _fact("合计", None, 241.35, "万元", column="项目支出 / 小计", page=15)
    said = _fact("项目支出", None, 241.35, "万元", "narrative", "预算数", 6)
    q = parse("行政运行的项目支出是多少？", [])
    assert by_named_items(q, [Scored(basic, 9.0, ["行政运行"], "")], [basic, project, said]) == []


def test_a_figure_the_question_writes_is_not_the_figure_it_asks():
    from assistant.guards import not_stated

    threshold = _fact("单价", None, 20.0, "万元", "narrative", "预算数", 17)
    devices = _fact("设备", None, 69.0, "台（套）", "narrative", "数量", 17)
    assert not_stated(parse("它的20万以上设备呢？", []), [threshold, devices]) == [devices]
    assert not_stated(parse("单价200000元以上的设备有几台", []), [threshold, devices]) == [devices]  # 元 = 20万元
    assert not_stated(parse("三公经费是20万元吗", []), [threshold]) == [threshold]  # nothing else: kept
    assert not_stated(parse("设备有几台", []), [threshold, devices]) == [threshold, devices]
