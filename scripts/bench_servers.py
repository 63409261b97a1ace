"""The embedded default (SQLite + Chroma under home) against PostgreSQL + a Chroma server, side by side:
ingest of the real corpus, N processes ingesting at once, growth to N documents, then in a fresh
process per size: assistant load, memory, warm answer latency, the reload after another process's
ingest, and whether both give the same answers. Prints Markdown and writes it into its own section of
docs/BENCHMARKS.md (docs/SERVERS.md discusses the figures).

    eval "$(bash scripts/start_servers.sh /tmp/bq-servers)"       # or servers of your own
    python scripts/bench_servers.py --servers-dir /tmp/bq-servers [--sizes 30,300,3000] [--json out.json]

Vectors use the hash embedder: the model's speed is the same on both (docs/EMBEDDINGS.md); what
differs is the store. Larger sizes are relabelled copies of the real reports (eval/bench.py `relabel`),
passages indexed, as scripts/benchmark.py does. A report, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from budgetqa.settings import Settings, load_settings  # noqa: E402
from eval.bench import (  # noqa: E402
    current_rss_mb,
    dir_size_mb,
    machine,
    peak_rss_mb,
    percentile,
    real_pdfs,
    relabel,
    write_section,
)
from eval.grade import load_gold  # noqa: E402
from ingest.records import IngestReport  # noqa: E402
from library import stored_report  # noqa: E402
from vectorstore.facts_db import FactStore  # noqa: E402
from vectorstore.servers import create_stores, database_size_mb, drop_stores, settings_env  # noqa: E402

REAL = ROOT.parent / "shared" / "corpus" / "real"
BACKENDS = ("embedded", "servers")


def _ms(xs: list[float]) -> dict:
    return {"p50": round(percentile(xs, 50) * 1000, 1), "p95": round(percentile(xs, 95) * 1000, 1)} if xs else {}


def _env(settings: Settings) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETQA_")}
    return keep | settings_env(settings) | {"PYTHONWARNINGS": "ignore"}


def _settings(kind: str, home: Path, shared: Settings, name: str) -> Settings:
    if kind == "embedded":  # explicit None: unset fields would come from the server variables
        return Settings(home=home, embed_model="hash", database_url=None, chroma_host=None)
    return create_stores(shared.model_copy(update={"home": home, "embed_model": "hash"}), name)


def _sizes_mb(kind: str, s: Settings, servers_dir: Path | None) -> dict:
    if kind == "embedded":
        return {"database_mb": sum(dir_size_mb(p) for p in s.home.glob("facts.sqlite3*")),
                "vectors_mb": dir_size_mb(s.chroma_dir)}
    return {"database_mb": database_size_mb(s),
            "vectors_mb": dir_size_mb(servers_dir / "chroma") if servers_dir else None}


# --------------------------------------------------------------------------- ingest


def bench_ingest(s: Settings, pdfs: list[Path]) -> dict:
    """One process, one file after another, facts and vectors (hash)."""
    from library import Library

    lib = Library(s)
    _ = lib.index
    secs = []
    for p in pdfs:
        t = time.perf_counter()
        o = lib.ingest_one(p)
        secs.append(time.perf_counter() - t)
        if o.status != "ingested":
            raise SystemExit(f"{p.name}: {o.message}")
    return {"documents": len(pdfs), "total_s": sum(secs), "per_document": _ms(secs)}


def bench_parallel(s: Settings, pdfs: list[Path], procs: int) -> dict:
    """`procs` ingest processes at once, each with its own home, on disjoint shares of the files, all
    into the same servers. (Not done embedded: Chroma's embedded store is for one process.)"""
    from vectorstore.facts_db import FactStore
    from vectorstore.index import VectorIndex

    shares = [pdfs[i::procs] for i in range(procs)]
    t0 = time.perf_counter()
    running = [subprocess.Popen([sys.executable, "-m", "cli", "ingest", *map(str, share)],
                                env=_env(s.model_copy(update={"home": s.home / f"p{i}"})),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
               for i, share in enumerate(shares)]
    errors = [p.communicate()[1] for p in running]
    wall = time.perf_counter() - t0
    if any(p.returncode for p in running):
        raise SystemExit("parallel ingest failed:\n" + "\n".join(e[-800:] for e in errors))
    docs = FactStore(s.db_url).documents()
    indexed = VectorIndex(s).documents()
    return {"processes": procs, "documents": len(docs), "indexed": len(indexed), "wall_s": wall,
            "docs_per_min": 60 * len(docs) / wall}


# --------------------------------------------------------------------------- growth and the fresh-process probe


def grow(s: Settings, base: list[IngestReport], upto: int, state: dict) -> dict:
    """Save relabelled copies (facts) and index their passages until the store holds `upto` documents."""
    from library import Library

    lib = Library(s)
    save_s = index_s = 0.0
    added = 0
    while state["n"] < upto:
        if not state["pending"]:
            state["copy"] += 1
            state["pending"] = [relabel(r, state["copy"]) for r in base]
        r = state["pending"].pop(0)
        t = time.perf_counter()
        lib.store.save(r)
        save_s += time.perf_counter() - t
        t = time.perf_counter()
        lib.index.replace_document(r.info.document, [], r.passages)
        index_s += time.perf_counter() - t
        state["n"] += 1
        added += 1
    lib.store.close()
    return {"save_ms_per_doc": 1000 * save_s / max(added, 1), "index_ms_per_doc": 1000 * index_s / max(added, 1)}


def worker(questions: Path) -> dict:
    """In a fresh process on the stores in the environment: load, ask, reload after another writer."""
    from assistant.service import Assistant
    from library import Library
    from vectorstore.facts_db import FactStore

    s = load_settings()
    rss0 = current_rss_mb()
    t = time.perf_counter()
    lib = Library(s)
    bot = Assistant(lib.store, lib.index)
    load_s = time.perf_counter() - t
    items = [json.loads(x) for x in questions.read_text(encoding="utf-8").splitlines() if x.strip()]
    for q in items:
        bot.ask(q["question"])  # warm-up
    times, answers = [], []
    for q in items:
        t = time.perf_counter()
        answers.append(bot.ask(q["question"]).to_json())
        times.append(time.perf_counter() - t)
    versions = []
    for _ in range(50):
        t = time.perf_counter()
        lib.store.version()
        versions.append(time.perf_counter() - t)
    other = FactStore(s.db_url)  # another process's writer
    info = lib.store.document_infos()[0]
    same = IngestReport(info=info, facts=other.facts(document=info.document),
                        passages=other.passages(document=info.document))
    reloads = {}
    for what, write in (("recheck", lambda: other.replace_checks(info.document, other.checks(info.document))),
                        ("save", lambda: other.save(same))):  # re-checked; saved again (as a new ingest is)
        write()
        t = time.perf_counter()
        bot.refresh()
        reloads[what] = time.perf_counter() - t
    return {"load_s": load_s, "rss_loaded_mb": current_rss_mb() - rss0, "rss_peak_mb": peak_rss_mb(),
            "facts": len(bot.facts.facts), "ask": _ms(times), "version": _ms(versions),
            "reload_s": reloads["save"], "reload_recheck_s": reloads["recheck"], "answers": answers}


def probe(s: Settings, questions: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", str(questions)], env=_env(s),
                          capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"worker failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- report


def markdown(r: dict) -> str:
    def pair(key: str, fmt: str, rows: dict) -> str:
        vals = [rows[k].get(key) for k in BACKENDS]
        return " | ".join("–" if v is None else format(v, fmt) for v in vals)

    out = ["## PostgreSQL and a Chroma server, side by side with the embedded default", "",
           f"Generated {r.get('date', '')} by `{r['command']}`; {r['machine']}. PostgreSQL and `chroma run` on the "
           "same machine (loopback); vectors by the `hash` embedder, so the figures compare the stores; sizes above "
           "the real corpus are relabelled copies; each size measured in a fresh process. docs/SERVERS.md discusses "
           "them.", ""]
    ing = r["ingest"]
    out += ["| ingest, one process | embedded | servers |", "|---|---|---|",
            f"| {ing['embedded']['documents']} real PDFs, total s | {pair('total_s', '.1f', ing)} |",
            f"| per document p50 / p95 ms | {ing['embedded']['per_document']['p50']} / "
            f"{ing['embedded']['per_document']['p95']} | {ing['servers']['per_document']['p50']} / "
            f"{ing['servers']['per_document']['p95']} |", ""]
    out += ["| ingest processes at once, servers | documents stored / indexed | wall s | docs/min |",
            "|---|---|---|---|"]
    for k, p in sorted(r["parallel"].items()):
        out.append(f"| {k} | {p['documents']} / {p['indexed']} | {p['wall_s']:.1f} | {p['docs_per_min']:.1f} |")
    out += ["", "| documents | facts | store, ms/doc (emb / srv) | vectors, ms/doc (emb / srv) | "
            "database MB (emb / srv) | vectors MB (emb / srv) | assistant load s (emb / srv) | "
            "RSS after load MB (emb / srv) | ask p50 / p95 ms, embedded | ask p50 / p95 ms, servers | "
            "version() p50 ms (emb / srv) | reload after another process saved one document s (emb / srv) | "
            "same answers |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in r["growth"]:
        e, v = row["embedded"], row["servers"]
        out.append(
            f"| {row['documents']:,} | {e['facts']:,} | {e['save_ms_per_doc']:.0f} / {v['save_ms_per_doc']:.0f} | "
            f"{e['index_ms_per_doc']:.0f} / {v['index_ms_per_doc']:.0f} | {e['database_mb']:.0f} / "
            f"{v['database_mb']:.0f} | {e['vectors_mb']:.0f} / {(v['vectors_mb'] or 0):.0f} | "
            f"{e['load_s']:.1f} / {v['load_s']:.1f} | {e['rss_loaded_mb']:.0f} / {v['rss_loaded_mb']:.0f} | "
            f"{e['ask']['p50']} / {e['ask']['p95']} | {v['ask']['p50']} / {v['ask']['p95']} | "
            f"{e['version']['p50']} / {v['version']['p50']} | {e['reload_s']:.1f} / {v['reload_s']:.1f} | "
            f"{row['same_answers']}/{row['questions']} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="30,300,3000")
    ap.add_argument("--servers-dir", type=Path, help="DIR given to scripts/start_servers.sh (for the Chroma size)")
    ap.add_argument("--parallel", default="1,2,4", help="numbers of ingest processes to run at once")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "BENCHMARKS.md", help="report with a section for this")
    ap.add_argument("--from-json", type=Path, help="only write the section again from a run's --json output")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    if args.from_json:
        write_section(args.out, "bench_servers", markdown(json.loads(args.from_json.read_text(encoding="utf-8"))))
        return
    shared = load_settings()
    if not (shared.database_url and shared.chroma_host):
        raise SystemExit("set BUDGETQA_DATABASE_URL and BUDGETQA_CHROMA_HOST/PORT: "
                         "eval \"$(bash scripts/start_servers.sh DIR)\"")
    pdfs = real_pdfs(REAL)
    work = Path(tempfile.mkdtemp(prefix="bq-bench-servers-"))
    r: dict[str, Any] = {"machine": machine(), "ingest": {}, "parallel": {}, "growth": [],
                         "date": time.strftime("%Y-%m-%d %H:%M"),
                         "command": "python scripts/bench_servers.py " + " ".join(sys.argv[1:])}
    made: list[Settings] = []  # stores made here; the server ones are dropped at the end
    try:
        for kind in BACKENDS:
            s = _settings(kind, work / kind / "ingest", shared, "bench_ingest")
            made.append(s)
            r["ingest"][kind] = bench_ingest(s, pdfs)
            print(f"ingest {kind}: {r['ingest'][kind]['total_s']:.1f} s", flush=True)
        for n in [int(x) for x in args.parallel.split(",")]:
            s = _settings("servers", work / "servers" / f"parallel{n}", shared, f"bench_parallel_{n}")
            made.append(s)
            r["parallel"][n] = bench_parallel(s, pdfs, n)
            print(f"{n} ingest processes on the servers: {r['parallel'][n]['docs_per_min']:.1f} docs/min", flush=True)
        base_store = FactStore(made[0].db_url)
        base = [stored_report(base_store, p.name) for p in pdfs]
        gold = load_gold(ROOT / "eval" / "gold" / "real.jsonl")[::3]  # 71 questions over the real corpus
        questions = work / "questions.jsonl"
        questions.write_text("".join(json.dumps({"question": g.question}, ensure_ascii=False) + "\n" for g in gold),
                             encoding="utf-8")
        grown = {kind: _settings(kind, work / kind / "grow", shared, "bench_grow") for kind in BACKENDS}
        made += list(grown.values())
        state = {kind: {"n": 0, "copy": 0, "pending": list(base)} for kind in BACKENDS}
        for size in sorted(int(x) for x in args.sizes.split(",")):
            row: dict[str, Any] = {"documents": size}
            for kind in BACKENDS:
                row[kind] = grow(grown[kind], base, size, state[kind])
                row[kind] |= _sizes_mb(kind, grown[kind], args.servers_dir)
                row[kind] |= probe(grown[kind], questions)
            a, b = row["embedded"].pop("answers"), row["servers"].pop("answers")
            row["questions"], row["same_answers"] = len(a), sum(x == y for x, y in zip(a, b, strict=True))
            print(f"{size} documents: load {row['embedded']['load_s']:.1f} / {row['servers']['load_s']:.1f} s, "
                  f"ask p50 {row['embedded']['ask']['p50']} / {row['servers']['ask']['p50']} ms, "
                  f"same answers {row['same_answers']}/{row['questions']}", flush=True)
            r["growth"].append(row)
    finally:
        for s in made:
            if s.chroma_host and s.chroma_collection != shared.chroma_collection:  # never the shared library
                drop_stores(s)
    if args.json:
        args.json.write_text(json.dumps(r, ensure_ascii=False, indent=1), encoding="utf-8")
    print(markdown(r))
    write_section(args.out, "bench_servers", markdown(r))
    print(f"wrote its section of {args.out}")


if __name__ == "__main__":
    main()
