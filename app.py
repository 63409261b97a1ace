"""The web app: the Gradio page (web/page.py: 问答, 文档库, 管理) and the JSON API (CONTRACT.md, HTTP;
models in web/api_models.py, docs at /docs) in one FastAPI process.

UI only, the top layer: answers come from assistant.service, documents from library/; the web layer
beside it (web/) holds the backend, upload rules, page images, charts and HTML.
Run `python app.py [--host H] [--port P]` or `budgetqa serve`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import gradio as gr
from fastapi import FastAPI, File, Header, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse

from budgetqa.errors import BudgetQAError, NotAllowed, NotFound, QuestionError, UploadRejected, one_line
from budgetqa.logs import configure_logging
from budgetqa.settings import Settings, load_settings
from web import security
from web.api_models import (
    AskAnswer,
    AskRequest,
    CheckOut,
    DocumentOut,
    ErrorResponse,
    FactsPage,
    UploadResponse,
)
from web.backend import Backend
from web.markup import PAGE_CSS
from web.page import build_page
from web.public_errors import public_message
from web.upload_folder import private_upload_folder
from web.uploads import check_admin
from web.validation import parse_ask

log = logging.getLogger(__name__)

SAMPLES = Path(__file__).resolve().parent / "samples"
PAGE_JS = Path(__file__).resolve().parent / "web" / "page.js"


# --------------------------------------------------------------------------- JSON API


# pydantic's error types in the words of the one-line 400 answer
_INVALID = {"missing": "缺少这个字段", "int_parsing": "应为整数", "int_type": "应为整数", "bool_parsing": "应为 true 或 false",
            "string_type": "应为文字", "literal_error": "取值不在允许的范围内", "json_invalid": "不是有效的 JSON",
            "greater_than_equal": "数值太小", "less_than_equal": "数值太大", "model_attributes_type": "应为 JSON 对象"}
_STATUS = {QuestionError: 400, UploadRejected: 400, NotAllowed: 403, NotFound: 404}


def _error(exc: BaseException) -> JSONResponse:
    code = next((c for t, c in _STATUS.items() if isinstance(exc, t)), 503 if isinstance(exc, OSError) else 500)
    if code >= 500:
        log.error("request failed: %s", one_line(exc), exc_info=exc)
    else:
        log.info("request refused: %s", one_line(exc), exc_info=exc)
    return JSONResponse({"error": public_message(exc)}, status_code=code)


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
        what = _INVALID.get(str(first.get("type", "")).split(".")[0], "取值不正确")
        return JSONResponse({"error": f"请求格式不正确：{where + ' ' if where else ''}{what}。"}, status_code=400)

    @app.post("/api/ask", tags=["answers"], summary="Answer one question",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": {"$ref": "#/components/schemas/AskRequest"}}}}},
              responses={200: {"model": AskAnswer, "description": "The answer with its figure, unit and citations."},
                         400: {"model": ErrorResponse}, 500: {"model": ErrorResponse}})
    def api_ask(body: dict[str, Any]) -> Any:
        """The request is read leniently (a year given as a digit string, turns of unknown shape in
        `history` skipped); the schema shows the fields as a client should send them."""
        def run() -> Any:
            req = parse_ask(body)
            ans = backend.ask(req.question, req.history, req.department, req.year, req.kind)
            _title, suggestions = backend.suggestions(req.question, ans, req.department, req.year, req.kind)
            return ans.to_json() | ({"suggestions": suggestions} if suggestions else {})
        return _guarded(run)

    @app.get("/api/documents", tags=["documents"], summary="List ingested documents",
             response_model=list[DocumentOut])
    def api_documents() -> Any:
        return _guarded(backend.documents)

    @app.post("/api/documents", tags=["documents"], summary="Upload and ingest PDFs (X-Admin-Token)",
              responses={200: {"model": UploadResponse}, 400: {"model": ErrorResponse}, 403: {"model": ErrorResponse}})
    def api_upload(files: Annotated[list[UploadFile] | None, File()] = None,
                   file: Annotated[UploadFile | None, File()] = None,
                   x_admin_token: Annotated[str | None, Header()] = None) -> Any:
        def run() -> Any:
            check_admin(backend.settings, x_admin_token)
            given = (files or []) + ([file] if file else [])
            if not given:
                raise UploadRejected("没有收到文件：请用 multipart 字段 files（或 file）上传 PDF。")
            limit = backend.settings.max_upload_mb * 1024 * 1024
            results = backend.upload(x_admin_token, [(f.filename, f.file.read(limit + 1)) for f in given])
            rows = [r.to_json() for r in results]
            bad = [r for r in results if r.status in ("rejected", "failed")]
            if bad:
                return JSONResponse({"error": f"{bad[0].document or bad[0].path.name}：{bad[0].message}", "results": rows},
                                    status_code=400)
            return {"results": rows}
        return _guarded(run)

    @app.delete("/api/documents/{name}", tags=["documents"], summary="Remove a document (X-Admin-Token)",
                responses={403: {"model": ErrorResponse}, 404: {"model": ErrorResponse}})
    def api_remove(name: str, x_admin_token: Annotated[str | None, Header()] = None) -> Any:
        def run() -> Any:
            backend.remove(x_admin_token, name)
            return {"removed": name}
        return _guarded(run)

    def _box(bbox: str) -> list[float]:
        try:
            return [float(v) for v in bbox.split(",")]
        except ValueError as exc:
            raise UploadRejected(f"bbox {bbox!r} 应为四个数字 x0,top,x1,bottom。") from exc

    def _png(render: Callable[[str, int, list[float]], Path], document: str, page: int, bbox: str) -> Any:
        def run() -> Any:
            path = render(document, page, _box(bbox))
            cell = backend.images.cell_box_of(path)  # the page scrolls a wide crop to the cell (web/page.js)
            return FileResponse(path, media_type="image/png", headers={"Cache-Control": "max-age=86400",
                                                                        **({"X-Cell-Box": cell} if cell else {})})
        return _guarded(run)

    @app.get("/api/page-image", tags=["sources"], summary="A cited cell in its table (PNG, 200 dpi)")
    def api_page_image(document: str, page: int, bbox: str) -> Any:
        return _png(backend.images.path_for, document, page, bbox)

    @app.get("/api/page-view", tags=["sources"], summary="The whole page with a cited cell outlined (PNG)")
    def api_page_view(document: str, page: int, bbox: str) -> Any:
        return _png(backend.images.page_path_for, document, page, bbox)

    @app.get("/api/pdf/{name}", tags=["documents"], summary="The stored copy of a document's PDF",
             responses={200: {"content": {"application/pdf": {}}}, 404: {"model": ErrorResponse}})
    def api_pdf(name: str, download: bool = False) -> Any:
        def run() -> Any:
            path = backend.pdf_path(name)
            return FileResponse(path, media_type="application/pdf", filename=path.name,
                                content_disposition_type="attachment" if download else "inline")
        return _guarded(run)

    @app.get("/api/facts", tags=["documents"], summary="Stored facts, filtered and paged", response_model=FactsPage,
             responses={404: {"model": ErrorResponse}})
    def api_facts(document: str | None = None, department: str | None = None, year: int | None = None,
                  kind: Literal["预算", "决算"] | None = None, offset: Annotated[int, Query(ge=0)] = 0,
                  limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> Any:
        """Facts as `budgetqa facts --json` prints them, narrowed by document, department, year and kind;
        `offset`/`limit` page through them in store order."""
        def run() -> Any:
            facts = backend.facts(document, department, year, kind)
            return {"total": len(facts), "offset": offset, "limit": limit, "facts": facts[offset:offset + limit]}
        return _guarded(run)

    @app.get("/api/checks", tags=["documents"], summary="Cross-check results", response_model=list[CheckOut],
             responses={404: {"model": ErrorResponse}})
    def api_checks(document: str | None = None, failed: bool = False) -> Any:
        """The cross-checks of one document (or all); `failed=true` keeps only those that did not add up."""
        def run() -> Any:
            return [{"document": n, **c.model_dump()} for n, c in backend.checks(document) if not (failed and c.ok)]
        return _guarded(run)

    @app.get("/api/page.js", include_in_schema=False)
    def page_js() -> Any:
        return FileResponse(PAGE_JS, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated schema plus the /api/ask request model (the handler reads its body leniently)."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        extra = AskRequest.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(extra.pop("$defs", {}))
        components["AskRequest"] = extra
        app.openapi_schema = schema
    return app.openapi_schema


def _add_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from files installed with fastapi-offline: the app must work offline."""
    import fastapi_offline
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    static = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/api/docs-assets", StaticFiles(directory=static), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Any:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="budgetqa API",
                                   swagger_js_url="/api/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/api/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/api/docs-assets/favicon.png")


