"""Grid -> header paths, column roles, row labels and codes, and one fact per filled value cell."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ingest.grid import Cell, Grid
from ingest.textnorm import clean, is_integer_text, is_money_text, parse_number

_META = re.compile(r"单位\s*[:：]|部门(名称)?\s*[:：]|^公开\s*\d+\s*表$|^表[一二三四五六七八九十]+$")
_CODE_HEADER = re.compile(r"编码|代码|编号|^类$|^款$|^项$")
_SPLIT_CODE = {"类", "款", "项"}
_AMOUNT_HEADER = re.compile(r"金额|合计|小计|总计|数$|支出|收入|费|经费|资金|拨款")


@dataclass
class Column:
    index: int
    path: list[str]
    role: str  # "value", "code", "label" or "empty"
    x0: float = 0.0

    @property
    def name(self) -> str:
        return " / ".join(self.path)


@dataclass
class ValueCell:
    row_index: int
    row: str | None
    row_code: str | None
    column: str
    value: float
    text: str
    bbox: tuple[float, float, float, float]
    page: int
    unit: str | None = None  # when the cell states its own unit ("≥95%")


_PERCENT_CELL = re.compile(r"^[≥≤<>＞＜]?=?\s*(\d+(?:\.\d+)?)\s*%$")


@dataclass
class ParsedTable:
    columns: list[Column]
    cells: list[ValueCell] = field(default_factory=list)
    meta_texts: list[str] = field(default_factory=list)
    has_header: bool = True


_META_LABEL_ONLY = re.compile(r"^(部门|单位|部门名称|单位名称|编制部门|编制单位|预算单位)\s*[:：]$")


def _is_meta(cell: Cell, grid: Grid) -> bool:
    if _META.search(cell.text):
        return True
    # a title typed into the grid: first row, spanning (nearly) the whole width
    spans_all = cell.col_end - cell.col >= grid.n_cols - 2 and grid.n_cols > 2
    return cell.row <= 1 and spans_all and (cell.text.endswith("表") or re.search(r"[预决]算表", cell.text) is not None)


def _unique_cells(grid: Grid) -> list[Cell]:
    seen: dict[int, Cell] = {}
    for row in grid.at:
        for c in row:
            if c is not None:
                seen.setdefault(id(c), c)
    return list(seen.values())


def _first_data_row(grid: Grid, meta: set[int]) -> int | None:
    for i in range(grid.n_rows):
        for j in range(grid.n_cols):
            c = grid.at[i][j]
            if c is not None and id(c) not in meta and c.row == i and c.col == j and is_money_text(c.raw):
                return i
    return None


def _header_paths(grid: Grid, first_data: int, meta: set[int]) -> list[list[str]]:
    paths: list[list[str]] = []
    for j in range(grid.n_cols):
        path: list[str] = []
        last: int | None = None
        for i in range(first_data):
            c = grid.at[i][j]
            if c is None or id(c) in meta or not c.text or id(c) == last:
                continue
            last = id(c)
            path.append(c.text)
        # a header row fused into the first data row ("类 款 项 合计 2,946.25 …")
        c = grid.at[first_data][j] if first_data < grid.n_rows else None
        if c is not None and c.text in _SPLIT_CODE and c.row == first_data:
            path.append(c.text)
        paths.append(_join_wrapped(path))
    return paths


@lru_cache(maxsize=1)
def _wrapped_terms() -> frozenset[str]:
    raw = tomllib.loads((Path(__file__).parent / "data" / "header_terms.toml").read_text(encoding="utf-8"))
    return frozenset(clean(t) for t in raw["terms"])


def _join_wrapped(path: list[str]) -> list[str]:
    """["“三公”经费", "公务接", "待费"] → ["“三公”经费", "公务接待费"]: a heading the grid read as cells
    stacked in its column, put together when the parts join into a heading of data/header_terms.toml."""
    out: list[str] = []
    i = 0
    while i < len(path):
        for n in (3, 2):
            parts = path[i : i + n]
            if len(parts) == n and "".join(parts) in _wrapped_terms() and not set(parts) & _wrapped_terms():
                out.append("".join(parts))
                i += n
                break
        else:
            out.append(path[i])
            i += 1
    return out


def _column_role(grid: Grid, j: int, path: list[str], rows: range, meta: set[int]) -> str:
    money = ints = texts = 0
    for i in rows:
        c = grid.at[i][j]
        if c is None or id(c) in meta or c.col != j or not c.text or c.text in _SPLIT_CODE:
            continue
        if c.row != i:
            continue
        if is_money_text(c.raw):
            money += 1
        elif is_integer_text(c.raw) or _SPACED_CODE.match(c.text):
            ints += 1
        else:
            texts += 1
    last = path[-1] if path else ""
    if money == ints == texts == 0:
        return "empty"
    if money == 0 and ints > 0 and (_CODE_HEADER.search(last) or any(_CODE_HEADER.search(p) for p in path)):
        return "code"
    if money > 0 and money >= texts:
        return "value"
    if money == 0 and ints > 0 and texts == 0 and _AMOUNT_HEADER.search(last):
        return "value"
    if money == 0 and ints > 0 and texts == 0:
        return "code"
    return "label"


def _label_top(grid: Grid, run: list[Column], rows: range) -> str | None:
    """Of several label groups left of a value column, the one that tells rows apart best."""
    best, best_n = None, -1
    groups: dict[str, set[str]] = {}
    for col in run:
        if col.role == "label":
            # a code printed in a cell reaching into a label column ("30213" over 科目编码's two columns)
            # tells the rows apart as a code, not as their names
            groups.setdefault(col.path[0] if col.path else "", set()).update(
                t for i in rows if not _code_text(t := grid.text(i, col.index))
            )
    for top, texts in groups.items():
        if len(texts) > best_n:
            best, best_n = top, len(texts)
    return best


_SPACED_CODE = re.compile(r"^\d{3}(?:\s+\d{1,2}){1,2}$")


def _code_text(t: str) -> str:
    """A printed code as digits: "2010301"; "301 2" and "201 3 1" (parts printed apart, without
    their leading zeros) → "30102", "2010301"; anything else → ""."""
    t = t.strip()
    if _SPACED_CODE.match(t):
        head, *rest = t.split()
        return head + "".join(x.zfill(2) for x in rest)
    return t if t.isdigit() and t not in _SPLIT_CODE else ""


def _row_key(
    grid: Grid, i: int, run: list[Column], meta: set[int], top_pick: str | None
) -> tuple[str | None, str | None]:
    """Row label and code from the label/code columns left of a value column."""
    code_groups: list[str] = []
    current = ""
    prev_split = False
    for col in run:
        if col.role != "code":
            if current:
                code_groups.append(current)
            current, prev_split = "", False
            continue
        t = _code_text(grid.text(i, col.index))
        split = bool(col.path) and col.path[-1] in _SPLIT_CODE
        if split and prev_split:
            # 款 and 项 are two digits each; some tables print "2" for "02" ("301 2" = 30102)
            current += t.zfill(2) if current and t else t
        else:
            if current:
                code_groups.append(current)
            current = t
        prev_split = split
    if current:
        code_groups.append(current)
    code = next((g for g in code_groups if g), None)

    groups: dict[str, list[str]] = {}
    for col in run:
        if col.role != "label":
            continue
        c = grid.at[i][col.index]
        if c is None or id(c) in meta or not c.text or c.text in _SPLIT_CODE:
            continue
        if code and _code_text(c.text) == code:
            continue  # the row's code in a cell that reaches into this column: not its name
        top = col.path[0] if col.path else ""
        if top_pick is not None and top != top_pick:
            continue
        texts = groups.setdefault(top, [])
        if c.text not in texts:
            texts.append(c.text)
    label = next((" / ".join(v) for v in groups.values() if v), None)
    return label, code


@lru_cache(maxsize=1)
def _attribute_columns() -> tuple[str, ...]:
    raw = tomllib.loads((Path(__file__).parent / "data" / "table_types.toml").read_text(encoding="utf-8"))
    return tuple(raw.get("attribute_columns", []))


def _nested_labels(grid: Grid, run: list[Column], rows: range, meta: set[int]) -> dict[int, str]:
    """Row labels of a table whose label columns nest (政府采购预算表: 采购品目大类 / 专项名称 / 经济科目 /
    采购物品名称), for the rows the column that tells rows apart leaves blank: the row's own texts after
    the texts printed above it in the columns to their left ("三、服务C / 某专项会议经费 / 会议费").
    Only when two label columns or more have headers of their own."""
    def texts(col: Column) -> list[str]:
        return [c.text for i in rows if (c := grid.at[i][col.index]) is not None and id(c) not in meta
                and c.row == i and len(c.text) >= 2 and c.text not in _SPLIT_CODE]

    # a column repeating a few words down the table (采购组织形式: 分散自行组织 …) says how, not what
    cols = [c for c in run if c.role == "label" and len(set(t := texts(c))) * 3 >= len(t)
            and not any(w in part for part in c.path for w in _attribute_columns())]
    if len({c.path[0] if c.path else "" for c in cols}) < 2:
        return {}
    out: dict[int, str] = {}
    above: dict[int, str] = {}  # column index -> the text last printed in it
    for i in rows:
        own: list[tuple[int, str]] = []
        for col in cols:
            c = grid.at[i][col.index]
            if c is None or id(c) in meta or c.row != i or len(c.text) < 2 or c.text in _SPLIT_CODE:
                continue  # one character: a header's last line spilled into the row ("式")
            own.append((col.index, c.text))
        if not own:
            continue
        first = own[0][0]
        path = [above[j] for j in sorted(above) if j < first] + [t for _j, t in own]
        out[i] = " / ".join(dict.fromkeys(path))
        for j in [j for j in above if j >= first]:
            del above[j]  # a new group: what its columns printed before belongs to the last one
        above.update(own)
    return out


def _col_x0(grid: Grid, j: int) -> float:
    xs = [c.bbox[0] for row in grid.at for c in row[j : j + 1] if c is not None and c.col == j]
    return min(xs) if xs else grid.bbox[0]


def _inherit(grid: Grid, prev: list[Column], data_rows: range, meta: set[int]) -> list[Column]:
    """Columns of a continued table: matched to the previous page's columns by position."""
    out = []
    for j in range(grid.n_cols):
        x0 = _col_x0(grid, j)
        near = min(prev, key=lambda c: abs(c.x0 - x0))
        if abs(near.x0 - x0) <= 6:
            # a column the first page left empty (only the totals printed there) is read on this page
            role = near.role if near.role != "empty" else _column_role(grid, j, near.path, data_rows, meta)
            out.append(Column(j, near.path, role, x0))
        else:
            out.append(Column(j, [], _column_role(grid, j, [], data_rows, meta), x0))
    return out


