"""Fit the candidate ranker and its decision thresholds; report held-out accuracy; write the weights.

    python scripts/fit_ranker.py [--sample-home H] [--real-home H] [--dev shared/dev/questions.jsonl]
                                 [--cache /tmp/bq_models] [--no-dense] [--out assistant/data/ranker.json]
                                 [--report docs/RANKER.md] [--json out.json]

Data: the odd ids of the development questions (dev-001..059 over the sample alone, dev-061..149 over the
real corpus loaded together; the even ids stay held out) and eval/gold/*.jsonl (seed sets over the sample, real sets over the real corpus).
Each question whose plan is a figure lookup gives one group of candidate facts (assistant/candidates.py),
labelled 1 when the fact's value is a gold value. A conditional logistic regression (softmax over a question's
candidates and "none of them", L2-regularised, scipy L-BFGS) is fitted on the groups of the training
questions; the thresholds of assistant/decide.py are chosen on the
training questions' own out-of-fold probabilities (inner 3-fold) so that at most --max-wrong of them
would be answered wrongly. Every question of the held-out fold is then asked end to end (all kinds:
computations and shares use the ranker too) and graded with eval/grade.py.

Splits: 5 folds grouped by question; and by source (fit on the sample's questions, test on the real
corpus's, and the other way round). The weights written are fitted on everything, with thresholds
from the 5-fold out-of-fold probabilities. Ablations (--ablations): without dense similarity,
without the fitted ranker (the hand-weighted lexical lookup), without normalisation.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np  # noqa: E402
from _prelude import ROOT  # first: no model downloads, this checkout on the path

from assistant.candidates import DENSE_K, label_similarities, scope_rows  # noqa: E402
from assistant.features import FEATURES  # noqa: E402
from assistant.ranker import Model, Thresholds  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from eval.baselines import fact_holds  # noqa: E402
from eval.bench import GOLD, SHARED, write_section  # noqa: E402
from eval.grade import GoldItem, is_correct, load_gold  # noqa: E402
from vectorstore.facts_db import FactStore  # noqa: E402

DEV = SHARED / "dev" / "questions.jsonl"
_DENSE = FEATURES.index("dense")


@dataclass
class Item:
    gold: GoldItem
    corpus: str  # "sample" or "real": which store answers it
    set: str  # dev, seed, seed_heldout, real, real_heldout
    x: np.ndarray | None = None  # candidate features (figure-lookup plans only)
    y: np.ndarray | None = None
    values: list[float] = field(default_factory=list)


def load_items(dev: Path) -> list[Item]:
    items: list[Item] = []
    # the even dev ids are the held-out half: never fitted on, never read here
    for g in load_gold(dev):
        n = int(g.id.split("-")[-1])
        if n % 2 == 1:
            items.append(Item(g, "sample" if n <= 60 else "real", "dev"))
    for name, corpus in (("seed", "sample"), ("seed_heldout", "sample"), ("real", "real"), ("real_heldout", "real")):
        if (GOLD / f"{name}.jsonl").exists():
            items += [Item(g, corpus, name) for g in load_gold(GOLD / f"{name}.jsonl")]
    return items


class VectorDense:
    """Dense similarity as the vector index gives it, from an embedder whose document vectors are cached:
    with `labels`, one vector per distinct row label and column path, the DENSE_K nearest of the whole
    library (an index that keeps label vectors); else cosine to each fact's sentence, top DENSE_K
    within the scope (an index with one vector per fact)."""

    def __init__(self, bot: Assistant, embedder, qcache: Path, labels: bool = True):  # type: ignore[no-untyped-def]
        from vectorstore.index import fact_sentence

        self.bot = bot
        self.embedder = embedder
        self.labels = labels
        facts = bot.store.facts()  # every fact of the library (the assistant reads them per question)
        if labels:
            self.keys = sorted({("row", f.row) for f in facts if f.row} | {("column", f.column) for f in facts if f.column})
            texts = [t for _k, t in self.keys]
        else:  # one vector per fact, in the order of the assistant's facts (an assistant holding them all)
            texts = [fact_sentence(f) for f in facts]
        self.m = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
        self.qcache = qcache
        self.q: dict[str, list[float]] = json.loads(qcache.read_text(encoding="utf-8")) if qcache.exists() else {}
        self.new = 0

    def __call__(self, text: str, departments: list[str], years: list[int]) -> dict[int, float]:
        if text not in self.q:
            self.q[text] = list(map(float, self.embedder.embed_query(text)))
            self.new += 1
        rows = scope_rows(self.bot.facts, departments, years, None)
        if not rows:
            return {}
        if self.labels:
            sims = self.m @ np.asarray(self.q[text], dtype=np.float32)
            top = np.argsort(-sims)[:DENSE_K]
            return label_similarities({self.keys[j]: float(sims[j]) for j in top}, self.bot.facts.facts, rows)
        sims = self.m[rows] @ np.asarray(self.q[text], dtype=np.float32)
        top = np.argsort(-sims)[:DENSE_K]
        return {rows[j]: float(sims[j]) for j in top}

    def save(self) -> None:
        if self.new:
            self.qcache.write_text(json.dumps(self.q, ensure_ascii=False), encoding="utf-8")


def candidate_groups(bots: dict[str, Assistant], items: list[Item]) -> None:
    """Features and labels of every figure-lookup question's candidates (independent of the weights)."""
    for it in items:
        bot = bots[it.corpus]
        plan = bot.plan(it.gold.question)
        it.x = it.y = None
        if plan.route != "value":
            continue
        cands = bot.candidates(plan.query, plan.departments, plan.years, plan.kind, "value", plan.text)
        if not cands:
            continue
        it.x = np.asarray([c.x for c in cands], dtype=float)
        it.values = [c.fact.value for c in cands]
        g = it.gold
        it.y = np.asarray([1 if g.expect == "answer" and g.values and fact_holds(c.fact, g) else 0 for c in cands])


