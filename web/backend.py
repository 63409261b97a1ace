"""What the page and the JSON API share: one library and one assistant per process, and the
upload/removal rules (admin token, PDF only, size limit, safe names). Presentation only: every figure
comes from the store."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from assistant.conversation import conversation_for
from assistant.records import Answer, Citation
from budgetqa.errors import NotFound, QuestionError, UploadRejected, one_line
from budgetqa.settings import Settings
from library import Library, Outcome, document_row
from web.examples import example_questions
from web.page_images import RegionImages
from web.public_errors import ingest_reason
from web.suggest import did_you_mean
from web.uploads import check_admin, stage_upload

log = logging.getLogger(__name__)


class Asker(Protocol):
    """What the page and the API ask: one question with the conversation so far and the page's filters."""

    def ask(self, question: str, history: list[dict] | None = None, department: str | None = None,
            year: int | None = None, kind: str | None = None) -> Answer: ...


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
        self._assistant: Any = None  # the single-question Assistant (or a test's stand-in Asker)
        self._assistant_lock = threading.Lock()
        self._ingest_lock = threading.Lock()  # one ingest or removal at a time
        self._examples: tuple[str, list[str]] = ("", [])
        self.preparing: dict[str, str] = {}  # background work still running, as the page names it

    def start(self) -> None:
        threading.Thread(target=self._warm_up, name="budgetqa-warm-up", daemon=True).start()

    def _warm_up(self) -> None:
        """First run: store the bundled sample's facts (no vectors: embedding takes a minute on two
        cores), build the assistant, and answer from the facts at once; the vector index is built
        afterwards in the background while `preparing` says so on the page."""
        unindexed: list[str] = []
        try:
            if not self.store.documents():
                with self._ingest_lock:
                    outcomes = self.library.ingest(sorted(self.samples.glob("*.pdf")), index=False)
                failed = [o.message for o in outcomes if o.status == "failed"]
                if failed:
                    self.startup_problem = "示例文件导入失败：" + "；".join(failed)
                unindexed = [o.path.name for o in outcomes if o.status == "ingested"]
                if unindexed:
                    self.preparing["index"] = "语义检索索引（说明类问题暂时只用关键词检索）"
            self.ingested.set()
            self.assistant()
            self.ready.set()
            self.examples()
            if unindexed:
                self._index_in_background(unindexed)
        except Exception as exc:  # the page still opens and says what went wrong
            log.exception("start-up failed")
            self.startup_problem = f"启动时出错：{one_line(exc)}"
        finally:
            self.preparing.pop("index", None)
            self.ingested.set()
            self.ready.set()

    def _index_in_background(self, names: list[str]) -> None:
        """Embed the documents stored without vectors (the first-run sample)."""
        from library.journal import write_lock

        started = time.monotonic()
        for name in names:
            with self._ingest_lock, write_lock(self.settings):
                if name in {d.document for d in self.store.documents()}:  # not removed meanwhile
                    self.library.index.replace_document(name, self.store.facts(document=name),
                                                        self.store.passages(document=name))
        log.info("vector index of %d first-run document(s) built in %.1f s", len(names), time.monotonic() - started)

    def status_note(self) -> str:
        """What is still being prepared in the background, or ''."""
        if not self.ingested.is_set():
            return "正在导入示例文档……"
        if not self.ready.is_set():
            return "正在准备问答……"
        busy = list(self.preparing.values())
        return "后台仍在准备：" + "、".join(busy) + "。" if busy else ""

    def assistant(self) -> Any:
        # Assistant.ask only reads its fact index; refresh() swaps it under the assistant's own lock,
        # so one shared instance serves concurrent requests without a lock here.
        with self._assistant_lock:
            if self._assistant is None:
                from assistant.startup import build_assistant

                self._assistant = build_assistant(self.settings, self.library)
            return self._assistant

    def ask(self, question: str, history: list[dict] | None = None, department: str | None = None,
            year: int | None = None, kind: str | None = None) -> Answer:
        question = (question or "").strip()
        if not question:
            raise QuestionError("问题不能为空。")
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(f"问题太长（{len(question)} 字），最多 {self.settings.max_question_chars} 字。")
        self.ready.wait(timeout=900)
        self.check_department(department)
        bot = self.assistant()
        layer = conversation_for(bot)  # follow-ups and library-wide questions (assistant/conversation.py)
        if layer is not None:
            return layer.ask(question, history or [], department, year, kind)
        # no store: a stand-in for the whole conversation path (tests' recorders), given what the layer gets
        return bot.ask(question, history=history or [], department=department, year=year, kind=kind)

    def check_department(self, name: str | None) -> None:
        """The department filter takes a name exactly as the document list gives it (as `budgetqa ask
        --department` does): any other name would only find nothing, so it is refused, naming the field."""
        if name is None:
            return
        known = sorted({d.department for d in self.store.documents()})
        if name not in known:
            listed = "、".join(known[:10]) + (f" 等 {len(known)} 个" if len(known) > 10 else "")
            raise QuestionError(f"department 字段：没有名为“{name}”的部门；已导入的部门：{listed or '无（请先导入文件）'}。")

    def suggestions(self, question: str, ans: Answer, department: str | None = None, year: int | None = None,
                    kind: str | None = None) -> tuple[str, list[str]]:
        """'Did you mean' questions for a not_found answer (web/suggest.py): (title, questions), each one
        answered under the same filters."""
        if ans.status != "not_found":
            return "", []
        docs = self.documents()

        def near(text: str) -> list[str]:
            return [label for field, label, _d in self.library.index.search_labels(text, k=60) if field == "row"]

        def answerable(q: str) -> bool:
            return self.ask(q, [], department, year, kind).status == "answered"

        return did_you_mean(question, ans, [d["department"] for d in docs], sorted({d["year"] for d in docs}),
                            near, self.examples(), answerable=answerable)

    def documents(self) -> list[dict]:
        self.ingested.wait(timeout=900)
        return [document_row(d) for d in self.store.documents()]

    def examples(self) -> list[str]:
        version = self.store.version()
        if self._examples[0] != version:
            self._examples = (version, example_questions(self.store.documents(), self.store))
        return self._examples[1]

    def upload(self, token: str | None, files: Sequence[tuple[str | None, bytes]],
               progress: Callable[[int, str], None] | None = None) -> list[Outcome]:
        """Check, stage and ingest uploaded PDFs; one Outcome per file."""
        check_admin(self.settings, token)
        results: list[Outcome] = []
        for i, (name, data) in enumerate(files):
            if progress:
                progress(i, name or "")
            try:
                path = stage_upload(self.settings, name, data)
            except UploadRejected as exc:
                log.info("%s: upload rejected", name, exc_info=True)
                results.append(Outcome(Path(name or "upload.pdf"), "rejected", str(exc), document=name))
                continue
            try:
                with self._ingest_lock:
                    o = self.library.ingest_one(path)
            finally:
                shutil.rmtree(path.parent, ignore_errors=True)
            results.append(o)
        # library/ and ingest/ give their reasons in English for the command line; the page and the API say them in Chinese
        return [replace(o, message=ingest_reason(o.message, o.document or o.path.name)) for o in results]

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

    def page_url(self, c: Citation) -> str | None:
        """The whole page with the cell outlined (the page viewer)."""
        url = self.image_url(c)
        return url.replace("/api/page-image?", "/api/page-view?", 1) if url else None

    def pdf_url(self, c: Citation | str) -> str:
        """The stored copy of the PDF itself."""
        return f"/api/pdf/{quote(c if isinstance(c, str) else c.document)}"

    def pdf_path(self, name: str) -> Path:
        """The stored copy of a document's PDF, by document name; nothing outside files_dir."""
        files_dir = self.settings.files_dir.resolve()
        known = {d.document for d in self.store.documents()}
        path = (files_dir / name).resolve() if name in known else None
        if path is None or path.parent != files_dir or not path.is_file():
            raise NotFound(f"没有名为 {name!r} 的文档。已导入的文档见 GET /api/documents。")
        return path

    def facts(self, document: str | None = None, department: str | None = None, year: int | None = None,
              kind: str | None = None) -> list[Any]:
        """Stored facts narrowed by document, department, year and kind (in store order)."""
        if document is not None and document not in {d.document for d in self.store.documents()}:
            raise NotFound(f"没有名为 {document!r} 的文档。已导入的文档见 GET /api/documents。")
        return [f for f in self.store.facts(document=document)
                if (department is None or f.department == department) and (year is None or f.year == year)
                and (kind is None or f.kind == kind)]

    def checks(self, document: str | None = None) -> list[tuple[str, Any]]:
        """(document, CheckResult) for one document or all of them."""
        names = [d.document for d in self.store.documents()]
        if document is not None:
            if document not in names:
                raise NotFound(f"没有名为 {document!r} 的文档。已导入的文档见 GET /api/documents。")
            names = [document]
        return [(n, c) for n in names for c in self.store.checks(n)]
