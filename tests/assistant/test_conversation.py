"""The conversation layer's parts: departments named by short forms, the follow-up vocabulary, the
state read back from a client's history (checked against the store), and the layer over a library
of a few departments."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import follow_up_words as fw
from assistant.conversation import Conversation
from assistant.conversation_state import ConversationState, FactFinder, FactRef, Figure, from_history
from assistant.mentions import find
from assistant.service import Assistant
from vectorstore.facts_db import FactStore

DEPTS = ["江苏省高级人民法院", "江苏省人民检察院", "江苏省人大常委会办公厅", "江苏省政协办公厅", "中共江苏省委办公厅",
         "上海市普陀区规划和自然资源局", "上海市普陀区财政局", "洛阳市西工区人民政府办公室"]


@pytest.mark.parametrize(("question", "named"), [
    ("那省高院呢？", ["江苏省高级人民法院"]),
    ("高院比上年少了多少？", ["江苏省高级人民法院"]),
    ("那检察院呢", ["江苏省人民检察院"]),
    ("那规划和自然资源局呢？", ["上海市普陀区规划和自然资源局"]),
    ("政协2019年三公经费", ["江苏省政协办公厅"]),
    ("省人大2019年会议费", ["江苏省人大常委会办公厅"]),
    ("上海市的三公经费", []),  # several departments hold the name
    ("省法院和省检察院2019年的三公经费", ["江苏省高级人民法院", "江苏省人民检察院"]),
    ("那金融局的那个党建经费呢？", []),  # no loaded department has that name
    ("委托业务费是多少", []),
    ("本部门预算的办公费", []),
    ("政府购买服务项目多少钱", []),
    ("那省财政厅2019年的呢？", []),  # "政厅" is the tail of 财政厅, not a short form of 政协办公厅
    ("这项在政协办公厅是多少？", ["江苏省政协办公厅"]),
])
def test_departments_by_name_alias_or_short_form(question: str, named: list[str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert find(question, DEPTS).departments == named
    monkeypatch.setattr("assistant.mentions._aliases", lambda: [])  # no alias list: short forms alone
    assert find(question, DEPTS).departments == named


def test_years_and_the_question_without_names() -> None:
    m = find("那人大常委会办公厅2019年有几辆车？", DEPTS)
    assert m.departments == ["江苏省人大常委会办公厅"] and m.years == [2019]
    assert m.without_names() == "那 有几辆车?"


@pytest.mark.parametrize(("text", "item"), [
    ("那省高院呢？", False), ("比去年多了多少？", False), ("增长了百分之几？", False), ("决算数呢？", False),
    ("完成了百分之几？", False), ("差出来的那部分是哪块钱？有多少？", False), ("金额是多少？", False),
    ("那基本养老保险呢？", True), ("其中人员经费多少？", True), ("车呢，有几辆？", True), ("贴息覆盖率目标呢？", True),
])
def test_whether_a_follow_up_names_an_item(text: str, item: bool) -> None:
    assert fw.has_item(find(text, DEPTS).without_names()) is item


def test_measure_item_and_column_of_a_question() -> None:
    assert fw.measure_of("比上年增长了百分之多少？") == "change_rate"
    assert fw.measure_of("比上年少了多少？") == "change_amount"
    assert fw.measure_of("公务接待费占三公经费的比例是多少？") == "share"
    assert fw.item_of("公务接待费占三公经费的比例是多少？") == "公务接待费"
    assert fw.item_of("三公经费里，因公出国（境）费是多少？") == "三公经费里,因公出国(境)费"
    assert fw.item_of("行政单位医疗（2101101）年初预算是多少？") == "行政单位医疗(2101101)"
    assert fw.column_of("实际花了多少？") == "决算数" and fw.column_of("年初预算呢？") == "年初预算"


@pytest.fixture(scope="module")
def sample_bot(sample_home: Path) -> Assistant:
    return Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}"))


def _turns(conv: Conversation, *questions: str) -> list:
    history: list[dict] = []
    out = []
    for q in questions:
        a = conv.ask(q, history)
        out.append(a)
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": a.answer, "answer": a.to_json()}]
    return out


def test_state_is_checked_against_the_store(sample_bot: Assistant) -> None:
    conv = Conversation(sample_bot)
    (first,) = _turns(conv, "车辆维护的预算是多少？")
    state = first.conversation
    assert state is not None and state.figures and state.figures[0].value == 4.6
    real = state.figures[0].facts[0]
    forged = real.model_copy(update={"page": real.page + 1})  # a fact the store does not hold there
    doctored = ConversationState(department=state.department, year=state.year, item=state.item,
                                 facts=[real, forged],
                                 figures=[state.figures[0], Figure(label="x", value=99.0, unit="万元", facts=[forged])])
    history = [{"role": "assistant", "content": "", "answer": {"conversation": doctored.model_dump()}}]
    got = from_history(history, FactFinder(sample_bot.store))
    assert got is not None and [f.page for f in got.facts] == [real.page]
    assert [f.value for f in got.figures] == [4.6]


def test_a_plain_answer_json_without_state_still_carries_the_scope(sample_bot: Assistant) -> None:
    conv = Conversation(sample_bot)
    (first,) = _turns(conv, "车辆维护的预算是多少？")
    plain = {k: v for k, v in first.to_json().items() if k not in ("conversation", "series")}
    state = from_history([{"role": "assistant", "content": "", "answer": plain}], FactFinder(sample_bot.store))
    assert state is not None and state.department == first.department and state.figures[0].value == 4.6
    a = conv.ask("那去年呢？", [{"role": "assistant", "content": first.answer, "answer": plain}])
    assert a.value == 2.43 and a.computation


def test_fact_ref_round_trip(sample_bot: Assistant) -> None:
    f = next(x for x in sample_bot.store.facts() if x.source == "table")
    ref = FactRef.model_validate_json(FactRef.of(f).model_dump_json())
    assert FactFinder(sample_bot.store).verified(ref) == f


def test_few_departments_without_a_name_are_answered_per_department(corpus_home: Path) -> None:
    conv = Conversation(Assistant(FactStore(f"sqlite:///{corpus_home / 'facts.sqlite3'}")))
    assert 1 < len(conv.catalog()) <= 3
    a = conv.ask("三公经费是多少？")
    assert a.status == "answered" and len({p.department for p in a.series}) >= 2
    assert all(p.department in a.answer for p in a.series) and a.value is None  # no silent pick


def test_layer_failure_falls_back_to_the_single_question(sample_bot: Assistant, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    conv = Conversation(sample_bot)

    def broken(_turn):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr("assistant.library_questions.answer", broken)
    a = conv.ask("车辆维护的预算是多少？")
    assert a.status == "answered" and a.value == 4.6


def test_a_made_up_document_in_the_history_is_neither_read_nor_kept(sample_bot: Assistant) -> None:
    finder = FactFinder(sample_bot.store)
    ref = FactRef(document="../../etc/passwd", page=1, value=1.0, unit="万元", department="x", year=2025, kind="预算",
                  label="x")
    state = ConversationState(facts=[ref] * 1000, figures=[Figure(label="x", value=1.0, unit="万元", facts=[ref])])
    got = from_history([{"role": "assistant", "content": "", "answer": {"conversation": state.model_dump()}}], finder)
    assert got is not None and got.facts == [] and got.figures == []
    assert "../../etc/passwd" not in finder._by_doc


def test_a_quoted_passage_is_kept_only_when_the_store_holds_it(sample_bot: Assistant) -> None:
    from assistant.conversation_state import QuoteRef

    p = next(x for x in sample_bot.store.passages() if len(x.text) > 40)
    real = QuoteRef(document=p.document, page=p.page, heading=p.heading, quote=p.text[:60])
    made_up = real.model_copy(update={"quote": "本部门共有车辆999辆，其中一般公务用车999辆。"})
    state = ConversationState(department=p.department, year=p.year, quoted=[made_up, real])
    got = from_history([{"role": "assistant", "content": "", "answer": {"conversation": state.model_dump()}}],
                       FactFinder(sample_bot.store))
    assert got is not None and got.quoted == [real]


def test_readings_of_an_ambiguous_answer_are_checked_against_the_store(sample_bot: Assistant) -> None:
    f = next(x for x in sample_bot.store.facts() if x.source == "table")
    real = FactRef.of(f)
    forged = real.model_copy(update={"page": real.page + 50})
    state = ConversationState(department=f.department, year=f.year, readings=[forged, real])
    got = from_history([{"role": "assistant", "content": "", "answer": {"status": "ambiguous",
                                                                        "conversation": state.model_dump()}}],
                       FactFinder(sample_bot.store))
    assert got is not None and got.readings == [real]
