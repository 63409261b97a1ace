"""The fitted ranker and the decision on its candidates: probabilities, figures, thresholds."""

from __future__ import annotations

import json

from assistant.candidates import Candidate, dense_feature
from assistant.decide import decide, figures
from assistant.features import FEATURES
from assistant.ranker import WEIGHTS, Model, Thresholds, load_models
from ingest.records import Fact


def _fact(value: float, table: str = "t", row: str = "r") -> Fact:
    return Fact(document="d.pdf", department="某部门", year=2025, kind="预算", table=table, page=1, row=row,
                column="合计", value=value, unit="万元")


def _cand(value: float, p: float, table: str = "t", row: str = "r") -> Candidate:
    return Candidate(_fact(value, table, row), 0, [], p, None)


def test_probabilities_compete_with_none_of_them():
    m = Model("m", ("a",), (0.0,), (1.0,), (2.0,), 0.0)
    ps = m.probabilities([[1.0], [0.0], [-1.0]])
    assert ps[0] > ps[1] > ps[2] and sum(ps) < 1.0
    low = Model("m", ("a",), (0.0,), (1.0,), (2.0,), 10.0).probabilities([[1.0]])
    assert low[0] < 0.01  # a strong "none of them": the documents do not say


def test_the_same_figure_in_two_tables_is_one_reading():
    cands = [_cand(4.6, 0.35, "三公表"), _cand(4.6, 0.3, "基本支出表"), _cand(5.43, 0.2)]
    (m1, c1), (m2, _c2) = figures(cands)
    assert round(m1, 2) == 0.65 and c1.fact.table == "三公表" and round(m2, 2) == 0.2
    d = decide(cands, Thresholds(answer=0.5, margin=0.2, ambiguous=0.15))
    assert d.verdict == "answered" and d.best is cands[0]


def test_close_readings_with_different_figures_are_asked_about():
    cands = [_cand(4.6, 0.4), _cand(5.43, 0.35, row="r2"), _cand(1.0, 0.01, row="r3")]
    d = decide(cands, Thresholds(answer=0.5, margin=0.2, ambiguous=0.15))
    assert d.verdict == "ambiguous" and [c.fact.value for c in d.readings] == [4.6, 5.43]


def test_nothing_confident_is_not_found():
    d = decide([_cand(4.6, 0.1), _cand(5.43, 0.05)], Thresholds(answer=0.5, margin=0.2, ambiguous=0.15))
    assert d.verdict == "not_found" and d.best is None
    assert decide([], Thresholds()).verdict == "not_found"


def test_dense_similarities_are_rescaled_within_the_question():
    assert dense_feature({1: 0.9, 2: 0.8, 3: 0.7}) == {1: 1.0, 2: 0.5000000000000001, 3: 0.0} or \
        abs(dense_feature({1: 0.9, 2: 0.8, 3: 0.7})[2] - 0.5) < 1e-9
    assert dense_feature({}) == {}


def test_the_shipped_weights_are_reviewable_and_cover_every_feature():
    raw = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert "fit_ranker.py" in raw["about"]
    models = load_models()
    assert "lexical" in models
    for m in models.values():
        assert m.features == FEATURES and len(m.coef) == len(FEATURES)
        t = m.thresholds
        assert 0 < t.ambiguous <= t.answer < 1


def test_label_vectors_give_a_fact_the_better_of_its_row_and_column_similarity():
    from assistant.candidates import label_similarities

    facts = [_fact(1.0, row="会议费"), _fact(2.0, row="培训费"), _fact(3.0, row="差旅费")]
    sims = {("row", "会议费"): 0.9, ("column", "合计"): 0.5, ("row", "差旅费"): 0.2}
    assert label_similarities(sims, facts, [0, 1, 2]) == {0: 0.9, 1: 0.5, 2: 0.5}
    assert label_similarities(sims, facts, [2]) == {2: 0.5}  # only the rows in scope
