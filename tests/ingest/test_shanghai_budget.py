"""A Shanghai district budget (预算, 2023), the layout the unseen set uses: tables in 元 under
"编制部门：… 单位：元" while the narrative and the 三公 table state 万元, 类/款/项 code columns,
tables continued on pages with nothing printed above them, a project form per page, and the
prior year's executed figure stated per item in the narrative."""

from __future__ import annotations

import pytest
from conftest import PDFS

from ingest.pipeline import extract
from ingest.tables import _code_text

WANLI = PDFS / "上海市普陀区人民政府万里街道办事处23年预算.pdf"


@pytest.fixture(scope="module")
def wanli():
    return extract(WANLI)


def _fact(r, table: str, row_code: str | None, column: str, row: str | None = None):
    hits = [f for f in r.facts if f.source == "table" and table in (f.table or "") and f.column == column
            and (row_code is None or f.row_code == row_code) and (row is None or f.row == row)]
    assert len(hits) == 1, [(f.page, f.row, f.row_code, f.column, f.value) for f in hits]
    return hits[0]


def test_identity(wanli):
    i = wanli.info
    assert (i.department, i.year, i.kind, i.scope, i.part) == ("上海市普陀区人民政府万里街道办事处", 2023, "预算", "部门", "full")


def test_every_table_has_its_own_unit(wanli):
    units = {t.title: t.unit for t in wanli.tables}
    assert units["2023年部门收入预算总表"] == "元"
    assert units["2023年部门一般公共预算基本支出部门预算经济分类预算表"] == "元"
    assert units["2023年部门“三公”经费和机关运行经费预算表"] == "万元"
    # the project forms print no 单位 line: "项目资金（元）" says it
    assert {t.unit for t in wanli.tables if "填报表" in t.title} == {"元"}
    assert len(wanli.tables) == 14  # continued pages joined, none left as "第N页表格"
    assert not [t for t in wanli.tables if t.title.startswith("第")]


def test_codes_from_split_columns(wanli):
    f = _fact(wanli, "部门收入预算总表", "2010506", "收入预算 / 合计")
    assert (f.row, f.value, f.unit) == ("统计管理", 26300, "元")
    f = _fact(wanli, "经济分类预算表", "30102", "一般公共预算基本支出 / 人员经费")
    assert (f.row, f.value) == ("津贴补贴", 16743933)
    assert all(len(f.row_code) in (3, 5, 7) for f in wanli.facts if f.row_code)


def test_totals_and_the_page_continued_below_a_wide_margin(wanli):
    # page 14 continues the income table lower on the page than a continuation usually starts
    f = _fact(wanli, "部门收入预算总表", "21299", "收入预算 / 合计")
    assert (f.page, f.value) == (14, 14500000)
    total = _fact(wanli, "部门收入预算总表", None, "收入预算 / 合计", row="合计")
    assert (total.page, total.value) == (14, 164978640)
    classes = [f.value for f in wanli.facts if f.table == "2023年部门收入预算总表" and f.column == "收入预算 / 合计"
               and f.row_code and len(f.row_code) == 3]
    assert sum(classes) == total.value
    assert wanli.checks and all(c.ok for c in wanli.checks), [c.detail for c in wanli.checks if not c.ok]


def test_three_public_in_wan_yuan(wanli):
    f = _fact(wanli, "三公", None, "2023年“三公”经费预算数 / 公务接待费")
    assert (f.value, f.unit) == (1.35, "万元")


def test_prior_year_execution_is_a_fact_of_its_own_year(wanli):
    hits = [f for f in wanli.facts if f.source == "narrative" and f.row == "统计信息事务 / 统计管理"]
    by_col = {(f.column, f.year, f.kind): f.value for f in hits}
    assert by_col[("预算执行数", 2022, "决算")] == 1.48
    assert by_col[("预算数", 2023, "预算")] == 2.63
    assert by_col[("比上年增加率", 2023, "预算")] == 77.7


def test_project_form_money_carries_the_project(wanli):
    f = next(f for f in wanli.facts if f.row == "就业援助基地补贴 / 项目资金（元） / 项目资金总额")
    assert (f.value, f.unit, f.page) == (6351000, "元", 32)


@pytest.mark.parametrize("printed, code", [("301 2", "30102"), ("201 3 1", "2010301"), ("2010301", "2010301"),
                                           ("类", ""), ("合计", "")])
def test_code_text(printed, code):
    assert _code_text(printed) == code


def test_class_totals_check_runs_on_every_classification_table(wanli):
    from ingest.crosscheck import CLASS_TOTAL_CHECK

    checks = [c for c in wanli.checks if c.name == CLASS_TOTAL_CHECK]
    assert len(checks) == 10 and all(c.ok for c in checks)


def test_every_prior_year_execution_sentence_is_a_fact_even_where_a_long_section_was_cut(wanli):
    # 34 items state "2022年当年预算执行数为…"; item 18's sentence starts a new piece of the long 编制说明
    # section, after the piece that names its item ("…公益性岗位补贴（项）”635.10万元，…。" | "2022年当年…")
    prior = [f for f in wanli.facts if f.year == 2022]
    assert len(prior) == 34 and {f.kind for f in prior} == {"决算"}
    f = next(f for f in prior if f.row == "就业补助 / 公益性岗位补贴")
    assert (f.value, f.unit, f.page) == (667.32, "万元", 8)


def test_narrative_figures_cite_the_page_their_sentence_is_on(wanli):
    # the 编制说明 runs from p5 to p9: each item on its own page, not on the section's first
    page = {f.row: f.page for f in wanli.facts if f.year == 2022}
    assert page["统计信息事务 / 统计管理"] == 6
    assert page["体育 / 群众体育"] == 7
    assert page["住房改革支出 / 住房公积金"] == 9
