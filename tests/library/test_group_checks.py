"""A publication printed as a narrative file and a tables file is one document: the check that the
narrative's figures stand in a table (说明与表格一致) runs over the whole group, so what is stored and
reported does not depend on which file was ingested first, and goes with the tables when they go."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import JIANGSU_TABLES, JIANGSU_TEXT, ROOT

from budgetqa.settings import Settings
from ingest.crosscheck import NARRATIVE_CHECK
from library import Library


def _real(*parts: str) -> Path:
    src = next((p / "shared" / "corpus" / "real" / "jiangsu" for p in ROOT.parents
                if (p / "shared" / "corpus").exists()), None)
    if src is None or not src.joinpath(*parts).exists():
        pytest.skip("the shared corpus is not next to the repository")
    return src.joinpath(*parts)


def _ingest(home: Path, files: list[Path]):
    lib = Library(Settings(home=home, embed_model="hash"))
    outcomes = [lib.ingest_one(f, index=False) for f in files]
    assert all(o.status == "ingested" for o in outcomes), [o.message for o in outcomes]
    stored = {f.name: sorted((c.name, c.ok, c.detail) for c in lib.store.checks(f.name)) for f in files}
    return lib, outcomes, stored


def _pairs():
    yield JIANGSU_TEXT, JIANGSU_TABLES
    yield "江苏省政协办公厅/江苏省政协办公厅2019年度部门预算.pdf", "江苏省政协办公厅/江苏省政协办公厅2019年预算公开表.pdf"


@pytest.mark.parametrize("pair", list(_pairs()), ids=["repo", "real"])
def test_stored_checks_do_not_depend_on_ingest_order(pair, tmp_path):
    text, tables = (p if isinstance(p, Path) else _real(*p.split("/")) for p in pair)
    _, first_text, a = _ingest(tmp_path / "a", [text, tables])
    _, first_tables, b = _ingest(tmp_path / "b", [tables, text])
    assert a == b
    narrative = [c for c in a[text.name] if c[0] == NARRATIVE_CHECK]
    assert len(narrative) >= 3 and all(ok for _, ok, _ in narrative), narrative
    # the narrative alone reports no figure as missing from tables that are not there yet
    assert first_text[0].checks_failed == first_tables[1].checks_failed


def test_real_narrative_first_reports_no_missing_figures(tmp_path):
    # 江苏省政协办公厅 2019: the narrative states 基本支出 6,522.75万元, printed in the tables file
    text = _real("江苏省政协办公厅", "江苏省政协办公厅2019年度部门预算.pdf")
    tables = _real("江苏省政协办公厅", "江苏省政协办公厅2019年预算公开表.pdf")
    _, outcomes, stored = _ingest(tmp_path, [text, tables])
    assert [o.checks_failed for o in outcomes] == [0, 0]
    assert (NARRATIVE_CHECK, True, "narrative 基本支出 6,522.75万元: found in the tables") in stored[text.name]


def test_removing_the_tables_file_takes_its_narrative_checks_with_it(tmp_path):
    lib, _, stored = _ingest(tmp_path, [JIANGSU_TEXT, JIANGSU_TABLES])
    assert any(c[0] == NARRATIVE_CHECK for c in stored[JIANGSU_TEXT.name])
    assert lib.remove(JIANGSU_TABLES.name)
    left = lib.store.checks(JIANGSU_TEXT.name)
    assert [c for c in left if c.name == NARRATIVE_CHECK] == []
    assert [d.checks_failed for d in lib.store.documents()] == [sum(1 for c in left if not c.ok)]
