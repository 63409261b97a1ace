"""The budget vocabulary (budgetqa/data/vocabulary.toml) read once and asked the same way everywhere."""

from __future__ import annotations

import pytest

from budgetqa.vocabulary import (
    class_of,
    code_level,
    convert,
    fmt,
    is_expenditure_function,
    is_money,
    is_summing_code,
    is_total_row,
    money_pattern,
    money_units,
    vocabulary,
)


def test_total_rows_are_compared_without_spaces() -> None:
    assert is_total_row("合 计") and is_total_row("本年支出合计") and is_total_row("支出总计")
    assert not is_total_row("行政运行") and not is_total_row(None) and not is_total_row("其中：基本支出")


@pytest.mark.parametrize(("value", "unit", "to", "expected"), [
    (4.6, "万元", "元", 46000.0), (46000.0, "元", "万元", 4.6), (1.0, "亿元", "万元", 10000.0),
    (3.0, "人", "人", 3.0), (3.0, "人", "万元", None), (95.0, "%", "万元", None), (4.6, None, "万元", 4.6),
])
def test_convert_between_money_units_only(value: float, unit: str | None, to: str | None, expected: float | None) -> None:
    got = convert(value, unit, to)
    assert got == pytest.approx(expected) if expected is not None else got is None


def test_units() -> None:
    assert money_units() == ("元", "万元", "亿元")
    assert is_money("万元") and not is_money("人") and not is_money("%")
    v = vocabulary()
    assert {"人", "辆", "个", "项", "次", "人次", "台（套）"} <= v.count_units
    assert not v.count_units & set(v.money_scale)
    assert v.usual_money in v.money_scale and v.plain_totals <= v.grand_totals


def test_money_pattern_matches_the_largest_unit_first() -> None:
    import re

    assert money_pattern() == "亿元|万元|元"
    assert re.findall(rf"\d+({money_pattern()})", "3亿元 4万元 5元") == ["亿元", "万元", "元"]


def test_classification_code_levels() -> None:
    assert [code_level(c) for c in ("201", "20103", "2010301", "20", "201030101", "2a1", None)] == [
        "类", "款", "项", None, None, None, None]
    assert is_expenditure_function("201", "类") and not is_expenditure_function("20103", "类")
    assert not is_expenditure_function("101")  # revenue
    assert is_summing_code("30201") and is_summing_code("50101") and not is_summing_code("10101")
    assert class_of("2010301") == "201"


def test_amounts_print_with_separators_and_two_decimals() -> None:
    assert fmt(2946.25) == "2,946.25" and fmt(4.6) == "4.60" and fmt(-1234567.891) == "-1,234,567.89"


def test_no_money_unit_is_written_in_product_code() -> None:
    """Money units live in vocabulary.toml: a string in the code naming 万元 / 亿元 / 千元 (docstrings and
    field descriptions aside) is a copy of the vocabulary that will drift from it."""
    import ast
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    units = re.compile("万元|亿元|千元")
    found = []
    files = [root / "app.py", root / "cli.py"]
    for top in ("budgetqa", "ingest", "vectorstore", "library", "assistant", "web", "eval"):
        files += sorted((root / top).rglob("*.py"))
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        prose: set[int] = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                prose.add(id(body[0].value))  # a docstring
            if isinstance(node, ast.keyword) and node.arg == "description":
                prose |= {id(c) for c in ast.walk(node.value)}
        found += [f"{path.relative_to(root)}:{node.lineno}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose
                  and units.search(node.value)]
    assert found == []