def fit(items: list[Item], name: str, dense: bool, l2: float = 1.0) -> Model:
    """Conditional logit: within each question, softmax over its candidates and "none of them"."""
    from scipy.optimize import minimize

    groups = [(it.x, it.y) for it in items if it.x is not None and it.y is not None]
    x = np.vstack([g[0] for g in groups]).astype(float)
    if not dense:
        x[:, _DENSE] = 0.0
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    sizes = np.asarray([len(g[1]) for g in groups])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    gid = np.repeat(np.arange(len(groups)), sizes)
    pos = np.concatenate([g[1] for g in groups]).astype(bool)
    has_pos = np.add.reduceat(pos.astype(float), starts) > 0
    d = z.shape[1]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b0 = theta[:d], theta[d]
        s = z @ w
        m = np.maximum(np.maximum.reduceat(s, starts), b0)
        e = np.exp(s - m[gid])
        e0 = np.exp(b0 - m)
        total_g = np.add.reduceat(e, starts) + e0
        lse = m + np.log(total_g)
        p = e / total_g[gid]
        p0 = e0 / total_g
        sp = np.where(pos, s, -np.inf)
        mp = np.maximum.reduceat(sp, starts)
        mp = np.where(has_pos, mp, 0.0)
        ep = np.where(pos, np.exp(np.minimum(s - mp[gid], 0.0)), 0.0)
        sp_total = np.add.reduceat(ep, starts)
        lp = np.where(has_pos, mp + np.log(np.where(has_pos, sp_total, 1.0)), b0)
        q = np.where(pos, ep / np.where(has_pos, sp_total, 1.0)[gid], 0.0)
        value = float(np.sum(lse - lp)) + 0.5 * l2 * float(w @ w)
        gw = z.T @ (p - q) + l2 * w
        gb = float(np.sum(p0) - np.sum(~has_pos))
        return value, np.concatenate([gw, [gb]])

    res = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    w = res.x[:d]
    if not dense:
        w[_DENSE] = 0.0
    return Model(name, FEATURES, tuple(mean), tuple(scale), tuple(w), float(res.x[d]))


