"""The fitted decision (assistant/confidence.py): a figure stands when the model is sure enough, close
readings with different figures are listed and asked about, anything else is not found. Figures read
from the sample PDF (2025 西工区政府办 budget): 公务接待费 0.83 万元, 培训费 1.5 万元, 差旅费 30.96 万元."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from assistant import confidence
from assistant.confidence import WEIGHTS, Confidence
from assistant.service import Assistant
from assistant.signals import SIGNALS, Signals, says, signals, unasked
from vectorstore.facts_db import FactStore


def _model(answer: float, ambiguous: float, weight: float = 0.0) -> Confidence:
    """A model whose probability is the logistic of `weight` × margin (standardised by 1)."""
    n = len(SIGNALS)
    coef = tuple(weight if s == "margin" else 0.0 for s in SIGNALS)
    return Confidence(SIGNALS, (0.0,) * n, (1.0,) * n, coef, 0.0, answer, ambiguous)


@pytest.fixture(scope="module")
def bot(sample_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}"), use_ranker=False)


def _raw(bot: Assistant, question: str):  # type: ignore[no-untyped-def]
    """The plan and the answer with the decision off."""
    p = bot.plan(question)
    a = bot.execute(p)
    a.question = question
    return p, a


def test_the_verdict_follows_the_thresholds():
    s = Signals({"margin": 0.0}, readings=[])
    assert _model(0.5, 0.3).verdict(s) == "answered"  # logistic(0) = 0.5
    assert _model(0.6, 0.3).verdict(s) == "not_found"  # no rival readings to list
    two = replace(s, readings=[object(), object()])  # type: ignore[list-item]
    assert _model(0.6, 0.3).verdict(two) == "ambiguous"
    assert _model(0.6, 0.55).verdict(two) == "not_found"


def test_a_model_round_trips_through_its_data_file_and_ignores_unknown_names():
    m = _model(0.7, 0.4, weight=1.5)
    d = m.to_json()
    assert Confidence.from_json(d) == m
    d["weights"]["no_such_signal"] = 3.0
    d["mean"]["no_such_signal"] = 0.0
    d["scale"]["no_such_signal"] = 1.0
    s = Signals({"margin": 1.0})
    assert Confidence.from_json(d).probability(s) == pytest.approx(m.probability(s))  # reads 0


def test_the_shipped_weights_say_how_they_were_fitted_and_name_known_signals():
    raw = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert "scripts/fit_confidence.py" in raw["about"] and "cross-validation" not in raw.get("model", {})
    model = confidence.load()
    assert model is not None and set(model.names) <= set(SIGNALS)
    assert 0.0 <= model.ambiguous <= model.answer <= 1.0


def test_a_label_the_question_names_is_said_even_as_a_homophone_typo():
    assert says("政府办今年的培训费是多少", "培训费")
    assert says("政府办今年的陪训费是多少", "培训费")  # 陪/培 both péi
    assert not says("政府办今年的差旅费是多少", "培训费")


def test_signals_of_a_figure_whose_label_the_question_names(bot):
    p, a = _raw(bot, "政府办今年的差旅费是多少")
    assert (a.value, a.unit) == (30.96, "万元")
    s = signals(bot, p, a).values
    assert s["leaf_in_question"] == 1.0 and s["label_unasked"] == 0.0 and s["answer_is_top"] == 1.0


def test_a_label_that_names_more_than_was_asked_counts_against_the_figure():
    assert unasked("培训费", "", "政府办今年的差旅费是多少") == pytest.approx(2 / 3)  # 培训 not asked
    assert unasked("培训费", "", "政府办今年的陪训费是多少") == 0.0  # a homophone asks for it
    assert unasked("合计", "", "“三公”经费一共多少") == 0.0  # a total row names no item
    assert unasked("公务接待费", "", "“三公”经费一共多少") > 0.5


def test_an_unsure_figure_is_not_given(bot):
    p, a = _raw(bot, "政府办今年的公务接待费是多少")
    assert a.status == "answered" and a.value == 0.83
    kept = confidence.check(bot, p, a, _model(0.0, 0.0))
    assert kept is a
    refused = confidence.check(bot, p, a, _model(1.0, 1.0))
    assert refused.status == "not_found" and refused.value is None and "0.83" not in refused.answer


def test_close_readings_are_listed_and_asked_about(bot):
    p, a = _raw(bot, "政府办今年的公务接待费是多少")
    s = signals(bot, p, a)
    s.readings = s.readings or []
    if len(s.readings) < 2:  # the lookup finds one figure only: build two readings from its candidates
        hits = bot.facts.lookup(p.query, p.departments, p.years, p.kind, near=True, limit=20)
        distinct = []
        for h in hits:
            if all(abs(h.fact.value - f.value) >= 0.005 for f in distinct):
                distinct.append(h.fact)
        s.readings = distinct[:2]
    out = confidence.ambiguous(p, a, s)
    assert out.status == "ambiguous" and out.value is None
    assert len(out.alternatives) == len(s.readings) >= 2 and "请问您指的是哪一项" in out.answer
    assert len(out.citations) == len(s.readings)


def test_without_weights_answers_pass_unchecked(bot, tmp_path):
    assert confidence.load(tmp_path / "none.json") is None
    p, a = _raw(bot, "政府办今年的公务接待费是多少")
    assert confidence.check(bot, p, a, None) is a


@pytest.mark.parametrize(("question", "value"), [("政府办今年的公务接待费是多少", 0.83),
                                                 ("政府办今年的差旅费是多少", 30.96)])
def test_the_shipped_model_keeps_figures_whose_label_the_question_names(sample_home, question, value):
    bot = Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}"), use_ranker=False, use_decision=True)
    assert bot.confidence is not None
    a = bot.ask(question)
    assert a.status == "answered" and a.value == value
