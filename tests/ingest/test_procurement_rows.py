"""政府采购预算表 nests its label columns (采购品目大类 / 专项名称 / 经济科目 / 采购物品名称): a project's
row prints its name in 专项名称 and leaves 采购物品名称 blank. Such a row keeps its name, after the
category printed above it; the mode column (分散自行组织 …) and a header's spilled character ("式")
are no part of it; the total row is "合计". Figures read from the PDFs' page 12 / 16."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
from conftest import ROOT

from ingest.pipeline import extract
from ingest.records import Fact


def _corpus(*parts: str) -> Path:
    src = next((p / "shared" / "corpus" / "real" / "jiangsu" for p in ROOT.parents
                if (p / "shared" / "corpus").exists()), None)
    if src is None or not src.joinpath(*parts).exists():
        pytest.skip("the shared corpus is not next to the repository")
    return src.joinpath(*parts)


@lru_cache(maxsize=4)
def _procurement(*parts: str) -> tuple[Fact, ...]:
    return tuple(f for f in extract(_corpus(*parts)).facts if f.table_type == "government_procurement")


@pytest.mark.parametrize(("parts", "row", "value"), [
    (("江苏省委办公厅", "江苏省委办公厅2019年度部门预算公开表格.pdf"), "三、服务C / 文印、机要及办公自动化经费 / 印刷费", 152.0),
    (("江苏省委办公厅", "江苏省委办公厅2019年度部门预算公开表格.pdf"), "一、货物A / 办公设备购置费 / 办公设备购置", 54.0),
    (("江苏省委办公厅", "江苏省委办公厅2019年度部门预算公开表格.pdf"), "合计", 1422.5),
    (("江苏省人民检察院", "2017年省检察院部门预算.pdf"), "一、货物A / 办公、办案设备更新购置费 / 办公设备购置", 120.0),
    (("江苏省人民检察院", "2017年省检察院部门预算.pdf"), "合计", 2889.8),
])
def test_a_project_row_of_the_procurement_table_keeps_its_name(parts, row, value):
    facts = _procurement(*parts)
    assert any(f.row == row and f.value == value for f in facts), sorted({f.row or "" for f in facts})


def test_an_item_row_keeps_its_own_name_and_no_row_takes_the_mode_column():
    facts = _procurement("江苏省委办公厅", "江苏省委办公厅2019年度部门预算公开表格.pdf")
    assert any(f.row == "PC服务器" and f.value == 3.0 for f in facts)
    rows = {f.row or "" for f in facts}
    assert not any("分散自行组织" in r or "集中采购" in r or r.endswith("/ 式") for r in rows)
    assert all(f.row for f in facts)  # every figure has its row's name


def test_a_continued_page_reads_the_columns_the_first_page_left_empty():
    # 2017 人大: the table's first page prints only 合计 and 一、货物A; its projects stand on the next pages
    facts = _procurement("江苏省人大办公厅", "江苏省人大办公厅2017年度预算公开.pdf")
    assert any(f.row == "三、服务C / 综合管理费 / 物业管理费" and f.value == 456.0 for f in facts)
    assert any(f.row == "办公印刷费" and f.value == 94.0 for f in facts)
    assert not any("分散自行组织" in (f.row or "") for f in facts)  # 采购组织形式 names no item
