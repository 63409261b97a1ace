"""Issue 14's API additions (/docs, typed /openapi.json, /api/facts, /api/checks, /api/pdf) and the page's
pieces that need no browser: readable labels, the answer markup, exports, the first run's background index."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import SAMPLE, copy_home
from fastapi.testclient import TestClient

from assistant.records import Answer, Citation


@pytest.fixture(scope="module")
def client(sample_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    home = copy_home(sample_home, tmp_path_factory.mktemp("api") / "home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BUDGETQA_HOME", str(home))
        mp.setenv("BUDGETQA_EMBED_MODEL", "hash")
        mp.delenv("BUDGETQA_ADMIN_TOKEN", raising=False)
        from app import build_app
        from budgetqa.settings import load_settings

        app = build_app(load_settings())
    with TestClient(app) as c:
        yield c


def test_docs_are_served_without_a_cdn(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200 and "/api/docs-assets/swagger-ui-bundle.js" in r.text
    assert "cdn" not in r.text.lower()
    assert client.get("/api/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_openapi_describes_the_ask_request_and_answer(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ask = spec["paths"]["/api/ask"]["post"]
    assert ask["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/AskRequest")
    schemas = spec["components"]["schemas"]
    assert {"question", "department", "year", "kind", "history"} <= set(schemas["AskRequest"]["properties"])
    assert {"role", "content", "answer"} <= set(schemas["HistoryTurn"]["properties"])
    answer_ref = ask["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    answer = schemas[answer_ref.rsplit("/", 1)[-1]]
    assert {"status", "answer", "value", "unit", "citations"} <= set(answer["properties"])
    for path in ("/api/facts", "/api/checks", "/api/documents"):
        assert path in spec["paths"]


def test_readme_api_section_is_true(client: TestClient) -> None:
    """Every call README's API table names is served, with the methods it says; the body fields it lists
    are the request model's."""
    import re

    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The web page and the HTTP API"):readme.index("## Conversations")]
    calls = re.findall(r"^\| `(GET|POST|DELETE) (/api/[^`?\[ ]+)", section, re.M)
    assert len(calls) >= 8, calls
    routes = {(m, getattr(r, "path", "")) for r in client.app.routes for m in getattr(r, "methods", ())}  # type: ignore[attr-defined]
    for method, path in calls:
        path = re.sub(r"\{[^}]+\}", "{name}", path)
        assert (method, path) in routes, f"README names {method} {path}, which the app does not serve"
    spec = client.get("/openapi.json").json()["components"]["schemas"]["AskRequest"]["properties"]
    fields = re.findall(r"`(\w+)` \((?:required|a name|number|`预算`|the conversation)", section)
    assert len(fields) == 5, fields
    for name in fields:
        assert name in spec, f"README lists the body field {name!r}, which AskRequest lacks"
    assert "X-Admin-Token" in section


def test_facts_filtered_and_paged(client: TestClient) -> None:
    page = client.get("/api/facts", params={"document": SAMPLE.name, "limit": 5, "offset": 10}).json()
    assert page["total"] > 300 and len(page["facts"]) == 5 and page["offset"] == 10
    assert all(f["document"] == SAMPLE.name for f in page["facts"])
    assert client.get("/api/facts", params={"kind": "决算"}).json()["total"] == 0
    assert client.get("/api/facts", params={"year": 2025, "limit": 1}).json()["total"] == page["total"]
    r = client.get("/api/facts", params={"document": "nope.pdf"})
    assert r.status_code == 404 and "nope.pdf" in r.json()["error"]


def test_checks_and_failed_only(client: TestClient) -> None:
    checks = client.get("/api/checks", params={"document": SAMPLE.name}).json()
    assert len(checks) > 100 and all(c["document"] == SAMPLE.name for c in checks)
    assert client.get("/api/checks", params={"document": SAMPLE.name, "failed": True}).json() == []


