"""The real page in a real headless Chromium: ask, see the answer and its sources, ask a follow-up.

Starts `python app.py` on a free loopback port with its own BUDGETQA_HOME (the sample is ingested on first
start) and drives it with Playwright. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eval.served import app_env, served_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ANSWER_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run browser tests")
    env = app_env(tmp_path_factory.mktemp("browser") / "home", BUDGETQA_EMBED_MODEL="hash")
    with served_app(env, startup_s=120, entry="app", warm_up=False) as base:
        yield base + "/"


def _ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    box = page.locator("#bq-question textarea")
    box.fill(question)
    page.locator("#bq-send").click()


def _chat(page, server: str, expect) -> None:  # type: ignore[no-untyped-def]
    """Ask the two questions and check the answers and source cards."""
    page.goto(server)
    expect(page.locator("#bq-status")).to_contain_text("已导入", timeout=ANSWER_TIMEOUT_MS)
    _ask(page, "车辆维护的预算是多少？")
    chat = page.locator("#bq-chat")
    first = chat.locator(".bq-answer").nth(0)
    expect(first).to_contain_text("4.60", timeout=ANSWER_TIMEOUT_MS)
    card = chat.locator(".bq-src", has_text="第22页").first
    expect(card).to_be_visible()
    expect(card).to_contain_text("“三公”经费预算表")
    image = card.locator("img.bq-src-img")
    expect(image).to_have_count(1)
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=image.element_handle(),
                           timeout=ANSWER_TIMEOUT_MS)

    _ask(page, "那公务接待费呢？")
    second = chat.locator(".bq-answer").nth(1)
    expect(second).to_contain_text("0.83", timeout=ANSWER_TIMEOUT_MS)
    expect(second).to_contain_text("公务接待费")
    # once every cited-cell image has loaded (the chat stops auto-scrolling), show the start of the
    # latest answer, the way a reader would scroll to it
    page.wait_for_function("[...document.querySelectorAll('#bq-chat img.bq-src-img')].every(i => i.complete)",
                           timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_timeout(500)
    second.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    page.evaluate("window.scrollTo(0, 0)")


def test_chat_with_sources_and_follow_up(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 1000})
            outside: list[str] = []
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((server, "data:", "blob:")) else None)
            _chat(page, server, expect)
            page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)
            assert not outside, f"the page fetched from outside the server: {outside[:5]}"

            phone = browser.new_page(locale="zh-CN", viewport={"width": 400, "height": 860}, is_mobile=True,
                                     has_touch=True, device_scale_factor=2)
            _chat(phone, server, expect)
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 400, f"the page scrolls sideways at phone width ({width}px)"
            phone.screenshot(path=str(ARTIFACTS / "chat_phone.png"), full_page=True)
        finally:
            browser.close()


def test_documents_tab_shows_the_sample_and_charts(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 1000})
            page.goto(server)
            expect(page.locator("#bq-status")).to_contain_text("已导入", timeout=ANSWER_TIMEOUT_MS)
            page.get_by_role("tab", name="文档").click()
            expect(page.get_by_text("洛阳市西工区人民政府办公室").first).to_be_visible()
            charts = page.locator(".bq-chart")
            expect(charts).to_have_count(3, timeout=ANSWER_TIMEOUT_MS)
            expect(charts.nth(2)).to_contain_text("公务接待费")
            expect(page.locator(".bq-ok")).to_contain_text("全部通过")
            page.screenshot(path=str(ARTIFACTS / "documents.png"), full_page=True)

            page.get_by_role("tab", name="管理").click()
            expect(page.get_by_text("BUDGETQA_ADMIN_TOKEN").first).to_be_visible()
        finally:
            browser.close()
