"""Candidate facts for a query, ranked by the fitted model.

Candidates come from one store query filtered by department, year and kind (`scope_rows`, the one
place to swap for a SQL query), then pass a type check (`features.compatible`), then are scored on
every general signal at once: lexical coverage of their full description, pinyin, thesaurus,
classification code, dense similarity of the question to the fact's sentence in the vector index,
table type, measure and unit (assistant/features.py). A fact that no signal touches is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.features import (
    FEATURES,
    Description,
    Idf,
    compatible,
    describe,
    features,
    legacy_scores,
    question_side,
)
from assistant.lookup import FactIndex, Scored
from assistant.ranker import Model
from assistant.understand import Query
from ingest.records import Fact

# question text, departments, years -> fact row (index into FactIndex.facts) -> cosine similarity
Dense = Callable[[str, list[str], list[int]], dict[int, float]]
DENSE_K = 64
_CODE = FEATURES.index("code")


@dataclass
class Candidate:
    """One fact that may answer the query: its features and the model's probability."""

    fact: Fact
    row: int
    x: list[float]
    p: float
    lexical: Scored | None

    def as_scored(self) -> Scored:
        s = self.lexical
        return Scored(self.fact, self.p, s.matched if s else [], s.uncovered if s else "", s.table_named if s else False)


def scope_rows(index: FactIndex, departments: list[str], years: list[int], kind: str | None) -> list[int]:
    """The facts of these departments and years (empty: any) and kind: the store query."""
    return index.select(departments, years, kind)


def label_similarities(label_sims: dict[tuple[str, str], float], facts: list[Fact], rows: list[int]) -> dict[int, float]:
    """A fact's dense similarity when the index holds one vector per distinct label (row label, column
    path) rather than per fact: the better of its row's and its column's, among the labels retrieved."""
    out: dict[int, float] = {}
    for i in rows:
        f = facts[i]
        sims = [label_sims[k] for k in (("row", f.row or ""), ("column", f.column)) if k in label_sims]
        if sims:
            out[i] = max(sims)
    return out


def dense_feature(sims: dict[int, float]) -> dict[int, float]:
    """Similarities of the top hits, rescaled to [0, 1] within the question (1 = nearest, 0 = the k-th
    or not retrieved), so the feature means the same for any embedding model."""
    if not sims:
        return {}
    hi, lo = max(sims.values()), min(sims.values())
    return {i: (s - lo) / (hi - lo) if hi > lo else 1.0 for i, s in sims.items()}


class Ranker:
    """Scores the candidates of a query; without a fitted model (no weights file) the lexical score ranks."""

    def __init__(self, index: FactIndex, descriptions: list[Description] | None = None, dense: Dense | None = None,
                 model: Model | None = None, choose: Callable[[], Model | None] | None = None):
        self.index = index
        # a fact's description depends on its table title, row and column only: shared by every fact
        # printed under the same labels, kept across questions (bounded)
        self._described: dict[tuple[str | None, str | None, str], Description] = {}
        self.dense = dense
        self.model = model
        self.choose = choose  # picks the model once dense similarity is known (it depends on the index kind)

    def describe(self, f: Fact) -> Description:
        k = _key(f)
        d = self._described.get(k)
        if d is None:
            if len(self._described) > 200_000:
                self._described.clear()
            d = self._described[k] = describe(f)
        return d

    def candidates(self, q: Query, departments: list[str], years: list[int], kind: str | None,
                   measure: str = "value", text: str | None = None) -> list[Candidate]:
        scope = scope_rows(self.index, departments, years, kind)
        facts = self.index.facts  # the facts the store query read (per call for a scoped index)
        rows = [i for i in scope if compatible(facts[i], q, measure)]
        if not rows:
            return []
        lexical = legacy_scores(self.index, rows, q, measure)
        descriptions = {i: self.describe(facts[i]) for i in scope}
        idf = Idf(descriptions.values())  # label statistics of the documents in scope
        qs = question_side(q, idf)
        dense = dense_feature(self.dense(text or q.text, departments, years)) if self.dense else {}
        out = []
        for i in rows:
            d = descriptions[i]
            x = features(facts[i], d, qs, q, idf, lexical.get(i), dense.get(i, 0.0))
            if i not in lexical and i not in dense and not (qs.grams & (d.row | d.col | d.syn)) \
                    and not (qs.targets & d.row_leaf) and not x[_CODE]:
                continue  # nothing of the question touches this fact
            out.append(Candidate(facts[i], i, x, _lexical_only(lexical.get(i)), lexical.get(i)))
        model = self.choose() if self.choose is not None else self.model
        if model is not None and out:
            for c, p in zip(out, model.probabilities([c.x for c in out]), strict=True):
                c.p = p
        out.sort(key=lambda c: (-c.p, c.fact.page, c.row))
        return out


def _key(f: Fact) -> tuple[str | None, str | None, str]:
    return f.table, f.row, f.column


def _lexical_only(s: Scored | None) -> float:
    """Before a model is fitted: the lexical score squashed to (0, 1)."""
    if s is None:
        return 0.0
    return max(0.0, min(1.0, s.score / 12))
