"""What the real corpus prints about performance targets. Only the 上海 budget's project forms
(财政项目支出绩效目标填报表) hold indicator values (read as targets, test_targets_counts); the 江苏
budgets and the 上海 final accounts state their target management as a sentence instead ("共5个项目实行
绩效目标管理", "编报绩效目标的2024年度项目39个…绩效自评的2024年度项目39个"): counts, each named by what
qualifies it, and no target."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from ingest.counts import counts
from ingest.pipeline import extract

_PASSAGE = ("全过程绩效管理实施情况：编报绩效目标的2024年度项目39个，涉及预算金额4415.48万元；绩效跟踪评价的"
            "2024年度项目38个，涉及预算金额4415.48万元；绩效自评的2024年度项目37个，平均得分99.33分（其中，"
            "绩效评级为“优”的项目36个；绩效评级为“良”的项目1个）。")


def _real(*parts: str) -> Path:
    src = next((p / "shared" / "corpus" / "real" for p in ROOT.parents if (p / "shared" / "corpus").exists()), None)
    if src is None or not src.joinpath(*parts).exists():
        pytest.skip("the shared corpus is not next to the repository")
    return src.joinpath(*parts)


def test_counts_of_projects_keep_what_qualifies_them():
    got = [(c.item, c.value) for c in counts(_PASSAGE)]
    assert got == [("绩效目标的项目", 39), ("绩效跟踪评价的项目", 38), ("绩效自评的项目", 37),
                   ("绩效评级为优的项目", 36), ("绩效评级为良的项目", 1)]
    # a noun that names something alone still drops its qualifier
    assert [(c.item, c.value) for c in counts("纳入2025年部门预算编制范围的预算单位共5家。")] == [("预算单位", 5)]


def test_final_accounts_state_target_management_as_counts():
    r = extract(_real("shanghai-putuo", "上海市普陀区规划和自然资源局 2024 年度部门决算.pdf"))
    assert [f for f in r.facts if f.measure == "target"] == []
    got = {(f.row, f.value) for f in r.facts if f.measure == "count" and "绩效" in (f.quote or "")}
    assert {("绩效目标的项目", 39), ("绩效跟踪评价的项目", 39), ("绩效自评的项目", 39),
            ("绩效评级为优的项目", 39), ("绩效评级为良的项目", 0)} <= got


def test_jiangsu_budget_states_its_target_projects_in_a_sentence():
    r = extract(_real("jiangsu", "江苏省人民检察院", "2018年省检察院部门预算公开.pdf"))
    assert [f for f in r.facts if f.measure == "target"] == []
    f = next(f for f in r.facts if f.measure == "count" and "绩效目标管理" in (f.quote or ""))
    assert (f.row, f.value, f.unit, f.page) == ("项目", 5, "个", 30)


def test_budget_project_forms_are_read_as_targets():
    r = extract(_real("shanghai-putuo-budget", "上海市普陀区人民政府万里街道办事处23年预算.pdf"))
    targets = [f for f in r.facts if f.measure == "target"]
    assert {f.table_type for f in targets} == {"project_target_form"}
    assert {f.page for f in targets} == {31, 32, 33, 34, 35}
    f = next(f for f in targets if f.row.endswith("补贴对象审核达标率"))
    assert (f.comparison, f.value, f.unit) == ("=", 100.0, "%")
