"""A document's identity comes from its own text: the same department, year, kind and scope under
its published name and under an upload's archive number; names people use derive by rule."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import PDFS, ROOT

from budgetqa.errors import DocumentError
from ingest.identify import identify
from ingest.names import aliases, canonical, match_departments, short_name
from ingest.pipeline import extract

# ../shared/corpus beside the main checkout (a worktree sits one level deeper)
CORPUS = next((p / "shared" / "corpus" for p in ROOT.parents if (p / "shared" / "corpus").exists()), ROOT / "missing")
NUMERIC = "1769321433314-826553525.pdf"

# every PDF of the corpus: (department, year, kind, scope), read off each cover by hand; the same
# file feeds scripts/ingest_report.py
_ROWS = [json.loads(x) for x in (ROOT / "eval" / "identity.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
EXPECTED = {Path(r["file"]).name: (r["department"], r["year"], r["kind"], r["scope"]) for r in _ROWS if r["expect"] == "ingest"}
TEMPLATE = "附件2：部门决算模板.pdf"


def _corpus() -> list[Path]:
    if not CORPUS.exists():
        pytest.skip("the shared corpus is not next to the repository")
    return sorted(CORPUS.rglob("*.pdf"))


def test_every_corpus_pdf_is_listed():
    names = {p.name for p in _corpus()}
    assert names == set(EXPECTED) | {TEMPLATE}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_identity_from_the_document_under_a_numeric_file_name(name: str, tmp_path: Path):
    src = next(p for p in _corpus() if p.name == name)
    copy = tmp_path / NUMERIC
    shutil.copyfile(src, copy)
    info = extract(copy).info
    assert (info.department, info.year, info.kind, info.scope) == EXPECTED[name]
    assert info.document == NUMERIC


def test_two_file_publication_groups_as_one_under_numeric_names(tmp_path: Path):
    a = tmp_path / "1769321433314-1.pdf"
    b = tmp_path / "1769321433314-2.pdf"
    shutil.copyfile(PDFS / "江苏省委办公厅2019年度部门预算公开文件.pdf", a)
    shutil.copyfile(PDFS / "江苏省委办公厅2019年度部门预算公开表格.pdf", b)
    ra, rb = extract(a).info, extract(b).info
    assert ra.group == rb.group == "中共江苏省委办公厅|2019|预算"
    assert (ra.part, rb.part) == ("narrative", "tables")


def test_blank_template_is_refused_with_one_line():
    with pytest.raises(DocumentError) as exc:
        extract(PDFS / TEMPLATE)
    msg = str(exc.value)
    assert "blank template" in msg and "上海市XX局" in msg and "\n" not in msg


def test_cover_year_printed_apart_from_its_title():
    # the Putuo 决算 cover reads "上海市普陀区财政局 / 年度部门决算 / 2024" in text order
    ident = identify(NUMERIC, ["上海市普陀区财政局\n年度部门决算\n2024\n目录"], [], [])
    assert (ident.department, ident.year, ident.kind) == ("上海市普陀区财政局", 2024, "决算")


def test_two_digit_year_and_unit_scope():
    ident = identify("24年某单位.pdf", ["上海市普陀区2026年区级单位预算\n预算单位：上海市普陀区某某中心\n目录"], [], [])
    assert ident.placeholder  # 某某 is a placeholder name
    ident = identify(NUMERIC, ["上海市静安区2026年区级单位预算\n预算单位：上海市静安区图书馆\n目录"], [], [])
    assert (ident.department, ident.year, ident.kind, ident.scope) == ("上海市静安区图书馆", 2026, "预算", "单位")
    ident = identify("上海市静安区图书馆24年预算.pdf", ["预算表"], [], [])
    assert (ident.department, ident.year) == ("上海市静安区图书馆", 2024)


def test_prose_before_a_name_is_not_a_place():
    ident = identify(NUMERIC, ["目录", "二、收支预算情况说明省检察院 2018 年度收入预算。江苏省人民检察院2018年度支出"], [], [])
    assert ident.department == "江苏省人民检察院"


@pytest.mark.parametrize("printed, one", [
    ("中国共产党江苏省委员会办公厅", "中共江苏省委办公厅"),
    ("江苏省委办公厅", "中共江苏省委办公厅"),
    ("政协江苏省委员会办公厅", "江苏省政协办公厅"),
    ("上海市普陀区财政局", "上海市普陀区财政局"),
])
def test_canonical_spelling(printed: str, one: str):
    assert canonical(printed) == one


@pytest.mark.parametrize("name, short", [
    ("上海市普陀区人民政府万里街道办事处", ["普陀区万里街道办事处", "万里街道办事处", "万里街道"]),
    ("上海市普陀区人民政府办公室", ["普陀区政府办公室", "区府办", "政府办", "区政府办"]),
    ("江苏省人民检察院", ["省检察院", "江苏省检察院", "检察院"]),
    ("江苏省高级人民法院", ["省高院", "省法院", "江苏高院"]),
    ("中共江苏省委办公厅", ["江苏省委办公厅", "省委办公厅", "省委办"]),
    ("江苏省人大常委会办公厅", ["省人大常委会", "省人大", "人大办公厅"]),
    ("上海市发展和改革委员会", ["上海市发展和改革委", "发展和改革委"]),
    ("中共上海市普陀区委社会工作部", ["普陀区委社会工作部", "区委社会工作部", "社会工作部"]),
])
def test_aliases_by_rule(name: str, short: list[str]):
    got = aliases(name)
    assert all(s in got for s in short), [s for s in short if s not in got]
    assert "委办公厅" not in got and "办公室" not in got  # never a bare word


def test_match_departments_ambiguous_and_specific():
    loaded = ["上海市财政局", "上海市普陀区财政局", "江苏省人民检察院"]
    assert match_departments("财政局2024年决算收入是多少", loaded) == ["上海市财政局", "上海市普陀区财政局"]
    assert match_departments("普陀区财政局2024年决算收入", loaded) == ["上海市普陀区财政局"]
    assert match_departments("省检察院和普陀区财政局", loaded) == ["江苏省人民检察院", "上海市普陀区财政局"]
    assert match_departments("教育局的预算", loaded) == []


def test_short_name_keeps_the_place():
    assert short_name("上海市普陀区财政局") == "普陀区财政局"
    assert short_name("江苏省人民检察院") == "江苏省检察院"


def test_user_alias_file_adds_abbreviations(tmp_path: Path):
    from ingest.names import use_alias_file

    f = tmp_path / "aliases.toml"
    f.write_text('[[department]]\nname = "上海市普陀区财政局"\naliases = ["普财"]\n', encoding="utf-8")
    try:
        use_alias_file(f)
        assert match_departments("普财的预算", ["上海市普陀区财政局"]) == ["上海市普陀区财政局"]
    finally:
        use_alias_file(None)
    assert match_departments("普财的预算", ["上海市普陀区财政局"]) == []
