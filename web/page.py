"""The Gradio page: 问答 (chat, the answer first, sources folded below it), 文档库 (documents for staff:
search, filter, PDF, facts table, exports, checks, charts), 管理 (upload, remove; needs the admin token).

Phone first: at 360-420 px nothing scrolls sideways, the question box stays on the first screen, cards
take the full width. Behaviour Gradio has no component for is in web/page.js."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from budgetqa.errors import BudgetQAError, NotAllowed
from library import Outcome
from web.backend import Backend
from web.charts import basic_vs_project, spending_by_function, three_public_breakdown
from web.library_view import checks_frame, documents_html, export, facts_frame, matches
from web.markup import PENDING_HTML, answer_html, bars_html, checks_html, error_html
from web.public_errors import public_message
from web.upload_folder import remove_uploaded

log = logging.getLogger(__name__)

ALL = "全部"
STATUS_WORDS = {"ingested": "已导入", "unchanged": "内容未变，未重复导入", "failed": "导入失败", "rejected": "已拒绝"}
PRIVATE: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}


def _opt(v: Any) -> str | None:
    return None if v in (None, "", ALL) else str(v)


def status_text(backend: Backend, docs: list[dict] | None) -> str:
    if backend.startup_problem:
        return backend.startup_problem
    note = backend.status_note()
    if docs is None:
        return note or "正在准备文档库，请稍候……"
    if not docs:
        return "**还没有导入任何预算文件。** 请在“管理”页上传部门预算或决算 PDF（需要管理口令），导入后即可提问。"
    depts = sorted({d["department"] for d in docs})
    text = f"已导入 {len(docs)} 个文件，涉及 {len(depts)} 个部门：{'、'.join(depts[:4])}{'等' if len(depts) > 4 else ''}。"
    return text + (f" {note}" if note else "")


def _choices(docs: list[dict], dept: str | None, kind: str | None) -> tuple[list[str], list[str]]:
    pool = [d for d in docs if kind is None or d["kind"] == kind]
    years = {str(d["year"]) for d in pool if dept is None or d["department"] == dept}
    return [ALL] + sorted({d["department"] for d in pool}), [ALL] + sorted(years, reverse=True)


def _upload_line(r: Outcome) -> str:
    line = f"- {STATUS_WORDS.get(r.status, r.status)}：{r.document or r.path.name}"
    if r.status == "ingested":
        line += f"（{r.facts} 条数据，{r.checks_failed} 项核对未通过）"
    if r.message and r.status != "unchanged":  # Chinese, without the name again (Backend.upload)
        line += f" — {r.message}"
    return line


def build_page(backend: Backend) -> gr.Blocks:  # noqa: C901 - one place wires the page's events
    """The page; every handler goes through `backend` (the same one the JSON API uses)."""
    admin = bool(backend.settings.admin_token)

    # ---- chat -----------------------------------------------------------------------------
    def refresh(d: str, y: str, k: str, search: str, ld: str, ly: str, lk: str, pick: str | None) -> tuple:
        docs = backend.documents()  # waits for the first-run sample (seconds: its facts only)
        kinds = [ALL] + sorted({x["kind"] for x in docs})
        k = k if k in kinds else ALL
        depts, years = _choices(docs, _opt(d), _opt(k))
        exs = backend.examples()
        names = [x["document"] for x in docs]
        pick = pick if pick in names else (names[0] if names else None)
        return (status_text(backend, docs), gr.Dropdown(choices=depts, value=d if d in depts else ALL),
                gr.Dropdown(choices=years, value=y if y in years else ALL), gr.Dropdown(choices=kinds, value=k),
                gr.Dataset(samples=[[q] for q in exs], visible=bool(exs)), exs,
                *library_view(search, ld, ly, lk, pick, docs),
                gr.Dropdown(choices=names, value=None, interactive=admin))

    def narrow(d: str, k: str) -> tuple:
        depts, years = _choices(backend.documents(), _opt(d), _opt(k))
        return gr.Dropdown(choices=depts, value=d if d in depts else ALL), gr.Dropdown(choices=years, value=ALL)

    def tick() -> tuple:
        docs = backend.documents() if backend.ingested.is_set() else None
        busy = bool(backend.status_note())
        return status_text(backend, docs), gr.Timer(active=busy)

    def on_ask(question: str, turns: list, shown: list, d: str, y: str, k: str) -> Iterator[tuple]:
        q = (question or "").strip()
        if not q:
            yield shown, turns, shown, question
            return
        shown = shown + [{"role": "user", "content": q}]
        yield shown + [{"role": "assistant", "content": PENDING_HTML}], turns, shown, ""
        try:
            filters = (_opt(d), int(y) if _opt(y) else None, _opt(k))
            ans = backend.ask(q, turns, *filters)
            reply = answer_html(ans, backend.image_url, backend.page_url, backend.pdf_url,
                                backend.suggestions(q, ans, *filters))
            turns = turns + [{"role": "user", "content": q},
                             {"role": "assistant", "content": ans.answer, "answer": ans.to_json()}]
        except Exception as exc:
            log.exception("question failed: %s", q[:200])
            reply = error_html(public_message(exc))
        shown = shown + [{"role": "assistant", "content": reply}]
        yield shown, turns, shown, ""

    # ---- library --------------------------------------------------------------------------
    def library_view(search: str, ld: str, ly: str, lk: str, pick: str | None, docs: list[dict] | None = None) -> tuple:
        """The list and the chosen document's detail from one handler: with a chained `.then` a search
        could end showing an earlier search's detail, or none (the last search must win)."""
        docs = backend.documents() if docs is None else docs
        shown_docs = [x for x in docs if matches(x, search, _opt(ld), _opt(ly), _opt(lk))]
        names = [x["document"] for x in shown_docs]
        depts = [ALL] + sorted({x["department"] for x in docs})
        years = [ALL] + sorted({str(x["year"]) for x in docs}, reverse=True)
        kinds = [ALL] + sorted({x["kind"] for x in docs})
        pick = pick if pick in names else (names[0] if names else None)
        return (documents_html(shown_docs, len(docs)), gr.Dropdown(choices=depts, value=ld if ld in depts else ALL),
                gr.Dropdown(choices=years, value=ly if ly in years else ALL),
                gr.Dropdown(choices=kinds, value=lk if lk in kinds else ALL), gr.Dropdown(choices=names, value=pick),
                *show_document(pick, docs))

    def show_document(name: str | None, docs: list[dict] | None = None) -> tuple:
        docs = backend.documents() if docs is None else docs
        if not name or name not in {d["document"] for d in docs}:
            return "", facts_frame([]), "", None, None, None, None
        facts = backend.store.facts(document=name)
        checks = backend.store.checks(name)
        charts = (bars_html("按功能分类的支出", *spending_by_function(facts))
                  + bars_html("基本支出与项目支出", *basic_vs_project(facts))
                  + bars_html("“三公”经费", *three_public_breakdown(facts)))
        frame, failed = facts_frame(facts), checks_frame(checks)
        has_failed = not failed.empty
        return (checks_html(checks), frame, charts, export(frame, name, "数据", "csv"), export(frame, name, "数据", "xlsx"),
                gr.DownloadButton(value=export(failed, name, "未通过核对", "csv") if has_failed else None,
                                  visible=has_failed),
                gr.DownloadButton(value=export(failed, name, "未通过核对", "xlsx") if has_failed else None,
                                  visible=has_failed))

    # ---- admin ----------------------------------------------------------------------------
    def on_upload(token: str, paths: list[str] | None,
                  progress: gr.Progress = gr.Progress()) -> Iterator[tuple]:  # noqa: B008
        if not paths:
            yield "请先选择要上传的 PDF 文件。", gr.File()
            return
        try:
            yield from _upload_each(token, paths, progress)
        finally:
            remove_uploaded(paths)  # only files in Gradio's upload folder get here (web.security)

    def _upload_each(token: str, paths: list[str], progress: gr.Progress) -> Iterator[tuple]:
        limit = backend.settings.max_upload_mb * 1024 * 1024
        lines: list[str] = []
        for i, p in enumerate(paths):
            name = Path(p).name
            progress((i, len(paths)), desc=f"正在导入第 {i + 1}/{len(paths)} 个文件：{name}", unit="个文件")
            yield "\n".join([*lines, f"- 正在导入：{name}……"]), gr.File(value=None)
            try:
                with open(p, "rb") as fh:
                    data = fh.read(limit + 1)
                results = backend.upload(token, [(name, data)])
            except NotAllowed as exc:
                yield f"**未执行：** {public_message(exc)}", gr.File(value=None)
                return
            except (BudgetQAError, OSError) as exc:
                log.info("upload of %s failed", name, exc_info=True)
                results = [Outcome(Path(name), "failed", public_message(exc))]
            lines += [_upload_line(r) for r in results]
            yield "\n".join(lines), gr.File(value=None)
        yield "\n".join([*lines, f"\n共 {len(paths)} 个文件处理完毕。"]), gr.File(value=None)

    def ask_remove(name: str | None) -> tuple:
        if not name:
            return "请先选择要删除的文档。", gr.Row(visible=False), None
        return (f"确定要删除《{name}》吗？删除后它的数据和检索索引都会移除，需要重新上传才能恢复。", gr.Row(visible=True),
                name)

    def on_remove(token: str, name: str | None) -> tuple:
        if not name:
            return "请先选择要删除的文档。", gr.Row(visible=False)
        try:
            backend.remove(token, name)
        except BudgetQAError as exc:
            log.info("removal of %s refused", name, exc_info=True)
            return f"**未执行：** {public_message(exc)}", gr.Row(visible=False)
        return f"已删除：{name}", gr.Row(visible=False)

    admin_note = ("上传新的预算 / 决算 PDF，或删除已导入的文档。操作需要管理口令。" if admin else
                  "**管理功能已停用：** 本服务没有设置管理口令（启动前设置环境变量 BUDGETQA_ADMIN_TOKEN），"
                  "因此不能上传或删除文档。问答和文档库不受影响。")

    with gr.Blocks(title="预算问答", analytics_enabled=False) as page:
        turns, shown, example_list = gr.State([]), gr.State([]), gr.State([])
        gr.Markdown("## 预算问答\n用日常的话问部门预算、决算里的数字，每个答案都注明出处。", elem_id="bq-title")
        status = gr.Markdown("正在准备文档库，请稍候……", elem_id="bq-status")
        timer = gr.Timer(1.5, active=True)
        with gr.Tab("问答", elem_id="bq-tab-chat"):
            with gr.Accordion("筛选：部门、年度、类型", open=False, elem_id="bq-filters"):
                with gr.Row(elem_id="bq-chat-filters"):
                    dept = gr.Dropdown([ALL], value=ALL, label="部门", min_width=150, scale=2)
                    year = gr.Dropdown([ALL], value=ALL, label="年度", min_width=90, scale=1)
                    kind = gr.Dropdown([ALL], value=ALL, label="类型", min_width=90, scale=1)
            chat = gr.Chatbot(label="对话", show_label=False, height="52vh", min_height=260, elem_id="bq-chat",
                              buttons=[], autoscroll=False, layout="panel", feedback_options=None,
                              placeholder="在下方输入问题，或点选示例问题。")
            with gr.Row(equal_height=True, elem_id="bq-ask-row"):
                box = gr.Textbox(placeholder="例如：车辆维护的预算是多少？", label="问题", show_label=False, scale=5,
                                 min_width=150, max_lines=4, elem_id="bq-question")
                send = gr.Button("提问", variant="primary", scale=1, min_width=64, elem_id="bq-send")
            examples = gr.Dataset(components=[box], samples=[], type="index", label="示例问题", elem_id="bq-examples")
            new_chat = gr.Button("新对话", size="sm", elem_id="bq-new-chat")
        with gr.Tab("文档库", elem_id="bq-tab-library"):
            with gr.Row(elem_id="bq-lib-filters"):
                search = gr.Textbox(label="搜索文档（文件名、部门、年度）", placeholder="输入关键词", min_width=150, scale=2)
                lib_dept = gr.Dropdown([ALL], value=ALL, label="部门", min_width=150, scale=2)
                lib_year = gr.Dropdown([ALL], value=ALL, label="年度", min_width=90, scale=1)
                lib_kind = gr.Dropdown([ALL], value=ALL, label="类型", min_width=90, scale=1)
            doc_list = gr.HTML(elem_id="bq-doc-list")
            doc_pick = gr.Dropdown([], label="选择文档：查看数据、核对结果和图表", elem_id="bq-doc-pick")
            gr.Markdown("#### 数据（点表头旁的 ⋮ 按该列排序）")
            facts_table = gr.Dataframe(facts_frame([]), interactive=False, wrap=True, max_height=420,
                                       column_widths=["56px", "170px", "150px", "90px", "210px", "90px", "56px", "56px"],
                                       show_label=False, label="文档数据", elem_id="bq-facts", elem_classes=["bq-wide"])
            with gr.Row():
                facts_csv = gr.DownloadButton("导出数据 CSV", size="sm", min_width=120)
                facts_xlsx = gr.DownloadButton("导出数据 Excel", size="sm", min_width=120)
            gr.Markdown("#### 交叉核对")
            checks = gr.HTML()
            with gr.Row():
                checks_csv = gr.DownloadButton("导出未通过核对 CSV", size="sm", min_width=120, visible=False)
                checks_xlsx = gr.DownloadButton("导出未通过核对 Excel", size="sm", min_width=120, visible=False)
            charts = gr.HTML()
        with gr.Tab("管理", elem_id="bq-tab-admin"):
            gr.Markdown(admin_note, elem_id="bq-admin-note")
            token = gr.Textbox(type="password", label="管理口令", interactive=admin, elem_id="bq-token")
            files = gr.File(file_count="multiple", file_types=[".pdf"], label="选择 PDF 文件（可多选）", interactive=admin,
                            elem_id="bq-files")
            upload_btn = gr.Button("上传并导入", variant="primary", interactive=admin)
            upload_log = gr.Markdown(elem_id="bq-upload-log")
            remove_pick = gr.Dropdown([], label="要删除的文档", interactive=admin)
            remove_btn = gr.Button("删除文档…", variant="stop", interactive=admin)
            remove_log = gr.Markdown(elem_id="bq-remove-log")
            with gr.Row(visible=False) as confirm_row:
                confirm_btn = gr.Button("确认删除", variant="stop", min_width=100)
                cancel_btn = gr.Button("取消", min_width=100)

        lib_inputs = [search, lib_dept, lib_year, lib_kind, doc_pick]
        lib_outputs = [doc_list, lib_dept, lib_year, lib_kind, doc_pick]
        detail = [checks, facts_table, charts, facts_csv, facts_xlsx, checks_csv, checks_xlsx]
        loaded = [status, dept, year, kind, examples, example_list, *lib_outputs, *detail, remove_pick]
        refresh_in = [dept, year, kind, *lib_inputs]
        page.load(refresh, refresh_in, loaded, **PRIVATE)
        timer.tick(tick, None, [status, timer], **PRIVATE)
        asked: dict[str, Any] = dict(fn=on_ask, inputs=[box, turns, shown, dept, year, kind],
                                     outputs=[chat, turns, shown, box], concurrency_limit=8, **PRIVATE)
        box.submit(**asked)
        send.click(**asked)
        examples.click(lambda i, exs: exs[i] if i is not None and i < len(exs) else "", [examples, example_list], box,
                       **PRIVATE).then(**asked)
        new_chat.click(lambda: ([], [], []), None, [chat, turns, shown], **PRIVATE)
        chat.clear(lambda: ([], []), None, [turns, shown], **PRIVATE)
        dept.input(narrow, [dept, kind], [dept, year], **PRIVATE)
        kind.input(narrow, [dept, kind], [dept, year], **PRIVATE)
        for c in (search, lib_dept, lib_year, lib_kind):  # the box filters as one types; a choice at once
            # one queue for the four, in the order they were changed: the list the last change asked for is
            # the one that stays (run side by side, a slower earlier filter could overwrite it)
            (search.change if c is search else c.input)(library_view, lib_inputs, [*lib_outputs, *detail],
                                                        trigger_mode="always_last", concurrency_id="library-filters",
                                                        concurrency_limit=1, **PRIVATE)
        doc_pick.input(lambda name: show_document(name), doc_pick, detail, **PRIVATE)
        upload_btn.click(lambda: "", None, upload_log, **PRIVATE).then(
            # the progress bar on the file box only: the list of results below it stays readable
            on_upload, [token, files], [upload_log, files], api_visibility="private", show_progress_on=files).then(
            refresh, refresh_in, loaded, **PRIVATE)
        # the confirmation removes the document it named, even if the choice changed meanwhile
        to_remove = gr.State(None)
        remove_btn.click(ask_remove, remove_pick, [remove_log, confirm_row, to_remove], **PRIVATE)
        remove_pick.input(lambda: ("", gr.Row(visible=False), None), None, [remove_log, confirm_row, to_remove], **PRIVATE)
        cancel_btn.click(lambda: ("已取消。", gr.Row(visible=False)), None, [remove_log, confirm_row], **PRIVATE)
        confirm_btn.click(on_remove, [token, to_remove], [remove_log, confirm_row], **PRIVATE).then(
            refresh, refresh_in, loaded, **PRIVATE)
    return page
