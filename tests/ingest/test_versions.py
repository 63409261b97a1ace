"""Versions that conflict: the injected-error copy of a 决算 is flagged when ingested after the real
one, the library keeps both, and `documents --json` names the disagreement on both documents."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import PUTUO, PUTUO_INJECTED, ROOT

from ingest.pipeline import extract
from ingest.versions import compare


def test_injected_copy_differs_from_the_published_document():
    real, copy = extract(PUTUO), extract(PUTUO_INJECTED)
    assert real.info.group == copy.info.group
    c = compare(copy.facts, real.facts, real.info.document)
    assert c is not None and c.differing > 0 and c.compared > 100
    assert compare(real.facts, real.facts, "same") is None


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"BUDGETQA_HOME": str(home), "BUDGETQA_EMBED_MODEL": "hash", "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT),
           "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=600)


def test_second_version_is_flagged_and_both_are_kept(tmp_path: Path):
    home = tmp_path / "home"
    first = _cli(home, "ingest", "--no-index", str(PUTUO))
    assert first.returncode == 0, first.stderr
    second = _cli(home, "ingest", "--no-index", str(PUTUO_INJECTED))
    assert second.returncode == 0, second.stderr
    assert "another version" in second.stderr and PUTUO.name in second.stderr
    rows = [json.loads(x) for x in _cli(home, "documents", "--json").stdout.splitlines()]
    by = {r["document"]: r for r in rows}
    assert set(by) == {PUTUO.name, PUTUO_INJECTED.name}
    assert by[PUTUO_INJECTED.name]["conflicts"] == [PUTUO.name]
    assert by[PUTUO.name]["conflicts"] == [PUTUO_INJECTED.name]
    assert by[PUTUO.name]["scope"] == "部门"
