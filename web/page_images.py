"""Cited cells as PNG images: the page region around the cell, the cell highlighted, cached under home."""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from budgetqa.errors import NotFound, UploadRejected
from budgetqa.settings import Settings
from vectorstore.facts_db import FactStore
from vectorstore.records import StoredDocument

# PDFium (pypdfium2, which pdfplumber's to_image uses) is not thread-safe, and the web server answers
# requests on several threads: two source cards rendered at once crashed the app (a segfault in
# libpdfium, seen in a CI run whose laptop and phone pages asked together).
_PDFIUM = threading.Lock()
CROP_DPI = 200  # 110 dpi made 三 read as 二 in small print
PAGE_DPI = 150


Box = tuple[float, float, float, float]


def _clip(box: Box, page_box: Box) -> Box:
    return (max(box[0], page_box[0]), max(box[1], page_box[1]), min(box[2], page_box[2]), min(box[3], page_box[3]))


def cell_region(page: Any, bbox: Box) -> Box:  # a pdfplumber Page
    """The part of the page worth showing around a cell: its table's width, from the table's header
    (or a window above the cell in long tables) to a little below the cell."""
    x0, top, x1, bottom = bbox
    region = (page.bbox[0], top - 160, page.bbox[2], bottom + 80)
    for t in page.find_tables():
        tx0, ttop, tx1, tbottom = t.bbox
        if tx0 - 3 <= x0 and x1 <= tx1 + 3 and ttop - 3 <= top and bottom <= tbottom + 3:
            upper = ttop - 48 if bottom - ttop <= 260 else top - 150
            region = (tx0 - 6, upper, tx1 + 6, min(tbottom + 6, bottom + 90))
            break
    return _clip(region, page.bbox)


class RegionImages:
    """PNG images of cited cells, highlighted in their table; rendered once, kept under home/cache."""

    def __init__(self, settings: Settings, store: FactStore):
        self.settings = settings
        self.store = store
        self.cache_dir = settings.home / "cache" / "regions"

    def _checked(self, document: str, page: int, bbox: Iterable[float]) -> tuple[StoredDocument, Path, tuple[float, ...]]:
        """The stored document's row, its PDF copy and the box, once the box is a cell a stored fact cites."""
        box = tuple(float(v) for v in bbox)
        if len(box) != 4 or not all(math.isfinite(v) for v in box) or box[0] >= box[2] or box[1] >= box[3]:
            raise UploadRejected(f"bbox {box} 不是有效的单元格位置 (x0, top, x1, bottom)。")
        row = next((d for d in self.store.documents() if d["document"] == document), None)
        pdf_path = self.settings.files_dir / document
        if row is None or pdf_path.resolve().parent != self.settings.files_dir.resolve() or not pdf_path.is_file():
            raise NotFound(f"没有名为 {document!r} 的文档。")
        if not 1 <= page <= int(row["pages"]):
            raise NotFound(f"{document} 没有第{page}页（共{row['pages']}页）。")
        # only cells a stored fact cites: anyone may ask, so arbitrary boxes must not fill the cache
        if not any(f.page == page and f.bbox and all(abs(a - b) < 0.6 for a, b in zip(f.bbox, box, strict=True))
                   for f in self.store.facts(document=document) if f.source == "table"):
            raise NotFound(f"{document} 第{page}页没有这个单元格。")
        return row, pdf_path, box

    def path_for(self, document: str, page: int, bbox: Iterable[float]) -> Path:
        """The cell's region of its table, the cell outlined, at CROP_DPI."""
        return self._cached("crop", document, page, bbox)

    @staticmethod
    def cell_box_of(path: Path) -> str | None:
        """Where the outlined cell stands in a crop or page image, as fractions of its width and height
        ('x0,top,x1,bottom'): the page scrolls an image wider than a phone to show the cell."""
        side = path.with_suffix(".cell")
        return side.read_text(encoding="ascii").strip() if side.exists() else None

    def page_path_for(self, document: str, page: int, bbox: Iterable[float]) -> Path:
        """The whole page with the cell outlined, at PAGE_DPI (the page viewer)."""
        return self._cached("page", document, page, bbox)

    def _cached(self, what: str, document: str, page: int, bbox: Iterable[float]) -> Path:
        row, pdf_path, box = self._checked(document, page, bbox)
        dpi = CROP_DPI if what == "crop" else PAGE_DPI
        key = hashlib.sha1(f"{row['sha256']}|{page}|{','.join(f'{v:.1f}' for v in box)}|{what}|{dpi}|3".encode()).hexdigest()
        out = self.cache_dir / f"{key}.png"
        if not out.exists():
            self._render(pdf_path, page, box, out, whole_page=what == "page", dpi=dpi)
        return out

    def _render(self, pdf_path: Path, page_no: int, box: tuple[float, ...], out: Path, whole_page: bool = False,
                dpi: int = CROP_DPI) -> None:
        import pdfplumber

        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with _PDFIUM, pdfplumber.open(pdf_path) as pdf:  # to_image renders with PDFium: one thread at a time
            page = pdf.pages[page_no - 1]
            cell = _clip((box[0], box[1], box[2], box[3]), page.bbox)
            region = page.bbox if whole_page else cell_region(page, cell)
            im = (page if whole_page else page.crop(region)).to_image(resolution=dpi)
            # the outline stands outside the cell's digits: a frame drawn on the cell box itself covers
            # the first and last digit of a tightly printed number
            pad = 2.5
            ring = _clip((cell[0] - pad, cell[1] - pad, cell[2] + pad, cell[3] + pad), region)
            im.draw_rect(cell, fill=(255, 214, 0, 70), stroke_width=0)
            im.draw_rect(ring, fill=(0, 0, 0, 0), stroke=(220, 38, 38), stroke_width=max(2, dpi // 50))
            fd, tmp = tempfile.mkstemp(dir=self.cache_dir, suffix=".part")
            os.close(fd)
            im.save(tmp, format="PNG")
        w, h = region[2] - region[0], region[3] - region[1]  # where the cell stands, for the page to scroll to
        frac = ((ring[0] - region[0]) / w, (ring[1] - region[1]) / h, (ring[2] - region[0]) / w, (ring[3] - region[1]) / h)
        out.with_suffix(".cell").write_text(",".join(f"{v:.4f}" for v in frac), encoding="ascii")
        os.replace(tmp, out)  # readers never see half a file (the .cell file is written first)
