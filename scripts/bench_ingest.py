"""Ingest speed with the default embedding model, and one model build per machine: writes its section of
docs/BENCHMARKS.md.

    python scripts/bench_ingest.py [--cache DIR] [--json out.json]

Ingests the sample (and two real PDFs) into a fresh home with `e5-small-packaged`, the way `budgetqa
ingest` does (PDF read in the sandboxed child process, facts to SQLite, vectors to embedded Chroma):
pages per second, parse against embedding time, vectors written. Then a second home on the same model
cache: whether it built the model again. A report, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eval.bench import REAL, dir_size_mb, load_average, machine, real_pdfs, write_section  # noqa: E402

PICKS = ("2019年度部门预算公开表格", "财政局2024")


def _home(root: Path, name: str, cache: Path) -> Any:
    from budgetqa.settings import Settings

    return Settings(home=root / name, model_cache=cache, embed_model="e5-small-packaged", database_url=None,
                    chroma_host=None)


def run(cache: Path, work: Path) -> dict[str, Any]:
    from library import Library
    from vectorstore.schema import fact_labels

    out: dict[str, Any] = {"machine": machine(), "load_start": load_average(), "cache": str(cache),
                           "date": time.strftime("%Y-%m-%d %H:%M")}
    built_before = (cache / "models" / "e5-small-packaged").is_dir()
    t = time.perf_counter()
    lib = Library(_home(work, "home1", cache))
    _ = lib.index  # builds the model into the cache if needed, then loads it
    out["first_home_model_s"] = time.perf_counter() - t
    out["model_was_built"] = not built_before
    files = sorted((ROOT / "samples").glob("*.pdf")) + [p for p in real_pdfs(REAL) if any(k in p.name for k in PICKS)]
    rows = []
    for p in files:
        t = time.perf_counter()
        o = lib.ingest_one(p)
        wall = time.perf_counter() - t
        if o.status != "ingested":
            raise SystemExit(f"{p.name}: {o.message}")
        d = lib.store.document(p.name)
        assert d is not None
        facts = lib.store.facts(document=p.name)
        rows.append({"document": p.name, "pages": d.pages, "facts": d.facts, "seconds": wall,
                     "parse_seconds": d.seconds, "passages": len(lib.store.passages(document=p.name)),
                     "labels": len({x for f in facts for x in fact_labels(f)})})
    out["ingest"] = rows
    out["labels_in_index"] = lib.index.labels()
    out["vectors_in_index"] = lib.index.count()
    t = time.perf_counter()
    lib2 = Library(_home(work, "home2", cache))
    _ = lib2.index
    out["second_home_model_s"] = time.perf_counter() - t
    out["model_folders"] = sorted(p.name for p in (cache / "models").iterdir() if not p.name.startswith("."))
    out["model_mb"] = dir_size_mb(cache / "models")
    out["home_mb"] = {h: dir_size_mb(work / h) for h in ("home1", "home2")}
    out["load_end"] = load_average()
    return out


def markdown(r: dict) -> str:
    sample = r["ingest"][0]
    pages = sum(x["pages"] for x in r["ingest"])
    secs = sum(x["seconds"] for x in r["ingest"])
    out = ["## Ingest with the default model; one model build per machine", "",
           f"Generated {r['date']} by `python scripts/bench_ingest.py`; {r['machine']}; load average "
           f"{r['load_start']} at start, {r['load_end']} at end (the machine is shared: ±30%). Each file ingested as "
           "`budgetqa ingest` does it (read in the sandboxed child process, facts to SQLite, vectors to embedded "
           "Chroma) with `e5-small-packaged`, the model already loaded. Vectors: one per passage and one per "
           "distinct fact label (row label, column path), shared by every fact and document that prints it; a "
           "repeated text is embedded once.", "",
           "| document | pages | facts | distinct labels (rows, columns) | passages | parse s | total s | pages/s |",
           "|---|---|---|---|---|---|---|---|"]
    for x in r["ingest"]:
        out.append(f"| {x['document']} | {x['pages']} | {x['facts']} | {x['labels']} | {x['passages']} | "
                   f"{x['parse_seconds']:.2f} | {x['seconds']:.2f} | {x['pages'] / x['seconds']:.1f} |")
    out += ["", f"**The sample: {sample['pages'] / sample['seconds']:.1f} pages/s** ({sample['seconds']:.1f} s for "
            f"{sample['pages']} pages, of which parsing {sample['parse_seconds']:.1f} s; before, one vector per fact: "
            "25.6 s, 1.3 pages/s). All three: "
            f"{pages / secs:.1f} pages/s. The index holds {r['vectors_in_index']:,} vectors for these documents "
            f"({r['labels_in_index']:,} labels), where one sentence per fact would have made "
            f"{sum(x['facts'] + x['passages'] for x in r['ingest']):,}.", "",
            f"Model cache `{r['cache']}` (setting `BUDGETQA_MODEL_CACHE`, default `~/.cache/budgetqa`): first home "
            f"{'built and ' if r['model_was_built'] else ''}loaded the model in {r['first_home_model_s']:.1f} s; a second "
            f"home on the same machine loaded it in {r['second_home_model_s']:.1f} s without building: the cache holds "
            f"{', '.join(r['model_folders'])} once ({r['model_mb']:.0f} MB); the homes hold "
            + ", ".join(f"{h} {mb:.1f} MB" for h, mb in r["home_mb"].items()) + " (no model)."]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, help="model cache folder (default: a fresh temporary one, built here)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "BENCHMARKS.md")
    ap.add_argument("--from-json", type=Path)
    args = ap.parse_args()
    if args.from_json:
        r = json.loads(args.from_json.read_text(encoding="utf-8"))
    else:
        with tempfile.TemporaryDirectory(prefix="bq-ingest-") as tmp:
            r = run(args.cache or Path(tmp) / "cache", Path(tmp))
    if args.json:
        args.json.write_text(json.dumps(r, ensure_ascii=False, indent=1), encoding="utf-8")
    print(markdown(r))
    write_section(args.out, "bench_ingest", markdown(r))


if __name__ == "__main__":
    main()
