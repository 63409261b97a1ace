"""Fit the decision model (assistant/confidence.py): P(answer right | signals), and its thresholds.

    python scripts/fit_confidence.py --sample-home H --real-home H [--report docs/EVALUATION.md]

Training questions: eval/gold/*.jsonl and the odd ids of shared/dev (dev-001..060 over a home with the
sample alone, dev-061..150 over a home with the real corpus; the gold seed sets over the sample, the
real sets over the real corpus). The even dev ids are never read here: they stay held out.

Every question is asked end to end with the decision off; an answered figure gives one row (its signals,
assistant/signals.py; label: the gold grader's verdict). Rows are cached per question in --cache under a
fingerprint of the code, the data files and the stores, so a re-run after a merge recomputes and a
re-run without changes only refits. Logistic regression (scikit-learn) on standardised signals.

Knock-outs: every training question with a gold figure is asked again with each fact stating that figure
hidden, so the documents no longer say: refusing is right, any figure wrong. They stand for the new
questions whose item the lookup misses, the way wrong figures arise on held-out questions.

Folds are grouped by what a question asks about (the gold source's file, page and row; a refusal is its
own group; a knock-out goes with its question), so paraphrases of one question never sit on both sides.
For each of 5 outer folds the model is fitted on the other four and its thresholds are chosen on those
four's own inner out-of-fold probabilities: the best right − --cost × wrong per question on a mix of the
questions (weight 1 − --prior) and their knock-outs (weight --prior). The held-out tables count the outer
folds' questions only. The model written is fitted on everything, with thresholds chosen on the outer
out-of-fold probabilities. shared/dev questions weigh as much in all as the eval/gold ones in the fit.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _prelude import ROOT  # first: no model downloads, this checkout on the path

# isort: split

import numpy as np  # noqa: E402

from assistant.confidence import WEIGHTS, Confidence  # noqa: E402
from assistant.signals import SIGNALS, signals  # noqa: E402
from eval.bench import GOLD, SHARED, write_section  # noqa: E402
from eval.grade import GoldItem, convert, is_correct, load_gold  # noqa: E402

DEV = SHARED / "dev" / "questions.jsonl"
GRID = tuple(round(x, 2) for x in np.arange(0.0, 0.96, 0.05))


@dataclass
class Row:
    """One training question as the product answered it with the decision off."""

    id: str
    set: str  # dev, seed, seed_heldout, real, real_heldout
    group: str
    expect: str
    status: str
    correct: bool
    x: dict[str, float] | None  # signals of an answered figure (None: not gated)
    readings_right: bool  # an ambiguous answer would list the gold figure
    readings: int

    @property
    def gated(self) -> bool:
        return self.x is not None


def training_items(dev: Path) -> list[tuple[GoldItem, str, str]]:
    """(item, corpus, set): gold files and the odd-id half of the dev set."""
    out = []
    for g in load_gold(dev):
        n = int(g.id.split("-")[-1])
        if n % 2 == 1:
            out.append((g, "sample" if n <= 60 else "real", "dev"))
    for name in ("seed", "seed_heldout", "real", "real_heldout"):
        if (GOLD / f"{name}.jsonl").exists():
            out += [(g, "sample" if name.startswith("seed") else "real", name) for g in load_gold(GOLD / f"{name}.jsonl")]
    return out


def group_of(g: GoldItem, corpus: str) -> str:
    s = g.source or {}
    if g.expect == "refuse" or not s.get("file"):
        return f"{corpus}:{g.id}"
    return f"{corpus}:{Path(str(s['file'])).name}:{s.get('page')}:{s.get('row') or s.get('column') or ''}"


def fingerprint(homes: dict[str, Path]) -> str:
    """Code, data and stores the answers depend on: a change anywhere re-asks every question."""
    h = hashlib.sha256()
    for top in ("assistant", "ingest", "vectorstore", "budgetqa"):
        for p in sorted((ROOT / top).rglob("*")):
            if p.suffix in (".py", ".toml", ".json") and p.name != "confidence.json":
                h.update(p.relative_to(ROOT).as_posix().encode())
                h.update(p.read_bytes())
    for fn in (_row, _hide, _states, training_items, group_of):  # how rows are made is part of them
        h.update(inspect.getsource(fn).encode())
    for name, home in sorted(homes.items()):
        db = home / "facts.sqlite3"
        st = db.stat()
        h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def ask_all(homes: dict[str, Path], items: list[tuple[GoldItem, str, str]], cache: Path) -> list[Row]:
    """Every training question asked with the decision off, its signals and grade (cached)."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"rows-{fingerprint(homes)}.jsonl"
    if path.exists():
        return [Row(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    from assistant.service import build_assistant
    from budgetqa.settings import Settings
    from library import Library

    bots = {}
    for corpus, home in homes.items():
        settings = Settings(home=home)
        bot = build_assistant(settings, Library(settings))
        bot.confidence = None
        bots[corpus] = bot
    hidden: list[GoldItem] = []  # the knock-out: facts stating this item's gold figure are hidden
    for bot in bots.values():
        _hide(bot, hidden)
    rows = []
    for g, corpus, name in items:
        rows.append(_row(bots[corpus], g, corpus, name))
        if g.expect == "answer" and g.values:
            hidden.append(g)
            rows.append(_row(bots[corpus], g, corpus, name, knockout=True))
            hidden.clear()
    path.write_text("".join(json.dumps(r.__dict__, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return rows


def _row(bot: Any, g: GoldItem, corpus: str, name: str, knockout: bool = False) -> Row:
    """Ask one question with the decision off: its grade and, for an answered figure, its signals."""
    p = bot.plan(g.question)
    a = bot.execute(p)
    a.question = g.question
    ans = a.to_json()
    x, right, n = None, False, 0
    if a.status == "answered" and a.value is not None:
        s = signals(bot, p, a)
        x = s.values
        n = len(s.readings)
        right = any(is_correct(g, {"status": "answered", "value": f.value, "unit": f.unit}) for f in s.readings)
    if knockout:  # the documents no longer state the figure: refusing is right, any other figure wrong
        ok = a.status != "answered" or is_correct(g, ans)
        return Row(f"knockout:{name}:{g.id}", "knockout", group_of(g, corpus), "refuse", a.status, ok, x, False, n)
    return Row(f"{name}:{g.id}", name, group_of(g, corpus), g.expect, a.status, is_correct(g, ans), x, right, n)


def _hide(bot: Any, hidden: list[GoldItem]) -> None:
    """While `hidden` names an item, the bot's facts omit every fact stating one of its gold figures
    (in the gold unit): the question asked of documents that do not say."""
    facts = bot.facts
    hold = facts._hold

    def held(doc_ids: list) -> None:
        hold(doc_ids)
        if hidden:
            keep = [i for i, f in enumerate(facts._local.facts) if not any(_states(f, g) for g in hidden)]
            facts._local.facts = [facts._local.facts[i] for i in keep]
            facts._local.labels = [facts._local.labels[i] for i in keep]

    facts._hold = held


def _states(f: Any, g: GoldItem) -> bool:
    got = convert(float(f.value), f.unit, g.unit) if g.unit else float(f.value)
    return got is not None and any(abs(got - v) <= 0.005 for v in g.values)


def matrix(rows: list[Row]) -> np.ndarray:
    return np.asarray([[r.x.get(n, 0.0) for n in SIGNALS] for r in rows if r.x is not None], dtype=float)


def fit(rows: list[Row], c: float) -> Confidence:
    from sklearn.linear_model import LogisticRegression

    gated = [r for r in rows if r.gated]
    x = matrix(gated)
    y = np.asarray([r.correct for r in gated], dtype=int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    if len(set(y)) < 2:  # every answer right (or wrong): a constant
        p = float(np.clip(y.mean(), 0.01, 0.99))
        return Confidence(SIGNALS, tuple(mean), tuple(scale), (0.0,) * len(SIGNALS), float(np.log(p / (1 - p))), 0.5, 0.5)
    lr = LogisticRegression(C=c, max_iter=5000)
    lr.fit((x - mean) / scale, y, sample_weight=weights(gated))
    return Confidence(SIGNALS, tuple(mean), tuple(scale), tuple(float(w) for w in lr.coef_[0]),
                      float(lr.intercept_[0]), 0.5, 0.5)


def _users(r: Row) -> bool:
    """A question of shared/dev (written as users type), or its knock-out."""
    return r.set == "dev" or r.id.startswith("knockout:dev:")


def weights(rows: list[Row]) -> np.ndarray:
    """The questions written as users type them (shared/dev) weigh as much in all as those written next
    to the code (eval/gold), though fewer."""
    users = sum(_users(r) for r in rows)
    other = len(rows) - users
    return np.asarray([len(rows) / 2 / (users if _users(r) else other) if users and other else 1.0 for r in rows])


def probabilities(model: Confidence, rows: list[Row]) -> dict[str, float]:
    from assistant.signals import Signals

    return {r.id: model.probability(Signals(r.x)) for r in rows if r.x is not None}


@dataclass
class Outcome:
    right: int = 0
    wrong: int = 0
    refused: int = 0  # not found or ambiguous, for a question with an answer (or a wrong refusal)
    ambiguous: int = 0
    ambiguous_useful: int = 0  # ambiguous answers listing the gold figure

    def add(self, o: Outcome) -> None:
        for k in self.__dict__:
            setattr(self, k, getattr(self, k) + getattr(o, k))


def outcome(rows: list[Row], probs: dict[str, float], answer: float, ambiguous: float) -> Outcome:
    """What the product would score with these thresholds (the rule of Confidence.verdict)."""
    o = Outcome()
    for r in rows:
        if r.x is None or probs.get(r.id, 1.0) >= answer:
            if r.correct:
                o.right += 1
            elif r.status == "answered":
                o.wrong += 1
            else:
                o.refused += 1
                o.ambiguous += r.status == "ambiguous"
        elif r.expect == "refuse":
            o.right += 1  # a figure where the documents do not say, withheld
        else:
            o.refused += 1
            if probs[r.id] >= ambiguous and r.readings >= 2:
                o.ambiguous += 1
                o.ambiguous_useful += r.readings_right
    return o


def choose(rows: list[Row], probs: dict[str, float], prior: float, cost: float) -> tuple[float, float]:
    """answer: the threshold with the best expected score per question, right − cost × wrong, on a mix of
    the questions as asked (weight 1 − prior) and the knock-outs (weight prior: questions whose figure the
    lookup does not find); ambiguous: the lowest probability from which the readings listed hold the
    gold figure at least half the time (else never ambiguous)."""
    asked = [r for r in rows if r.set != "knockout"]
    ko = [r for r in rows if r.set == "knockout"]

    def score(part: list[Row], t: float) -> float:
        o = outcome(part, probs, t, 1.0)
        return (o.right - cost * o.wrong) / len(part) if part else 0.0

    best = max(GRID, key=lambda t: ((1 - prior) * score(asked, t) + prior * score(ko, t), -t))
    amb = best
    for t in sorted(g for g in GRID if g < best):
        listed = [r for r in rows if r.x is not None and t <= probs[r.id] < best and r.readings >= 2]
        if listed and sum(r.readings_right for r in listed) >= len(listed) / 2:
            amb = t
            break
    return best, amb


def folds(rows: list[Row], k: int, seed: int) -> list[int]:
    from sklearn.model_selection import GroupKFold

    out = [0] * len(rows)
    split = GroupKFold(n_splits=k, shuffle=True, random_state=seed)
    for f, (_train, test) in enumerate(split.split(rows, groups=[r.group for r in rows])):
        for i in test:
            out[i] = f
    return out


def fit_and_choose(train: list[Row], c: float, prior: float, cost: float) -> Confidence:
    """Fit on train; thresholds from train's own inner 4-fold out-of-fold probabilities."""
    inner = folds(train, 4, seed=11)
    probs: dict[str, float] = {}
    for f in range(4):
        m = fit([r for r, g in zip(train, inner, strict=True) if g != f], c)
        probs |= probabilities(m, [r for r, g in zip(train, inner, strict=True) if g == f])
    answer, amb = choose(train, probs, prior, cost)
    m = fit(train, c)
    return Confidence(m.names, m.mean, m.scale, m.coef, m.intercept, answer, amb)


def cross_validate(rows: list[Row], c: float, prior: float, cost: float) -> tuple[dict[str, Outcome], dict[str, float], list]:
    """Held-out outcomes by set (outer 5 folds), the outer out-of-fold probabilities, fold thresholds."""
    outer = folds(rows, 5, seed=7)
    by_set: dict[str, Outcome] = {}
    oof: dict[str, float] = {}
    chosen = []
    for f in range(5):
        train = [r for r, g in zip(rows, outer, strict=True) if g != f]
        test = [r for r, g in zip(rows, outer, strict=True) if g == f]
        m = fit_and_choose(train, c, prior, cost)
        chosen.append((m.answer, m.ambiguous))
        p = probabilities(m, test)
        oof |= p
        for name in PARTS:
            sel = [r for r in test if _part(r) == name]
            by_set.setdefault(name, Outcome()).add(outcome(sel, p, m.answer, m.ambiguous))
    return by_set, oof, chosen


PARTS = ("dev-sample", "dev-real", "gold", "knockout")


def _part(r: Row) -> str:
    if r.set == "knockout":
        return "knockout"
    if r.set != "dev":
        return "gold"
    return "dev-sample" if r.group.startswith("sample") else "dev-real"


def _line(name: str, n: int, o: Outcome) -> str:
    return (f"| {name} | {n} | {o.right} ({o.right / n:.1%}) | {o.wrong} ({o.wrong / n:.1%}) | {o.refused} | "
            f"{o.ambiguous} ({o.ambiguous_useful} list the right figure) |")


def report(rows: list[Row], held: dict[str, Outcome], oof: dict[str, float], chosen: list, final: Confidence,
           minutes: float, command: str) -> str:
    head = "| questions | n | right | answered wrongly | refused | of which ambiguous |\n|---|---|---|---|---|---|"
    out = ["## The fitted decision: answered, ambiguous or not found (scripts/fit_confidence.py)", "",
           f"Generated by `{command}` ({minutes:.1f} min). Training questions: eval/gold/ and the odd ids of "
           f"shared/dev ({_count(rows)}). Folds are grouped by the fact a question asks about. Every figure below is on "
           "questions the weights and thresholds were **not** fitted on (5 outer folds; thresholds chosen on the "
           "training folds' inner out-of-fold probabilities: the best right − "
           f"{_CHOICE[1]:g} × wrong per question on a mix of the questions as asked and, with weight {_CHOICE[0]:g}, "
           "the knock-outs). A *knock-out* is a training question asked again with every fact stating its gold figure "
           "hidden: the documents no longer say, so any figure is wrong (the failure new questions show when the "
           "lookup misses the item asked about). Fold thresholds (answer, ambiguous): "
           + ", ".join(f"{a:.2f}/{b:.2f}" for a, b in chosen) + ".", "",
           "### Held-out folds, before and after the decision", "", head]
    for name, label in (("dev-sample", "shared/dev odd ids, sample"), ("dev-real", "shared/dev odd ids, real corpus"),
                        ("gold", "eval/gold"), ("knockout", "knock-out: eval/gold and dev odd, gold figure hidden")):
        sel = [r for r in rows if _part(r) == name]
        out.append(_line(f"{label}, without the decision", len(sel), outcome(sel, {}, -1.0, 1.0)))
        out.append(_line(f"{label}, with it", len(sel), held[name]))
    asked = [r for r in rows if r.set != "knockout"]
    ko = [r for r in rows if r.set == "knockout"]
    total = Outcome()
    for name, o in held.items():
        if name != "knockout":
            total.add(o)
    out.append(_line("eval/gold and shared/dev odd ids, with it", len(asked), total))
    out += ["", "### Trade-off on the held-out folds (out-of-fold probabilities)", "",
            f"| answer threshold | right ({len(asked)} questions) | answered wrongly | refused | knock-out: wrong figure "
            f"({len(ko)}) | knock-out: refused |", "|---|---|---|---|---|---|"]
    for t in GRID:
        o, k = outcome(asked, oof, t, 1.0), outcome(ko, oof, t, 1.0)
        out.append(f"| {t:.2f} | {o.right} | {o.wrong} ({o.wrong / len(asked):.1%}) | {o.refused} | "
                   f"{k.wrong} ({k.wrong / len(ko):.1%}) | {k.right} |")
    w = sorted(zip(final.names, final.coef, strict=True), key=lambda nc: -abs(nc[1]))[:8]
    out += ["", f"Written: assistant/data/confidence.json, fitted on all of them, thresholds "
            f"answer {final.answer:.2f}, ambiguous {final.ambiguous:.2f}. Largest weights (standardised): "
            + ", ".join(f"{n} {c:+.2f}" for n, c in w) + "."]
    return "\n".join(out)


_CHOICE = [0.25, 3.0]


def _count(rows: list[Row]) -> str:
    asked = [r for r in rows if r.set != "knockout"]
    ko = [r for r in rows if r.set == "knockout"]
    return (f"{len(asked)} questions, {sum(r.gated for r in asked)} answered with a figure by the product with the "
            f"decision off; {len(ko)} knock-outs, {sum(r.gated for r in ko)} answered with a figure")



def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample-home", type=Path, required=True, help="a home with the sample PDF alone")
    ap.add_argument("--real-home", type=Path, required=True, help="a home with the real corpus")
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/bq_confidence"))
    ap.add_argument("--prior", type=float, default=0.25,
                    help="share of new questions whose figure the lookup does not find (weight of the knock-outs)")
    ap.add_argument("--cost", type=float, default=3.0, help="a wrong figure costs this many refusals")
    ap.add_argument("--c", type=float, default=0.3, help="inverse L2 strength of the logistic regression")
    ap.add_argument("--out", type=Path, default=WEIGHTS)
    ap.add_argument("--report", type=Path, help="write the held-out section into this file (docs/EVALUATION.md)")
    args = ap.parse_args()
    _CHOICE[:] = [args.prior, args.cost]
    t0 = time.perf_counter()
    rows = ask_all({"sample": args.sample_home, "real": args.real_home}, training_items(args.dev), args.cache)
    held, oof, chosen = cross_validate(rows, args.c, args.prior, args.cost)
    answer, amb = choose(rows, oof, args.prior, args.cost)
    m = fit(rows, args.c)
    final = Confidence(m.names, m.mean, m.scale, m.coef, m.intercept, answer, amb)
    args.out.write_text(json.dumps({
        "about": "Fitted by scripts/fit_confidence.py: logistic regression (scikit-learn, C="
                 f"{args.c}) of 'the answered figure is right' on the signals of assistant/signals.py (standardised: "
                 "weight per unit of standard deviation), over the answered figures of eval/gold/ and the odd ids of "
                 f"shared/dev ({_count(rows)}). Thresholds of "
                 "assistant/confidence.py chosen on 5-fold out-of-fold probabilities grouped by the fact asked "
                 f"about: the best right - {args.cost:g} x wrong per question on a mix of the questions and (weight "
                 f"{args.prior:g}) their knock-outs (asked again with the facts stating the gold figure hidden); ambiguous "
                 "from where the listed readings hold the right figure at least half the time.",
        "model": final.to_json()}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    command = ("python scripts/fit_confidence.py --sample-home HOME --real-home HOME"
               + (f" --report {args.report}" if args.report else ""))
    section = report(rows, held, oof, chosen, final, (time.perf_counter() - t0) / 60, command)
    print(section.strip())
    print(f"\nwrote {args.out}")
    if args.report:
        write_section(args.report, "fit_confidence", section)
        print(f"wrote {args.report}")


if __name__ == "__main__":
    main()
