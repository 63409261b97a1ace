"""Open a PDF with pdfplumber and read each page's tables (as grids, with the text above them)
and the text outside them. Unreadable files raise DocumentError with the reason.

Tables are found from their ruling lines; a page with no ruled table is also searched for tables
printed without lines (columns of aligned words), kept only when a column is mostly money figures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber

from budgetqa.errors import DocumentError
from ingest.grid import Grid, grid_from_table
from ingest.textnorm import is_money_text

_UNRULED = {"vertical_strategy": "text", "horizontal_strategy": "text"}
_MIN_FIGURES = 3  # an unruled table needs a column with at least this many money figures

# Figures set in another font sit a few points off the line's baseline (Putuo's 决算 narrative):
# a wider tolerance keeps "支出2940.05万元" on one line; lines are ~14 pt apart, so 5 is safe.
Y_TOL = 5


@dataclass
class RawTable:
    grid: Grid
    lines_above: list[str]  # text lines between the previous table (or page top) and this table
    near_top: bool  # starts near the top of the page: may continue the previous page's table


@dataclass
class RawPage:
    number: int
    width: float
    height: float
    text: str  # text outside tables
    tables: list[RawTable] = field(default_factory=list)


def check_header(path: Path) -> None:
    """Refuse files that are not PDFs at all from their first bytes (cheap: no parser involved)."""
    name = path.name
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise DocumentError(name, f"cannot be read ({exc.strerror}); check the path and permissions") from exc
    if not head:
        raise DocumentError(name, "is empty (0 bytes); re-download the file")
    if b"%PDF" not in head:
        kind = "a Word/Excel (Office) file" if head.startswith((b"PK", b"\xd0\xcf\x11\xe0")) else "not a PDF"
        raise DocumentError(name, f"is {kind}; export it as PDF first")


@contextmanager
def open_pdf(path: Path) -> Iterator[Any]:
    """pdfplumber.open with one-line reasons for files that are not readable PDFs."""
    name = path.name
    check_header(path)
    try:
        pdf = pdfplumber.open(path)
        _ = pdf.pages  # parses the page tree: broken files fail here
    except Exception as exc:  # pdfminer raises many types for broken files
        msg = _describe(exc)
        if "Password" in msg or "Encrypt" in msg or "decrypt" in msg.lower():
            raise DocumentError(name, "is encrypted (password protected); ask the publisher for an open copy") from exc
        raise DocumentError(name, f"is a corrupt or truncated PDF ({msg[:80]}); re-download the file") from exc
    try:
        yield pdf
    finally:
        pdf.close()


def _chain(exc: BaseException, limit: int = 6) -> list[BaseException]:
    """The error and the errors it wraps (pdfplumber wraps pdfminer's, which may wrap a MemoryError)."""
    found: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(found) < limit:
        e = todo.pop(0)
        if any(e is x for x in found):
            continue
        found.append(e)
        todo += [a for a in e.args if isinstance(a, BaseException)]
        todo += [x for x in (e.__cause__, e.__context__) if x is not None]
    return found


def _describe(exc: BaseException) -> str:
    """'PdfminerException PDFPasswordIncorrect': pdfplumber wraps pdfminer's error, whose name is the reason."""
    parts = []
    for e in _chain(exc):
        text = str(e) if not (e.args and all(isinstance(a, BaseException) for a in e.args)) else ""
        parts.append(type(e).__name__ + (f" {text}" if text else ""))
    return " ".join(parts)


def _lines(page: Any, top: float, bottom: float) -> list[str]:
    x0, y0, x1, y1 = page.bbox
    top, bottom = max(y0, top), min(y1, bottom)
    if bottom - top < 1:
        return []
    crop = page.crop((x0, top, x1, bottom))
    return [ln.strip() for ln in (crop.extract_text(y_tolerance=Y_TOL) or "").split("\n") if ln.strip()]


def _has_figure_column(table: Any) -> bool:
    rows = table.extract()
    for j in range(1, max((len(r) for r in rows), default=0)):
        filled = [r[j] for r in rows if j < len(r) and r[j]]
        figures = [v for v in filled if is_money_text(v)]
        if len(figures) >= _MIN_FIGURES and len(figures) >= 0.6 * len(filled):
            return True
    return False


def unruled_tables(page: Any) -> list[Any]:
    """Tables printed without ruling lines; prose found as a one-column "table" never qualifies."""
    return [t for t in page.find_tables(_UNRULED) if _has_figure_column(t)]


def read_page(page: Any, number: int) -> RawPage:
    found = sorted(page.find_tables() or unruled_tables(page), key=lambda t: t.bbox[1])
    raw = RawPage(number, float(page.width), float(page.height), "")
    prev_bottom = float(page.bbox[1])
    for t in found:
        grid = grid_from_table(t, number)
        above = _lines(page, prev_bottom, t.bbox[1])
        raw.tables.append(RawTable(grid, above, t.bbox[1] < page.height * 0.2))
        prev_bottom = t.bbox[3]
    if found:
        bboxes = [t.bbox for t in found]
        outside = page.filter(
            lambda o: not any(
                b[0] - 1 <= o.get("x0", 0) and o.get("x1", 0) <= b[2] + 1 and b[1] - 1 <= o.get("top", 0)
                and o.get("bottom", 0) <= b[3] + 1
                for b in bboxes
            )
        )
        raw.text = outside.extract_text(y_tolerance=Y_TOL) or ""
    else:
        raw.text = page.extract_text(y_tolerance=Y_TOL) or ""
    return raw


def read_pages(pdf: Any, name: str, max_pages: int) -> list[RawPage]:
    n = len(pdf.pages)
    if n == 0:
        raise DocumentError(name, "has no pages; re-download the file")
    if n > max_pages:
        raise DocumentError(name, f"has {n} pages, more than the limit {max_pages} (BUDGETQA_MAX_PAGES)")
    pages = []
    chars = 0
    for i, page in enumerate(pdf.pages, 1):
        try:
            chars += len(page.chars)
            pages.append(read_page(page, i))
        except (DocumentError, MemoryError):
            raise
        except Exception as exc:  # a damaged page: pdfminer raises anything from KeyError to RecursionError
            if any(isinstance(e, MemoryError) for e in _chain(exc)):  # newer pdfminer wraps it: still memory
                raise MemoryError(_describe(exc)[:80]) from exc
            raise DocumentError(name, f"page {i} cannot be read ({_describe(exc)[:80]}); the file is damaged, "
                                      "re-download it") from exc
        page.flush_cache()
    if chars == 0:
        raise DocumentError(name, "has no text layer (scanned images); run OCR on it first (e.g. ocrmypdf)")
    return pages
