"""Helpers for the web layer (app.py): upload checks, cited page regions as images, chart data, example
questions, and the small HTML pieces the page shows. Presentation only: every figure comes from the store."""

from __future__ import annotations

import hashlib
import hmac
import html
import inspect
import math
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from assistant.conversation import conversation_for
from assistant.records import Answer, Citation
from budgetqa.cli import document_row
from budgetqa.errors import BudgetQAError, QuestionError
from budgetqa.library import Library
from budgetqa.settings import Settings
from ingest.records import Fact
from vectorstore.facts_db import FactStore

PDF_MAGIC = b"%PDF-"
_HEADER_WINDOW = 1024  # the PDF spec lets a few junk bytes precede the header


class UploadRejected(BudgetQAError):
    """An uploaded file is not acceptable (HTTP 400)."""


class NotAllowed(BudgetQAError):
    """Upload or removal without a valid admin token (HTTP 403)."""


class NotFound(BudgetQAError):
    """A named document or page does not exist (HTTP 404)."""


def one_line(exc: BaseException) -> str:
    """An exception as one short line fit for a user."""
    text = " ".join(str(exc).split())
    if not isinstance(exc, BudgetQAError):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text[:300]


# --------------------------------------------------------------------------- admin and uploads


def check_admin(settings: Settings, given: str | None) -> None:
    """Raise NotAllowed unless an admin token is configured and `given` matches it."""
    if not settings.admin_token:
        raise NotAllowed("本服务未设置管理口令（环境变量 BUDGETQA_ADMIN_TOKEN），上传和删除文档已停用。")
    if not given or not hmac.compare_digest(given.strip().encode("utf-8"), settings.admin_token.encode("utf-8")):
        raise NotAllowed("管理口令不正确，不能上传或删除文档。")


