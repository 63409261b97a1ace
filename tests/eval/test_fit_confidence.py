"""scripts/fit_confidence.py: what a threshold would score, how thresholds are chosen, grouped folds,
and the knock-out that hides the facts stating a gold figure."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from eval.grade import GoldItem
from ingest.records import Fact

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
_spec = importlib.util.spec_from_file_location("fit_confidence", ROOT / "scripts" / "fit_confidence.py")
assert _spec and _spec.loader
fc = importlib.util.module_from_spec(_spec)
sys.modules["fit_confidence"] = fc
_spec.loader.exec_module(fc)


def _row(i: str, correct: bool, gated: bool = True, expect: str = "answer", set_: str = "seed",
         readings: int = 0, readings_right: bool = False, status: str = "answered") -> object:
    return fc.Row(i, set_, f"g-{i}", expect, status, correct, {"margin": 1.0} if gated else None, readings_right,
                  readings)


def test_outcome_counts_what_a_threshold_would_give():
    rows = [_row("right", True), _row("wrong", False), _row("should-refuse", False, expect="refuse"),
            _row("refused", False, gated=False, status="not_found"),
            _row("listed", True, readings=2, readings_right=True)]
    probs = {"right": 0.9, "wrong": 0.2, "should-refuse": 0.1, "listed": 0.4}
    o = fc.outcome(rows, probs, 0.5, 0.3)
    # wrong withheld (refused); the question to refuse withheld (right); the last listed with its readings
    assert (o.right, o.wrong, o.refused, o.ambiguous, o.ambiguous_useful) == (2, 0, 3, 1, 1)
    everything = fc.outcome(rows, probs, 0.0, 0.0)
    assert (everything.right, everything.wrong) == (2, 2)


def test_the_threshold_chosen_trades_wrong_figures_for_refusals_at_the_cost_given():
    asked = [_row(f"r{i}", True) for i in range(10)] + [_row("w", False)]
    probs = {f"r{i}": 0.8 for i in range(10)} | {"w": 0.3}
    ko = [_row(f"k{i}", False, expect="refuse", set_="knockout") for i in range(4)]
    probs |= {f"k{i}": 0.3 + 0.1 * i for i in range(4)}  # 0.3 … 0.6: all below the right answers
    answer, _amb = fc.choose(asked + ko, probs, prior=0.25, cost=3.0)
    assert 0.6 < answer <= 0.8  # every wrong figure withheld, every right one kept
    lenient, _ = fc.choose(asked + ko, probs, prior=0.0, cost=0.0)
    assert lenient == 0.0  # a wrong figure that costs nothing is never withheld


def test_folds_keep_a_group_together():
    rows = [fc.Row(f"q{i}", "seed", f"g{i // 3}", "answer", "answered", True, None, False, 0) for i in range(30)]
    fold = fc.folds(rows, 5, seed=1)
    for g in range(10):
        assert len({fold[i] for i in range(30) if rows[i].group == f"g{g}"}) == 1


def test_a_knockout_hides_the_facts_stating_the_gold_figure_in_its_unit():
    item = GoldItem(id="x", question="q", expect="answer", values=[0.83], unit="万元")
    fact = Fact(document="d.pdf", department="d", year=2025, kind="预算", page=1, value=8300.0, unit="元",
                column="c", source="table")
    assert fc._states(fact, item)
    assert not fc._states(fact.model_copy(update={"value": 8400.0}), item)


def test_questions_asking_about_one_fact_share_a_group_and_refusals_stand_alone():
    a = GoldItem(id="a", question="q1", expect="answer", values=[1], source={"file": "seed/x.pdf", "page": 3, "row": "r"})
    b = GoldItem(id="b", question="q2", expect="answer", values=[1], source={"file": "x.pdf", "page": 3, "row": "r"})
    r = GoldItem(id="r", question="q3", expect="refuse")
    assert fc.group_of(a, "sample") == fc.group_of(b, "sample") != fc.group_of(r, "sample")