def _summary(it: Item, probs: np.ndarray) -> tuple[float, float, bool]:
    """(best probability, best probability of a different figure, whether the best is right): all the
    decision (assistant/decide.py) reads of a group."""
    mass: dict[float, list] = {}
    for j in np.argsort(-probs, kind="stable"):
        key = round(it.values[j], 2)
        if key not in mass:
            mass[key] = [0.0, j]
        mass[key][0] += float(probs[j])
    groups = sorted(mass.values(), key=lambda m: -m[0])
    p2 = groups[1][0] if len(groups) > 1 else 0.0
    right = bool(it.gold.expect == "answer" and it.y is not None and it.y[groups[0][1]])
    return groups[0][0], p2, right


def choose_thresholds(items: list[Item], probs: dict[str, np.ndarray], max_wrong: float) -> Thresholds:
    """The thresholds answering most questions right with at most max_wrong of them wrong; a refusal
    counts right for a question to refuse. The same rule as assistant/decide.py, on summaries."""
    groups = [(_summary(it, probs[it.gold.id]), it.gold.expect == "refuse") for it in items if it.gold.id in probs]
    n = len(items) or 1
    best, best_key = Thresholds(), None
    for a in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        for m in (0.0, 0.05, 0.1, 0.2, 0.3, 0.4):
            for amb in (0.1, 0.2, 0.3):
                if amb > a:
                    continue
                right = wrong = 0
                for (p1, p2, ok), refuse in groups:
                    if p1 >= a and p1 - p2 >= m:
                        right += ok
                        wrong += not ok
                    elif not (p1 >= amb and p2 >= amb):
                        right += refuse
                key = (wrong / n <= max_wrong, right - 3 * wrong, -a)
                if best_key is None or key > best_key:
                    best, best_key = Thresholds(a, m, amb), key
    return best


def folds_of(items: list[Item], k: int, seed: int = 7) -> list[int]:
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(items))
    out = [0] * len(items)
    for r, i in enumerate(order):
        out[i] = r % k
    return out


def oof_probs(train: list[Item], dense: bool, k: int = 3) -> dict[str, np.ndarray]:
    """Out-of-fold probabilities of the training questions' candidates (for threshold choice)."""
    fl = folds_of(train, k, seed=11)
    out: dict[str, np.ndarray] = {}
    for f in range(k):
        fit_on = [it for it, g in zip(train, fl, strict=True) if g != f]
        model = fit(fit_on, "inner", dense)
        for it, g in zip(train, fl, strict=True):
            if g == f and it.x is not None:
                x = it.x.copy()
                if not dense:
                    x[:, _DENSE] = 0
                out[it.gold.id] = np.asarray(model.probabilities([list(r) for r in x]))
    return out


def run_split(bots: dict[str, Assistant], train: list[Item], test: list[Item], dense: bool, max_wrong: float,
              use_ranker: bool = True) -> dict[str, dict]:
    """Fit on train, ask every test question end to end: id -> graded answer."""
    if use_ranker:
        model = fit(train, "dense" if dense else "lexical", dense)
        t = choose_thresholds(train, oof_probs(train, dense), max_wrong)
        model = Model(model.name, model.features, model.mean, model.scale, model.coef, model.null, t)
        models = {model.name: model}
    else:
        models = {}
    out = {}
    for it in test:
        bot = bots[it.corpus]
        bot.set_models(models)
        ans = bot.ask(it.gold.question).to_json()
        out[it.gold.id] = {"ok": is_correct(it.gold, ans), "status": ans["status"], "value": ans.get("value")}
    return out


