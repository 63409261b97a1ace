"""The page under its Content-Security-Policy in a real headless Chromium: it loads and answers with no
policy violation, and its upload goes through the token-checked route (refused without the token,
ingested with it, the uploaded file removed afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_home
from make_bad_inputs import budget_pages, build_pdf

from eval.served import app_env, served_app

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "browser-token-41c7"
WAIT_MS = 90_000


@pytest.fixture(scope="module")
def served(sample_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium to run browser tests")
    tmp = tmp_path_factory.mktemp("browser-secure")
    home = copy_home(sample_home, tmp / "home")
    env = {"BUDGETQA_EMBED_MODEL": "hash", "BUDGETQA_ADMIN_TOKEN": TOKEN, "GRADIO_TEMP_DIR": str(tmp / "gradio"),
           "GRADIO_ANALYTICS_ENABLED": "False"}
    with served_app(app_env(home, **env)) as base:
        yield {"base": base, "uploads": tmp / "gradio", "pdf_dir": tmp}


def test_page_works_under_its_csp_and_uploads_need_the_token(served) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = served["base"]
    name = "示例县测试局2020年部门预算.pdf"
    pdf = served["pdf_dir"] / name
    pdf.write_bytes(build_pdf(budget_pages(year=2020)))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="zh-CN")
            console: list[str] = []
            page.on("console", lambda m: console.append(m.text))
            page.goto(base + "/")
            expect(page.locator("#bq-status")).to_contain_text("已导入", timeout=WAIT_MS)
            page.locator("#bq-question textarea").fill("车辆维护的预算是多少？")
            page.locator("#bq-send").click()
            expect(page.locator("#bq-chat .bq-answer").nth(0)).to_contain_text("4.60", timeout=WAIT_MS)

            page.get_by_role("tab", name="文档").click()  # HTML components (charts) render under the policy
            expect(page.locator(".bq-chart")).to_have_count(3, timeout=WAIT_MS)

            page.get_by_role("tab", name="管理").click()
            page.locator("input[type=file][accept='.pdf']").set_input_files(str(pdf))  # no token typed yet
            expect(page.get_by_text("管理口令").last).to_be_visible()
            expect(page.get_by_text("上传文件需要正确的管理口令").first).to_be_visible(timeout=WAIT_MS)
            assert not [f for f in served["uploads"].rglob("*.pdf")], "nothing kept without the token"

            page.reload()
            expect(page.locator("#bq-status")).to_contain_text("已导入", timeout=WAIT_MS)
            page.get_by_role("tab", name="管理").click()
            page.locator("#bq-token input").fill(TOKEN)
            page.locator("input[type=file][accept='.pdf']").set_input_files(str(pdf))
            expect(page.get_by_text(name.removesuffix(".pdf")).first).to_be_visible(timeout=WAIT_MS)
            page.get_by_role("button", name="上传并导入").click()
            expect(page.get_by_text(f"已导入：{name}")).to_be_visible(timeout=WAIT_MS)
        finally:
            browser.close()
    violations = [m for m in console if "Content Security Policy" in m or "Refused to" in m]
    assert not violations, violations
    assert not [f for f in served["uploads"].rglob("*.pdf")], "the uploaded file is removed once ingested"
