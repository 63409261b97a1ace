"""What the page and the JSON API share: one library and one assistant per process, and the
upload/removal rules (admin token, PDF only, size limit, safe names). Presentation only: every figure
comes from the store."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from assistant.conversation import conversation_for
from assistant.records import Answer, Citation
from budgetqa.errors import NotFound, QuestionError, UploadRejected, one_line
from budgetqa.settings import Settings
from library import Library, Outcome, document_row
from web.examples import example_questions
from web.page_images import RegionImages
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
        self._assistant: Asker | None = None
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
            log.exception("start-up failed")
            self.startup_problem = f"启动时出错：{one_line(exc)}"
        finally:
            self.ingested.set()
            self.ready.set()

    def assistant(self) -> Asker:
        # Assistant.ask only reads its fact index; refresh() swaps it under the assistant's own lock,
        # so one shared instance serves concurrent requests without a lock here.
        with self._assistant_lock:
            if self._assistant is None:
                from assistant.service import build_assistant

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
        bot = self.assistant()
        layer = conversation_for(bot)  # follow-ups and library-wide questions (assistant/conversation.py)
        if layer is not None:
            return layer.ask(question, history or [], department, year, kind)
        return bot.ask(question, history=history or [], department=department, year=year, kind=kind)

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
                results.append(Outcome(Path(name or "upload.pdf"), "rejected", str(exc), document=name))
                continue
            try:
                with self._ingest_lock:
                    o = self.library.ingest_one(path)
            finally:
                shutil.rmtree(path.parent, ignore_errors=True)
            results.append(o)
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
