"""Figures of another year standing inside a document (issues 12 and 13): the 2023 budget of a Shanghai
street office (../shared/corpus/real/shanghai-putuo-budget) states for each functional item "2022年当年预算
执行数为X万元，2023年预算安排Y万元，比2022年预算执行数增加/减少Z%" (pp. 6-9; 群众体育 on p7) and, for 三公, "比2022年预算持平"
(p. 29). Questions about 2022, with no 2022 document loaded, are answered from those sentences; figures read
from the PDF: 群众体育 12.04 -> 20.00 (+66.11%), 城管执法 767.68 -> 690.58 (-10.04%), 购房补贴 319.41 ->
325.68, 社会组织管理 14.00 -> 21.50, 公务车用车运行费 21.56 (持平)."""

from __future__ import annotations

from pathlib import Path

import pytest
from real_corpus import CORPUS

from assistant.conversation import Conversation
from assistant.service import Assistant
from assistant.stated_years import asked_years, asks_budget, holding
from vectorstore.facts_db import FactStore

PDF = CORPUS / "shanghai-putuo-budget" / "上海市普陀区人民政府万里街道办事处23年预算.pdf"


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    if not PDF.is_file():
        pytest.skip("the shared real corpus is not beside the repository")
    from budgetqa.settings import Settings
    from library import Library

    home = tmp_path_factory.mktemp("putuo-budget")
    outcomes = Library(Settings(home=home, embed_model="hash")).ingest([PDF])
    assert all(o.status == "ingested" for o in outcomes), [o.message for o in outcomes]
    return Assistant(FactStore(f"sqlite:///{home / 'facts.sqlite3'}"))


def _turns(bot: Assistant, questions: list[str]) -> list:
    conv, history, out = Conversation(bot), [], []
    for q in questions:
        a = conv.ask(q, history)
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": a.answer, "answer": a.to_json()}]
        out.append(a)
    return out


def test_a_year_without_a_document_is_answered_from_the_next_years_sentence(bot: Assistant) -> None:
    a = bot.ask("群众体育2022年实际花了多少钱？")
    assert a.status == "answered" and a.value == 12.04 and a.unit == "万元" and a.year == 2022
    assert "执行数" in a.answer and a.citations[0].page == 7  # the page the sentence stands on (p7), not its section's first


def test_a_budget_asked_for_is_not_answered_with_the_execution_figure(bot: Assistant) -> None:
    a = bot.ask("2022年社会组织管理的预算是多少？")
    assert a.status == "not_found" and a.value is None and "执行数" in a.answer


def test_the_current_year_is_never_answered_with_the_earlier_figure(bot: Assistant) -> None:
    a = bot.ask("2023年群众体育预算是多少？")
    assert a.status == "answered" and a.value in (20.0, 200000.0) and a.year == 2023


def test_a_decline_from_the_stated_year_is_quoted_as_a_decline(bot: Assistant) -> None:
    a = Conversation(bot).ask("城管执法比2022年下降了百分之几？")
    assert a.status == "answered" and a.value == 10.04 and "减少" in a.answer and a.computation is None


def test_a_change_the_document_does_not_state_is_computed_from_the_same_sentence(bot: Assistant) -> None:
    a = Conversation(bot).ask("购房补贴比2022年执行数多了多少钱？")
    assert a.status == "answered" and a.value == 6.27 and a.unit == "万元"
    assert a.computation == "325.68 - 319.41 = 6.27"


def test_last_year_as_a_follow_up_and_its_change(bot: Assistant) -> None:
    first, prev, change = _turns(bot, ["2023年城管执法安排了多少钱？", "那去年呢？", "比去年少了多少？"])
    assert first.status == "answered" and first.year == 2023
    assert prev.status == "answered" and prev.value == 767.68 and prev.year == 2022 and "执行数" in prev.answer
    assert change.status == "answered" and change.value == 77.1 and "减少" in change.answer


def test_level_with_last_year_gives_the_same_figure_with_the_reason(bot: Assistant) -> None:
    _first, prev = _turns(bot, ["2023年公务车用车运行费是多少？", "那去年呢？"])
    assert prev.status == "answered" and prev.value == 21.56 and "持平" in (prev.computation or "")


