"""Full evaluation: the assistant, its ablations and two retrieval baselines on every gold set, with
retrieval recall@1/@5; writes docs/EVALUATION.md (and, with --json, every number as JSON).

    python scripts/evaluate.py [--embed-model e5-small-packaged] [--cache /tmp/bq_models] [--json out.json]

Ingests samples/ (gold sets seed, seed_heldout) and the real corpus (real, real_heldout; without the blank
template and the error-injected copy) into fresh stores under a temporary folder. The embedding model is
BUDGETQA_EMBED_MODEL (default e5-small-packaged) for our vector index and for the vector baseline alike.
Its build and the document vectors are cached in --cache, so only the first run pays for embedding
about 7,800 texts (33 minutes on 2 cores shared with other jobs); later runs take about 4 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path

from _prelude import ROOT  # first: no model downloads, this checkout on the path

# isort: split

from assistant.service import Assistant  # noqa: E402
from eval.baselines import (  # noqa: E402
    CHUNK_OVERLAP,
    CHUNK_SIZE,
    KeywordRAG,
    VectorRAG,
    assistant_evidence,
    grade_retrieval,
    page_chunks,
)
from eval.bench import (  # noqa: E402
    DEFAULT_CACHE,
    GOLD,
    REAL,
    CachedEmbedder,
    clean_up,
    load_average,
    machine,
    real_pdfs,
    sections,
    settings_for,
)
from eval.grade import load_gold, run_eval  # noqa: E402
from library import Library  # noqa: E402
from vectorstore.embeddings import load_embedder  # noqa: E402

KINDS = ("lookup", "table_cell", "percent", "computed", "narrative", "refuse")
OURS = "budgetqa"
METHODS = {  # name -> what it is, for the report
    OURS: "the assistant as `budgetqa` runs it (BUDGETQA_RANKER=lexical): table lookup + thesaurus + hybrid "
          "passages (BM25 + vectors)",
    "budgetqa with the fitted ranker": "Assistant(use_ranker=True): BUDGETQA_RANKER=fitted (dense similarity a feature)",
    "budgetqa, fitted ranker without dense retrieval": "Assistant(use_ranker=True, use_dense=False)",
    "budgetqa without normalisation": "Assistant(normalise=False): no traditional/full-width/typo folding",
    "budgetqa without the thesaurus": "Assistant(use_thesaurus=False)",
    "budgetqa without the table-lookup tool": "Assistant(use_tables=False): figures stated in the narrative only",
    "vector RAG, top 5 (upper bound)": f"page text → RecursiveCharacterTextSplitter({CHUNK_SIZE}, {CHUNK_OVERLAP}) → "
                                       "same embeddings → Chroma top 5; correct if the figure is in the 5 chunks",
    "BM25, top 5 (upper bound)": "BM25 (jieba + bigram tokens) over the same chunks, top 5; same criterion",
}
_LEXICAL = {"use_ranker": False}  # the product default (Settings.ranker); Assistant() alone means the fitted one
_VARIANTS = {OURS: _LEXICAL,
             "budgetqa with the fitted ranker": {"use_ranker": True},
             "budgetqa, fitted ranker without dense retrieval": {"use_ranker": True, "use_dense": False},
             "budgetqa without normalisation": {**_LEXICAL, "normalise": False},
             "budgetqa without the thesaurus": {**_LEXICAL, "use_thesaurus": False},
             "budgetqa without the table-lookup tool": {**_LEXICAL, "use_tables": False}}


def build_store(home: Path, paths: list[Path], model: str, cache: Path) -> tuple[Library, float]:
    """Ingest into a fresh home with the full vector index (facts and passages), vectors from the cache."""
    lib = Library(settings_for(home, model, cache))
    lib.index.embedder = CachedEmbedder(lib.index.embedder, cache)
    t0 = time.perf_counter()
    failed = [o for o in lib.ingest(paths) if o.status == "failed"]
    if failed:
        raise SystemExit("ingest failed: " + "; ".join(o.message for o in failed))
    return lib, time.perf_counter() - t0


def evaluate_set(gold_name: str, lib: Library, baselines: dict) -> dict:
    gold = load_gold(GOLD / f"{gold_name}.jsonl")
    out: dict = {}
    for name, kw in _VARIANTS.items():
        bot = Assistant(lib.store, lib.index, embed_model=lib.settings.embed_model, **kw)
        t0 = time.perf_counter()
        r = run_eval(bot, gold).to_json()
        r["retrieval"] = grade_retrieval(assistant_evidence(bot), gold).recall
        out[name] = r
        print(f"{gold_name:<13} {name:<40} {r['accuracy']:.1%}  {time.perf_counter() - t0:.1f}s", flush=True)
    for name, retrieve in baselines.items():
        t0 = time.perf_counter()
        graded = grade_retrieval(retrieve, gold)
        r = graded.to_json()
        r["retrieval"] = graded.recall
        out[name] = r
        print(f"{gold_name:<13} {name:<40} {r['accuracy']:.1%}  {time.perf_counter() - t0:.1f}s", flush=True)
    return out


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def _p0(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def report(results: dict, sizes: dict, meta: dict) -> str:
    sets = list(results)
    out = ["# Evaluation", "",
           f"Generated by `{meta['command']}` on {meta['date']} in {meta['minutes']:.1f} min; "
           f"{meta['machine']}; load average {meta['load_start']} at start, {meta['load_end']} at end "
           "(other jobs shared the machine). Embeddings: "
           f"`{meta['model']}` for our vector index and the vector baseline alike.", "",
           "Stores: `samples/` (1 PDF) for the seed sets; the real corpus "
           f"({meta['real_docs']} PDFs, {meta['real_pages']} pages: `shared/corpus/{REAL.name}` without "
           "`附件2：部门决算模板.pdf` and `24年普陀区财政局（测试问题版本）.pdf`) for the real sets. Baseline chunks: "
           f"{meta['chunks']['sample']} (sample), {meta['chunks']['real']} (real).", "",
           "## Accuracy", "",
           "| method | " + " | ".join(f"{s} ({sizes[s]})" for s in sets) + " |",
           "|---|" + "---|" * len(sets)]
    for m in METHODS:
        out.append(f"| {m} | " + " | ".join(
            f"**{_pct(results[s][m]['accuracy'])}** ({results[s][m]['correct']}/{results[s][m]['items']})"
            if m == OURS else f"{_pct(results[s][m]['accuracy'])} ({results[s][m]['correct']}/{results[s][m]['items']})"
            for s in sets) + " |")
    out += ["", "The two retrieval baselines return text, not a figure: they are graded generously (the gold "
            "figure anywhere in the 5 chunks counts as a correct answer; a question to refuse counts only when "
            "nothing is retrieved, which never happens for vector search). Read their rows as the ceiling of an "
            "LLM that reads those chunks perfectly.", "",
            "## Retrieval recall", "",
            "Share of `answer` items whose gold figure (or, for keyword-graded items, every keyword) stands in "
            "the first 1 / 5 retrieved items; *gold page*: only items retrieved from the gold source's file and "
            "page count.", "",
            "| method | " + " | ".join(f"{s} R@1 | R@5 | R@5 gold page" for s in sets) + " |",
            "|---|" + "---|---|---|" * len(sets)]
    for m in METHODS:
        cells = []
        for s in sets:
            rr = results[s][m]["retrieval"]
            cells += [_pct(rr["recall_at_1"]), _pct(rr["recall_at_5"]), _pct(rr["recall_at_5_gold_page"])]
        out.append(f"| {m} | " + " | ".join(cells) + " |")
    out += ["", "For the assistant the ranked items are the top 5 facts of `Assistant.facts.lookup` for the "
            "question's plan (department, year, kind, item words, measure; before the score threshold the "
            "assistant applies to decide to refuse), a fact counting when its value converted to the gold unit "
            "equals a gold value; for narrative questions the top 5 passages of its hybrid retriever. Items "
            "whose answer is computed (sums, differences, shares) rarely have their figure in any single item, "
            "for any method.", ""]
    for s in sets:
        out += [f"## {s} ({sizes[s]} questions)", "",
                "| method | accuracy | " + " | ".join(KINDS) + " | citations | refusal P / R | p50 ms |",
                "|---|---|" + "---|" * len(KINDS) + "---|---|---|"]
        for m in METHODS:
            r = results[s][m]
            kinds = " | ".join(_p0(r["by_kind"].get(k, {}).get("accuracy")) for k in KINDS)
            out.append(f"| {m} | {_pct(r['accuracy'])} | {kinds} | {_pct(r.get('citation_accuracy'))} | "
                       f"{_pct(r['refusal_precision'])} / {_pct(r['refusal_recall'])} | {r['latency_ms_p50']} |")
        out.append("")
    out += ["## Definitions", "",
            "- *accuracy*: CONTRACT.md's grading (`eval/grade.py`, also `budgetqa eval GOLD.jsonl`): the answer's "
            "value converted between 元/万元/亿元 equals a gold value within 0.005, or the answer contains every "
            "`answer_contains` keyword; a `refuse` item is correct when the status is `not_found` with no value.",
            "- *citations*: of the `answer` items with a gold file and page, the share whose answer cites that "
            "file and page (figures printed on several pages count only on the gold one).",
            "- *refusal P / R*: precision and recall of `not_found` as a detector of the `refuse` items.",
            "- *p50 ms*: median time per question on this machine, warm (model loaded, store read).", ""]
    for m, what in METHODS.items():
        out.append(f"- *{m}*: {what}.")
    out.append("")
    for s in sets:
        if s.endswith("heldout"):
            continue  # held-out failures stay out of sight of whoever tunes the assistant
        fails = results[s][OURS]["failures"]
        out += [f"## Failures of budgetqa on {s} ({len(fails)})", ""]
        out += [f"- {f['id']} [{f['kind']}] {f['question']} — expected {f['expected']}, got {f['status']} "
                f"{'' if f['value'] is None else f['value']}{f['unit'] or ''}: {f['answer'][:90]}" for f in fails]
        out.append("")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embed-model", default=os.environ.get("BUDGETQA_EMBED_MODEL", "e5-small-packaged"))
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="e5 build and document vectors")
    ap.add_argument("--corpus", type=Path, default=REAL)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "EVALUATION.md")
    ap.add_argument("--keep", action="store_true", help="keep the temporary stores (printed at the end)")
    ap.add_argument("--json", type=Path, help="also write every number here")
    args = ap.parse_args()
    t_start, load_start = time.perf_counter(), load_average()
    work = Path(tempfile.mkdtemp(prefix="bq_eval_"))
    real = real_pdfs(args.corpus)
    samples = sorted((ROOT / "samples").glob("*.pdf"))
    sample_lib, t_sample = build_store(work / "sample", samples, args.embed_model, args.cache)
    real_lib, t_real = build_store(work / "real", real, args.embed_model, args.cache)
    print(f"stores built: sample {t_sample:.0f}s, real {t_real:.0f}s", flush=True)
    embedder = CachedEmbedder(load_embedder(args.embed_model, args.cache / "models"), args.cache)
    chunks = {"sample": page_chunks(samples), "real": page_chunks(real)}
    baselines = {}
    for corpus, ch in chunks.items():
        t0 = time.perf_counter()
        baselines[corpus] = {"vector RAG, top 5 (upper bound)": VectorRAG(ch, embedder),
                             "BM25, top 5 (upper bound)": KeywordRAG(ch)}
        print(f"baselines over {corpus}: {len(ch)} chunks, {time.perf_counter() - t0:.0f}s", flush=True)
    plan = [("seed", sample_lib, "sample"), ("seed_heldout", sample_lib, "sample"),
            ("real", real_lib, "real"), ("real_heldout", real_lib, "real")]
    results, sizes = {}, {}
    for name, lib, corpus in plan:
        if (GOLD / f"{name}.jsonl").exists():
            results[name] = evaluate_set(name, lib, baselines[corpus])
            sizes[name] = results[name][OURS]["items"]
    meta = {"command": "python scripts/evaluate.py", "date": datetime.now().strftime("%Y-%m-%d %H:%M"),
            "machine": machine(), "model": args.embed_model, "load_start": load_start, "load_end": load_average(),
            "minutes": (time.perf_counter() - t_start) / 60, "real_docs": len(real),
            "real_pages": sum(d.pages for d in real_lib.store.documents()),
            "chunks": {k: len(v) for k, v in chunks.items()}}
    text = report(results, sizes, meta)
    text = text.rstrip("\n") + "\n" + sections(args.out)  # the sections the fitting and conversation scripts write stay
    args.out.write_text(text, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.out} ({meta['minutes']:.1f} min)")
    clean_up(work, keep=args.keep)


if __name__ == "__main__":
    main()
