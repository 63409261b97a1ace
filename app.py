"""The web app: a Gradio page (问答, 文档, 管理) and the JSON API (CONTRACT.md, HTTP) in one FastAPI process.

UI only: answers come from assistant.service, documents from budgetqa.library; helpers in budgetqa.web_helpers.
Run `python app.py [--host H] [--port P]` or `budgetqa serve`.
"""

from __future__ import annotations

import argparse
import inspect
import shutil
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import gradio as gr
from fastapi import FastAPI, File, Header, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse

from assistant.records import Answer, Citation
from budgetqa.cli import document_row
from budgetqa.errors import BudgetQAError, QuestionError
from budgetqa.library import Library
from budgetqa.settings import Settings, load_settings
from budgetqa.web_helpers import (
    NotAllowed,
    NotFound,
    RegionImages,
    UploadRejected,
    answer_html,
    check_admin,
    example_questions,
    one_line,
    stage_upload,
)

SAMPLES = Path(__file__).resolve().parent / "samples"
ALL = "全部"
CSS = (Path(__file__).resolve().parent / "budgetqa" / "web.css")


class Backend:
    """What the page and the JSON API share: one library and one assistant per process."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.library = Library(settings)
        self.store = self.library.store
        self.images = RegionImages(settings, self.store)
        self.ready = threading.Event()
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
                    failed = [o.message for o in self.library.ingest(sorted(SAMPLES.glob("*.pdf"))) if o.status == "failed"]
                if failed:
                    self.startup_problem = "示例文件导入失败：" + "；".join(failed)
            self.assistant()
        except Exception as exc:  # the page still opens and says what went wrong
            self.startup_problem = f"启动时出错：{one_line(exc)}"
        finally:
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
        return bot.ask(question, history=history or [], department=department, year=year, **extra)

    def documents(self) -> list[dict]:
        return [document_row(d) for d in self.store.documents()]

    def examples(self) -> list[str]:
        version = self.store.version()
        if self._examples[0] != version:
            self._examples = (version, example_questions(self.store.documents(), self.store))
        return self._examples[1]

    def upload(self, token: str | None, files: list[tuple[str | None, bytes]],
               progress: Callable[[int, str], None] | None = None) -> list[dict]:
        """Check, stage and ingest uploaded PDFs; one result dict per file."""
        check_admin(self.settings, token)
        results = []
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


# --------------------------------------------------------------------------- JSON API

_STATUS = {QuestionError: 400, UploadRejected: 400, NotAllowed: 403, NotFound: 404}


def _error(exc: BaseException) -> JSONResponse:
    code = next((c for t, c in _STATUS.items() if isinstance(exc, t)), 400 if isinstance(exc, BudgetQAError) else 500)
    return JSONResponse({"error": one_line(exc)}, status_code=code)


def _guarded(fn: Callable[[], Any]) -> Any:
    """Run a handler; any error becomes {"error": one line}, never a traceback page."""
    try:
        return fn()
    except Exception as exc:
        return _error(exc)


def add_api(app: FastAPI, backend: Backend) -> None:
    @app.exception_handler(RequestValidationError)
    async def _bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "body")
        return JSONResponse({"error": f"请求格式不正确：{where} {first.get('msg', '')}".strip()}, status_code=400)

    @app.post("/api/ask")
    def api_ask(body: dict[str, Any]) -> Any:
        def run() -> Any:
            year = body.get("year")
            if year in ("", None):
                year = None
            elif not str(year).isdigit():
                raise QuestionError(f"year 应为年份数字，收到 {year!r}。")
            history = [h for h in body.get("history") or [] if isinstance(h, dict)]
            return backend.ask(str(body.get("question") or ""), history, body.get("department") or None,
                               int(year) if year else None, body.get("kind") or None).to_json()
        return _guarded(run)

    @app.get("/api/documents")
    def api_documents() -> Any:
        return _guarded(backend.documents)

    @app.post("/api/documents")
    def api_upload(files: list[UploadFile] = File(...), x_admin_token: str | None = Header(None)) -> Any:
        def run() -> Any:
            check_admin(backend.settings, x_admin_token)
            limit = backend.settings.max_upload_mb * 1024 * 1024
            results = backend.upload(x_admin_token, [(f.filename, f.file.read(limit + 1)) for f in files])
            bad = [r for r in results if r["status"] in ("rejected", "failed")]
            if bad:
                return JSONResponse({"error": bad[0]["message"], "results": results}, status_code=400)
            return {"results": results}
        return _guarded(run)

    @app.delete("/api/documents/{name}")
    def api_remove(name: str, x_admin_token: str | None = Header(None)) -> Any:
        return _guarded(lambda: (backend.remove(x_admin_token, name), {"removed": name})[1])

    @app.get("/api/page-image")
    def api_page_image(document: str, page: int, bbox: str) -> Any:
        def run() -> Any:
            try:
                box = [float(v) for v in bbox.split(",")]
            except ValueError as exc:
                raise UploadRejected(f"bbox {bbox!r} 应为四个数字 x0,top,x1,bottom。") from exc
            path = backend.images.path_for(document, page, box)
            return FileResponse(path, media_type="image/png", headers={"Cache-Control": "max-age=86400"})
        return _guarded(run)


# --------------------------------------------------------------------------- the page


def build_app(settings: Settings) -> FastAPI:
    """FastAPI app: JSON API under /api, the Gradio page at /."""
    from budgetqa.web_page import build_page

    backend = Backend(settings)
    backend.start()
    app = FastAPI(title="budgetqa", docs_url=None, redoc_url=None)
    app.state.backend = backend
    add_api(app, backend)
    theme = gr.themes.Default(primary_hue="red", font=["system-ui", "PingFang SC", "Microsoft YaHei",
                                                       "Noto Sans CJK SC", "WenQuanYi Micro Hei", "sans-serif"],
                              font_mono=["ui-monospace", "monospace"])
    return gr.mount_gradio_app(app, build_page(backend), path="/", theme=theme, css=CSS.read_text(encoding="utf-8"),
                               max_file_size=f"{settings.max_upload_mb}mb", ssr_mode=False, footer_links=[])


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    import uvicorn

    app = build_app(settings)
    print(f"budgetqa: http://{host}:{port}/", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="app.py", description="budgetqa web app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    args = p.parse_args(argv)
    try:
        serve(load_settings(), host=args.host, port=args.port)
    except BudgetQAError as exc:
        print(f"budgetqa: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