@dataclass
class GridMeta:
    """The cells of a grid that are not table content (title, 单位, 部门 lines caught inside the grid)."""

    ids: set[int]
    texts: list[str]


def grid_meta(grid: Grid) -> GridMeta:
    cells = _unique_cells(grid)
    meta = {id(c) for c in cells if _is_meta(c, grid)}
    for tag in cells:  # "部门：" | "浙江省人大常委会办公厅": the name in the next cell is the label's, not a header
        if id(tag) in meta and _META_LABEL_ONLY.search(tag.text) and tag.col_end + 1 < grid.n_cols:
            beside = grid.at[tag.row][tag.col_end + 1]
            if beside is not None and beside.row == tag.row and not is_money_text(beside.raw):
                meta.add(id(beside))
    return GridMeta(meta, [c.raw for c in cells if id(c) in meta])


def _filled(grid: Grid, i: int, j: int, meta: set[int]) -> bool:
    c = grid.at[i][j]
    return c is not None and id(c) not in meta and c.row == i and c.col == j and parse_number(c.raw) is not None


def _adopt_neighbour_headers(grid: Grid, columns: list[Column], rows: range, meta: set[int]) -> None:
    """A value column without a header beside a headed one, never both filled in a row, is the
    same column printed off its grid line ("金额" over 类 rows, its 项 rows one cell to the left)."""
    for col in columns:
        if col.role != "value" or col.path:
            continue
        for k in (col.index + 1, col.index - 1):
            if 0 <= k < len(columns) and columns[k].role == "value" and columns[k].path:
                if not any(_filled(grid, i, col.index, meta) and _filled(grid, i, k, meta) for i in rows):
                    col.path = list(columns[k].path)
                    break


