"""A classification code printed in a cell that reaches into the next column (the 科目编码 header spans two
columns and its codes fill both), with the name under 科目名称: the row keeps its name and its code. The
grid has the shape pdfplumber gives for 公开06表 of 江苏省高级人民法院2019年度部门预算公开.pdf (p11):
['科目编码', None, '科目名称', None, '金额'], ['', '合计', None, '', '21,968.00'], ['30213', None, '维修（护）费', None, '668.00']."""

from __future__ import annotations

from ingest.grid import Cell, Grid
from ingest.tables import parse_grid
from ingest.textnorm import clean


def _grid(rows: list[list[tuple[str, int]]]) -> Grid:
    """Each row as (text, columns spanned) cells from the left."""
    n_cols = sum(span for _text, span in rows[0])
    grid = Grid(len(rows), n_cols, (0.0, 0.0, 80.0 * n_cols, 20.0 * len(rows)), 11)
    grid.at = [[None] * n_cols for _ in rows]
    for i, row in enumerate(rows):
        j = 0
        for text, span in row:
            cell = Cell(clean(text), text, i, j, i, j + span - 1, (80.0 * j, 20.0 * i, 80.0 * (j + span), 20.0 * (i + 1)))
            for jj in range(j, j + span):
                grid.at[i][jj] = cell
            j += span
    return grid


def test_a_code_reaching_into_the_label_column_is_the_code_and_the_name_is_the_label() -> None:
    grid = _grid([
        [("科目编码", 2), ("科目名称", 2), ("金额", 1)],
        [("", 1), ("合计", 3), ("21,968.00", 1)],
        [("302", 2), ("商品和服务支出", 2), ("3,580.05", 1)],
        [("30213", 2), ("维修（护）费", 2), ("668.00", 1)],
        [("30215", 2), ("会议费", 2), ("111.30", 1)],
    ])
    cells = {(c.row, c.row_code): c.value for c in parse_grid(grid).cells}
    assert cells == {("合计", None): 21968.0, ("商品和服务支出", "302"): 3580.05,
                     ("维修（护）费", "30213"): 668.0, ("会议费", "30215"): 111.3}