@pytest.mark.parametrize(("text", "years", "asked"), [
    ("城管执法比2022年少了多少", [2022], []),
    ("2023年城管执法与2022年相比少了多少", [2023, 2022], [2023]),
    ("2022年城管执法实际花了多少", [2022], [2022]),
])
def test_a_year_named_only_as_the_base_is_not_the_year_asked(text: str, years: list[int], asked: list[int]) -> None:
    assert asked_years(text, years) == asked


def test_budget_words_against_spent_words() -> None:
    assert asks_budget("2022年的预算是多少") and not asks_budget("2022年预算执行数是多少")
    assert not asks_budget("2022年实际花了多少")


class _Docs:
    """Two departments: A with 2023 only, B with 2022 and 2023."""

    docs = [(1, "A", 2023), (2, "B", 2022), (3, "B", 2023)]

    def doc_ids(self, departments=None, years=None, kinds=None):  # type: ignore[no-untyped-def]
        return [(i, 0) for i, d, y in self.docs if (not departments or d in departments) and (not years or y in years)]

    def years(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for _i, d, y in self.docs:
            out.setdefault(d, []).append(y)
        return out


def test_the_next_years_document_holds_a_year_without_its_own() -> None:
    assert holding(_Docs(), ["A"], [2022]) == [(1, 0)]
    assert holding(_Docs(), ["B"], [2022]) == [(2, 0)]  # its own document, not the next one
    assert holding(_Docs(), [], [2022]) == [(1, 0), (2, 0)]
    assert holding(_Docs(), ["A"], [2021]) == []


def test_level_sentences_in_the_forms_documents_use() -> None:
    from assistant.stated_years import level_with
    from ingest.records import Fact

    def fact(quote: str, value: float) -> Fact:
        return Fact(document="d.pdf", department="D", year=2017, kind="预算", page=3, row="公务接待费",
                    column="预算数", value=value, unit="万元", source="narrative", quote=quote)

    for quote in ("3．公务接待费预算支出28万元，本年数与上年预算数一致。", "公务接待费预算支出168万元，本年数等于上年预算数。",
                  "公务接待费预算支出427.5万元，与上年预算数持平。"):
        value = float(quote.split("支出")[1].split("万元")[0])
        f = fact(quote, value)
        assert level_with(f, [f], 2016) is f, quote
    f = fact("公务接待费预算支出200.44万元，比上年预算数增加32.44万元。", 200.44)
    assert level_with(f, [f], 2016) is None


def test_level_said_of_the_next_figure_is_not_said_of_this_one() -> None:
    from assistant.stated_years import level_with
    from ingest.records import Fact

    f = Fact(document="d.pdf", department="D", year=2023, kind="预算", page=3, row="公务车购置及运行费", column="预算数",
             value=21.56, unit="万元", source="narrative",
             quote="（二）、公务车购置及运行费21.56万元，其中：公务用车购置费0万元，比2022年预算持平，主要原因是购置费保持不变；")
    assert level_with(f, [f], 2022) is None


def test_last_years_total_from_the_change_the_sentence_of_this_years_total_states(sample_home: Path) -> None:
    # the sample p6: "2025年收入总计1074.61万元，支出总计1074.61万元，与2024年预算相比，收支总计各增加155.64万元"
    seed = Assistant(FactStore(f"sqlite:///{sample_home / 'facts.sqlite3'}"))
    a = seed.ask("2024年的支出总计是多少？")
    assert a.status == "answered" and a.value == 918.97 and a.computation is not None
    assert "1,074.61 - 155.64 = 918.97" in a.computation
    assert seed.ask("2024年项目支出是多少？").status == "not_found"  # the change of its total is no change of a part


def test_after_last_years_figure_the_conversation_goes_on_in_the_document_stating_it(bot: Assistant) -> None:
    _first, prev, other = _turns(bot, ["2023年公务车用车运行费是多少？", "那去年呢？", "公务接待费是多少？"])
    assert prev.status == "answered" and prev.value == 21.56
    assert other.status == "answered" and other.value in (1.35, 13500.0) and other.year == 2023
