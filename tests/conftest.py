"""Every test gets its own BUDGETQA_HOME; the shared ingested stores are built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may reach a model hub
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parents[1]
PDFS = ROOT / "tests" / "pdfs"
SAMPLE = next((ROOT / "samples").glob("*.pdf"))
JIANGSU_TABLES = PDFS / "江苏省委办公厅2019年度部门预算公开表格.pdf"
JIANGSU_TEXT = PDFS / "江苏省委办公厅2019年度部门预算公开文件.pdf"
PUTUO = PDFS / "上海市普陀区财政局2024年度部门决算.pdf"
PUTUO_INJECTED = PDFS / "24年普陀区财政局（测试问题版本）.pdf"


@pytest.fixture(autouse=True)
def _own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("BUDGETQA_HOME", str(home))
    monkeypatch.setenv("BUDGETQA_EMBED_MODEL", "hash")
    monkeypatch.delenv("BUDGETQA_ADMIN_TOKEN", raising=False)
    return home


def _build(home: Path, files: list[Path]) -> Path:
    from budgetqa.settings import Settings
    from library import Library

    lib = Library(Settings(home=home, embed_model="hash"))
    outcomes = lib.ingest(files)
    assert all(o.status == "ingested" for o in outcomes), [o.message for o in outcomes]
    return home


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("sample"), [SAMPLE])


@pytest.fixture(scope="session")
def corpus_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("corpus"), [SAMPLE, JIANGSU_TABLES, JIANGSU_TEXT, PUTUO])


def copy_home(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


@pytest.fixture(scope="session")
def bad_inputs(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The generated bad-input corpus (tests/make_bad_inputs.py): (folder, {file name: Expect})."""
    from helpers import LONG_PAGES
    from make_bad_inputs import make_all

    folder = tmp_path_factory.mktemp("bad_inputs")
    return folder, make_all(folder, LONG_PAGES)
