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

from _prelude import ROOT  # first: no model downloads, this checkout on the path

# isort: split

from budgetqa.settings import Settings, load_settings  # noqa: E402
from eval.bench import (  # noqa: E402
    REAL,
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
    pages = sum(d.pages for d in lib.store.documents())
    return {"documents": len(pdfs), "pages": pages, "total_s": sum(secs), "pages_per_s": pages / sum(secs),
            "per_document": _ms(secs)}


def bench_parallel(s: Settings, pdfs: list[Path], procs: int) -> dict:
    """`procs` ingest processes at once, each with its own home, on disjoint shares of the files, all
    into the same servers. (Not done embedded: Chroma's embedded store is for one process.)"""
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


def grow(stores: dict[str, Settings], base: list[IngestReport], upto: int, state: dict,
         deadline: float | None = None, vectors_upto: float = float("inf")) -> dict[str, dict]:
    """Save relabelled copies (facts) and index their passages (and any new labels) into every store until
    each holds `upto` documents, or until `deadline` (time.monotonic) has passed. Copies are made once per
    batch of 250 and written to the stores by one thread each (the servers work in their own processes);
    vectors are added per batch (VectorIndex.add_documents), as a bulk load would."""
    from concurrent.futures import ThreadPoolExecutor

    from library import Library

    libs = {k: Library(s) for k, s in stores.items()}
    spent = {k: {"save": 0.0, "index": 0.0, "indexed": 0} for k in stores}
    added = 0

    def write(kind: str, batch: list[IngestReport]) -> None:
        lib = libs[kind]
        t = time.perf_counter()
        lib.store.save_many(batch)  # one transaction per batch (PostgreSQL: COPY)
        spent[kind]["save"] += time.perf_counter() - t
        t = time.perf_counter()
        if state["n"] <= vectors_upto:  # beyond it: facts only (their labels are the real documents')
            lib.index.add_documents([(r.info.document, r.facts, r.passages) for r in batch])
            spent[kind]["indexed"] += len(batch)
        spent[kind]["index"] += time.perf_counter() - t

    with ThreadPoolExecutor(len(stores)) as pool:
        while state["n"] < upto and (deadline is None or time.monotonic() < deadline):
            batch: list[IngestReport] = []
            while len(batch) < 250 and state["n"] < upto:
                if not state["pending"]:
                    state["copy"] += 1
                    state["pending"] = [relabel(r, state["copy"]) for r in base]
                batch.append(state["pending"].pop(0))
                state["n"] += 1
            for f in [pool.submit(write, k, batch) for k in stores]:
                f.result()
            added += len(batch)
    out = {}
    for k, lib in libs.items():
        lib.store.close()
        out[k] = {"save_ms_per_doc": 1000 * spent[k]["save"] / max(added, 1),
                  "index_ms_per_doc": 1000 * spent[k]["index"] / max(spent[k]["indexed"], 1), "stored": state["n"],
                  **_totals(stores[k])}
    return out


def _totals(s: Settings) -> dict:
    store = FactStore(s.db_url)
    try:
        docs = store.documents()
    finally:
        store.close()
    return {"pages": sum(d.pages for d in docs), "facts_total": sum(d.facts for d in docs)}


def worker(questions: Path, model_cache: str | None) -> dict:
    """In a fresh process on the stores in the environment: start as `budgetqa serve` does (Library,
    assistant, vector index opened on first need), ask, reload after another writer."""
    t_start = time.perf_counter()
    from assistant.service import Assistant
    from assistant.startup import LazyIndex
    from library import Library

    s = load_settings()
    rss0 = current_rss_mb()
    t = time.perf_counter()
    lib = Library(s)
    bot = Assistant(lib.store, LazyIndex(lib))
    load_s = time.perf_counter() - t
    items = [json.loads(x) for x in questions.read_text(encoding="utf-8").splitlines() if x.strip()]
    t = time.perf_counter()
    bot.ask(items[0]["question"])
    start_s = time.perf_counter() - t_start  # process start to the first answer (imports included)
    first_s = time.perf_counter() - t
    cold, warm, answers = [], [], []
    for q in items:  # first time each: the documents are read from the store
        t = time.perf_counter()
        bot.ask(q["question"])
        cold.append(time.perf_counter() - t)
    for q in items:
        t = time.perf_counter()
        answers.append(bot.ask(q["question"]).to_json())
        warm.append(time.perf_counter() - t)
    rss_asked = current_rss_mb()
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
    model_mb = None
    if model_cache:  # the default model's share of a serving process (the benchmark's vectors are hash)
        from vectorstore.embeddings import load_embedder

        before = current_rss_mb()
        load_embedder("e5-small-packaged", Path(model_cache) / "models").embed_query("车辆维护的预算是多少？")
        model_mb = current_rss_mb() - before
    return {"load_s": load_s, "start_s": start_s, "first_answer_s": first_s, "rss_loaded_mb": rss_asked,
            "rss_before_mb": rss0, "rss_peak_mb": peak_rss_mb(), "model_mb": model_mb,
            "facts_cached": bot._fact_cache.items_held, "documents_cached": len(bot._fact_cache),
            "ask_cold": _ms(cold), "ask": _ms(warm), "version": _ms(versions),
            "reload_s": reloads["save"], "reload_recheck_s": reloads["recheck"], "answers": answers}


def probe(s: Settings, questions: Path, model_cache: Path | None) -> dict:
    extra = ["--model-cache", str(model_cache)] if model_cache else []
    proc = subprocess.run([sys.executable, __file__, "--worker", str(questions), *extra], env=_env(s),
                          capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"worker failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- report


def markdown(r: dict) -> str:
    def two(row: dict, key: str, fmt: str = ".1f") -> str:
        vals = [row[k].get(key) for k in BACKENDS]
        return " / ".join("–" if v is None else format(v, fmt) for v in vals)

    out = ["## PostgreSQL and a Chroma server, side by side with the embedded default", "",
           f"Generated {r.get('date', '')} by `{r['command']}`; {r['machine']}. PostgreSQL and `chroma run` on the "
           "same machine (loopback); vectors by the `hash` embedder (embedding 30,000 documents' passages with e5 "
           "would take days on 2 shared cores: docs/EMBEDDINGS.md), so the figures compare the stores; the e5 "
           "model's own memory is measured in each probe and added in its own column; sizes above the real corpus "
           "are relabelled copies (other department names and years, same tables and text); each size measured "
           "in a fresh process as `budgetqa serve` starts (the assistant reads facts and passages per question, "
           "through bounded per-document caches: assistant/scoped.py). docs/SERVERS.md discusses them.", ""]
    ing = r["ingest"]
    out += ["| ingest, one process, hash vectors | embedded | servers |", "|---|---|---|",
            f"| {ing['embedded']['documents']} real PDFs ({ing['embedded'].get('pages', '?')} pages), total s | "
            f"{ing['embedded']['total_s']:.1f} | {ing['servers']['total_s']:.1f} |",
            f"| pages/s | {ing['embedded'].get('pages_per_s', 0):.1f} | {ing['servers'].get('pages_per_s', 0):.1f} |",
            f"| per document p50 / p95 ms | {ing['embedded']['per_document']['p50']} / "
            f"{ing['embedded']['per_document']['p95']} | {ing['servers']['per_document']['p50']} / "
            f"{ing['servers']['per_document']['p95']} |", ""]
    if r["parallel"]:
        out += ["| ingest processes at once, servers | documents stored / indexed | wall s | docs/min |",
                "|---|---|---|---|"]
        for k, p in sorted(r["parallel"].items()):
            out.append(f"| {k} | {p['documents']} / {p['indexed']} | {p['wall_s']:.1f} | {p['docs_per_min']:.1f} |")
        out.append("")
    out += ["Each cell: embedded / servers.", "",
            "| documents | pages | facts stored | store ms/doc | vectors ms/doc | database MB | vectors MB | "
            "start to first answer s | RSS after the questions MB | + e5 model MB | ask p50 / p95 ms (warm) | "
            "ask p50 / p95 ms (first time) | reload after another process saved a document s | same answers |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in r["growth"]:
        e, v = row["embedded"], row["servers"]
        out.append(
            f"| {row['documents']:,} | {e.get('pages', 0):,} | {e.get('facts_total', 0):,} | "
            f"{two(row, 'save_ms_per_doc', '.0f')} | {two(row, 'index_ms_per_doc', '.0f')} | "
            f"{e['database_mb']:.0f} / {(v['database_mb'] or 0):.0f} | {e['vectors_mb']:.0f} / {(v['vectors_mb'] or 0):.0f} | "
            f"{two(row, 'start_s')} | {two(row, 'rss_loaded_mb', '.0f')} | {two(row, 'model_mb', '.0f')} | "
            f"{e['ask']['p50']} / {e['ask']['p95']} ; {v['ask']['p50']} / {v['ask']['p95']} | "
            f"{e['ask_cold']['p50']} / {e['ask_cold']['p95']} ; {v['ask_cold']['p50']} / {v['ask_cold']['p95']} | "
            f"{two(row, 'reload_s', '.2f')} | {row['same_answers']}/{row['questions']} |")
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
    ap.add_argument("--model-cache", type=Path, help="measure the e5 model's memory in each probe (its cache folder)")
    ap.add_argument("--passage-vectors-upto", type=int,
                    help="index the passages of the first N documents only (the rest: facts, whose labels exist)")
    ap.add_argument("--files", type=int, help="only the first N real PDFs (a quick check of the script)")
    ap.add_argument("--minutes", type=float, help="stop growing the stores after this many minutes")
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, str(args.model_cache) if args.model_cache else None)))
        return
    if args.from_json:
        write_section(args.out, "bench_servers", markdown(json.loads(args.from_json.read_text(encoding="utf-8"))))
        return
    shared = load_settings()
    if not (shared.database_url and shared.chroma_host):
        raise SystemExit("set BUDGETQA_DATABASE_URL and BUDGETQA_CHROMA_HOST/PORT: "
                         "eval \"$(bash scripts/start_servers.sh DIR)\"")
    pdfs = real_pdfs(REAL)[: args.files]
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
        for n in [int(x) for x in args.parallel.split(",") if x]:
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
        state = {"n": 0, "copy": 0, "pending": list(base)}
        deadline = time.monotonic() + 60 * args.minutes if args.minutes else None
        for size in sorted(int(x) for x in args.sizes.split(",")):
            t = time.perf_counter()
            row: dict[str, Any] = grow(grown, base, size, state, deadline, args.passage_vectors_upto or float("inf"))
            row["grow_s"] = time.perf_counter() - t
            row["documents"] = state["n"]
            for kind in BACKENDS:
                row[kind] |= _sizes_mb(kind, grown[kind], args.servers_dir)
                row[kind] |= probe(grown[kind], questions, args.model_cache)
            a, b = row["embedded"].pop("answers"), row["servers"].pop("answers")
            row["questions"], row["same_answers"] = len(a), sum(x == y for x, y in zip(a, b, strict=True))
            print(f"{size} documents: load {row['embedded']['load_s']:.1f} / {row['servers']['load_s']:.1f} s, "
                  f"ask p50 {row['embedded']['ask']['p50']} / {row['servers']['ask']['p50']} ms, "
                  f"same answers {row['same_answers']}/{row['questions']}", flush=True)
            r["growth"].append(row)
            if deadline is not None and time.monotonic() >= deadline:
                break
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
