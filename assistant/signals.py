"""What the decision knows of an answer before it is given: named signals of the answer, of the best
lexical candidate and of its rivals (`Signals`), read the same way whatever produced the answer.

The confidence model (assistant/confidence.py, weights in data/confidence.json) weighs these by name,
so candidate finding may change underneath: refitting (scripts/fit_confidence.py) is all a change needs.
A name the weights file lacks weighs nothing; a name the code no longer computes reads 0.

No signal measures how much the question says beyond the item (its length, its story words, its
language): words that match nothing must not veto a figure whose label the question asks for. The
signals compare the figure's labels with the question, and the figure with its rivals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from assistant.candidates import Ranker
from assistant.fact_labels import canonical_table, fact_labels
from assistant.features import FEATURES, Idf, features, question_side
from assistant.lookup import GENERIC_COLUMNS, FactIndex, Scored
from assistant.normalise import pinyin_key, pinyin_of
from assistant.plan import Plan
from assistant.records import Answer
from budgetqa.vocabulary import is_money, is_total_row, vocabulary
from ingest.records import Fact

CLOSE = 2.0  # lexical points within which another figure is a rival reading
_COMPUTE = ("sum_or_difference", "share", "change", "budget_vs_final", "previous_year")
# the ranker's features of the answer's fact that say how well it matches (assistant/features.py)
_FACT = ("q_cov_row", "q_cov_col", "q_cov_table", "q_cov_all", "q_cov_py", "leaf_cov", "leaf_cov_py", "col_cov",
         "col_generic", "target_row", "target_col", "code", "count_count", "count_plain", "pct_pct",
         "pct_plain", "target_asked", "target_plain", "narrative", "total_row", "total_asked", "part_col", "final_col",
         "budget_asked", "zero")

SIGNALS = ("route_value", "route_count", "route_compute", "route_narrative", "has_value", "unit_money", "unit_pct",
           "unit_count", "computed", "stated_in_text", "citations", "alternatives", "whole_library", "one_year",
           "no_hits", "top_score", "margin", "rivals", "uncovered",
           "canonical", "not_canonical", "table_named", "answer_is_top", "answer_in_hits", "support", "leaf_in_question", "label_unasked") + tuple(f"fact_{f}" for f in _FACT)


class Reader(Protocol):
    """What the signals read of the assistant: its scoped facts and the ranker's label descriptions."""

    @property
    def facts(self) -> FactIndex: ...

    @property
    def ranker(self) -> Ranker: ...


@dataclass
class Signals:
    """The named signals of one answer, and the rival readings an "ambiguous" answer would list."""

    values: dict[str, float]
    readings: list[Fact] = field(default_factory=list)  # distinct figures, the answer's first (value route only)
    near: list[Scored] = field(default_factory=list)  # the best lexical candidates: "did you mean"

    def vector(self, names: tuple[str, ...]) -> list[float]:
        return [self.values.get(n, 0.0) for n in names]


def _clip(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def _same(a: float | None, b: float) -> bool:
    return a is not None and abs(a - b) < 0.005


def signals(bot: Reader, p: Plan, a: Answer) -> Signals:
    """The signals of answer `a` to plan `p` (any route; the lexical part reads the plan's item words)."""
    q = p.query
    v = vocabulary()
    s: dict[str, float] = {
        "route_value": float(p.route == "value" and not q.count),
        "route_count": float(p.route == "value" and q.count),
        "route_compute": float(p.route in _COMPUTE),
        "route_narrative": float(p.route == "narrative"),
        "has_value": float(a.value is not None),
        "unit_money": float(bool(a.unit) and is_money(a.unit)),
        "unit_pct": float(a.unit == v.percent),
        "unit_count": float(bool(a.unit) and not is_money(a.unit) and a.unit != v.percent),
        "computed": float(a.computation is not None),
        "stated_in_text": float(bool(a.citations) and not a.citations[0].table),
        "citations": min(len(a.citations), 5) / 5,
        "alternatives": float(bool(a.alternatives)),
        "whole_library": float(not p.departments),
        "one_year": float(len(p.years) == 1),
    }
    hits = bot.facts.lookup(q, p.departments, p.years, p.kind, "value", limit=20)
    if not hits:
        s["no_hits"] = 1.0
        return Signals(s)
    top = hits[0]
    mine = next((h for h in hits if _same(a.value, h.fact.value)), None)
    best = mine or top
    rival = next((h for h in hits if not _same(best.fact.value, h.fact.value)), None)
    close: list[Scored] = []
    for h in hits:
        if h.score >= top.score - CLOSE and not any(_same(c.fact.value, h.fact.value) for c in close):
            close.append(h)
    lab = fact_labels(best.fact)
    leaf = lab.row_leaf or lab.col_leaf
    home = canonical_table(leaf)
    s |= {
        "top_score": _clip(top.score / 10, -1.0, 3.0),
        "margin": _clip((best.score - rival.score) / 10, -1.0, 2.0) if rival else 2.0,
        "rivals": min(len(close) - 1, 3),
        "uncovered": min(len(best.uncovered), 6) / 6,
        "canonical": float(best.canonical > 0),
        "not_canonical": float(home is not None and home != best.fact.table_type),
        "table_named": float(best.table_named),
        "answer_is_top": float(_same(a.value, top.fact.value)),
        "answer_in_hits": float(mine is not None),
        "support": min(sum(_same(best.fact.value, h.fact.value) for h in hits) - 1, 3) / 3,
        "leaf_in_question": float(len(leaf) >= 2 and (says(q.q, leaf) or leaf in {t for _w, t in q.targets})),
        "label_unasked": unasked(lab.row_leaf, lab.col_leaf, q.q + "".join(t for _w, t in q.targets)),
    }
    s |= {f"fact_{k}": x for k, x in _fact_features(bot, p, best).items() if k in _FACT}
    readings = [c.fact for c in close] if p.route == "value" and not q.count else []
    if mine is not None and readings and not _same(readings[0].value, mine.fact.value):
        readings = [mine.fact, *(f for f in readings if not _same(f.value, mine.fact.value))]
    return Signals(s, readings[:3], hits[:3])


def says(text: str, label: str) -> bool:
    """Whether the text contains the label, or a homophone of it ("陪训费" says 培训费)."""
    if label in text:
        return True
    want, have = " ".join(pinyin_key(label)), " ".join(pinyin_key(text))
    return bool(want) and f" {want} " in f" {have} "


def unasked(row_leaf: str, col_leaf: str, asked: str) -> float:
    """Share of the figure's own label (row leaf unless a total, column leaf unless generic) that the
    question does not say: a figure whose label names more than was asked may be another item."""
    text = ("" if is_total_row(row_leaf) else row_leaf) + ("" if col_leaf in GENERIC_COLUMNS else col_leaf)
    text = re.sub(r"[^\u4e00-\u9fff]", "", text)
    sounds = {pinyin_of(ch) for ch in asked}  # a homophone typo ("培训废") asks for the label's character
    return sum(ch not in asked and pinyin_of(ch) not in sounds for ch in text) / len(text) if text else 0.0


def _fact_features(bot: Reader, p: Plan, hit: Scored) -> dict[str, float]:
    """The ranker's coverage features (IDF over the labels in scope) of the answer's fact."""
    facts = bot.facts.facts
    rows = bot.facts.select(p.departments, p.years, p.kind)
    idf = Idf(bot.ranker.describe(facts[i]) for i in rows)
    qs = question_side(p.query, idf)
    x = features(hit.fact, bot.ranker.describe(hit.fact), qs, p.query, idf, hit, 0.0)
    return dict(zip(FEATURES, x, strict=True))