def test_pdf_route_serves_the_stored_copy_and_nothing_else(client: TestClient) -> None:
    r = client.get(f"/api/pdf/{quote(SAMPLE.name)}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content[:5] == b"%PDF-"
    assert "attachment" in client.get(f"/api/pdf/{quote(SAMPLE.name)}?download=1").headers["content-disposition"]
    for bad in ("..%2F..%2Fetc%2Fpasswd", "%2E%2E%2Fbudgetqa.db", "nope.pdf", "..%2F" + quote(SAMPLE.name)):
        assert client.get(f"/api/pdf/{bad}").status_code == 404, bad


def test_crop_at_200_dpi_and_whole_page(client: TestClient) -> None:
    from PIL import Image

    a = client.post("/api/ask", json={"question": "车辆维护的预算是多少？"}).json()
    c = next(x for x in a["citations"] if x.get("bbox") and x["page"] == 22)
    params = {"document": c["document"], "page": c["page"], "bbox": ",".join(str(v) for v in c["bbox"])}
    got = client.get("/api/page-image", params=params)
    crop = Image.open(io.BytesIO(got.content))
    x0, top, x1, bottom = (float(v) for v in got.headers["X-Cell-Box"].split(","))
    assert 0 <= x0 < x1 <= 1 and 0 <= top < bottom <= 1  # where the page scrolls a wide crop to
    assert x0 > 0.6  # 公务用车运行费 is the table's fifth of six columns
    whole = Image.open(io.BytesIO(client.get("/api/page-view", params=params).content))
    assert crop.width > 1200  # the 三公 table is ~520 pt wide: 200 dpi is ~1,450 px
    assert max(whole.size) > 1200 and min(whole.size) > 800  # the whole page at 150 dpi


def test_readable_labels() -> None:
    from web.labels import cell_label, plain, readable_answer

    assert plain("(1)基本支出") == "基本支出" and plain("（十）卫生健康支出") == "卫生健康支出"
    assert plain("收入总计（收入）") == "收入总计"
    c = Citation(document="x.pdf", page=3, table="支出预算表", row="行政运行", column="基本支出 / 人员经费 / 工资福利支出")
    assert cell_label(c) == "行政运行 · 工资福利支出"
    ans = Answer(question="q", status="answered", value=501.65, unit="万元", citations=[c],
                 answer="2025年行政运行（基本支出 / 人员经费 / 工资福利支出）为501.65万元。见《x.pdf》第3页“支出预算表”。")
    text = readable_answer(ans)
    assert text == "2025年行政运行（工资福利支出）为501.65万元。", text


def test_readable_where_in_brackets_paths_after_a_colon_and_part_rows() -> None:
    """Seen on the sample: '（）' left where an inline '（见《…》…）' was, a header path after '另有相近项目：'
    swallowing the figure before it, '说明部分：' and its quote after the sentence, '其中：' in a label."""
    from web.labels import cell_label, readable_answer

    t15 = Citation(document="x.pdf", page=15, table="支出表", row="合计", column="基本支出 / 人员经费 / 工资福利支出")
    ans = Answer(question="q", status="answered", citations=[t15], answer=(
        "人员经费为781.35万元。另有相近项目：基本支出 / 人员经费 / 工资福利支出677.87万元（见《x.pdf》第15页“支出表”）；"
        "基本支出 / 人员经费 / 对个人和家庭的补助103.48万元（见《x.pdf》第15页“支出表”）。如指的是它们，请说明。"))
    assert readable_answer(ans) == ("人员经费为781.35万元。另有相近项目：工资福利支出677.87万元（第15页，支出表）；"
                                    "对个人和家庭的补助103.48万元（第15页，支出表）。如指的是它们，请说明。")
    two = Answer(question="q", status="ambiguous", citations=[t15], answer=(
        "这个问题有几种读法，数字不同：\n· 2025年某局基本支出：833.26万元（见《x.pdf》第15页“部门支出预算表”）\n"
        "· 2025年某局基本支出：800.00万元（见《x.pdf》第18页“一般公共预算支出预算表”）\n请问您指的是哪一项？"))
    assert "（第15页，部门支出预算表）\n" in readable_answer(two) and "（第18页，一般公共预算支出预算表）" in readable_answer(two)
    said = Citation(document="x.pdf", page=6, row="基本支出", column="占比", quote="其中：基本支出833.26万元，占77.54%；")
    ans = Answer(question="q", status="answered", citations=[said],
                 answer="基本支出占77.54%。见《x.pdf》第6页说明部分：支出合计1074.61万元，其中：基本支出833.26万元，占77.54%；")
    assert readable_answer(ans) == "基本支出占77.54%。"
    part = Citation(document="x.pdf", page=16, table="收支表", row="其中：财政拨款", column="收入 / 金额")
    ans = Answer(question="q", status="answered", citations=[part], answer="2025年某局其中：财政拨款预算为1,074.61万元。")
    assert readable_answer(ans) == "2025年某局财政拨款预算为1,074.61万元。"
    assert cell_label(part) == "财政拨款 · 收入" and cell_label(t15) == "工资福利支出"
    assert cell_label(Citation(document="x.pdf", page=13, table="表", row="收入总计（收入）", column="收入 / 金额")) == "收入总计"
    assert cell_label(said) == "基本支出 · 占比"  # a figure stated in the text: its row and what it is


def test_answer_markup_folds_sources_dedupes_and_offers_suggestions() -> None:
    from web.markup import answer_html, answer_text

    c = Citation(document="x.pdf", page=3, table="表", row="公务接待费", column="金额", quote="0.83")
    ans = Answer(question="q", status="answered", answer="公务接待费为0.83万元。", value=0.83, unit="万元",
                 citations=[c, c.model_copy()])
    out = answer_html(ans, lambda _c: None)
    assert out.index("bq-answer") < out.index("<details") and "来源（1）" in out  # the repeat is gone
    assert "<" not in answer_text(ans) and "0.83" in answer_text(ans)

    nf = Answer(question="q", status="not_found", answer="没有找到。您是不是想问：2025年某部门的“公务接待费”？")
    out = answer_html(nf, lambda _c: None, suggest=("您是不是想问：", ["公务接待费是多少？"]))
    assert '<button type="button" class="bq-chip">公务接待费是多少？</button>' in out
    assert out.count("您是不是想问") == 1  # the chips say it, the sentence no longer does


def test_did_you_mean_on_not_found() -> None:
    """Issue 14: "未找到" was a dead end. Suggested are the question with a year or a department the
    library holds, rows whose names share words with the question, else the example questions."""
    from web.suggest import did_you_mean

    rows = ["公务用车运行维护费", "公务接待费", "办公费", "基本支出 / 人员经费", "合计"]
    kept = ["某省某市财政局"]
    nf = Answer(question="q", status="not_found", answer="没有找到。")

    def offer(q: str, **kw: object) -> tuple[str, list[str]]:
        return did_you_mean(q, nf, kept, [2024, 2025], lambda _t: rows, ["三公经费是多少？"], **kw)  # type: ignore[arg-type]

    title, got = offer("2019年公务接待费是多少？")
    assert title == "您是不是想问：" and got[:2] == ["2025年公务接待费是多少？", "2024年公务接待费是多少？"]
    assert offer("公务用车维护是多少？")[1] == ["公务用车运行维护费是多少？"]  # no path, no total, no unrelated row
    assert offer("火箭发射是多少？") == ("文档里有这些数据，可以试试：", ["三公经费是多少？"])
    assert offer("公务用车维护是多少？", answerable=lambda q: False)[1] == ["三公经费是多少？"]  # dead ends left out
    answered = nf.model_copy(update={"status": "answered"})
    assert did_you_mean("公务接待费是多少？", answered, kept, [2025], lambda _t: rows, []) == ("", [])


def test_api_not_found_carries_suggestions(client: TestClient) -> None:
    a = client.post("/api/ask", json={"question": "2019年三公经费是多少？"}).json()
    assert a["status"] == "not_found" and "2025年三公经费是多少？" in a["suggestions"]
    assert "suggestions" not in client.post("/api/ask", json={"question": "三公经费是多少？"}).json()


def test_pending_indicator_comes_first() -> None:
    from web.markup import PENDING_HTML

    assert "正在查找" in PENDING_HTML


def test_exports_csv_and_excel(tmp_path: Path) -> None:
    import pandas as pd

    from web.library_view import export

    frame = pd.DataFrame([[22, "三公表", "公务接待费", 0.83]], columns=["页", "表格", "行", "数值"])
    csv = Path(export(frame, "某文件.pdf", "数据", "csv"))
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf") and "公务接待费" in csv.read_text(encoding="utf-8-sig")
    xlsx = Path(export(frame, "某文件.pdf", "数据", "xlsx"))
    import zipfile

    with zipfile.ZipFile(xlsx) as z:  # an .xlsx is a zip of XML parts; the strings carry the cell text
        assert "公务接待费" in z.read("xl/sharedStrings.xml").decode("utf-8")


def test_export_folder_is_made_on_first_export_and_removed_at_exit(tmp_path: Path) -> None:
    """The bug of the exports folder made at import and never removed (74 left in /tmp): importing makes
    nothing, an export makes one folder under Gradio's upload folder, and it is gone when the process ends."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(root)}
    env.pop("GRADIO_TEMP_DIR", None)
    script = ("import sys, tempfile, pandas as pd\n"
              "from pathlib import Path\n"
              "import web.library_view as v\n"
              "print(len(list(Path(tempfile.gettempdir()).rglob('budgetqa-exports-*'))))\n"
              "print(v.export(pd.DataFrame([[1]], columns=['页']), 'a.pdf', '数据', 'csv'))\n")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120,
                         check=True).stdout.split()
    assert out[0] == "0", "a folder was made at import"
    made = Path(out[1])
    assert tmp_path in made.parents and made.parent.parent.name.startswith("budgetqa-exports-")
    assert not made.exists() and not list(tmp_path.rglob("budgetqa-exports-*"))


def test_first_run_answers_before_the_index_is_built(tmp_path: Path) -> None:
    """An empty home: the sample's facts are stored without vectors, questions are answered, and the
    vectors follow in the background (the page says so meanwhile)."""
    from budgetqa.settings import Settings
    from web.backend import Backend

    settings = Settings(home=tmp_path / "home", embed_model="hash")
    backend = Backend(settings, SAMPLE.parent)
    backend.start()
    a = backend.ask("车辆维护的预算是多少？")
    assert a.status == "answered" and a.value == 4.6
    deadline = time.monotonic() + 120
    while backend.status_note() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert backend.status_note() == ""
    assert SAMPLE.name in backend.library.index.documents()


def test_failed_checks_export_keeps_only_the_failures() -> None:
    import zipfile

    from ingest.records import CheckResult
    from web.library_view import checks_frame, export

    checks = [CheckResult(name="收入合计 = 各项收入之和", ok=False, detail="1074.61 ≠ 1070.00", table="收支表", page=13),
              CheckResult(name="支出合计 = 基本支出 + 项目支出", ok=True, detail="1074.61 = 833.26 + 241.35")]
    frame = checks_frame(checks)
    assert list(frame["核对项"]) == ["收入合计 = 各项收入之和"] and list(frame["结果"]) == ["未通过"]
    csv = Path(export(frame, "某文件.pdf", "未通过核对", "csv")).read_text(encoding="utf-8-sig")
    assert "1074.61 ≠ 1070.00" in csv and "项目支出" not in csv
    with zipfile.ZipFile(export(frame, "某文件.pdf", "未通过核对", "xlsx")) as z:
        assert "收入合计 = 各项收入之和" in z.read("xl/sharedStrings.xml").decode("utf-8")
