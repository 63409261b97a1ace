"""The optional language-model path (with LangChain's fake chat models) and the LangChain tools."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.grounding import ungrounded
from assistant.llm import chat_model, phrase
from assistant.service import Assistant
from assistant.tools import compute, make_tools
from budgetqa.errors import BudgetQAError
from vectorstore.facts_db import FactStore


@pytest.fixture(scope="module")
def store(sample_home: Path) -> FactStore:
    return FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}")


def test_model_wording_is_used_when_every_number_is_grounded(store):
    model = FakeListChatModel(responses=["今年公务用车运行维护费安排4.60万元，比上年多2.17万元。"])
    a = Assistant(store, llm=model).ask("车辆维护的预算是多少？")
    assert a.answer.startswith("今年公务用车运行维护费安排4.60万元") and a.value == 4.6


def test_model_that_invents_a_number_is_overruled(store):
    model = FakeListChatModel(responses=["公务用车运行维护费为100万元。"])
    a = Assistant(store, llm=model).ask("车辆维护的预算是多少？")
    assert "100" not in a.answer and "4.60万元" in a.answer


def test_model_failure_falls_back_to_the_deterministic_answer(store, caplog):
    class Broken:
        def invoke(self, _prompt):
            raise TimeoutError("model did not answer")

    with caplog.at_level("WARNING", logger="assistant"):
        a = Assistant(store, llm=Broken()).ask("车辆维护的预算是多少？")
    assert "4.60万元" in a.answer
    failed = [r for r in caplog.records if r.name == "assistant.llm"]  # the operator sees why
    assert failed and failed[0].exc_info and "model did not answer" in str(failed[0].exc_info[1])


def test_refusals_are_never_rephrased(store):
    model = FakeListChatModel(responses=["大约50万元。"])
    a = Assistant(store).ask("2026年三公经费是多少")
    assert phrase(a, model) is a


def test_unknown_model_spec_is_one_clear_error():
    with pytest.raises(BudgetQAError, match="BUDGETQA_LLM"):
        chat_model("gpt4")


def test_tools_look_up_and_compute(store):
    lookup, calc = make_tools(Assistant(store))
    facts = json.loads(lookup.invoke({"item": "公务接待费"}))
    assert any(f["value"] == 0.83 and f["page"] == 22 for f in facts)
    out = json.loads(calc.invoke({"op": "share", "values": [4.6, 5.43]}))
    assert out["value"] == 84.71 and "÷" in out["how"]


@pytest.mark.parametrize("op,values,value", [("sum", [60.12, 55.87, 60.23], 176.22), ("difference", [5.43, 1.17], 4.26),
                                            ("growth", [5.43, 4.26], 27.46)])
def test_compute(op, values, value):
    assert compute(op, values)["value"] == value


def test_grounding_flags_numbers_without_a_source():
    ans = {"value": 4.6, "computation": None, "citations": [{"quote": "4.60", "row": None, "column": "公务用车运行费"}]}
    assert ungrounded("2025年公务用车运行费4.60万元，见第22页。", ans) == []
    assert ungrounded("公务用车运行费4.60万元，共5辆车。", ans) == ["5"]
