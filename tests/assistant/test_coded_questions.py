"""Questions that write a classification code, asked of a street office's 2023 budget (shared corpus,
上海 普陀 万里街道): the code names the row, a word match on its class's sentence or a neighbouring 项
never overrides it, a code and a name that disagree are asked back. Figures read from the PDF: p13
"212 01 01 行政运行 18,373,632", "212 01 02 一般行政管理事务 18,229,543" (收入预算总表, 元)."""

from __future__ import annotations

import pytest
from conftest import ROOT, _build

from assistant.service import Assistant
from vectorstore.facts_db import FactStore


@pytest.fixture(scope="module")
def street_bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    src = next((p / "shared" / "corpus" / "real" / "shanghai-putuo-budget" for p in ROOT.parents
                if (p / "shared" / "corpus").exists()), None)
    pdfs = sorted(src.glob("*.pdf")) if src is not None else []
    if not pdfs:
        pytest.skip("the shared corpus is not next to the repository")
    home = _build(tmp_path_factory.mktemp("street"), pdfs[:1])
    return Assistant(FactStore(f"sqlite:///{home / 'facts.sqlite3'}"), use_ranker=False)


@pytest.mark.parametrize("question", [
    "2120101行政运行安排了多少元？",
    "城乡社区管理事务下面的行政运行（2120101）是多少",
    "科目2120101的预算数是多少",
])
def test_the_code_written_names_the_row(street_bot, question):
    a = street_bot.ask(question)
    assert a.status == "answered" and a.value == 18_373_632.0 and a.unit == "元", a.answer


@pytest.mark.parametrize("question", ["一般行政管理事务（2120101）是多少元", "行政运行（2120102）的预算是多少"])
def test_a_code_and_a_name_that_disagree_are_asked_back(street_bot, question):
    a = street_bot.ask(question)
    assert a.status == "ambiguous" and a.value is None, a.answer
    assert "18,373,632.00" in a.answer and "18,229,543.00" in a.answer
