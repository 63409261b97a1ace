"""Helpers shared by the tests: a child `budgetqa` process's environment and command line, settings on a
test home, and a snapshot of everything a failed write must leave as it was. Starting the web app in
its own process is eval.served (also used by scripts/load_test.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from conftest import SAMPLE
from PIL import Image

from budgetqa.settings import Settings
from ingest.pipeline import sha256_of
from library import Library

PY = sys.executable
LONG_PAGES = 200  # the long file of the bad-input corpus (tests/make_bad_inputs.py)


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "BUDGETQA_HOME": str(home), "BUDGETQA_EMBED_MODEL": "hash", **extra}
    env.pop("BUDGETQA_ADMIN_TOKEN", None)
    return env


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`budgetqa ARGS` in a child process on `home` (hash embeddings)."""
    return subprocess.run([PY, "-m", "cli", *args], capture_output=True, text=True, env=cli_env(home), timeout=300)


def api_client(home: Path) -> Iterator[Any]:
    """A test client of the app over one store (hash embeddings), for a module fixture to yield from."""
    from fastapi.testclient import TestClient

    from app import build_app

    with TestClient(build_app(Settings(home=home, embed_model="hash"))) as client:
        yield client


def hash_settings(home: Path, **kw: Any) -> Settings:
    return Settings(home=home, embed_model="hash", **kw)


def snapshot(lib: Library) -> dict:
    """Everything a failed ingest must leave exactly as it was."""
    home = lib.settings.home
    return {
        "version": lib.store.version(),
        "documents": [(d["document"], d["sha256"], d["facts"], d["checks_failed"]) for d in lib.store.documents()],
        "facts": [f.model_dump_json() for f in lib.store.facts()],
        "passages": [p.model_dump_json() for p in lib.store.passages()],
        "vectors": lib.index.stored(),
        "files": {p.relative_to(home).as_posix(): sha256_of(p) for p in sorted((home / "files").iterdir())},
    }


def small_bad_files(folder: Path) -> dict[str, str]:
    """A few bad files beside each other (empty, random bytes, truncated, an Office file, a scan);
    file name -> a word its error line must contain."""
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


def served_assistant(home: Path) -> Any:
    """The assistant over a test home as the settings serve it by default: the lexical lookup, then the
    fitted decision (BUDGETQA_RANKER=lexical)."""
    from assistant.service import Assistant
    from vectorstore.facts_db import FactStore

    return Assistant(FactStore(f"sqlite:///{home / 'facts.sqlite3'}"), use_ranker=False)
