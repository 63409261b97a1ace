"""Fuzzed parsers and damaged PDFs: a report or one DocumentError line, never a crash or a hang."""

from __future__ import annotations

import math
import random
import re
import signal
from pathlib import Path

import pytest
from helpers import hash_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from make_bad_inputs import Page, budget_pages, build_pdf

from budgetqa.errors import DocumentError
from ingest.pipeline import extract
from library import Library

_FUZZ = settings(max_examples=300, deadline=1000, database=None, suppress_health_check=[HealthCheck.too_slow])


@_FUZZ
@given(st.text(max_size=60))
def test_fuzz_text_parsers_never_fail(text: str) -> None:
    from ingest.textnorm import clean, is_integer_text, is_money_text, parse_number

    c = clean(text)
    assert "\n" not in c and clean(c) == c
    v = parse_number(text)
    assert v is None or math.isfinite(v)
    is_money_text(text)
    is_integer_text(text)


@_FUZZ
@given(st.decimals(min_value=-10**10, max_value=10**10, places=2, allow_nan=False, allow_infinity=False))
def test_fuzz_printed_money_round_trips(d) -> None:  # type: ignore[no-untyped-def]
    from ingest.textnorm import parse_number

    for printed in (f"{d:,.2f}", f"{d:.2f}", f" {d:,.2f}\n"):
        assert parse_number(printed) == pytest.approx(float(d), abs=1e-6), printed
    if d > 0:
        assert parse_number(f"({d:,.2f})") == pytest.approx(-float(d), abs=1e-6)


def test_very_long_digit_string_is_not_an_infinite_amount() -> None:
    from ingest.textnorm import parse_number

    assert parse_number("9" * 400) is None  # float() gives inf: a fact with value inf broke JSON


_CELL_TEXTS = st.one_of(
    st.sampled_from(["", "-", "—", "合计", "总计", "小计", "项目", "科目编码", "科目名称", "行政运行", "2010301", "201",
                     "基本支出", "项目支出", "人员经费", "单位：万元", "部门：测试局", "0.00", "1,234.56", "(12.50)", "无"]),
    st.decimals(min_value=-10**6, max_value=10**7, places=2).map(lambda d: f"{d:,.2f}"),
    st.text(max_size=10),
)


@st.composite
def _grids(draw):  # type: ignore[no-untyped-def]
    from ingest.grid import Cell, Grid
    from ingest.textnorm import clean

    n_rows, n_cols = draw(st.integers(1, 7)), draw(st.integers(1, 6))
    grid = Grid(n_rows, n_cols, (0.0, 0.0, 80.0 * n_cols, 20.0 * n_rows), 3)
    grid.at = [[None] * n_cols for _ in range(n_rows)]
    for i in range(n_rows):
        for j in range(n_cols):
            if grid.at[i][j] is not None or draw(st.integers(0, 9)) == 0:  # covered, or a missing cell
                continue
            rs = 1 + min(draw(st.integers(0, 2)) if draw(st.integers(0, 4)) == 0 else 0, n_rows - i - 1)
            cs = 1 + min(draw(st.integers(0, 2)) if draw(st.integers(0, 4)) == 0 else 0, n_cols - j - 1)
            while any(grid.at[ii][jj] is not None for ii in range(i, i + rs) for jj in range(j, j + cs)):
                rs, cs = max(1, rs - 1), max(1, cs - 1)
            raw = draw(_CELL_TEXTS)
            cell = Cell(clean(raw), raw, i, j, i + rs - 1, j + cs - 1,
                        (80.0 * j, 20.0 * i, 80.0 * (j + cs), 20.0 * (i + rs)))
            for ii in range(i, i + rs):
                for jj in range(j, j + cs):
                    grid.at[ii][jj] = cell
    return grid


@_FUZZ
@given(_grids(), _grids(), st.lists(st.sampled_from(["2025年一般公共预算支出表", "单位：万元", "部门：测试局", "说明"]),
                                    max_size=3))
def test_fuzz_table_parsing_never_fails_and_values_are_printed_figures(grid, other, above) -> None:  # type: ignore[no-untyped-def]
    from ingest.assemble import assemble, table_facts
    from ingest.pdf_reader import RawPage, RawTable
    from ingest.tables import parse_grid
    from ingest.textnorm import parse_number

    first = parse_grid(grid)
    for parsed in (first, parse_grid(grid, no_header=True), parse_grid(other, continues=first.columns)):
        for vc in parsed.cells:
            assert math.isfinite(vc.value)
            printed = {parse_number(c.raw) for row in (grid.at + other.at) for c in row if c is not None}
            assert vc.value in printed
    pages = [RawPage(1, 600.0, 800.0, "", [RawTable(grid, list(above), False)]),
             RawPage(2, 600.0, 800.0, "", [RawTable(other, [], True)])]
    tables, _ = assemble(pages)
    for f in table_facts(tables, "x.pdf", "测试局", 2025, "预算"):
        assert f.unit in ("元", "万元", "亿元", "%") and math.isfinite(f.value)


