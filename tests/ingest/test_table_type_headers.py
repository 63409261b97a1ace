"""A table whose title does not say its type ("算表": the rest of the title cut off; "支出预算表")
is typed from its column-group headers: "“三公”经费" above 因公出国（境）费 / 公务接待费 makes it the
三公 table, so a 三公 item is read from it and not from a 基本支出 row of the same name."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from ingest.classify import classify, classify_by_headers
from ingest.pipeline import extract


def _corpus(*parts: str) -> Path:
    src = next((p / "shared" / "corpus" / "real" / "jiangsu" for p in ROOT.parents
                if (p / "shared" / "corpus").exists()), None)
    if src is None or not src.joinpath(*parts).exists():
        pytest.skip("the shared corpus is not next to the repository")
    return src.joinpath(*parts)


def test_group_header_types_a_table_whose_title_does_not():
    assert classify_by_headers(classify("算表"), [["“三公”经费", "公务接待费"], ["会议费"]]).id == "three_public"
    assert classify_by_headers(classify("支出预算表"), [["“三 公”经费", "小计"]]).id == "three_public"


def test_a_single_column_header_or_another_group_does_not():
    # "三公经费" as one column's own header (no sub-columns) says nothing about the table
    assert classify_by_headers(classify("支出预算表"), [["三公经费"], ["合计"]]).id == "expenditure_summary"
    assert classify_by_headers(classify("算表"), [["基本支出", "工资福利支出"]]).id == "other"
    # a title that names its type keeps it
    titled = classify("“三公”经费、会议费、培训费支出预算表")
    assert classify_by_headers(titled, [["“三公”经费", "小计"]]) is titled


@pytest.mark.parametrize("name, page, value", [
    ("2017年省检察院部门预算.pdf", 16, 156.55),
    ("2018年省检察院部门预算公开.pdf", 19, 116.5),
])
def test_procuratorate_three_public_tables_are_typed_at_ingest(name, page, value):
    r = extract(_corpus("江苏省人民检察院", name))
    hits = [f for f in r.facts if f.source == "table" and f.column.endswith("公务接待费") and f.page == page]
    assert [(f.value, f.table_type) for f in hits] == [(value, "three_public")]
    # the other columns of the same table come with it
    same = {f.table_type for f in r.facts if f.source == "table" and f.page == page and f.table == hits[0].table}
    assert same == {"three_public"}
