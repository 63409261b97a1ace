"""Bad files get one clear line naming the file and the reason; good files beside them still ingest."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import SAMPLE
from PIL import Image


def _make_bad(folder: Path) -> dict[str, str]:
    """file name -> a word its error line must contain"""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "random.pdf").write_bytes(os.urandom(4096))
    data = SAMPLE.read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 3])
    with zipfile.ZipFile(folder / "report.docx.pdf", "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    Image.new("RGB", (600, 800), "white").save(folder / "scanned.pdf")
    return {"empty.pdf": "empty", "random.pdf": "not a PDF", "truncated.pdf": "corrupt",
            "report.docx.pdf": "Office", "scanned.pdf": "OCR"}


def test_bad_files_fail_with_one_line_and_good_ones_ingest(tmp_path: Path):
    bad = _make_bad(tmp_path / "in")
    (tmp_path / "in" / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    out = subprocess.run([sys.executable, "-m", "budgetqa.cli", "ingest", "--no-index", str(tmp_path / "in")],
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    for name, word in bad.items():
        hit = [ln for ln in lines if name in ln]
        assert len(hit) == 1 and word in hit[0], (name, hit)
    docs = subprocess.run([sys.executable, "-m", "budgetqa.cli", "documents", "--json"], capture_output=True, text=True)
    assert docs.stdout.count("\n") == 1 and SAMPLE.name in docs.stdout


def test_failed_file_leaves_the_store_as_it_was(tmp_path: Path):
    from budgetqa.library import Library
    from budgetqa.settings import Settings

    lib = Library(Settings())
    assert lib.ingest([SAMPLE], index=False)[0].status == "ingested"
    before = (len(lib.store.facts()), lib.store.version())
    bad = _make_bad(tmp_path / "in")
    outcomes = lib.ingest([tmp_path / "in" / n for n in bad], index=False)
    assert all(o.status == "failed" for o in outcomes)
    assert (len(lib.store.facts()), lib.store.version()) == before


@pytest.mark.parametrize("name", ["missing.pdf"])
def test_missing_file_is_named(tmp_path: Path, name: str):
    out = subprocess.run([sys.executable, "-m", "budgetqa.cli", "ingest", str(tmp_path / name)],
                         capture_output=True, text=True)
    assert out.returncode == 1 and name in out.stderr and "Traceback" not in out.stderr
