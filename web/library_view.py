"""The library tab's pieces for staff: the document list (search, filter), a document's facts as a
table, and CSV / Excel exports of facts and failed cross-checks. Presentation only."""

from __future__ import annotations

import atexit
import html
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from ingest.records import CheckResult, Fact
from web.upload_folder import upload_folder

FACT_COLUMNS = ["页", "表格", "行", "科目编码", "列", "数值", "单位", "来源"]
CHECK_COLUMNS = ["核对项", "结果", "说明", "表格", "页"]

_exports: list[Path] = []  # this process's export folder, made on the first export


def _exports_folder() -> Path:
    """Gradio serves files only from the temp folder: exports go into Gradio's upload folder (for
    `serve` a folder of the server's own, removed when it stops), in a folder of this process's that
    is also removed at exit. Nothing is made at import."""
    if not _exports:
        root = upload_folder()
        root.mkdir(parents=True, exist_ok=True)
        _exports.append(Path(tempfile.mkdtemp(prefix="budgetqa-exports-", dir=root)))
        atexit.register(shutil.rmtree, _exports[0], True)
    return _exports[0]


def matches(d: dict, text: str, department: str | None, year: str | None, kind: str | None) -> bool:
    words = [w for w in re.split(r"\s+", (text or "").strip()) if w]
    hay = f"{d['document']} {d['department']} {d['year']} {d['kind']}"
    return (all(w in hay for w in words) and (department is None or d["department"] == department)
            and (year is None or str(d["year"]) == year) and (kind is None or d["kind"] == kind))


def documents_html(docs: list[dict], total: int) -> str:
    """The documents as cards: name, department, year, kind, size, checks; open and download links."""
    if not docs:
        return f'<p class="bq-note">没有符合条件的文档（共 {total} 个）。</p>'
    cards = []
    for d in docs:
        url = f"/api/pdf/{quote(d['document'])}"
        failed = d.get("checks_failed", 0)
        checks = (f"{d.get('checks_total', 0)} 项核对全部通过" if not failed
                  else f"{failed} / {d.get('checks_total', 0)} 项核对未通过")
        cards.append(
            f'<div class="bq-doc"><div class="bq-doc-name">{html.escape(d["document"])}</div>'
            f'<div class="bq-doc-meta">{html.escape(d["department"])} · {d["year"]}年 · {html.escape(d["kind"])} · '
            f'{d["pages"]}页 · {d["facts"]}条数据 · {checks}</div>'
            f'<div><a href="{url}" target="_blank" rel="noopener">打开PDF</a>'
            f'<a href="{url}?download=1">下载PDF</a></div></div>')
    head = f'<p class="bq-note">显示 {len(docs)} / {total} 个文档</p>'
    return head + '<div class="bq-doc-list">' + "".join(cards) + "</div>"


def facts_frame(facts: list[Fact]) -> pd.DataFrame:
    rows = [[f.page, f.table or "说明部分", f.row or "", f.row_code or "", f.column, f.value, f.unit,
             "表格" if f.source == "table" else "文字"] for f in facts]
    return pd.DataFrame(rows, columns=FACT_COLUMNS)


def checks_frame(checks: list[CheckResult], failed_only: bool = True) -> pd.DataFrame:
    rows = [[c.name, "通过" if c.ok else "未通过", c.detail, c.table or "", c.page or ""]
            for c in checks if not (failed_only and c.ok)]
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def _safe_stem(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", re.sub(r"\.pdf$", "", name, flags=re.IGNORECASE))[:80] or "文档"


def export(frame: pd.DataFrame, document: str, what: str, fmt: str) -> str:
    """Write `frame` as CSV (UTF-8 with BOM, so Excel reads the Chinese) or .xlsx; returns the path."""
    folder = Path(tempfile.mkdtemp(dir=_exports_folder()))
    path = folder / f"{_safe_stem(document)}-{what}.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
            frame.to_excel(writer, index=False, sheet_name=what[:31])
            sheet: Any = writer.sheets[what[:31]]
            for i, col in enumerate(frame.columns):
                width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)]) + 2
                sheet.set_column(i, i, min(width * 1.6, 60))
    return str(path)