def summarise(items: list[Item], graded: dict[str, dict]) -> dict:
    def group(sel: list[Item]) -> dict:
        g = [graded[it.gold.id] for it in sel if it.gold.id in graded]
        n = len(g)
        wrong = sum(1 for x in g if not x["ok"] and x["status"] == "answered")
        return {"items": n, "correct": sum(x["ok"] for x in g), "accuracy": round(sum(x["ok"] for x in g) / n, 4) if n else None,
                "wrong": wrong, "wrong_rate": round(wrong / n, 4) if n else None,
                "ambiguous": sum(1 for x in g if x["status"] == "ambiguous")}

    out: dict = {}
    for corpus in ("sample", "real"):
        for s in ("dev", "gold"):
            sel = [it for it in items if it.corpus == corpus and (it.set == "dev") == (s == "dev")]
            out[f"{s}-{corpus}"] = group(sel)
    dev = [it for it in items if it.set == "dev"]
    out["dev"] = group(dev)
    out["gold"] = group([it for it in items if it.set != "dev"])
    by_kind: dict[str, list[Item]] = defaultdict(list)
    by_asker: dict[str, list[Item]] = defaultdict(list)
    for it in dev:
        by_kind[it.gold.kind].append(it)
        by_asker[it.gold.asker or "-"].append(it)
    out["dev_by_kind"] = {k: group(v) for k, v in sorted(by_kind.items())}
    out["dev_by_asker"] = {k: group(v) for k, v in sorted(by_asker.items())}
    return out


def cross_validate(bots: dict[str, Assistant], items: list[Item], dense: bool, max_wrong: float, k: int = 5,
                   use_ranker: bool = True) -> tuple[dict, dict]:
    fl = folds_of(items, k)
    graded: dict[str, dict] = {}
    for f in range(k):
        train = [it for it, g in zip(items, fl, strict=True) if g != f]
        test = [it for it, g in zip(items, fl, strict=True) if g == f]
        graded |= run_split(bots, train, test, dense, max_wrong, use_ranker)
    cv = summarise(items, graded)
    cv["graded"] = graded
    by_source: dict[str, dict] = {}
    for held in ("real", "sample"):
        train = [it for it in items if it.corpus != held]
        test = [it for it in items if it.corpus == held]
        g = run_split(bots, train, test, dense, max_wrong, use_ranker)
        by_source[f"fit on {'sample' if held == 'real' else 'real'}, test on {held}"] = summarise(test, g)
    return cv, by_source


def build_bots(homes: dict[str, Path], dense_cache: Path | None, normalise: bool = True,
               labels: bool = True) -> dict[str, Assistant]:
    bots = {}
    embedder = None
    if dense_cache is not None:
        from eval.bench import CachedEmbedder
        from vectorstore.embeddings import load_embedder

        embedder = CachedEmbedder(load_embedder(os.environ.get("BUDGETQA_EMBED_MODEL", "e5-small-packaged"),
                                                dense_cache / "models"), dense_cache)
    for corpus, home in homes.items():
        bot = Assistant(FactStore(f"sqlite:///{home / 'facts.sqlite3'}"), models={}, normalise=normalise)
        if embedder is not None:
            dense = VectorDense(bot, embedder, dense_cache / f"queries-{corpus}.json", labels)  # type: ignore[operator]
            bot.use_dense = True
            bot.ranker.dense = dense
        bots[corpus] = bot
    return bots


def ingest_homes(work: Path) -> dict[str, Path]:
    from budgetqa.settings import Settings
    from eval.bench import real_pdfs
    from library.library import Library

    homes = {"sample": work / "sample", "real": work / "real"}
    paths = {"sample": sorted((ROOT / "samples").glob("*.pdf")), "real": real_pdfs(SHARED / "corpus" / "real")}
    for corpus, home in homes.items():
        lib = Library(Settings(home=home, embed_model="hash"))
        failed = [o.message for o in lib.ingest(paths[corpus], index=False) if o.status == "failed"]
        if failed:
            raise SystemExit("ingest failed: " + "; ".join(failed))
    return homes


def pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"




def _row(name: str, g: dict) -> str:
    return (f"| {name} | {g['items']} | {pct(g['accuracy'])} ({g['correct']}) | {pct(g['wrong_rate'])} ({g['wrong']}) | "
            f"{g['ambiguous']} |")


def report(results: dict, meta: dict) -> str:
    """The held-out section of docs/EVALUATION.md: 5-fold figures, source splits, kinds, askers, ablations."""
    full = results["full"]
    cv = full["cv"]
    head = "| questions | items | correct | answered wrongly | ambiguous |\n|---|---|---|---|---|"
    out = ["## Held-out accuracy of the fitted matcher (scripts/fit_ranker.py)", "",
           f"Generated by `{meta['command']}` on {meta['date']} ({meta['minutes']:.1f} min). Every figure below is "
           "measured on questions the weights and thresholds were **not** fitted on: 5 folds grouped by question "
           "(thresholds chosen by an inner 3-fold on the training part only), and two source splits. "
           f"Dense similarity: {meta['dense']}. *ambiguous*: answered with the close readings and a question "
           "back (not counted correct, not counted wrong).", "",
           "### 5-fold cross-validation", "", head]
    for k, name in (("dev-sample", "shared/dev over the sample (dev-001..060)"),
                    ("dev-real", "shared/dev over the real corpus (dev-061..150)"), ("dev", "shared/dev, all"),
                    ("gold-sample", "eval/gold seed + seed_heldout"), ("gold-real", "eval/gold real + real_heldout"),
                    ("gold", "eval/gold, all")):
        out.append(_row(name, cv[k]))
    out += ["", "### Whole sources held out", "", head]
    for split, r in full["by_source"].items():
        out.append(_row(f"{split}: shared/dev", r["dev"]))
        out.append(_row(f"{split}: eval/gold", r["gold"]))
    out += ["", "### shared/dev by kind and by asker (5-fold)", "", head]
    for k, g in cv["dev_by_kind"].items():
        out.append(_row(f"kind {k}", g))
    for k, g in cv["dev_by_asker"].items():
        out.append(_row(f"asker {k}", g))
    if len(results) > 1:
        kinds = list(cv["dev_by_kind"])
        askers = list(cv["dev_by_asker"])
        out += ["", "### Ablation (same 5 folds)", "",
                "| variant | dev sample | dev real | dev wrong | gold | " + " | ".join(kinds) + " | "
                + " | ".join(askers) + " |", "|---|---|---|---|---|" + "---|" * (len(kinds) + len(askers))]
        for name, r in results.items():
            c = r["cv"]
            out.append(f"| {name} | {pct(c['dev-sample']['accuracy'])} | {pct(c['dev-real']['accuracy'])} | "
                       f"{pct(c['dev']['wrong_rate'])} | {pct(c['gold']['accuracy'])} | "
                       + " | ".join(pct(c["dev_by_kind"][k]["accuracy"]) for k in kinds) + " | "
                       + " | ".join(pct(c["dev_by_asker"][k]["accuracy"]) for k in askers) + " |")
        out += ["", "*without dense similarity*: the same ranker fitted with the dense feature at 0 (what a library "
                "without a vector index uses); *without the fitted ranker*: the hand-weighted lexical lookup of "
                "assistant/lookup.py with its fixed score threshold; *without normalisation*: questions read as "
                "typed (no traditional → simplified, English glossary, pinyin place names, year words), ranker "
                "refitted."]
    return "\n".join(out)



