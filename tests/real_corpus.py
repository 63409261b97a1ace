"""A store of real documents for the conversation tests: several departments and three years of two,
ingested once per test session from the shared corpus (../shared/corpus/real beside the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = next((p / "shared" / "corpus" / "real" for p in ROOT.parents if (p / "shared" / "corpus" / "real").is_dir()),
              ROOT.parent / "shared" / "corpus" / "real")
FILES = [
    "jiangsu/江苏省政协办公厅/江苏省政协办公厅2017年度部门预算.pdf",
    "jiangsu/江苏省政协办公厅/2017年度部门预算公开表.pdf",
    "jiangsu/江苏省政协办公厅/江苏省政协办公厅2018年度部门预算.pdf",
    "jiangsu/江苏省政协办公厅/江苏省政协办公厅2018度部门预算公开表.pdf",
    "jiangsu/江苏省政协办公厅/江苏省政协办公厅2019年度部门预算.pdf",
    "jiangsu/江苏省政协办公厅/江苏省政协办公厅2019年预算公开表.pdf",
    "jiangsu/江苏省人民检察院/2017年省检察院部门预算.pdf",
    "jiangsu/江苏省人民检察院/2018年省检察院部门预算公开.pdf",
    "jiangsu/江苏省人民检察院/2019年度部门预算公开.pdf",
    "jiangsu/江苏省高级人民法院/江苏省高级人民法院2019年度部门预算公开.pdf",
    "jiangsu/江苏省人大办公厅/江苏省人大常委会2019年度部门预算公开.pdf",
    "jiangsu/江苏省人大办公厅/江苏省人大常委会办公厅2019年部门预算公开表.pdf",
    "shanghai-putuo/上海市普陀区财政局2024年度部门决算.pdf",
]


def real_home(factory: pytest.TempPathFactory) -> Path:
    """The store's home, ingested on first use in this session (with the hash embedder)."""
    paths = [CORPUS / f for f in FILES]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        pytest.skip(f"the shared real corpus is not beside the repository (missing {missing[0]})")
    home = factory.getbasetemp() / "conversation-real-home"
    if not (home / "facts.sqlite3").exists():
        from budgetqa.settings import Settings
        from library import Library

        lib = Library(Settings(home=home, embed_model="hash"))
        outcomes = lib.ingest(paths)
        assert all(o.status == "ingested" for o in outcomes), [o.message for o in outcomes]
    return home
