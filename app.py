"""The web app: a Gradio page (问答, 文档, 管理) and the JSON API (CONTRACT.md, HTTP) in one FastAPI process.

UI only, the top layer: answers come from assistant.service, documents from library/; the web layer
beside it (web/) holds the backend, upload rules, page images, charts and HTML.
Run `python app.py [--host H] [--port P]` or `budgetqa serve`.
"""

from __future__ import annotations

import argparse
import html
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import gradio as gr
import pandas as pd
from fastapi import FastAPI, File, Header, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse

from budgetqa.errors import BudgetQAError, NotAllowed, NotFound, QuestionError, UploadRejected, one_line
from budgetqa.logs import configure_logging
from budgetqa.settings import Settings, load_settings
from web import security
from web.backend import Backend
from web.charts import basic_vs_project, spending_by_function, three_public_breakdown
from web.markup import PAGE_CSS, answer_html, bars_html, checks_html
from web.uploads import check_admin
from web.validation import parse_ask

log = logging.getLogger(__name__)

SAMPLES = Path(__file__).resolve().parent / "samples"
ALL = "全部"
DOC_HEADERS = ["文件", "部门", "年度", "类型", "页数", "数据条数", "未通过核对"]


# --------------------------------------------------------------------------- JSON API


_STATUS = {QuestionError: 400, UploadRejected: 400, NotAllowed: 403, NotFound: 404}


def _error(exc: BaseException) -> JSONResponse:
    code = next((c for t, c in _STATUS.items() if isinstance(exc, t)), 503 if isinstance(exc, OSError) else 500)
    if code >= 500:
        log.error("request failed: %s", one_line(exc), exc_info=exc)
    else:
        log.info("request refused: %s", one_line(exc))
    return JSONResponse({"error": security.public_message(exc)}, status_code=code)


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
        return JSONResponse({"error": f"请求格式不正确：{where + ' ' if where else ''}{first.get('msg', '')}"}, status_code=400)

    @app.post("/api/ask")
    def api_ask(body: dict[str, Any]) -> Any:
        def run() -> Any:
            req = parse_ask(body)
            return backend.ask(req.question, req.history, req.department, req.year, req.kind).to_json()
        return _guarded(run)

    @app.get("/api/documents")
    def api_documents() -> Any:
        return _guarded(backend.documents)

    @app.post("/api/documents")
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
                return JSONResponse({"error": bad[0].message, "results": rows}, status_code=400)
            return {"results": rows}
        return _guarded(run)

    @app.delete("/api/documents/{name}")
    def api_remove(name: str, x_admin_token: Annotated[str | None, Header()] = None) -> Any:
        def run() -> Any:
            backend.remove(x_admin_token, name)
            return {"removed": name}
        return _guarded(run)

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


def _opt(v: Any) -> str | None:
    return None if v in (None, "", ALL) else str(v)


def _status(backend: Backend, docs: list[dict]) -> str:
    if backend.startup_problem:
        return backend.startup_problem
    if not docs:
        return "**还没有导入任何预算文件。** 请在“管理”页上传部门预算或决算 PDF（需要管理口令），导入后即可提问。"
    depts = sorted({d["department"] for d in docs})
    return f"已导入 {len(docs)} 个文件，涉及 {len(depts)} 个部门：{'、'.join(depts[:6])}{'等' if len(depts) > 6 else ''}。"


