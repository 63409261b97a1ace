"""Tables across page breaks: a row printed above the next page's ruled grid (outside its lines)
belongs to the table, and a value column printed off its grid line keeps its header."""

from __future__ import annotations

import pytest
from conftest import PDFS

from ingest.pipeline import extract

COURT_2018 = PDFS / "省法院2018年度部门预算公开.pdf"


@pytest.fixture(scope="module")
def court():
    return extract(COURT_2018)


def _one(r, table_part: str, code: str):
    hits = [f for f in r.facts if f.source == "table" and table_part in (f.table or "") and f.row_code == code]
    assert len(hits) == 1, [(f.page, f.row, f.column, f.value) for f in hits]
    return hits[0]


def test_row_above_the_continued_grid_is_read(court):
    # p13 starts with "2040504 案件审判 1,833.30" above the grid's first ruling line
    f = _one(court, "一般公共预算支出预算表", "2040504")
    assert (f.row, f.value, f.page, f.column) == ("案件审判", 1833.30, 13, "金额")
    f = _one(court, "财政拨款基本支出预算表", "30108")
    assert (f.row, f.value, f.page) == ("机关事业单位基本养老保险缴费", 1326.81, 12)


def test_values_off_the_grid_line_keep_the_column_header(court):
    f = _one(court, "一般公共预算支出预算表", "2040501")  # printed one cell left of 金额
    assert (f.value, f.column) == (14857.61, "金额")


def test_code_hierarchy_holds_across_the_page_break(court):
    failed = [c.detail for c in court.checks if not c.ok and c.name == "上级科目 = 下级科目之和"]
    assert failed == []


def test_codes_printed_left_of_their_header_are_read():
    # 2019 检察院 公开08表: "301" in a cell spanning the columns left of "科目编码", the value one cell off
    from conftest import ROOT

    src = next((p / "shared" / "corpus" / "real" / "jiangsu" / "江苏省人民检察院" / "2019年度部门预算公开.pdf"
                for p in ROOT.parents if (p / "shared" / "corpus").exists()), None)
    if src is None:
        pytest.skip("the shared corpus is not next to the repository")
    r = extract(src)
    f = _one(r, "一般公共预算基本支出预算表（经济科目）", "301")
    assert (f.row, f.value, f.page) == ("工资福利支出", 11960.62, 18)
    assert all(c.ok for c in r.checks if c.name == "合计行 = 各类之和")
