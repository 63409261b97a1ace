"""scripts/eval_conversations.py grades a turn by the gold-file rule and flags contradictions."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("eval_conversations", ROOT / "scripts" / "eval_conversations.py")
assert _spec and _spec.loader
ev = importlib.util.module_from_spec(_spec)
sys.modules["eval_conversations"] = ev
_spec.loader.exec_module(ev)

PREV = {"status": "answered", "year": 2025, "value": 5.43, "unit": "万元",
        "answer": "2025年“三公”经费预算为5.43万元。比上年增加1.17万元，增长27.46%。"}


def test_turn_graded_by_value_in_the_gold_unit_keywords_or_refusal() -> None:
    assert ev.correct({"expect": "answer", "values": [1.17], "unit": "万元"},
                      {"status": "answered", "value": 11700, "unit": "元"})
    assert not ev.correct({"expect": "answer", "values": [49], "unit": "人"},
                          {"status": "answered", "value": 49, "unit": "万元"})
    assert ev.correct({"expect": "answer", "values": [], "answer_contains": ["国库"]},
                      {"status": "answered", "value": None, "answer": "结余全部上缴国库"})
    assert ev.correct({"expect": "refuse"}, {"status": "not_found", "value": None})
    assert not ev.correct({"expect": "refuse"}, {"status": "answered", "value": 3.0})
    assert ev.correct({"expect": "ask"}, {"status": "ambiguous", "value": None})  # asks which reading
    assert not ev.correct({"expect": "ask"}, {"status": "answered", "value": 4.0})
    assert not ev.correct({"expect": "ask"}, {"status": "not_found", "value": None})


def test_a_change_other_than_the_one_stated_is_a_contradiction() -> None:
    assert ev.contradicts("比去年多了多少？", PREV, {"status": "not_found", "value": None})
    assert ev.contradicts("比2024年增加了多少？", PREV, {"status": "answered", "value": 2.0, "unit": "万元"})
    assert not ev.contradicts("比去年多了多少？", PREV, {"status": "answered", "value": 1.17, "unit": "万元"})
    assert not ev.contradicts("增长了百分之几？", PREV, {"status": "answered", "value": 27.46, "unit": "%"})
    assert not ev.contradicts("2019年比2017年增加了多少？", PREV, {"status": "not_found", "value": None})
    assert not ev.contradicts("那去年呢？", {**PREV, "answer": "5.43万元"}, {"status": "not_found", "value": None})


def test_held_out_half_is_the_even_numbered_real_conversations() -> None:
    assert [ev.held_out(f"conv-{i:02d}") for i in (1, 8, 9, 10, 25)] == [False, False, False, True, False]