class _Hang(Exception):
    pass


def _within(seconds: float):  # type: ignore[no-untyped-def]
    """Fail instead of hanging: SIGALRM after `seconds` (the test runs in the main thread)."""

    class _Timer:
        def __enter__(self) -> None:
            def _raise(*_: object) -> None:
                raise _Hang(f"took longer than {seconds} s")

            self.old = signal.signal(signal.SIGALRM, _raise)
            signal.setitimer(signal.ITIMER_REAL, seconds)

        def __exit__(self, *_: object) -> None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)

    return _Timer()


_BASE_PDF = build_pdf(budget_pages())


@st.composite
def _mutated_pdfs(draw) -> bytes:  # type: ignore[no-untyped-def]
    data = bytearray(_BASE_PDF)
    digits = [m.start() for m in re.finditer(rb"\d", _BASE_PDF)]
    words = [m for m in re.finditer(rb"obj|endobj|stream|endstream|/Kids|/Count|/Length|/Root|R\b|<<|>>|\[|\]", _BASE_PDF)]
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["digit", "word", "flip", "cut", "insert", "delete"]))
        if not data:
            break
        if op == "digit":  # offsets, lengths, object numbers, counts
            pos = draw(st.sampled_from(digits))
            if pos < len(data):
                data[pos] = ord(str(draw(st.integers(0, 9))))
        elif op == "word":
            m = draw(st.sampled_from(words))
            if m.end() <= len(data):
                data[m.start():m.end()] = draw(st.sampled_from([b"", b"xx", b"obj", b"<<", b"]", b"999999 0 R"]))
        elif op == "flip":
            pos = draw(st.integers(0, len(data) - 1))
            data[pos] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[draw(st.integers(16, max(16, len(data) - 1))):]
        elif op == "insert":
            pos = draw(st.integers(0, len(data)))
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
        else:
            pos = draw(st.integers(0, len(data) - 1))
            del data[pos:pos + draw(st.integers(1, 200))]
    return bytes(data)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated_pdfs())
def test_fuzz_damaged_pdfs_give_a_report_or_a_document_error(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("fuzz") / "2025年测试局部门预算.pdf"
    path.write_bytes(data)
    with _within(10):
        try:
            report = extract(path)
        except DocumentError as exc:
            assert "\n" not in str(exc) and str(exc).startswith(path.name)
            return
    report.model_dump_json()  # what the store and the sandbox serialise
    assert all(math.isfinite(f.value) for f in report.facts)


_TEXTS = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.tuples(st.floats(-50, 650), st.floats(-50, 900), _TEXTS, st.floats(1, 40)), max_size=12),
                min_size=1, max_size=3),
       st.lists(st.tuples(*[st.floats(-10, 700)] * 4), max_size=30))
def test_fuzz_generated_pdfs_give_a_report_or_a_document_error(tmp_path_factory, pages, lines) -> None:  # type: ignore[no-untyped-def]
    built = []
    for texts in pages:
        p = Page()
        p.text(60, 40, "2025年测试局部门预算", 14)
        for x, top, s, size in texts:
            p.text(x, top, s, size)
        for x0, y0, x1, y1 in lines:
            p.line(x0, y0, x1, y1)
        built.append(p)
    path = tmp_path_factory.mktemp("gen") / "2025年测试局部门预算.pdf"
    path.write_bytes(build_pdf(built))
    with _within(10):
        try:
            report = extract(path)
        except DocumentError as exc:
            assert "\n" not in str(exc)
            return
    report.model_dump_json()


def test_damaged_pdfs_through_the_sandbox(tmp_path: Path) -> None:
    """The real ingest path (child process, limits) on a few damaged files: one line, no traceback."""
    rng = random.Random(5)
    for k in range(3):
        data = bytearray(_BASE_PDF)
        for _ in range(40):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path = tmp_path / f"2025年测试局部门预算{k}.pdf"
        path.write_bytes(bytes(data))
        o = Library(hash_settings(tmp_path / "home")).ingest_one(path, index=False)
        assert o.status in ("ingested", "failed") and "\n" not in o.message and "Traceback" not in o.message
