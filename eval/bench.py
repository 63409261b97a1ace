"""Helpers shared by the scripts that measure (scripts/evaluate.py, benchmark.py, …): where the gold sets and
the shared corpus are, the machine, a cache of document embeddings, stores whose built model lives in one
fixed folder, and relabelled copies of ingest reports."""

from __future__ import annotations

import hashlib
import math
import os
import platform
import re
import resource
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from budgetqa.settings import Settings
from ingest.records import IngestReport

if TYPE_CHECKING:
    from vectorstore.embeddings import Embedder

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "eval" / "gold"
# the shared folder (development set, real corpus) stands beside the checkout, or beside the folder of work trees
SHARED = next((p / "shared" for p in ROOT.parents if (p / "shared" / "corpus").is_dir()), ROOT.parent / "shared")
REAL = SHARED / "corpus" / "real"
DEFAULT_CACHE = Path(os.environ.get("BUDGETQA_BENCH_CACHE", "/tmp/bq_models"))
EXCLUDED = ("模板", "测试问题版本")  # the blank template and the error-injected copy are not sources of truth


def real_pdfs(folder: Path) -> list[Path]:
    """The real corpus for gold runs: every PDF except the blank template and the error-injected copy."""
    return sorted(p for p in folder.rglob("*.pdf") if not any(x in p.name for x in EXCLUDED))


def clean_up(work: Path, keep: bool = False) -> None:
    """Remove a run's temporary stores, or with `keep` (--keep) say where they stay."""
    if keep:
        print(f"stores kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


def machine() -> str:
    """'x86_64, 2 CPUs (Intel Xeon ...), 23.4 GiB RAM, Python 3.11.7, torch 2 threads'"""
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        ram = float("nan")
    try:
        import torch

        threads = f", torch {torch.get_num_threads()} threads"
    except ImportError:
        threads = ""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{platform.machine()}, {cpus} CPUs ({cpu}), {ram:.1f} GiB RAM, "
            f"Python {platform.python_version()}{threads}")


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def percentile(xs: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(xs)
    return s[max(0, min(len(s) - 1, math.ceil(p / 100 * len(s)) - 1))]


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def dir_size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20 if path.exists() else 0.0


def settings_for(home: Path, embed_model: str, cache: Path = DEFAULT_CACHE) -> Settings:
    """Settings for a fresh home whose models/ folder is the shared cache, so the e5 build happens once."""
    home.mkdir(parents=True, exist_ok=True)
    models = cache / "models"
    models.mkdir(parents=True, exist_ok=True)
    link = home / "models"
    if not link.exists():
        link.symlink_to(models, target_is_directory=True)
    return Settings(home=home, embed_model=embed_model)


class CachedEmbedder:
    """An Embedder whose document vectors are kept in SQLite by text, so a second run embeds only new
    texts. Queries always go to the model: their time is part of an answer's latency."""

    def __init__(self, inner: Embedder, cache: Path = DEFAULT_CACHE):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        cache.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w.-]", "_", str(inner.name))[-80:]
        self._db = sqlite3.connect(cache / f"vectors-{safe}.sqlite3", check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS v (k TEXT PRIMARY KEY, vec BLOB)")
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        keys = [self._key(t) for t in texts]
        with self._lock:
            found: dict[str, list[float]] = {}
            for i in range(0, len(keys), 500):
                part = keys[i : i + 500]
                rows = self._db.execute(f"SELECT k, vec FROM v WHERE k IN ({','.join('?' * len(part))})", part)
                found |= {k: np.frombuffer(b, np.float32).tolist() for k, b in rows}
        todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in found}.items())
        if todo:
            vectors = self.inner.embed_documents([t for _k, t in todo])
            with self._lock:
                self._db.executemany("INSERT OR REPLACE INTO v VALUES (?, ?)",
                                     [(k, np.asarray(v, np.float32).tobytes()) for (k, _t), v in zip(todo, vectors, strict=True)])
                self._db.commit()
            found |= {k: np.asarray(v, np.float32).tolist() for (k, _t), v in zip(todo, vectors, strict=True)}
        self.hits += len(texts) - len(todo)
        self.misses += len(todo)
        return [found[k] for k in keys]

    def embed_query(self, text: str) -> list[float]:
        return list(self.inner.embed_query(text))


def relabel(report: IngestReport, copy: int) -> IngestReport:
    """A copy of a real document's report filed under another department and year: the same tables and
    text, so a larger corpus has the real shape (facts per page, labels, passages) without new PDFs."""
    info = report.info
    department = f"{info.department}（第{copy}副本）"
    year = 2000 + (info.year + copy) % 17  # 2000..2016: never a year of the real corpus (2017..2025)
    name = f"副本{copy:04d}-{info.document}"
    common = {"document": name, "department": department, "year": year}
    new_info = info.model_copy(update=common | {
        "sha256": hashlib.sha256(name.encode("utf-8")).hexdigest(), "group": f"{department}|{year}|{info.kind}"})
    return report.model_copy(update={
        "info": new_info,
        "facts": [f.model_copy(update=common) for f in report.facts],
        "passages": [p.model_copy(update=common) for p in report.passages],
    })


# docs/BENCHMARKS.md is written by two scripts: scripts/benchmark.py writes the file, scripts/bench_servers.py
# its own marked section, which benchmark.py keeps when it writes the file again.
def _marks(name: str) -> tuple[str, str]:
    return f"<!-- begin {name}: written by scripts/{name}.py -->", f"<!-- end {name} -->"


def write_section(path: Path, name: str, body: str) -> None:
    """Put `body` between the section's marks in `path`, replacing what stood there, or append it."""
    begin, end = _marks(name)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{begin}\n{body.strip()}\n{end}\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


def sections(path: Path) -> str:
    """The marked sections `path` holds, to be written again after a regenerated report."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return "".join("\n" + m.group(0) + "\n" for m in re.finditer(r"<!-- begin (\w+):.*?<!-- end \1 -->", text, re.S))