def build_app(settings: Settings, backend: Backend | None = None) -> FastAPI:
    """FastAPI app: JSON API under /api, the Gradio page at /. `backend`: one already started."""
    configure_logging(settings)
    if backend is None:
        backend = Backend(settings, SAMPLES)
        backend.start()
    app = FastAPI(title="budgetqa", version="1", docs_url=None, redoc_url=None,
                  description="Exact, cited answers from government budget documents (README: API).")
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    _add_docs(app)
    app.state.backend = backend

    security.install(app, settings, check_admin)  # body limits, upload token, FileData paths, headers
    add_api(app, backend)
    theme = gr.themes.Default(primary_hue="red", font=["system-ui", "PingFang SC", "Microsoft YaHei",
                                                       "Noto Sans CJK SC", "WenQuanYi Micro Hei", "sans-serif"],
                              font_mono=["ui-monospace", "monospace"])
    page = build_page(backend)
    gr.mount_gradio_app(app, page, path="/", theme=theme, css=PAGE_CSS,
                        head='<script src="/api/page.js" defer></script>',
                        max_file_size=f"{settings.max_upload_mb}mb", ssr_mode=False, footer_links=[])
    page.has_launched = True  # mounted, never launched: without this Gradio skips its upload-folder rule
    return app


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860, backend: Backend | None = None) -> None:
    import uvicorn

    with private_upload_folder():
        app = build_app(settings, backend)
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
        log.info("app.py failed", exc_info=True)
        print(f"budgetqa: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