def parse_grid(grid: Grid, continues: list[Column] | None = None, no_header: bool = False,
               meta_of: GridMeta | None = None) -> ParsedTable:
    """Read a grid.

    `continues`: the columns of the table this grid continues on a new page (its header is not
    printed again). `no_header`: a form-like table whose every row is content. `meta_of`: the grid's
    `grid_meta`, when the caller already has it.
    """
    gm = meta_of or grid_meta(grid)
    meta, meta_texts = gm.ids, gm.texts
    if no_header:
        return _parse_form(grid, meta, meta_texts)
    first = 0 if continues is not None else _first_data_row(grid, meta)
    if first is None:
        paths = _header_paths(grid, grid.n_rows, meta)
        return ParsedTable([Column(j, p, "label", _col_x0(grid, j)) for j, p in enumerate(paths)], [], meta_texts)
    has_header = first > 0
    data_rows = range(first, grid.n_rows)
    if continues is not None:
        columns = _inherit(grid, continues, data_rows, meta)
    else:
        paths = _header_paths(grid, first, meta)
        columns = [Column(j, p, _column_role(grid, j, p, data_rows, meta), _col_x0(grid, j))
                   for j, p in enumerate(paths)]
    _adopt_neighbour_headers(grid, columns, data_rows, meta)
    table = ParsedTable(columns, [], meta_texts, has_header)
    for col in columns:
        if col.role != "value":
            continue
        k = col.index - 1
        while k >= 0 and columns[k].role in ("value", "empty"):
            k -= 1
        run: list[Column] = []
        gap = False
        while k >= 0 and columns[k].role != "value":
            # past an empty column only a code column still belongs to this value's rows (a code
            # printed in a cell spanning the columns left of its header, "204" over 科目代码)
            if columns[k].role == "empty":
                gap = True
            elif not gap or columns[k].role == "code":
                run.insert(0, columns[k])
            k -= 1
        top_pick = _label_top(grid, run, data_rows)
        nested = _nested_labels(grid, run, data_rows, meta) if top_pick is not None else {}
        for i in data_rows:
            c = grid.at[i][col.index]
            if c is None or id(c) in meta or c.row != i or c.col != col.index:
                continue
            value = parse_number(c.raw)
            if value is None:
                continue
            label, code = _row_key(grid, i, run, meta, top_pick)
            if label is None:
                label = nested.get(i)
            table.cells.append(ValueCell(i, label, code, col.name, value, c.text, c.bbox, grid.page))
    return table


