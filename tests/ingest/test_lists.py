"""Lists printed as lines kept as passages, one item a line: the sample's contents (p2: 十四 tables
under 附件), its project table's rows by 类型 (p25-26: 13 其他运转类 and 5 特定目标类 over two pages),
and the 年度主要任务 of its 整体绩效目标表 (p27: 9 tasks, each with its 主要内容)."""

from __future__ import annotations

import pytest
from conftest import SAMPLE

from ingest.pipeline import extract


@pytest.fixture(scope="module")
def lists():
    report = extract(SAMPLE)
    return {p.heading: p for p in report.passages if "\n" in p.text}


def test_contents_group_of_the_attached_tables(lists):
    p = next(v for k, v in lists.items() if k.startswith("目录 > 附件"))
    lines = p.text.split("\n")
    assert p.page == 2 and len(lines) == 14
    assert lines[0] == "一、部门收支预算表" and lines[-1] == "十四、部门预算项目绩效目标表"


def test_project_rows_by_kind_over_two_pages(lists):
    other = lists["2025年项目支出预算表 > 类型：其他运转类"].text.split("\n")
    special = lists["2025年项目支出预算表 > 类型：特定目标类"].text.split("\n")
    assert len(other) == 13 and other[0] == "办公经费—其他" and other[-1] == "处非工作经费"
    assert len(special) == 5 and "金融扶贫贷款贴息" in special


def test_tasks_with_their_content(lists):
    tasks = next(v for k, v in lists.items() if k.endswith("年度主要任务")).text.split("\n")
    assert len(tasks) == 9 and "区志办工作：完成区志印刷、年鉴整理。" in tasks


def test_narrative_passages_hold_no_line_break():
    report = extract(SAMPLE)
    assert sum("\n" in p.text for p in report.passages) == 4  # the four lists above, nothing else