def safe_pdf_name(name: str | None) -> str:
    """The base name of an uploaded file, with no path parts or control characters: it becomes the
    document's name and its file name under files_dir, so nothing may point outside that folder."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().lstrip(".").strip()
    if not base:
        raise UploadRejected(f"文件名 {name!r} 无效，请改名后再上传。")
    if not base.lower().endswith(".pdf"):
        base += ".pdf"
    while len(base.encode("utf-8")) > 200:  # most file systems stop at 255 bytes
        base = base[:-5] + ".pdf"
    return base


def check_pdf(name: str, data: bytes, max_mb: int) -> None:
    if len(data) > max_mb * 1024 * 1024:
        raise UploadRejected(f"{name}：文件大小 {len(data) / 1048576:.1f} MB，超过 {max_mb} MB 的上限。")
    if not data:
        raise UploadRejected(f"{name}：文件是空的。")
    if PDF_MAGIC not in data[:_HEADER_WINDOW]:
        raise UploadRejected(f"{name}：不是 PDF 文件（文件开头没有 %PDF 标记），只能上传 PDF。")


def stage_upload(settings: Settings, name: str | None, data: bytes) -> Path:
    """Check an upload and write it to a private staging folder under home; the returned path's name is
    the document name. The caller ingests it and removes path.parent."""
    safe = safe_pdf_name(name)
    check_pdf(safe, data, settings.max_upload_mb)
    files_dir = settings.files_dir.resolve()
    if (files_dir / safe).resolve().parent != files_dir:
        raise UploadRejected(f"文件名 {name!r} 无效，请改名后再上传。")
    settings.ensure_home()
    staging = Path(tempfile.mkdtemp(prefix=".upload-", dir=settings.home))
    dest = staging / safe
    dest.write_bytes(data)
    return dest


# --------------------------------------------------------------------------- the shared backend


class Backend:
    """What the page and the JSON API share: one library and one assistant per process, and the
    upload/removal rules (admin token, PDF only, size limit, safe names)."""

    def __init__(self, settings: Settings, samples: Path):
        self.settings = settings
        self.samples = samples
        self.library = Library(settings)
        self.store = self.library.store
        self.images = RegionImages(settings, self.store)
        self.ingested = threading.Event()  # the first-run sample is in the store
        self.ready = threading.Event()  # ... and the assistant is built
        self.startup_problem = ""
        self._assistant: Any = None
        self._assistant_lock = threading.Lock()
        self._ingest_lock = threading.Lock()  # one ingest or removal at a time
        self._examples: tuple[str, list[str]] = ("", [])

    def start(self) -> None:
        threading.Thread(target=self._warm_up, name="budgetqa-warm-up", daemon=True).start()

    def _warm_up(self) -> None:
        """First run: ingest the bundled sample so the page answers at once; then build the assistant."""
        try:
            if not self.store.documents():
                with self._ingest_lock:
                    outcomes = self.library.ingest(sorted(self.samples.glob("*.pdf")))
                failed = [o.message for o in outcomes if o.status == "failed"]
                if failed:
                    self.startup_problem = "示例文件导入失败：" + "；".join(failed)
            self.ingested.set()
            self.assistant()
        except Exception as exc:  # the page still opens and says what went wrong
            self.startup_problem = f"启动时出错：{one_line(exc)}"
        finally:
            self.ingested.set()
            self.ready.set()

    def assistant(self) -> Any:
        # Assistant.ask only reads its fact index; refresh() swaps it under the assistant's own lock,
        # so one shared instance serves concurrent requests without a lock here.
        with self._assistant_lock:
            if self._assistant is None:
                from assistant.service import build_assistant

                self._assistant = build_assistant(self.settings)
            return self._assistant

    def ask(self, question: str, history: list[dict] | None = None, department: str | None = None,
            year: int | None = None, kind: str | None = None) -> Answer:
        question = (question or "").strip()
        if not question:
            raise QuestionError("问题不能为空。")
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(f"问题太长（{len(question)} 字），最多 {self.settings.max_question_chars} 字。")
        self.ready.wait(timeout=900)
        bot = self.assistant()
        extra = {"kind": kind} if kind and "kind" in inspect.signature(bot.ask).parameters else {}
        layer = conversation_for(bot)  # follow-ups and library-wide questions (assistant/conversation.py)
        if layer is not None:
            return layer.ask(question, history or [], department, year, kind)
        return bot.ask(question, history=history or [], department=department, year=year, **extra)

    def documents(self) -> list[dict]:
        self.ingested.wait(timeout=900)
        return [document_row(d) for d in self.store.documents()]

    def examples(self) -> list[str]:
        version = self.store.version()
        if self._examples[0] != version:
            self._examples = (version, example_questions(self.store.documents(), self.store))
        return self._examples[1]

    def upload(self, token: str | None, files: Sequence[tuple[str | None, bytes]],
               progress: Callable[[int, str], None] | None = None) -> list[dict]:
        """Check, stage and ingest uploaded PDFs; one result dict per file."""
        check_admin(self.settings, token)
        results: list[dict[str, Any]] = []
        for i, (name, data) in enumerate(files):
            if progress:
                progress(i, name or "")
            try:
                path = stage_upload(self.settings, name, data)
            except UploadRejected as exc:
                results.append({"document": name, "status": "rejected", "message": str(exc)})
                continue
            try:
                with self._ingest_lock:
                    o = self.library.ingest_one(path)
            finally:
                shutil.rmtree(path.parent, ignore_errors=True)
            results.append({"document": path.name, "status": o.status, "message": o.message, "facts": o.facts,
                            "checks_failed": o.checks_failed})
        return results

    def remove(self, token: str | None, document: str) -> None:
        check_admin(self.settings, token)
        with self._ingest_lock:
            if not self.library.remove(document):
                raise NotFound(f"没有名为 {document!r} 的文档。")

    def image_url(self, c: Citation) -> str | None:
        if not c.bbox or c.table is None:
            return None
        box = ",".join(f"{v:.2f}" for v in c.bbox)
        return f"/api/page-image?document={quote(c.document)}&page={c.page}&bbox={box}"


# --------------------------------------------------------------------------- cited page regions

# PDFium (pypdfium2, which pdfplumber's to_image uses) is not thread-safe, and the web server answers
# requests on several threads: two source cards rendered at once crashed the app (a segfault in
# libpdfium, seen in a CI run whose laptop and phone pages asked together).
_PDFIUM = threading.Lock()


def _clip(box: tuple[float, float, float, float], page_box: tuple[float, float, float, float]):  # type: ignore[no-untyped-def]
    return (max(box[0], page_box[0]), max(box[1], page_box[1]), min(box[2], page_box[2]), min(box[3], page_box[3]))


def cell_region(page, bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:  # type: ignore[no-untyped-def]
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

    def path_for(self, document: str, page: int, bbox: Iterable[float]) -> Path:
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
        key = hashlib.sha1(f"{row['sha256']}|{page}|{','.join(f'{v:.1f}' for v in box)}".encode()).hexdigest()
        out = self.cache_dir / f"{key}.png"
        if not out.exists():
            self._render(pdf_path, page, box, out)
        return out

    def _render(self, pdf_path: Path, page_no: int, box: tuple[float, ...], out: Path) -> None:
        import pdfplumber

        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with _PDFIUM, pdfplumber.open(pdf_path) as pdf:  # to_image renders with PDFium: one thread at a time
            page = pdf.pages[page_no - 1]
            cell = _clip((box[0], box[1], box[2], box[3]), page.bbox)
            im = page.crop(cell_region(page, cell)).to_image(resolution=110)
            im.draw_rect(cell, fill=(255, 214, 0, 90), stroke=(220, 38, 38), stroke_width=3)
            fd, tmp = tempfile.mkstemp(dir=self.cache_dir, suffix=".part")
            os.close(fd)
            im.save(tmp, format="PNG")
        os.replace(tmp, out)  # readers never see half a file


# --------------------------------------------------------------------------- chart data

_FUNCTION_CLASS = re.compile(r"^2\d\d$")  # 功能分类 类级 codes (201 一般公共服务支出 ...); 1xx are revenue codes
_TOTAL_ROW = re.compile(r"^(合计|总计|支出合计|本年支出合计)$")


def _expenditure_tables(facts: list[Fact]) -> list[list[Fact]]:
    """The facts of the expenditure tables, general budget table first, each table as one list."""
    tables: dict[tuple[int, str], list[Fact]] = {}
    for f in facts:
        if f.source == "table" and f.table_type in ("general_budget_expenditure", "expenditure_summary"):
            order = 0 if f.table_type == "general_budget_expenditure" else 1
            tables.setdefault((order, str(f.table_index)), []).append(f)
    return [tables[k] for k in sorted(tables)]


def _row_value(row_facts: list[Fact]) -> Fact:
    """The row's 合计 column when printed, else its first column."""
    for f in row_facts:
        if f.column.split(" / ")[0] in ("合计", "总计", "本年支出合计", "金额"):
            return f
    return row_facts[0]


