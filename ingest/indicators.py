"""Performance-target tables (绩效目标表) → one target per indicator row: the indicator's name, its
levels (一级/二级指标, or the 产出指标 header above it), the project it belongs to, the comparison
sign, the value and the unit ("≤20次", "≥13459.00(平方米)", "补贴对象满意度不低于80%").

The layout is found from the headers (data/targets.toml), not from a known table: a column whose
header reads "指标值" holds values, the nearest "三级指标" column left of it names them. A table
continued on the next page without its header keeps the columns by position."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.grid import Cell, Grid
from ingest.names import DATA
from ingest.textnorm import clean

_TOL = 6.0  # points: a continued page's column starts where the header page's did


@dataclass(frozen=True)
class _Rules:
    value_header: re.Pattern[str]
    name_header: re.Pattern[str]
    level_header: re.Pattern[str]
    level_above: re.Pattern[str]
    not_a_level: frozenset[str]
    project_header: re.Pattern[str]
    target: re.Pattern[str]
    signs: dict[str, str]  # comparison word → sign
    unit_alias: dict[str, str]


@lru_cache(maxsize=1)
def rules() -> _Rules:
    raw = tomllib.loads((DATA / "targets.toml").read_text(encoding="utf-8"))
    signs = {w: sign for sign, words in raw["comparison"].items() for w in words}
    cmp_alt = "|".join(re.escape(w) for w in sorted(signs, key=len, reverse=True))
    unit_alt = "|".join(re.escape(u) for u in sorted(set(raw["units"]), key=len, reverse=True))
    return _Rules(
        value_header=re.compile(raw["value_header"]),
        name_header=re.compile(raw["name_header"]),
        level_header=re.compile(raw["level_header"]),
        level_above=re.compile(raw["level_above"]),
        not_a_level=frozenset(raw["not_a_level"]),
        project_header=re.compile(raw["project_header"]),
        target=re.compile(rf"(?P<cmp>{cmp_alt})?\s*(?P<num>\d+(?:\.\d+)?)\s*[（(]?\s*(?P<unit>{unit_alt})[)）]?"),
        signs=signs,
        unit_alias=dict(raw["unit_alias"]),
    )


@dataclass
class Target:
    """One printed bound or value of a target: '≤20次' → ('≤', 20.0, '次')."""

    comparison: str | None
    value: float
    unit: str
    before: str  # words printed before it in the cell ("慰问人数" in "慰问人数不少于100人")


def parse_targets(text: str) -> list[Target]:
    """The targets a value cell states; [] for words ("达标", "提升") and figures without a unit."""
    r = rules()
    t = clean(text).replace("％", "%")
    out = []
    last = 0
    for m in r.target.finditer(t):
        if m.start() > 0 and t[m.start() - 1].isdigit():
            continue
        unit = r.unit_alias.get(m.group("unit"), m.group("unit"))
        before = re.sub(r"[，,;；、。\s]", "", t[last:m.start()])
        after = t[m.end():]
        nxt = r.target.search(after)
        tail = after[: nxt.start()] if nxt else after
        if m.group("cmp") is None and re.sub(r"[，,;；、。\s]", "", tail):
            last = m.end()
            continue  # "24小时值班通联": a figure inside words, not a target
        out.append(Target(r.signs.get(m.group("cmp") or ""), float(m.group("num")), unit, before))
        last = m.end()
    return out


@dataclass
class TargetCell:
    page: int
    row: str
    column: str
    value: float
    unit: str
    comparison: str | None
    text: str
    bbox: tuple[float, float, float, float]


@dataclass
class _ValueColumn:
    value_x: float
    name_x: float | None
    level_xs: list[float]
    level_above: str | None
    header: str


@dataclass
class _Layout:
    values: list[_ValueColumn] = field(default_factory=list)
    project_x: float | None = None


def _x0(grid: Grid, j: int) -> float:
    xs = [c.bbox[0] for row in grid.at for c in row[j : j + 1] if c is not None and c.col == j]
    return min(xs) if xs else grid.bbox[0] + j


def _col_at(grid: Grid, x: float | None) -> int | None:
    if x is None:
        return None
    best = min(range(grid.n_cols), key=lambda j: abs(_x0(grid, j) - x), default=None)
    return best if best is not None and abs(_x0(grid, best) - x) <= _TOL else None


def _cell(grid: Grid, i: int, j: int | None) -> Cell | None:
    return grid.at[i][j] if j is not None and 0 <= i < grid.n_rows and 0 <= j < grid.n_cols else None


def _header(grid: Grid) -> tuple[int, _Layout] | None:
    """The row holding the '指标值' headers, and what each value column's neighbours mean."""
    r = rules()
    for i in range(grid.n_rows):
        vals = [j for j in range(grid.n_cols) if grid.starts_at(i, j) and r.value_header.search(grid.text(i, j))]
        if not vals:
            continue
        layout = _Layout()
        for v in vals:
            name_j = next((k for k in range(v - 1, -1, -1)
                           if (c := grid.at[i][k]) is not None and r.name_header.search(c.text)), None)
            if name_j is None:
                name_j = next((k for k in range(v - 1, -1, -1) if grid.text(i, k)), None)
            levels = [k for k in range(0, name_j if name_j is not None else v)
                      if grid.starts_at(i, k) and r.level_header.search(grid.text(i, k))]
            above = None
            for ii in range(i - 1, -1, -1):
                c = grid.at[ii][v]
                if c is not None and c.row < i and r.level_above.search(c.text) and c.text not in r.not_a_level:
                    above = c.text
                    break
            layout.values.append(_ValueColumn(_x0(grid, v), _x0(grid, name_j) if name_j is not None else None,
                                              [_x0(grid, k) for k in levels], above, grid.text(i, v)))
        for ii in range(i + 1):
            for j in range(grid.n_cols):
                c = grid.at[ii][j]
                pair = re.fullmatch(r"项目名称", c.text) is not None and _pair_value(grid, c) is not None if c else False
                if c is not None and grid.starts_at(ii, j) and r.project_header.search(c.text) and not pair:
                    layout.project_x = _x0(grid, j)
        return i, layout
    return None