def _parse_form(grid: Grid, meta: set[int], meta_texts: list[str]) -> ParsedTable:
    """Form-like tables (绩效目标表, 项目填报表): a figure's label is the text printed left of it in
    its row; a label already used by a figure to its left is not used again, unless it spans
    several rows (a group label such as "项目资金（元）"). A form naming its project ("项目名称 | …")
    puts the project first in each label."""
    from ingest.indicators import project_label

    table = ParsedTable([], [], meta_texts, False)
    project = project_label(grid, grid.n_rows)
    for i in range(grid.n_rows):
        left: list[tuple[str, bool]] = []  # (label, spans several rows)

        def label(left: list[tuple[str, bool]]) -> str | None:
            parts = [t for t, _ in left][-2:]
            if project and parts and parts[0] != project:
                parts = [project, *parts]
            return " / ".join(parts) or None

        for j in range(grid.n_cols):
            c = grid.at[i][j]
            if c is None or id(c) in meta or not c.text:
                continue
            starts = c.row == i and c.col == j
            pct = _PERCENT_CELL.match(c.text) if starts else None
            if is_money_text(c.raw):
                if not starts:
                    continue  # a figure merged over two rows belongs to its first row
                value = parse_number(c.raw)
                if value is not None:
                    table.cells.append(ValueCell(i, label(left), None, "", value, c.text, c.bbox, grid.page))
                    left = [x for x in left if x[1]]
            elif pct:  # performance targets: "预算执行率 ≥95%"
                table.cells.append(ValueCell(i, label(left), None, "指标值", float(pct.group(1)), c.text, c.bbox, grid.page, "%"))
            elif c.text not in [t for t, _ in left] and len(c.text) <= 40 and c.text != project:
                left.append((c.text, c.row_end > c.row))
    return table