def build_page(backend: Backend) -> gr.Blocks:
    """The Gradio page: 问答 (chat with cited sources), 文档 (documents, checks, charts), 管理 (upload, remove)."""

    def choices(docs: list[dict], dept: str | None, kind: str | None) -> tuple[list[str], list[str]]:
        pool = [d for d in docs if kind is None or d["kind"] == kind]
        years = {str(d["year"]) for d in pool if dept is None or d["department"] == dept}
        return [ALL] + sorted({d["department"] for d in pool}), [ALL] + sorted(years, reverse=True)

    def refresh(d: str, y: str, k: str) -> tuple:
        docs = backend.documents()  # waits for the first-run sample
        kinds = [ALL] + sorted({x["kind"] for x in docs})
        k = k if k in kinds else ALL
        depts, years = choices(docs, _opt(d), _opt(k))
        exs = backend.examples()
        rows = [[x["document"], x["department"], x["year"], x["kind"], x["pages"], x["facts"],
                 f"{x['checks_failed']} / {x['checks_total']}"] for x in docs]
        names = [x["document"] for x in docs]
        return (_status(backend, docs), gr.Dropdown(choices=depts, value=d if d in depts else ALL),
                gr.Dropdown(choices=years, value=y if y in years else ALL), gr.Dropdown(choices=kinds, value=k),
                gr.Dataset(samples=[[q] for q in exs], visible=bool(exs)), exs, pd.DataFrame(rows, columns=DOC_HEADERS),
                gr.Dropdown(choices=names, value=names[0] if names else None),
                gr.Dropdown(choices=names, value=None))

    def narrow(d: str, k: str) -> tuple:
        depts, years = choices(backend.documents(), _opt(d), _opt(k))
        return gr.Dropdown(choices=depts, value=d if d in depts else ALL), gr.Dropdown(choices=years, value=ALL)

    def on_ask(question: str, turns: list, shown: list, d: str, y: str, k: str) -> Iterator[tuple]:
        q = (question or "").strip()
        if not q:
            yield shown, turns, shown, question
            return
        shown = shown + [{"role": "user", "content": q}]
        yield shown, turns, shown, ""
        try:
            ans = backend.ask(q, turns, _opt(d), int(y) if _opt(y) else None, _opt(k))
            reply = answer_html(ans, backend.image_url)
            turns = turns + [{"role": "user", "content": q},
                             {"role": "assistant", "content": ans.answer, "answer": ans.to_json()}]
        except Exception as exc:
            log.exception("question failed: %s", q[:200])
            reply = f'<div class="bq-answer bq-error"><b>出错了：</b>{html.escape(one_line(exc))}</div>'
        shown = shown + [{"role": "assistant", "content": reply}]
        yield shown, turns, shown, ""

    def show_document(name: str | None) -> tuple[str, str]:
        if not name:
            return "", ""
        facts = backend.store.facts(document=name)
        charts = (bars_html("按功能分类的支出", *spending_by_function(facts))
                  + bars_html("基本支出与项目支出", *basic_vs_project(facts))
                  + bars_html("“三公”经费", *three_public_breakdown(facts)))
        return checks_html(backend.store.checks(name)), charts

    def on_upload(token: str, paths: list[str] | None, progress: gr.Progress = gr.Progress()) -> str:  # noqa: B008
        if not paths:
            return "请先选择要上传的 PDF 文件。"
        limit = backend.settings.max_upload_mb * 1024 * 1024
        files = []
        try:
            for p in paths:  # only files in Gradio's upload folder get here (web.security)
                with open(p, "rb") as fh:
                    files.append((Path(p).name, fh.read(limit + 1)))
            results = backend.upload(token, files, lambda i, n: progress((i, len(files)), desc=f"正在导入 {n}"))
        except NotAllowed as exc:
            return f"**未执行：** {exc}"
        finally:
            security.remove_uploaded(paths)
        icon = {"ingested": "已导入", "unchanged": "内容未变，未重复导入", "failed": "导入失败", "rejected": "已拒绝"}
        return "\n".join(f"- {icon.get(r.status, r.status)}：{r.document}"
                         + (f"（{r.facts} 条数据，{r.checks_failed} 项核对未通过）" if r.status == "ingested" else "")
                         + (f" — {r.message}" if r.message else "") for r in results)

    def on_remove(token: str, name: str | None) -> str:
        if not name:
            return "请先选择要删除的文档。"
        try:
            backend.remove(token, name)
        except BudgetQAError as exc:
            return f"**未执行：** {exc}"
        return f"已删除：{name}"

    admin_note = ("上传新的预算/决算 PDF 或删除已导入的文档。需要管理口令。" if backend.settings.admin_token else
                  "**本服务未设置管理口令（环境变量 BUDGETQA_ADMIN_TOKEN），上传和删除文档已停用。**")
    with gr.Blocks(title="预算问答", analytics_enabled=False) as page:
        turns, shown, example_list = gr.State([]), gr.State([]), gr.State([])
        gr.Markdown("## 预算问答\n用日常的话问部门预算、决算里的数字；每个答案都注明出处：文件、页码、表格、行和列。")
        status = gr.Markdown("正在准备文档库，请稍候……", elem_id="bq-status")
        with gr.Tab("问答"):
            with gr.Row():
                dept = gr.Dropdown([ALL], value=ALL, label="部门", min_width=150, scale=2)
                year = gr.Dropdown([ALL], value=ALL, label="年度", min_width=90, scale=1)
                kind = gr.Dropdown([ALL], value=ALL, label="类型", min_width=90, scale=1)
            chat = gr.Chatbot(label="对话", show_label=False, height=560, elem_id="bq-chat", buttons=["copy"],
                              placeholder="在下方输入问题，或点选示例问题。")
            with gr.Row():
                box = gr.Textbox(placeholder="例如：车辆维护的预算是多少？", show_label=False, scale=5, min_width=180,
                                 max_lines=4, elem_id="bq-question")
                send = gr.Button("提问", variant="primary", scale=1, min_width=70, elem_id="bq-send")
            examples = gr.Dataset(components=[box], samples=[], type="index", label="示例问题", elem_id="bq-examples")
            new_chat = gr.Button("新对话", size="sm")
        with gr.Tab("文档"):
            docs_table = gr.Dataframe(pd.DataFrame(columns=DOC_HEADERS), interactive=False, wrap=True, label="已导入的文档")
            doc_pick = gr.Dropdown([], label="选择文档查看核对结果和图表")
            checks = gr.HTML()
            charts = gr.HTML()
        with gr.Tab("管理"):
            gr.Markdown(admin_note)
            token = gr.Textbox(type="password", label="管理口令", elem_id="bq-token")
            files = gr.File(file_count="multiple", file_types=[".pdf"], label="上传 PDF（可多选）")
            upload_btn = gr.Button("上传并导入", variant="primary")
            upload_log = gr.Markdown()
            remove_pick = gr.Dropdown([], label="要删除的文档")
            remove_btn = gr.Button("删除文档", variant="stop")
            remove_log = gr.Markdown()

        private: dict[str, Any] = {"api_visibility": "private"}
        loaded = [status, dept, year, kind, examples, example_list, docs_table, doc_pick, remove_pick]
        page.load(refresh, [dept, year, kind], loaded, **private).then(show_document, doc_pick, [checks, charts], **private)
        asked = dict(fn=on_ask, inputs=[box, turns, shown, dept, year, kind], outputs=[chat, turns, shown, box],
                     concurrency_limit=8, **private)
        box.submit(**asked)
        send.click(**asked)
        examples.click(lambda i, exs: exs[i] if i is not None and i < len(exs) else "", [examples, example_list], box,
                       **private).then(**asked)
        new_chat.click(lambda: ([], [], []), None, [chat, turns, shown], **private)
        chat.clear(lambda: ([], []), None, [turns, shown], **private)
        dept.input(narrow, [dept, kind], [dept, year], **private)
        kind.input(narrow, [dept, kind], [dept, year], **private)
        doc_pick.change(show_document, doc_pick, [checks, charts], **private)
        upload_btn.click(on_upload, [token, files], upload_log, **private).then(
            refresh, [dept, year, kind], loaded, **private)
        remove_btn.click(on_remove, [token, remove_pick], remove_log, **private).then(
            refresh, [dept, year, kind], loaded, **private)
    return page


def build_app(settings: Settings) -> FastAPI:
    """FastAPI app: JSON API under /api, the Gradio page at /."""
    configure_logging(settings)
    backend = Backend(settings, SAMPLES)
    backend.start()
    app = FastAPI(title="budgetqa", docs_url=None, redoc_url=None)
    app.state.backend = backend

    security.install(app, settings, check_admin)  # body limits, upload token, FileData paths, headers
    add_api(app, backend)
    theme = gr.themes.Default(primary_hue="red", font=["system-ui", "PingFang SC", "Microsoft YaHei",
                                                       "Noto Sans CJK SC", "WenQuanYi Micro Hei", "sans-serif"],
                              font_mono=["ui-monospace", "monospace"])
    page = build_page(backend)
    gr.mount_gradio_app(app, page, path="/", theme=theme, css=PAGE_CSS,
                        max_file_size=f"{settings.max_upload_mb}mb", ssr_mode=False, footer_links=[])
    page.has_launched = True  # mounted, never launched: without this Gradio skips its upload-folder rule
    return app


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    import uvicorn

    with security.private_upload_folder():
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
        log.info("app.py failed", exc_info=True)
        print(f"budgetqa: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