def _pair_value(grid: Grid, label: Cell) -> str | None:
    """'项目名称 | 新建…中心' printed as a label and its value in one row: the value."""
    j = label.col_end + 1
    c = _cell(grid, label.row, j)
    if c is None or not c.text or rules().project_header.search(c.text) or "指标" in c.text:
        return None
    return c.text


def project_label(grid: Grid, before_row: int) -> str | None:
    """The project a form names in its rows above `before_row` ("项目名称 | 就业援助基地补贴")."""
    for i in range(min(before_row, grid.n_rows)):
        for j in range(grid.n_cols):
            c = grid.at[i][j]
            if c is not None and grid.starts_at(i, j) and re.fullmatch(r"项目名称", c.text):
                return _pair_value(grid, c)
    return None


def target_cells(grids: list[Grid]) -> list[TargetCell]:
    """Every indicator value of a table printed over `grids` (its pages, in order)."""
    out: list[TargetCell] = []
    layout: _Layout | None = None
    project: str | None = None
    carried: dict[tuple[int, int], str] = {}  # (value column, level) → the level printed last
    for grid in grids:
        found = _header(grid)
        if found is not None:
            start, layout = found[0] + 1, found[1]
            project = project_label(grid, found[0]) or project
        elif layout is None:
            continue
        else:
            start = 0
        pj = _col_at(grid, layout.project_x)
        if found is not None:
            carried.clear()
        cols = [(vc, _col_at(grid, vc.value_x), _col_at(grid, vc.name_x), [_col_at(grid, x) for x in vc.level_xs])
                for vc in layout.values]
        for i in range(start, grid.n_rows):
            pc = _cell(grid, i, pj)
            if pc is not None and pc.text and not re.fullmatch(r"[\d\s]+", pc.text):
                project = pc.text
            for vc, vj, nj, ljs in cols:
                c = _cell(grid, i, vj)
                if c is None or c.row != i or not c.text:
                    continue
                targets = parse_targets(c.raw)
                nc = _cell(grid, i, nj)
                if not targets or nc is None or not nc.text:
                    continue
                levels = []
                for k, lj in enumerate(ljs or []):
                    lc = _cell(grid, i, lj)
                    if lc is not None and lc.text:
                        carried[(id(vc), k)] = lc.text
                    levels.append(carried.get((id(vc), k), ""))
                levels = [x for x in levels if x]
                if not vc.level_xs and vc.level_above:
                    levels = [vc.level_above]
                path = [x for x in [project, *levels, nc.text] if x]
                for t in targets:
                    sub = [t.before] if len(targets) > 1 and t.before and t.before not in nc.text else []
                    out.append(TargetCell(grid.page, " / ".join(path + sub), vc.header, t.value, t.unit,
                                          t.comparison, c.text, c.bbox))
    return out