def spending_by_function(facts: list[Fact]) -> tuple[list[tuple[str, float]], str]:
    """(label, value) per function class, and a note saying where the figures stand."""
    for table in _expenditure_tables(facts):
        rows: dict[str, list[Fact]] = {}
        for f in table:
            if f.row_code and f.unit != "%":
                rows.setdefault(f.row_code, []).append(f)
        classes = {c: _row_value(fs) for c, fs in rows.items() if _FUNCTION_CLASS.match(c)}
        if classes:
            picked = [classes[c] for c in sorted(classes)]
            note = f"{picked[0].table}，第{picked[0].page}页，{picked[0].unit}"
            return [(f"{f.row_code} {(f.row or '').split(' / ')[-1]}", f.value) for f in picked], note
        # only 项 rows printed: add the most detailed rows up to their class (201xxxx -> 201)
        leaves = {c: _row_value(fs) for c, fs in rows.items() if re.match(r"^2\d{6}$", c)}
        if leaves:
            sums: dict[str, float] = {}
            names: dict[str, list[str]] = {}
            for code, f in sorted(leaves.items()):
                sums[code[:3]] = sums.get(code[:3], 0.0) + f.value
                names.setdefault(code[:3], []).append((f.row or "").split(" / ")[-1])
            first = next(iter(leaves.values()))
            note = f"由{first.table}（第{first.page}页）各项级科目按类汇总，{first.unit}"
            return [(f"{c}类（{'、'.join(names[c])[:24]}）", round(v, 2)) for c, v in sorted(sums.items())], note
    return [], ""


def basic_vs_project(facts: list[Fact]) -> tuple[list[tuple[str, float]], str]:
    for table in _expenditure_tables(facts):
        got: dict[str, Fact] = {}
        for f in table:
            parts = f.column.split(" / ")
            if (f.row and _TOTAL_ROW.match(f.row.replace(" ", ""))) and parts[0] in ("基本支出", "项目支出"):
                if len(parts) == 1 or parts[-1] in ("小计", "合计"):
                    got.setdefault(parts[0], f)
        if len(got) == 2:
            f = got["基本支出"]
            return [(k, got[k].value) for k in ("基本支出", "项目支出")], f"{f.table}，第{f.page}页，{f.unit}"
    said: dict[str, Fact] = {}
    for f in facts:
        if (f.source == "narrative" and f.row in ("基本支出", "项目支出") and f.unit != "%"
                and not f.column.startswith("比上年")):
            said.setdefault(f.row, f)
    if len(said) == 2:
        f = said["基本支出"]
        return [(k, said[k].value) for k in ("基本支出", "项目支出")], f"说明部分第{f.page}页，{f.unit}"
    return [], ""


