"""The vector index shared by processes: what one process writes, an index open in another sees."""

from __future__ import annotations

import subprocess
from pathlib import Path

from helpers import PY, cli_env, hash_settings

HERE = Path(__file__).resolve().parent


def test_an_open_index_sees_vectors_another_process_wrote(tmp_path: Path) -> None:
    """Embedded Chroma: a filtered query in a long-running process (the web app) on vectors written by
    another process (a CLI ingest) failed with "Error finding id"."""
    from vectorstore.index import VectorIndex

    settings = hash_settings(tmp_path / "home")
    index = VectorIndex(settings)
    index.replace_document("A.pdf", [], passages("A.pdf", 20))
    assert [h.meta["document"] for h in index.search("A.pdf 文本 3", k=2)] == ["A.pdf", "A.pdf"]
    writer = ("import sys; sys.path[:0] = sys.argv[1:3]; from test_index_processes import passages;"
              "from helpers import hash_settings;"
              "from vectorstore.index import VectorIndex; from pathlib import Path;"
              "VectorIndex(hash_settings(Path(sys.argv[3]))).replace_document('B.pdf', [], passages('B.pdf', 20))")
    subprocess.run([PY, "-c", writer, str(HERE), str(HERE.parent), str(settings.home)], check=True,
                   env=cli_env(settings.home))
    hits = index.search("B.pdf 文本 3", k=3, where={"document": "B.pdf"})
    assert [h.meta["document"] for h in hits] == ["B.pdf"] * 3


def passages(document: str, n: int) -> list:
    from ingest.records import Passage

    return [Passage(document=document, department="测试局", year=2025, kind="预算", page=1, heading="",
                    text=f"{document} 文本 {i}") for i in range(n)]
