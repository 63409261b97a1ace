"""Issue 17: a disk that fills inside the Chroma write. Embedded Chroma can keep part of the write in
its log while the writing process sees none of it, so the undo at once deletes nothing and the
vectors used to appear at the next start as orphans only `check --repair` removed. The journal entry
now stays until a fresh process has undone the write: the next start recovers it like the other cases.

The disk is filled with RLIMIT_FSIZE (writes past the limit fail with EFBIG, as on a full disk)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import JIANGSU_TABLES, ROOT, copy_home

from budgetqa.settings import Settings
from library import Library
from library.check import check_store

WRITER = r"""
import json, resource, signal, sys
from pathlib import Path
sys.path.insert(0, sys.argv[4])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
from library import Library
from budgetqa.settings import Settings
home, pdf, room = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
lib = Library(Settings(home=home, embed_model="hash"))
lib.index  # opened (and its files sized) before the disk fills
size = (home / "chroma" / "chroma.sqlite3").stat().st_size
resource.setrlimit(resource.RLIMIT_FSIZE, (size + room, resource.RLIM_INFINITY))
o = lib.ingest_one(pdf)
print(json.dumps({"status": o.status, "message": o.message}))
"""


# rooms below what the write needs (its Chroma file grows by 100 KB): 100 itself sat on the edge
@pytest.mark.parametrize("room_kb", [20, 60, 90])
def test_disk_full_inside_the_chroma_write_is_recovered_at_the_next_start(sample_home: Path, tmp_path: Path,
                                                                         room_kb: int) -> None:
    home = copy_home(sample_home, tmp_path / "home")
    settings = Settings(home=home, embed_model="hash")
    before = Library(settings).index.stored()
    env = {**os.environ, "BUDGETQA_HOME": str(home), "BUDGETQA_EMBED_MODEL": "hash"}
    out = subprocess.run([sys.executable, "-c", WRITER, str(home), str(JIANGSU_TABLES), str(room_kb * 1024), str(ROOT)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == "failed", result  # the limit bit inside the write
    assert "\n" not in result["message"] and "could not be stored" in result["message"], result
    lib = Library(settings)  # the next start
    assert all("rolled back" in line for line in lib.recovered), lib.recovered
    assert check_store(settings) == [], "no orphan vectors, no pending entry"
    assert lib.index.stored() == before
    assert JIANGSU_TABLES.name not in {d["document"] for d in lib.store.documents()}
    assert not list((home / "pending").iterdir())