def three_public_breakdown(facts: list[Fact]) -> tuple[list[tuple[str, float]], str]:
    items = [f for f in facts if f.table_type == "three_public" and f.source == "table" and f.unit != "%"
             and re.search(r"三公|因公出国|公务用车|公务接待", f.column) and "比上年" not in f.column]
    if any(f.column.endswith("决算数") for f in items):
        items = [f for f in items if not f.column.endswith("预算数")]
    if not items:
        return [], ""
    rows = []
    for f in items:
        label = re.sub(r"^(财政拨款)?“?三公”?经费 / ", "", f.column)
        label = "“三公”经费合计" if label in ("小计", "合计") else label
        rows.append(((f"{f.row}：" if f.row else "") + label, f.value))
    return rows, f"{items[0].table}，第{items[0].page}页，{items[0].unit}"


def bars_html(title: str, rows: list[tuple[str, float]], note: str) -> str:
    """A horizontal bar chart in plain HTML (readable at phone width, no plotting library)."""
    if not rows:
        return f'<div class="bq-chart"><h4>{html.escape(title)}</h4><p class="bq-muted">本文档中没有可用的数据。</p></div>'
    top = max((abs(v) for _, v in rows), default=0) or 1.0
    bars = "".join(
        f'<div class="bq-bar"><span class="bq-bar-label">{html.escape(label)}</span>'
        f'<span class="bq-bar-track"><span class="bq-bar-fill" style="width:{max(abs(v) / top * 100, 0.5):.1f}%"></span></span>'
        f'<span class="bq-bar-value">{v:,.2f}</span></div>'
        for label, v in rows)
    return (f'<div class="bq-chart"><h4>{html.escape(title)}</h4>{bars}'
            f'<p class="bq-muted">来源：{html.escape(note)}</p></div>')


# --------------------------------------------------------------------------- chat pieces


def _short_department(name: str) -> str:
    from ingest.identify import department_aliases

    aliases = [a for a, n in department_aliases() if n == name and len(a) >= 3]
    return min(aliases, key=len) if aliases else name


def example_questions(docs: list[dict], store: FactStore, limit: int = 8) -> list[str]:
    """Questions the loaded documents can answer, phrased the way people ask."""
    groups: dict[tuple[str, int, str], list[str]] = {}
    for d in docs:
        groups.setdefault((d["department"], d["year"], d["kind"]), []).append(d["document"])
    departments = {k[0] for k in groups}
    years_of = {dep: {k[1] for k in groups if k[0] == dep} for dep in departments}
    per_group: list[list[str]] = []
    for (dep, year, kind), names in list(groups.items())[:4]:
        short = _short_department(dep)
        prefix = (short if len(departments) > 1 else "") + (f"{year}年" if len(years_of[dep]) > 1 else "")
        facts = [f for name in names for f in store.facts(document=name)]
        text = " ".join(f"{f.row or ''} {f.column} {f.table_type or ''}" for f in facts)
        out = []
        if "公务用车运行" in text:
            out.append(f"{prefix}车辆维护的{kind}是多少？")
        if "三公" in text or "three_public" in text:
            out.append(f"{prefix}三公经费是多少？")
        if "基本支出" in text:
            out.append(f"{prefix}基本支出占多少？")
        if any("职责" in p.heading for p in store.passages() if p.department == dep):
            out.append(f"{short}的主要职责有哪些？")
        if "项目支出" in text:
            out.append(f"{prefix}项目支出是多少？")
        per_group.append(out)
    # take the groups in turn so every loaded department gets examples
    mixed = [q for i in range(max(map(len, per_group), default=0)) for qs in per_group if i < len(qs) for q in [qs[i]]]
    return list(dict.fromkeys(mixed))[:limit]


STATUS_WORD = {"answered": "", "not_found": "未找到：", "ambiguous": "需要确认："}


def _card(c: Citation, image_url: str | None) -> str:
    where = c.table or (c.heading.split(" > ")[-1] if c.heading else "说明部分")
    cells = "".join(f'<div class="bq-src-line"><b>{k}</b>{html.escape(v)}</div>'
                    for k, v in (("行：", c.row), ("列：", c.column)) if v)
    quote = f'<div class="bq-src-quote">{html.escape(c.quote)}</div>' if c.quote else ""
    img = (f'<a class="bq-src-imgwrap" href="{html.escape(image_url)}" target="_blank" title="查看原图">'
           f'<img class="bq-src-img" src="{html.escape(image_url)}" alt="第{c.page}页引用位置"></a>' if image_url else "")
    return (f'<div class="bq-src"><div class="bq-src-head">{html.escape(c.document)} · 第{c.page}页</div>'
            f'<div class="bq-src-table">{html.escape(where)}</div>{cells}{quote}{img}</div>')


