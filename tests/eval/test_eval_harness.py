"""The evaluation harness itself: grading rules (CONTRACT.md, Gold file), gold-file errors, the report,
the baselines' figure criterion and the benchmark helpers. Answers are given records, not a model run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.records import Answer, Citation
from budgetqa.errors import GoldFileError
from cli import main
from eval.baselines import Evidence, KeywordRAG, figure_in, grade_retrieval, holds, numbers
from eval.bench import CachedEmbedder, percentile, relabel
from eval.grade import GoldItem, format_report, is_correct, load_gold, run_eval
from ingest.records import DocumentInfo, Fact, IngestReport, Kind, Passage

DOC = "2025年洛阳市西工区人民政府办公室部门预算公开.pdf"


def gold(**kw) -> GoldItem:
    return GoldItem.model_validate({"id": "t-1", "question": "车辆维护的预算是多少", "expect": "answer"} | kw)


def answer(status: str = "answered", value: float | None = None, unit: str | None = None, text: str = "",
           citations: list[Citation] | None = None) -> dict:
    return Answer(question="q", status=status, answer=text, value=value, unit=unit,  # type: ignore[arg-type]
                  citations=citations or []).to_json()


# --------------------------------------------------------------------------- grading rules


@pytest.mark.parametrize(("value", "unit", "ok"), [
    (4.6, "万元", True),
    (46000, "元", True),
    (46000.4, "元", True),  # 4.60004 万元: within 0.005
    (0.00046, "亿元", True),
    (4.61, "万元", False),
    (46100, "元", False),
    (4.6, "%", False),  # a share is not an amount
    (4.6, None, True),  # no unit given: compared as it is
])
def test_values_are_compared_after_converting_yuan_wan_yi(value, unit, ok):
    assert is_correct(gold(values=[4.6], unit="万元"), answer(value=value, unit=unit)) is ok


def test_gold_in_yuan_accepts_an_answer_in_wan_yuan():
    assert is_correct(gold(values=[1511890.0], unit="元"), answer(value=151.189, unit="万元"))
    assert not is_correct(gold(values=[1511890.0], unit="元"), answer(value=151.19, unit="万元"))  # 10 元 off


def test_any_of_several_gold_values_counts():
    item = gold(values=[95.45, 95.46], unit="%")
    assert is_correct(item, answer(value=95.46, unit="%"))
    assert not is_correct(item, answer(value=95.47, unit="%"))


def test_a_refusal_is_wrong_for_an_answer_item_even_with_the_figure_in_the_text():
    item = gold(values=[4.6], unit="万元")
    assert not is_correct(item, answer("not_found", text="4.6万元"))
    assert not is_correct(item, answer("answered", None, None, "4.6万元"))  # the figure must be the value


def test_refuse_items_need_not_found_and_no_value():
    item = gold(expect="refuse")
    assert is_correct(item, answer("not_found", text="没有找到"))
    assert not is_correct(item, answer("answered", 1.83, "万元"))
    assert not is_correct(item, answer("not_found", 1.83, "万元"))
    assert not is_correct(item, answer("ambiguous", text="指的是哪一项？"))


def test_answer_contains_needs_every_keyword():
    item = gold(answer_contains=["因公出国", "公务接待费"], kind="narrative")
    assert is_correct(item, answer(text="“三公”经费指因公出国（境）费、公务用车购置及运行费和公务接待费。"))
    assert not is_correct(item, answer(text="“三公”经费指因公出国（境）费。"))
    assert not is_correct(item, answer("not_found", text="因公出国 公务接待费"))


# --------------------------------------------------------------------------- gold file errors


def _write(tmp_path: Path, *lines: str) -> Path:
    p = tmp_path / "gold.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


GOOD = json.dumps({"id": "g-1", "question": "车辆维护的预算是多少", "expect": "answer", "values": [4.6],
                   "unit": "万元"}, ensure_ascii=False)


@pytest.mark.parametrize(("bad", "says"), [
    ('{"id": "g-2", "question": "x", "expect": "answer", "values": [1.0]', "line 3 is not JSON"),
    ('{"id": "g-2", "question": "x", "expect": "maybe", "values": [1.0]}', "line 3 is not a valid gold item (expect"),
    ('{"id": "g-2", "question": "x", "expect": "answer"}', "needs 'values' or 'answer_contains'"),
    ('{"id": "g-2", "question": "x", "expect": "refuse", "values": [1.0]}', "cannot have 'values'"),
    ('{"id": "g-2", "question": "x", "expect": "answer", "values": ["many"]}', "values.0"),
    ('{"id": "g-2", "question": "x", "expect": "answer", "values": [1], "unit": "千元"}', "千元"),
    ('{"question": "x", "expect": "answer", "values": [1.0]}', "id: Field required"),
    ('[1, 2]', "line 3 is not a valid gold item"),
    (GOOD, "line 3 repeats the id 'g-1' of line 1"),
])
def test_malformed_gold_line_is_one_line_error_naming_file_and_line(tmp_path, bad, says):
    p = _write(tmp_path, GOOD, "", bad)
    with pytest.raises(GoldFileError) as e:
        load_gold(p)
    msg = str(e.value)
    assert "\n" not in msg and str(p) in msg and says in msg, msg


def test_missing_gold_file_is_one_line_error(tmp_path):
    with pytest.raises(GoldFileError, match="gold file not found"):
        load_gold(tmp_path / "nope.jsonl")


def test_the_shipped_gold_sets_load():
    root = Path(__file__).resolve().parents[2] / "eval" / "gold"
    sizes = {p.stem: len(load_gold(p)) for p in root.glob("*.jsonl")}
    assert sizes["seed"] >= 150 and sizes["real"] >= 200, sizes


def test_cli_eval_reports_a_malformed_gold_file_in_one_line(tmp_path, capsys):
    p = _write(tmp_path, GOOD, '{"id": "g-2", "question": "x", "expect": "answer"}')
    assert main(["eval", str(p)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("budgetqa: ") and "line 2" in err and len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_cli_eval_refuses_an_empty_store(tmp_path, capsys):
    p = _write(tmp_path, GOOD)
    assert main(["eval", str(p)]) == 2
    assert "run `budgetqa ingest" in capsys.readouterr().err


# --------------------------------------------------------------------------- the report


class Scripted:
    """Answers given per question; a question mapped to an exception raises it."""

    def __init__(self, answers: dict[str, Answer | Exception]):
        self.answers = answers

    def ask(self, question: str) -> Answer:
        a = self.answers[question]
        if isinstance(a, Exception):
            raise a
        return a


def _items() -> list[GoldItem]:
    src = {"file": DOC, "page": 22}
    return [
        GoldItem(id="a", question="q-a", expect="answer", values=[4.6], unit="万元", kind="lookup", source=src),
        GoldItem(id="b", question="q-b", expect="answer", values=[5.43], unit="万元", kind="lookup", source=src),
        GoldItem(id="c", question="q-c", expect="refuse", kind="refuse"),
        GoldItem(id="d", question="q-d", expect="refuse", kind="refuse"),
        GoldItem(id="e", question="q-e", expect="answer", answer_contains=["职责"], kind="narrative"),
    ]


def _script() -> Scripted:
    def a(status: str, value: float | None = None, page: int = 22, text: str = "") -> Answer:
        return Answer(question="q", status=status, answer=text, value=value,  # type: ignore[arg-type]
                      unit="万元" if value is not None else None,
                      citations=[Citation(document=DOC, page=page)] if value is not None else [])

    return Scripted({"q-a": a("answered", 4.6), "q-b": a("answered", 1.0, page=7, text="另一个数 1.00万元"),
                     "q-c": a("not_found"), "q-d": a("answered", 0.83), "q-e": RuntimeError("parser broke")})


def test_run_eval_counts_by_kind_citations_refusals_and_lists_failures():
    timings: list[float] = []
    r = run_eval(_script(), _items(), timings).to_json()
    assert (r["items"], r["correct"], r["accuracy"]) == (5, 2, 0.4)
    assert r["by_kind"]["lookup"] == {"items": 2, "correct": 1, "accuracy": 0.5}
    assert r["by_kind"]["refuse"]["correct"] == 1 and r["by_kind"]["narrative"]["correct"] == 0
    assert r["citation_accuracy"] == 0.5  # a cites p22; b cites p7
    assert r["refusal_precision"] == 1.0 and r["refusal_recall"] == 0.5
    assert len(timings) == 5
    fails = {f["id"]: f for f in r["failures"]}
    assert set(fails) == {"b", "d", "e"}
    assert fails["b"]["answer"] == "另一个数 1.00万元" and fails["b"]["value"] == 1.0
    assert fails["e"]["status"] == "error" and "parser broke" in fails["e"]["answer"]  # one crash, run goes on
    json.dumps(r, ensure_ascii=False)  # --json prints it as it is


def test_format_report_is_a_table_then_the_failures():
    text = format_report(run_eval(_script(), _items()))
    lines = text.splitlines()
    assert lines[0].split() == ["kind", "correct", "items", "accuracy"]
    assert any(ln.split()[:4] == ["overall", "2", "5", "40.0%"] for ln in lines)
    assert "citation accuracy   50.0%" in text and "refusal recall      50.0%" in text
    assert "failures (3):" in text and "expected [5.43]; got answered 1.0万元: 另一个数 1.00万元" in text


def test_cli_eval_json_on_the_sample(sample_home, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BUDGETQA_HOME", str(sample_home))
    p = _write(tmp_path, GOOD, json.dumps({"id": "g-2", "question": "西工区全区2025年一般公共预算收入总额是多少",
                                           "expect": "refuse", "kind": "refuse"}, ensure_ascii=False))
    assert main(["eval", str(p), "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["by_kind"]["lookup"] == {"items": 1, "correct": 1, "accuracy": 1.0}
    assert {"citation_accuracy", "refusal_precision", "refusal_recall", "failures"} <= set(r)


# --------------------------------------------------------------------------- baselines' criterion


def test_numbers_read_thousands_separators_and_full_width_digits():
    assert numbers("合计2,938.21万元，增长２７.32%") == [2938.21, 27.32]
    assert numbers("1,234,567.00") == [1234567.0]


def test_figure_in_matches_whole_numbers_in_any_of_the_three_units():
    assert figure_in("公务用车运行费 4.60", [4.6], "万元")
    assert figure_in("支出 15,118,900.00 元", [1511.89], "万元")  # a table printed in 元
    assert not figure_in("14.60 和 4.61", [4.6], "万元")  # part of a longer number, or off by more than 0.005
    assert not figure_in("第4页", [0.0], "万元")  # a zero is not found by scaling another number
    assert figure_in("0.00", [0.0], "万元")
    assert figure_in("增长27.32%", [27.32], "%") and not figure_in("2732", [27.32], "%")


def test_holds_counts_facts_by_value_and_text_by_figure_or_keywords():
    f = Fact(document=DOC, department="d", year=2025, kind="预算", page=22, column="公务用车运行费", value=46000,
             unit="元")
    item = gold(values=[4.6], unit="万元", source={"file": DOC, "page": 22})
    assert holds(item, [Evidence.of_fact(f)])
    assert holds(item, [Evidence(DOC, 8, "运行维护费4.60万元")])
    assert not holds(item, [Evidence(DOC, 8, "运行维护费4.60万元")], gold_page=True)
    words = gold(answer_contains=["地方志", "金融"])
    assert holds(words, [Evidence(DOC, 1, "负责地方志"), Evidence(DOC, 2, "金融工作")])
    assert not holds(words, [Evidence(DOC, 1, "负责地方志")])


def test_grade_retrieval_recall_and_refusals_when_nothing_is_retrieved():
    from eval.baselines import Chunk

    chunks = [Chunk("公务用车运行费 4.60 公务接待费 0.83", DOC, 22), Chunk("人员经费 501.65 行政运行", DOC, 18)]
    chunks += [Chunk(f"其他说明第{i}条", DOC, 30 + i) for i in range(5)]  # BM25 needs a corpus for its idf
    rag = KeywordRAG(chunks)
    assert rag("hello") == []  # no shared token: nothing retrieved
    items = [gold(values=[4.6], unit="万元", question="公务用车运行费是多少", source={"file": DOC, "page": 22}),
             gold(id="t-2", values=[501.65], unit="万元", question="公务用车运行费、公务接待费和人员经费"),
             gold(id="t-3", expect="refuse", kind="refuse", question="hello")]
    r = grade_retrieval(rag, items, k=5)
    assert r.recall == {"recall_at_1": 0.5, "recall_at_5": 1.0, "recall_at_5_gold_page": 1.0}
    assert r.accuracy == 1.0 and r.refusal_recall == 1.0


# --------------------------------------------------------------------------- benchmark helpers


def test_percentile_is_nearest_rank():
    xs = [float(x) for x in range(1, 101)]
    assert percentile(xs, 50) == 50 and percentile(xs, 95) == 95 and percentile([3.0], 95) == 3.0


def test_relabel_makes_a_distinct_department_year_and_document():
    info = DocumentInfo(document=DOC, department="洛阳市西工区人民政府办公室", year=2025, kind="预算", pages=34,
                        sha256="0" * 64, group="洛阳市西工区人民政府办公室|2025|预算")
    f = Fact(document=DOC, department=info.department, year=2025, kind="预算", page=22, column="合计", value=5.43,
             unit="万元")
    p = Passage(document=DOC, department=info.department, year=2025, kind="预算", page=3, heading="职责", text="…")
    rep = IngestReport(info=info, facts=[f], passages=[p])
    a, b = relabel(rep, 1), relabel(rep, 2)
    assert len({x.info.document for x in (rep, a, b)}) == 3 and len({x.info.department for x in (rep, a, b)}) == 3
    assert 2000 <= a.info.year <= 2016 and a.info.group == f"{a.info.department}|{a.info.year}|预算"
    assert a.facts[0].document == a.info.document and a.facts[0].value == 5.43 and a.passages[0].year == a.info.year
    assert rep.facts[0].document == DOC  # the original is untouched


def test_cached_embedder_embeds_each_document_text_once(tmp_path):
    from vectorstore.embeddings import HashEmbedder

    calls: list[int] = []

    class Counting(HashEmbedder):
        def embed_documents(self, texts):
            calls.append(len(texts))
            return super().embed_documents(texts)

    first = CachedEmbedder(Counting(), tmp_path).embed_documents(["公务用车", "公务接待", "公务用车"])
    again = CachedEmbedder(Counting(), tmp_path).embed_documents(["公务接待", "公务用车"])
    assert calls == [2]
    assert again == [first[1], first[0]]
    assert first[0] == pytest.approx(HashEmbedder().embed_documents(["公务用车"])[0], abs=1e-6)


def test_fact_index_select_by_department_and_year_equals_the_full_scan():
    """FactIndex.select groups facts by (department, year) for the 3,000-document benchmark; it must pick
    exactly the facts, in exactly the order, that the scan of every fact picked."""
    import itertools

    from assistant.lookup import FactIndex

    kinds: list[Kind] = ["预算", "决算"]
    depts, years = ["甲局", "乙厅", "丙办"], [2017, 2018, 2024]
    facts = [Fact(document=f"{d}{y}.pdf", department=d, year=y, kind=k, page=1, column="合计", value=float(i),
                  unit="万元")
             for i, (y, d, k) in enumerate(itertools.product(years, depts, kinds)) for _ in range(2)]
    facts = facts[5:] + facts[:5]  # store order is not group order
    index = FactIndex(facts)

    def scan(ds, ys, kind):
        return [i for i, f in enumerate(facts) if (not ds or f.department in ds) and (not ys or f.year in ys)
                and (kind is None or f.kind == kind)]

    choices_d = [[], ["甲局"], ["乙厅", "甲局"], ["无此部门"], ["甲局", "甲局"]]
    choices_y = [[], [2018], [2024, 2017], [2019], [2018, 2018]]
    for ds, ys, kind in itertools.product(choices_d, choices_y, [None, "预算", "决算"]):
        assert index.select(ds, ys, kind) == scan(ds, ys, kind), (ds, ys, kind)
