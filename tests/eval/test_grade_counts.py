"""Grading count units, reporting by asker and the share answered wrongly."""

from __future__ import annotations

import pytest

from assistant.records import Answer
from eval.grade import GoldItem, citation_ok, format_report, is_correct, run_eval


def _answer(value: float | None, unit: str | None, status: str = "answered") -> dict:
    return Answer(question="q", status=status, answer="", value=value, unit=unit).to_json()  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "unit", "ok"), [(127, "辆", True), (127, "台（套）", True), (126, "辆", False),
                                                   (127, "万元", False), (127, "%", False)])
def test_count_units_are_accepted_and_never_convert_to_money(value, unit, ok):
    item = GoldItem(id="c", question="一共有多少辆车", expect="answer", values=[127], unit="辆", kind="count")
    assert is_correct(item, _answer(value, unit)) is ok


def test_a_unit_ending_in_yuan_that_the_grader_cannot_convert_is_rejected():
    with pytest.raises(ValueError):
        GoldItem(id="c", question="x", expect="answer", values=[1], unit="千元")


class _Fixed:
    def __init__(self, answers: dict[str, dict]):
        self.answers = answers

    def ask(self, question: str) -> Answer:
        return Answer.model_validate(self.answers[question])


def test_report_by_asker_and_wrong_answers_apart_from_refusals():
    items = [GoldItem(id="a", question="a", expect="answer", values=[1], unit="人", kind="count", asker="citizen"),
             GoldItem(id="b", question="b", expect="answer", values=[2], unit="万元", kind="lookup", asker="staff"),
             GoldItem(id="c", question="c", expect="answer", values=[3], unit="万元", kind="lookup", asker="staff")]
    bot = _Fixed({"a": _answer(1, "人") | {"question": "a"}, "b": _answer(5, "万元") | {"question": "b"},
                  "c": _answer(None, None, "not_found") | {"question": "c"}})
    report = run_eval(bot, items)
    r = report.to_json()
    assert r["by_asker"] == {"citizen": {"items": 1, "correct": 1, "accuracy": 1.0},
                             "staff": {"items": 2, "correct": 0, "accuracy": 0.0}}
    assert r["wrong"] == 1 and r["wrong_rate"] == round(1 / 3, 4)  # the refusal is not a wrong figure
    text = format_report(report)
    assert "asker" in text and "answered wrongly" in text


def test_a_refusal_item_may_have_a_null_source():
    item = GoldItem.model_validate({"id": "r", "question": "x", "expect": "refuse", "source": None})
    assert item.source == {}


def test_a_citation_matches_the_gold_file_by_its_name_not_its_corpus_path():
    item = GoldItem(id="s", question="q", expect="answer", values=[1], unit="万元",
                    source={"file": "seed/2025年某区政府办公室部门预算.pdf", "page": 12})
    cited = _answer(1, "万元") | {"citations": [{"document": "2025年某区政府办公室部门预算.pdf", "page": 12}]}
    other_page = _answer(1, "万元") | {"citations": [{"document": "2025年某区政府办公室部门预算.pdf", "page": 11}]}
    other_file = _answer(1, "万元") | {"citations": [{"document": "2024年某区政府办公室部门预算.pdf", "page": 12}]}
    assert citation_ok(item, cited) is True
    assert citation_ok(item, other_page) is False
    assert citation_ok(item, other_file) is False


def test_the_report_counts_ambiguous_answers_apart_from_wrong_and_refused():
    items = [GoldItem(id="a", question="a", expect="answer", values=[1], unit="万元"),
             GoldItem(id="b", question="b", expect="answer", values=[2], unit="万元")]
    bot = _Fixed({"a": _answer(None, None, "ambiguous") | {"question": "a"}, "b": _answer(2, "万元") | {"question": "b"}})
    report = run_eval(bot, items)
    assert (report.ambiguous, report.wrong, report.correct) == (1, 0, 1)
    assert "ambiguous           1" in format_report(report)
