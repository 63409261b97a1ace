"""Facts that are not money: every numeric row of the sample's 绩效目标表 as a target (indicator,
comparison, value, unit, with project and levels in its row path), and the counts the narratives
state, each with its sentence."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import JIANGSU_TEXT, PDFS, SAMPLE

from ingest.counts import counts, measure_of
from ingest.indicators import parse_targets
from ingest.pipeline import extract

SEED_TXT = PDFS / "2025年洛阳市西工区人民政府办公室部门预算公开.txt"
WANLI = PDFS / "上海市普陀区人民政府万里街道办事处23年预算.pdf"


@pytest.fixture(scope="module")
def sample():
    return extract(SAMPLE)


def _targets(report):
    return [f for f in report.facts if f.measure == "target"]


def test_every_numeric_target_of_the_sample_is_a_fact(sample):
    # the text version of the sample, read independently: every cell of its two 绩效目标表 that
    # states a value with a unit (and a sign, or nothing around it)
    txt = SEED_TXT.read_text(encoding="utf-8")
    part = txt[txt.index("部门（单位）整体绩效目标表"):]
    want: Counter = Counter()
    for line in part.splitlines():
        cells = line.split("\t")
        for k, cell in enumerate(cells):
            if k == 0 or len(cell) > 30:
                continue
            for t in parse_targets(cell):
                want[(t.comparison, t.value, t.unit)] += 1
    have = Counter((f.comparison, f.value, f.unit) for f in _targets(sample))
    assert sum(want.values()) >= 75
    assert have == want


@pytest.mark.parametrize("row, comparison, value, unit", [
    ("办公经费-会议费 / 产出指标 / 接待批次", "≤", 20, "次"),
    ("办公经费-会议费 / 产出指标 / 接待合规率", "≥", 99, "%"),  # continued on the next page
    ("政府购买服务 / 产出指标 / 劳务派遣人数", "≤", 1, "人"),
    ("党建工作经费 / 产出指标 / 购买书籍数量", None, 100, "本"),
    ("党建工作经费 / 产出指标 / 党员数量", "≥", 49, "人"),
    ("金融扶贫贷款贴息 / 成本指标 / 总成本", "≤", 0.91, "万元"),
    ("金融扶贫贷款贴息 / 产出指标 / 扶贫贴息覆盖率", "≥", 95, "%"),
    ("办公经费--公务接待费 / 产出指标 / 公务接待次数", "≤", 200, "人次"),
    ("投入管理指标 / 预算和财务管理 / 专项资金细化率", "≥", 96, "%"),
    ("投入管理指标 / 预算和财务管理 / 预算调整率", "≤", 10, "%"),
    ("投入管理指标 / 预算和财务管理 / “三公经费”控制率", "≤", 15, "%"),  # levels carried over a page
    ("效益指标 / 满意度 / 群众满意度", "≥", 98, "%"),
])
def test_sample_target_rows(sample, row, comparison, value, unit):
    hits = [f for f in _targets(sample) if f.row == row]
    assert len(hits) == 1, [f.row for f in _targets(sample) if row.split(" / ")[-1] in (f.row or "")]
    f = hits[0]
    assert (f.comparison, f.value, f.unit, f.column, f.source) == (comparison, value, unit, "指标值", "table")


def test_sample_counts_of_the_narrative(sample):
    got = {(f.row, f.value, f.unit) for f in sample.facts if f.measure == "count"}
    for want in [("车辆", 1, "辆"), ("一般公务用车", 0, "辆"), ("特种专业技术用车", 1, "辆"), ("项目", 28, "个"),
                 ("公车", 4, "辆")]:
        assert want in got
    f = next(f for f in sample.facts if f.measure == "count" and f.row == "项目" and f.value == 28)
    assert f.source == "narrative" and "共28个项目" in (f.quote or "") and f.column == "数量"


def test_jiangsu_counts_with_their_sentence():
    r = extract(JIANGSU_TEXT)
    got = {(f.row, f.value, f.unit) for f in r.facts if f.measure == "count"}
    assert {("车辆", 127, "辆"), ("一般公务用车", 127, "辆"), ("设备", 33, "台（套）")} <= got


def test_shanghai_project_forms_give_targets_with_their_project():
    r = extract(WANLI)
    t = {f.row: f for f in _targets(r)}
    f = t["新建万里街道社区公共服务中心 / 产出指标 / 数量指标 / 规划建筑面积"]
    assert (f.comparison, f.value, f.unit) == ("≥", 13459.0, "平方米")
    f = t["就业援助基地补贴 / 满意度指标 / 服务对象满意度指标 / 补贴对象满意度"]
    assert (f.comparison, f.value, f.unit) == ("≥", 80.0, "%")
    f = t["各类工作经费 / 产出指标 / 数量指标 / 基干民兵整组工作"]
    assert (f.comparison, f.value, f.unit) == ("≥", 100.0, "人")
    assert len(_targets(r)) == 33
    got = {(f.row, f.value, f.unit) for f in r.facts if f.measure == "count"}
    assert {("车辆", 7, "辆"), ("执法执勤用车", 4, "辆"), ("专用设备", 818, "台（套）")} <= got


@pytest.mark.parametrize("text, expect", [
    ("≤0.96万元", [("≤", 0.96, "万元")]),
    ("≤3.6万", [("≤", 3.6, "万元")]),
    ("=100.00(%)", [("=", 100.0, "%")]),
    ("≥100.00(人数)", [("≥", 100.0, "人")]),
    ("不低于50人次的个体心理咨询辅导", [("≥", 50.0, "人次")]),
    ("满意率100%", [(None, 100.0, "%")]),
    ("24小时值班通联", []),
    ("达标", []),
    ("90.00(度)", []),
])
def test_parse_targets(text, expect):
    assert [(t.comparison, t.value, t.unit) for t in parse_targets(text)] == expect


def test_counts_rules():
    assert [(c.item, c.value, c.unit) for c in counts("本部门共有车辆55辆，其中执法执勤用车40辆。")] == [
        ("车辆", 55, "辆"), ("执法执勤用车", 40, "辆")]
    assert [(c.item, c.value) for c in counts("纳入本部门2019年部门汇总预算编制范围的预算单位共计3家")] == [("预算单位", 3)]
    assert counts("2024年支出预算减少1.00万元，下降54.64%，第3季度") == []
    assert measure_of("比上年增减") == "change" and measure_of("增减率") == "change_rate" and measure_of("金额") == "amount"


@pytest.mark.parametrize("column, period", [
    ("2022年预算执行数", (2022, "决算")), ("上年预算数", (2022, "预算")), ("上年决算数", (2022, "决算")),
    ("2023年“三公”经费预算数 / 合计", None), ("比上年增减", None), ("年初预算数", None), ("2022年预算数 / 一般公共预算", (2022, "预算")),
    ("上年结转结余", None), ("收入预算 / 上年结转", None),  # carried over: this year's income
])
def test_prior_year_columns_are_facts_of_their_year(column, period):
    from ingest.periods import column_period

    assert column_period(column, 2023) == period


def test_a_count_in_batches_and_persons_keeps_one_item_for_both():
    # a 2024 决算 narrative: "列明公务接待2批次、26人次": 批次 is one unit (printed as 批), and the 26人次 count
    # the same 公务接待, not an item named "次、"
    from ingest.counts import counts

    found = {(c.item, c.value, c.unit) for c in counts("2024年度列明公务接待2批次、26人次（不包括陪同人员）。")}
    assert found == {("列明公务接待", 2, "批"), ("列明公务接待", 26, "人次")}
