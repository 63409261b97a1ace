"""Ingestion on real PDFs: exact figures with their labels, document recognition, cross-checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import JIANGSU_TABLES, JIANGSU_TEXT, PUTUO, PUTUO_INJECTED, ROOT, SAMPLE

from ingest.pipeline import extract
from ingest.textnorm import clean, parse_number


@pytest.fixture(scope="module")
def sample():
    return extract(SAMPLE)


def _find(report, table: str, row: str | None, column: str, value: float):
    for f in report.facts:
        if (f.source == "table" and table in (f.table or "") and (row is None or f.row == row)
                and f.column == column and abs(f.value - value) < 0.005):
            return f
    return None


def test_sample_document_is_recognised(sample):
    assert (sample.info.department, sample.info.year, sample.info.kind) == ("洛阳市西工区人民政府办公室", 2025, "预算")
    assert sample.info.pages == 34
    assert len(sample.tables) == 13


@pytest.mark.parametrize("table,row,code,column,value,page", [
    ("一般公共预算支出预算表", "行政运行", "2010301", "基本支出 / 人员经费 / 工资福利支出", 501.65, 18),
    ("部门支出预算表", "住房公积金", "2210201", "合计", 60.23, 15),
    ("“三公”经费预算表", None, None, "公务用车购置及运行费 / 公务用车运行费", 4.60, 22),
    ("“三公”经费预算表", None, None, "公务接待费", 0.83, 22),
    ("基本支出预算表", "其他交通费用", "30239", "本年一般公共预算基本支出 / 公用经费", 23.61, 19),
    ("支出经济分类汇总表", "维修（护）费", "30213", "总计", 101.10, 21),
    ("部门收支预算表", "十七、金融支出", None, "支出 / 金额", 81.23, 13),
])
def test_sample_cells_have_exact_labels(sample, table, row, code, column, value, page):
    f = _find(sample, table, row, column, value)
    assert f is not None, (table, row, column, value)
    assert f.row_code == code and f.page == page and f.unit == "万元"


def test_sample_table_continued_on_next_page_keeps_its_header(sample):
    # 财政拨款收支预算表 runs over pages 16-17 without repeating its header
    f = _find(sample, "财政拨款收支预算表", "(二十一)住房保障支出", "支出 / 一般公共预算 / 小计", 60.23)
    assert f is not None and f.page == 17


def test_sample_every_table_figure_is_a_fact_and_checks_pass(sample, tmp_path):
    facts = tmp_path / "facts.jsonl"
    facts.write_text("\n".join(f.model_dump_json() for f in sample.facts), encoding="utf-8")
    txt = ROOT / "tests" / "pdfs" / SAMPLE.with_suffix(".txt").name
    out = subprocess.run([sys.executable, str(ROOT / "tests" / "seed_facts_check.py"), str(txt), str(facts)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout
    assert sample.checks and all(c.ok for c in sample.checks), [c.detail for c in sample.checks if not c.ok]


def test_narrative_figures_carry_their_sentence(sample):
    nar = [f for f in sample.facts if f.source == "narrative" and f.row == "公务接待费"]
    cols = {f.column: f.value for f in nar}
    assert cols["预算数"] == 0.83 and cols["比上年减少"] == 1.00 and cols["比上年下降率"] == 54.64
    assert all("公务接待" in (f.quote or "") or "比2024年" in (f.quote or "") for f in nar)


def test_passages_follow_headings(sample):
    heads = [p.heading for p in sample.passages]
    assert any(h.endswith("一、主要职责") for h in heads)
    p = next(p for p in sample.passages if "三公" in p.heading)
    assert p.page == 7


def test_jiangsu_tables_pdf_with_thousands_separators():
    r = extract(JIANGSU_TABLES)
    assert (r.info.department, r.info.year, r.info.kind, r.info.part) == ("中共江苏省委办公厅", 2019, "预算", "tables")
    f = _find(r, "一般公共预算支出预算表", "行政运行", "金额", 9370.12)
    assert f is not None and f.row_code == "2013101"
    assert _find(r, "三公", None, "“三公”经费 / 公务接待费", 27.00) is not None
    assert all(c.ok for c in r.checks)


def test_department_named_beside_its_label_is_not_a_column_header():
    """人大 2019 公开表九: "部门：" | "江苏省人大常委会办公厅" above a header with 合计 | “三公”经费 (…) | 会议费."""
    r = extract(ROOT / "tests" / "pdfs" / "江苏省人大常委会办公厅2019年部门预算公开表.pdf")
    assert r.info.department == "江苏省人大常委会办公厅" and r.info.year == 2019
    sangong = [f for f in r.facts if f.page == 9]
    assert {f.column: f.value for f in sangong} == {
        "合计": 2600.71, "“三公”经费 / 小计": 767.6, "“三公”经费 / 因公出国（境）费": 199.25,
        "“三公”经费 / 公务用车购置及运行维护费 / 小计": 183.6,
        "“三公”经费 / 公务用车购置及运行维护费 / 公务用车运行维护费": 183.6,
        "“三公”经费 / 公务接待费": 384.75, "会议费": 1469.73, "培训费": 363.38}
    assert all(c.ok for c in r.checks), [c.detail for c in r.checks if not c.ok]


def test_jiangsu_narrative_pdf_is_the_same_department_year():
    r = extract(JIANGSU_TEXT)
    assert r.info.group == "中共江苏省委办公厅|2019|预算" and r.info.part == "narrative"


def test_putuo_final_accounts_read_yuan_and_columns():
    r = extract(PUTUO)
    assert (r.info.department, r.info.year, r.info.kind) == ("上海市普陀区财政局", 2024, "决算")
    f = _find(r, "支出决算表", "行政运行", "本年支出合计", 1511.89)
    assert f is not None and f.row_code == "2010601"


def test_putuo_errors_in_the_published_document_are_reported():
    r = extract(PUTUO)
    failed = sorted(c.detail for c in r.checks if not c.ok)
    # the document prints 302 商品和服务支出 171.07 while its items add up to 171.09,
    # and its text states 财政拨款收入支出总计 as 0.3万元, a figure no table holds
    assert len(failed) == 2
    assert any("171.07" in d for d in failed) and any("0.30" in d for d in failed)


def test_injected_errors_are_found():
    bad, good = extract(PUTUO_INJECTED), extract(PUTUO)
    assert {f.table for f in bad.facts} != {f.table for f in good.facts}
    new = {c.detail for c in bad.checks if not c.ok} - {c.detail for c in good.checks if not c.ok}
    assert any("收入支出总计 0.00" in d for d in new), new  # "收入支出总计0万元" injected into the text


@pytest.mark.parametrize("text,value", [("27,664.22", 27664.22), ("0.00", 0.0), ("1074.61", 1074.61),
                                        ("-", None), ("", None), ("≤0.96万元", None), ("(12.50)", -12.5)])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_clean_joins_broken_header_characters():
    assert clean("政\n府\n性\n基\n金") == "政府性基金"
    assert clean("洛阳市西工区人\n民政府办公室") == "洛阳市西工区人民政府办公室"


def test_cli_ingest_is_idempotent_and_documents_json(tmp_path: Path):
    env_cmd = [sys.executable, "-m", "cli"]
    first = subprocess.run(env_cmd + ["ingest", "--no-index", str(SAMPLE)], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    again = subprocess.run(env_cmd + ["ingest", "--no-index", str(SAMPLE)], capture_output=True, text=True)
    assert again.returncode == 0 and "unchanged" in again.stderr
    docs = subprocess.run(env_cmd + ["documents", "--json"], capture_output=True, text=True).stdout.splitlines()
    assert len(docs) == 1
    d = json.loads(docs[0])
    assert d["department"] == "洛阳市西工区人民政府办公室" and d["checks_failed"] == 0 and d["facts"] > 362


def test_headings_wrapped_into_stacked_cells_are_joined():
    """省检察院 2018 / 省法院 2017 三公 tables: the grid reads "公务接" and "待费" as two header cells."""
    from ingest.tables import _join_wrapped

    assert _join_wrapped(["“三公”经费", "公务接", "待费"]) == ["“三公”经费", "公务接待费"]
    assert _join_wrapped(["“三公”经费", "因公出国", "（境）费"]) == ["“三公”经费", "因公出国（境）费"]
    assert _join_wrapped(["公务用车购置及运行维护费", "公务用车", "运行维护", "费"]) == [
        "公务用车购置及运行维护费", "公务用车运行维护费"]
    assert _join_wrapped(["会议", "费"]) == ["会议费"]
    # parts that are headings of their own stay apart; unknown joins are left alone
    assert _join_wrapped(["基本支出", "人员经费"]) == ["基本支出", "人员经费"]
    assert _join_wrapped(["项目", "支出"]) == ["项目支出"] and _join_wrapped(["项目", "名称"]) == ["项目", "名称"]
