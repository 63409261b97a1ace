"""A pdfplumber table as a grid of cells that know which rows and columns they span."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest.textnorm import clean

Box = tuple[float, float, float, float]
_TOL = 1.5


@dataclass
class Cell:
    text: str
    raw: str
    row: int
    col: int
    row_end: int  # inclusive
    col_end: int  # inclusive
    bbox: Box


@dataclass
class Grid:
    """Rows x columns; `at[i][j]` is the cell covering (i, j), merged cells included."""

    n_rows: int
    n_cols: int
    bbox: Box
    page: int
    at: list[list[Cell | None]] = field(default_factory=list)

    def text(self, i: int, j: int) -> str:
        c = self.at[i][j]
        return c.text if c else ""

    def starts_at(self, i: int, j: int) -> bool:
        c = self.at[i][j]
        return c is not None and c.row == i and c.col == j


def _starts(edges: list[float | None], right: float) -> list[float]:
    """Fill missing column/row starts from their neighbours so spans can be computed."""
    out: list[float] = []
    for k, e in enumerate(edges):
        if e is None:
            nxt = next((x for x in edges[k + 1 :] if x is not None), right)
            prev = out[-1] if out else nxt
            e = (prev + nxt) / 2
        out.append(e)
    return out


def grid_from_table(table: Any, page_number: int) -> Grid:
    """Build a Grid from a pdfplumber Table using the cell boxes it found."""
    rows = table.rows
    texts = table.extract()
    n_rows = len(rows)
    n_cols = max((len(r.cells) for r in rows), default=0)
    x0s: list[float | None] = []
    for j in range(n_cols):
        xs = [r.cells[j][0] for r in rows if j < len(r.cells) and r.cells[j] is not None]
        x0s.append(min(xs) if xs else None)
    col_x = _starts(x0s, table.bbox[2])
    row_y = [r.bbox[1] for r in rows]
    grid = Grid(n_rows, n_cols, tuple(table.bbox), page_number)
    grid.at = [[None] * n_cols for _ in range(n_rows)]
    placed: list[Cell] = []
    for i, r in enumerate(rows):
        for j, box in enumerate(r.cells):
            if box is None:
                continue
            x0, top, x1, bottom = box
            c_end = j
            while c_end + 1 < n_cols and col_x[c_end + 1] < x1 - _TOL:
                c_end += 1
            r_end = i
            while r_end + 1 < n_rows and row_y[r_end + 1] < bottom - _TOL:
                r_end += 1
            raw = texts[i][j] if i < len(texts) and j < len(texts[i]) else ""
            placed.append(Cell(clean(raw), raw or "", i, j, r_end, c_end, (x0, top, x1, bottom)))
    # small cells first: a title box drawn around the whole table must not hide the cells inside it
    for cell in sorted(placed, key=lambda c: (c.row_end - c.row + 1) * (c.col_end - c.col + 1)):
        for ii in range(cell.row, cell.row_end + 1):
            for jj in range(cell.col, cell.col_end + 1):
                if grid.at[ii][jj] is None:
                    grid.at[ii][jj] = cell
    return grid