def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample-home", type=Path)
    ap.add_argument("--real-home", type=Path)
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("BUDGETQA_BENCH_CACHE", "/tmp/bq_models")))
    ap.add_argument("--no-dense", action="store_true", help="fit without dense similarity (no embedding model)")
    ap.add_argument("--fact-vectors", action="store_true",
                    help="dense similarity to one sentence per fact (an index without label vectors)")
    ap.add_argument("--max-wrong", type=float, default=0.025)
    ap.add_argument("--ablations", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "assistant" / "data" / "ranker.json")
    ap.add_argument("--json", type=Path, help="every figure measured, as JSON")
    ap.add_argument("--report", type=Path, help="write the held-out section into this file (docs/EVALUATION.md)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    if args.sample_home and args.real_home:
        homes = {"sample": args.sample_home, "real": args.real_home}
    else:
        homes = ingest_homes(Path(tempfile.mkdtemp(prefix="bq_fit_")))
    items = load_items(args.dev)
    results: dict = {}
    configs = [("full", not args.no_dense, True, True)]
    if args.ablations:
        configs += [("without dense similarity", False, True, True), ("without the fitted ranker", False, False, True),
                    ("without normalisation", not args.no_dense, True, False)]
    final: dict[str, Model] = {}
    for name, dense, use_ranker, normalise in configs:
        bots = build_bots(homes, args.cache if dense else None, normalise, not args.fact_vectors)
        candidate_groups(bots, items)
        cv, by_source = cross_validate(bots, items, dense, args.max_wrong, use_ranker=use_ranker)
        results[name] = {"cv": cv, "by_source": by_source}
        print(f"{name}: dev CV sample {pct(cv['dev-sample']['accuracy'])} real {pct(cv['dev-real']['accuracy'])} "
              f"wrong {pct(cv['dev']['wrong_rate'])}; gold {pct(cv['gold']['accuracy'])}  ({time.perf_counter() - t0:.0f}s)",
              flush=True)
        if name == "full" or (name == "without dense similarity"):
            oof = _oof_all(items, dense)
            m = fit(items, "dense" if dense else "lexical", dense)
            t = choose_thresholds(items, oof, args.max_wrong)
            # an index with label vectors gives its own kind of similarity: its own weights
            name = "dense_labels" if dense and not args.fact_vectors else m.name
            final[name] = Model(name, m.features, m.mean, m.scale, m.coef, m.null, t,
                                  os.environ.get("BUDGETQA_EMBED_MODEL", "e5-small-packaged") if dense else None)
        for bot in bots.values():
            if isinstance(bot.ranker.dense, VectorDense):
                bot.ranker.dense.save()
    if "lexical" not in final:  # a library without a vector index needs weights too
        m = fit(items, "lexical", False)
        final["lexical"] = Model("lexical", m.features, m.mean, m.scale, m.coef, m.null,
                                 choose_thresholds(items, _oof_all(items, False), args.max_wrong))
    n_groups = sum(1 for it in items if it.x is not None)
    args.out.write_text(json.dumps({
        "about": "Fitted by scripts/fit_ranker.py (logistic regression over assistant/features.py; thresholds of "
                 "assistant/decide.py chosen on 5-fold out-of-fold probabilities, at most "
                 f"{args.max_wrong:.1%} answered wrongly). Training: {len(items)} questions "
                 f"(shared/dev + eval/gold), {n_groups} figure lookups.",
        "models": [m.to_json() for m in final.values()]}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.report:
        from datetime import datetime

        meta = {"command": "python scripts/fit_ranker.py" + (" --ablations" if args.ablations else ""),
                "date": datetime.now().strftime("%Y-%m-%d %H:%M"), "minutes": (time.perf_counter() - t0) / 60,
                "dense": "off" if args.no_dense else "multilingual-e5-small (BUDGETQA_EMBED_MODEL) over each fact's sentence"}
        write_section(args.report, "fit_ranker", report(results, meta))
        print(f"wrote {args.report}")


def _oof_all(items: list[Item], dense: bool) -> dict[str, np.ndarray]:
    return oof_probs(items, dense, k=5)


if __name__ == "__main__":
    main()
