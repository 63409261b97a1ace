"""Lists printed as lines, kept as passages with one item per line: the table of contents' groups
("附件：…部门预算表" and its "一、…表" lines), the rows of a table sorted by a kind column ("类型:
其他运转类" → the project names of that kind) and the named rows of a table with a content column
("年度主要任务 | 任务名称 | 主要内容"). Narrative passages never hold a line break; these do, so the
answer side (assistant/enumerations.py) can count their lines. What a list header looks like is data:
data/lists.toml."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache

from ingest.grid import Grid
from ingest.names import DATA
from ingest.narrative import RawPassage
from ingest.pdf_reader import RawPage
from ingest.textnorm import clean

_ITEM = re.compile(r"^[-•·\s]*([一二三四五六七八九十]+、\S.*)$")


@dataclass(frozen=True)
class _Rules:
    contents: re.Pattern[str]
    min_items: int
    category: re.Pattern[str]
    name: re.Pattern[str]
    content: re.Pattern[str]


@lru_cache(maxsize=1)
def rules() -> _Rules:
    raw = tomllib.loads((DATA / "lists.toml").read_text(encoding="utf-8"))
    return _Rules(re.compile(raw["contents_page"]), int(raw["min_items"]), re.compile(raw["category_header"]),
                  re.compile(raw["name_header"]), re.compile(raw["content_header"]))


def contents_lists(pages: list[RawPage]) -> list[RawPassage]:
    """Each group of the table of contents with at least `min_items` numbered lines."""
    r = rules()
    out = []
    for page in pages:
        if not r.contents.match(page.text[:80]):
            continue
        header, items = "", []
        for raw_line in [*page.text.split("\n"), ""]:
            line = clean(raw_line).lstrip("-•· ").strip()
            m = _ITEM.match(line)
            if m and line:
                items.append(m.group(1).strip())
                continue
            if not line:
                continue
            if len(items) >= r.min_items and header:
                out.append(RawPassage(page.number, ["目录", header], "\n".join(items)))
            header, items = line, []
        if len(items) >= r.min_items and header:
            out.append(RawPassage(page.number, ["目录", header], "\n".join(items)))
    return out


def _columns(grid: Grid) -> tuple[int, int | None, int, int | None] | None:
    """(header row, kind column, name column, content column) of a grid, or None."""
    r = rules()
    for i in range(min(grid.n_rows, 6)):
        texts = [re.sub(r"\s", "", grid.text(i, j)) if grid.starts_at(i, j) else "" for j in range(grid.n_cols)]
        name = next((j for j, t in enumerate(texts) if r.name.match(t)), None)
        if name is None:
            continue
        kind = next((j for j, t in enumerate(texts[:name]) if r.category.match(t)), None)
        content = next((j for j, t in enumerate(texts) if j > name and r.content.match(t)), None)
        if kind is not None or content is not None:
            return i, kind, name, content
    return None


def table_lists(title: str, grids: list[Grid]) -> list[RawPassage]:
    """The rows of one table (its grids, page by page) grouped by their kind, or listed by name with
    their content, each group one passage headed by the table title and the group."""
    groups: dict[str, tuple[int, list[str]]] = {}
    layout = None
    kind_header = ""
    for grid in grids:
        found = _columns(grid)
        if found is not None:
            layout, start = found, found[0] + 1
            if found[1] is not None:
                kind_header = clean(grid.text(found[0], found[1]))
        elif layout is None or layout[3] is not None or grid.n_cols <= max(j for j in layout[1:] if j is not None):
            continue  # a form's content rows are read on the page that names its columns only
        else:
            start = 0
        head, kind, name, content = layout
        if content is not None and found is not None:
            _contents(grid, head, name, content, groups)
            continue
        if kind is None:
            continue
        for i in range(start, grid.n_rows):
            n, k = clean(grid.text(i, name)), clean(grid.text(i, kind))
            if not n or not k or re.fullmatch(r"[\d.,\s]+", n) or re.fullmatch(r"[\d.,\s]+", k):
                continue
            groups.setdefault(f"{kind_header}：{k}", (grid.page, []))[1].append(n)
    return [RawPassage(page, [title, key], "\n".join(items)) for key, (page, items) in groups.items() if len(items) >= 2]


def _contents(grid: Grid, head: int, name: int, content: int, groups: dict[str, tuple[int, list[str]]]) -> None:
    """"年度主要任务 | 任务名称 | 主要内容": the named rows under the block's label, "名称：内容" each,
    to the next block of the form ("预算情况")."""
    label_cell = grid.at[head][0] if name > 0 else None
    label = clean(label_cell.text) if label_cell is not None and label_cell.col < name else ""
    for i in range(head + 1, grid.n_rows):
        first = grid.at[i][0] if name > 0 else None
        if first is not None and first is not label_cell and first.col < name and clean(first.text):
            break
        n, c = clean(grid.text(i, name)), clean(grid.text(i, content))
        if n and c and not re.fullmatch(r"[\d.,\s]+", n):
            groups.setdefault(label or "项目", (grid.page, []))[1].append(f"{n}：{c}")