def answer_html(ans: Answer, image_url) -> str:  # type: ignore[no-untyped-def]
    """The chat message for an answer: its text, how it was computed, and one card per source.
    `image_url(citation)` gives the highlighted page region's URL or None."""
    head = STATUS_WORD.get(ans.status, "")
    text = html.escape(ans.answer)
    body = f'<div class="bq-answer bq-{ans.status}">' + (f"<b>{head}</b>" if head else "") + text + "</div>"
    if ans.computation:
        body += f'<div class="bq-computation">计算：{html.escape(ans.computation)}</div>'
    if ans.citations:
        cards = "".join(_card(c, image_url(c)) for c in ans.citations)
        body += f'<div class="bq-sources"><div class="bq-sources-title">来源（{len(ans.citations)}）</div>{cards}</div>'
    return body


def checks_html(checks: list) -> str:  # list[CheckResult]
    failed = [c for c in checks if not c.ok]
    if not checks:
        return '<p class="bq-muted">这个文档没有可做的交叉核对。</p>'
    if not failed:
        return f'<p class="bq-ok">{len(checks)} 项交叉核对全部通过。</p>'
    items = "".join(
        f'<li><b>{html.escape(c.name)}</b>：{html.escape(c.detail)}'
        + (f'<span class="bq-muted">（{html.escape(c.table or "")}{f"，第{c.page}页" if c.page else ""}）</span>'
           if c.table or c.page else "") + "</li>"
        for c in failed)
    return f'<div class="bq-checks"><p>{len(checks)} 项交叉核对中有 {len(failed)} 项未通过：</p><ul>{items}</ul></div>'


PAGE_CSS = """
.gradio-container { max-width: 980px !important; margin: 0 auto; }
.bq-answer { line-height: 1.7; }
.bq-not_found b, .bq-ambiguous b, .bq-error b { color: #b45309; }
.bq-computation { margin-top: 6px; font-size: 0.92em; color: var(--body-text-color-subdued); }
.bq-sources { margin-top: 10px; display: flex; flex-direction: column; gap: 8px; }
.bq-sources-title { font-size: 0.85em; color: var(--body-text-color-subdued); }
.bq-src { border: 1px solid var(--border-color-primary); border-left: 4px solid #dc2626; border-radius: 8px;
  padding: 8px 10px; background: var(--background-fill-secondary); font-size: 0.9em; overflow-wrap: anywhere; }
.bq-src-head { font-weight: 600; }
.bq-src-table { margin: 2px 0; }
.bq-src-line b { font-weight: 600; color: var(--body-text-color-subdued); }
.bq-src-quote { margin-top: 4px; padding: 4px 8px; border-radius: 4px; background: var(--background-fill-primary);
  font-family: var(--font-mono); white-space: pre-wrap; }
#bq-chat .bq-src img.bq-src-img { display: block; width: auto !important; max-width: 100% !important; height: auto;
  max-height: none !important; margin: 6px 0 0 !important; border: 1px solid var(--border-color-primary);
  border-radius: 4px !important; }
.bq-src-imgwrap { display: block; overflow-x: auto; }
.bq-chart { margin: 12px 0 18px; }
.bq-chart h4 { margin: 0 0 6px; }
.bq-bar { display: grid; grid-template-columns: minmax(7em, 38%) 1fr 6.5em; gap: 8px; align-items: center; margin: 3px 0;
  font-size: 0.9em; }
.bq-bar-label { overflow-wrap: anywhere; }
.bq-bar-track { background: var(--background-fill-secondary); border-radius: 3px; height: 14px; }
.bq-bar-fill { display: block; height: 14px; border-radius: 3px; background: #dc2626; }
.bq-bar-value { font-variant-numeric: tabular-nums; text-align: right; }
.bq-muted { color: var(--body-text-color-subdued); font-size: 0.88em; }
.bq-ok { color: #15803d; }
@media (max-width: 640px) {
  .bq-bar { grid-template-columns: 1fr auto; row-gap: 2px; }
  .bq-bar-label { order: 1; }
  .bq-bar-value { order: 2; }
  .bq-bar-track { order: 3; grid-column: 1 / span 2; }
  #bq-chat .bq-src img.bq-src-img { max-width: none !important; width: 160% !important; }
}
"""
