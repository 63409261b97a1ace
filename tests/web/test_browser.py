"""The real page in a real headless Chromium, at a laptop width (1366 px) and a phone width (400 px).

One server is started on an EMPTY home (`python -m cli serve`, the README's first command): the first
answer is asked for as soon as the page opens, so the first test also measures start to first answer
(written to tests/artifacts/first_answer.txt; speed is reported, not asserted). Then: the answer's first
line stays in view after each answer, copied text is plain, contrast >= 4.5:1, no tab scrolls sideways at
phone width, the source opens as a whole page in the page, admin is disabled without a token.
Screenshots of chat, library and admin at both widths go to tests/artifacts/.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ANSWER_TIMEOUT_MS = 120_000
WIDTHS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 400, "height": 860}}

# WCAG relative luminance contrast of an element's text against the first opaque background behind it
CONTRAST_JS = """el => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
                               return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  let bg = [255, 255, 255];
  for (let p = el; p; p = p.parentElement) {
    const c = rgb(getComputedStyle(p).backgroundColor);
    if (c.length >= 3 && (c.length < 4 || c[3] > 0.9)) { bg = c.slice(0, 3); break; }
  }
  const fg = rgb(getComputedStyle(el).color).slice(0, 3);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the server did not answer at {url} within {seconds}s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run browser tests")
    tmp = tmp_path_factory.mktemp("browser")
    port = _free_port()
    env = {**os.environ, "BUDGETQA_HOME": str(tmp / "home"), "BUDGETQA_EMBED_MODEL": "hash",
           "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False",
           "PYTHONPATH": str(ROOT)}
    env.pop("BUDGETQA_ADMIN_TOKEN", None)
    log = tmp / "server.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for(url, proc, log)
        yield {"url": url, "started": started, "page_up": time.monotonic() - started}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser(server: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _page(browser: Any, server: dict[str, Any], width: str) -> Any:
    context = browser.new_context(locale="zh-CN", viewport=WIDTHS[width], is_mobile=width == "phone",
                                  has_touch=width == "phone", device_scale_factor=1)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server["url"].rstrip("/"))
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((server["url"], "data:", "blob:")) else None)
    page.outside = outside
    page.goto(server["url"])
    return page


def _ask(page: Any, question: str) -> None:
    page.locator("#bq-question textarea").fill(question)
    page.locator("#bq-send").click()


def _answer_in_view(page: Any, answer: Any) -> None:
    """The answer's first line is inside the window and inside the chat's own scrolled area."""
    page.wait_for_timeout(400)  # the page script scrolls on the next animation frame
    top = answer.evaluate("el => el.getBoundingClientRect().top")
    chat = page.locator("#bq-chat").evaluate("el => { const r = el.getBoundingClientRect(); return [r.top, r.bottom]; }")
    height = page.evaluate("window.innerHeight")
    assert 0 <= top < height - 20, f"the answer's top is at {top:.0f}px, outside the window (0-{height}px)"
    assert chat[0] - 1 <= top < chat[1] - 20, f"the answer's top {top:.0f}px is outside the chat area {chat}"


def test_first_answer_on_an_empty_home(server: dict[str, Any], browser: Any) -> None:
    """Asked as soon as the page opens on a home with nothing in it: the sample answers from its facts."""
    from playwright.sync_api import expect

    page = _page(browser, server, "laptop")
    _ask(page, "车辆维护的预算是多少？")
    answer = page.locator("#bq-chat .bq-answer").first
    expect(answer).to_contain_text("4.60", timeout=ANSWER_TIMEOUT_MS)
    seconds = time.monotonic() - server["started"]
    (ARTIFACTS / "first_answer.txt").write_text(
        f"empty home, `python -m cli serve` to the first answer on the page: {seconds:.1f} s "
        f"(page served after {server['page_up']:.1f} s; embedding model: hash)\n", encoding="utf-8")
    expect(page.locator("#bq-chat .bq-source-line").first).to_contain_text("第")
    _answer_in_view(page, answer)
    page.context.close()


@pytest.mark.parametrize("width", ["laptop", "phone"])
def test_answer_first_sources_copy_and_contrast(server: dict[str, Any], browser: Any, width: str) -> None:
    from playwright.sync_api import expect

    page = _page(browser, server, width)
    expect(page.locator("#bq-status")).to_contain_text("已导入", timeout=ANSWER_TIMEOUT_MS)
    box = page.locator("#bq-question textarea").bounding_box()
    assert box and box["y"] + box["height"] <= WIDTHS[width]["height"], "the question box is below the first screen"

    _ask(page, "车辆维护的预算是多少？")
    chat = page.locator("#bq-chat")
    first = chat.locator(".bq-answer").nth(0)
    expect(first).to_contain_text("4.60", timeout=ANSWER_TIMEOUT_MS)
    expect(first).not_to_contain_text("见《")  # where it stands is said once, on the source line
    _answer_in_view(page, first)
    for el in (first, chat.locator(".bq-source-line").first):
        ratio = el.evaluate(CONTRAST_JS)
        assert ratio >= 4.5, f"contrast {ratio:.2f}:1 of {el.evaluate('e => e.className')}"

    # the sources are folded below the answer; opened, the crop loads and opens the whole page
    sources = chat.locator("details.bq-sources").first
    expect(sources.locator("summary")).to_contain_text("来源（")
    sources.locator("summary").click()
    card = sources.locator(".bq-src", has_text="第22页").first
    expect(card).to_be_visible()
    expect(card).to_contain_text("“三公”经费预算表")
    image = card.locator("img.bq-src-img")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 1000", arg=image.element_handle(),
                           timeout=ANSWER_TIMEOUT_MS)  # 200 dpi: a table half a page wide is > 1000 px
    muted = card.locator(".bq-src-where")
    assert muted.evaluate(CONTRAST_JS) >= 4.5
    card.locator("a.bq-src-imgwrap").click()
    viewer = page.locator("#bq-viewer")
    expect(viewer).to_be_visible()
    expect(viewer.locator("a", has_text="打开PDF")).to_have_attribute("href", re.compile(r"^/api/pdf/.+#page=22$"))
    page.wait_for_function("() => { const i = document.querySelector('#bq-viewer img'); return i && i.complete && i.naturalWidth > 1000; }",
                           timeout=ANSWER_TIMEOUT_MS)
    if width == "laptop":
        page.screenshot(path=str(ARTIFACTS / "source_page_laptop.png"))
    viewer.get_by_role("button", name="关闭原文").click()
    expect(viewer).to_have_count(0)

    # copy gives plain text: the answer and its sources, no markup
    chat.locator(".bq-copy").first.click()
    page.wait_for_timeout(300)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "4.60" in copied and "来源：" in copied
    assert "<" not in copied, copied[:200]

    _ask(page, "那公务接待费呢？")
    second = chat.locator(".bq-answer").nth(1)
    expect(second).to_contain_text("0.83", timeout=ANSWER_TIMEOUT_MS)
    expect(second).to_contain_text("公务接待费")
    _answer_in_view(page, second)
    width_px = page.evaluate("document.documentElement.scrollWidth")
    assert width_px <= WIDTHS[width]["width"], f"the chat scrolls sideways ({width_px}px)"
    english = page.evaluate("""() => [...document.querySelectorAll('[aria-label], button, textarea, input')]
        .map(e => e.getAttribute('aria-label') || e.textContent.trim()).filter(t => /[A-Za-z]{3,}/.test(t))""")
    assert not english, f"accessible names not in Chinese: {english[:5]}"
    assert page.get_by_role("textbox", name="问题").count() == 1
    page.screenshot(path=str(ARTIFACTS / f"chat_{width}.png"))
    assert not page.outside, f"the page fetched from outside the server: {page.outside[:5]}"
    page.context.close()


@pytest.mark.parametrize("width", ["laptop", "phone"])
def test_library_and_admin_tabs(server: dict[str, Any], browser: Any, width: str) -> None:
    from playwright.sync_api import expect

    page = _page(browser, server, width)
    expect(page.locator("#bq-status")).to_contain_text("已导入", timeout=ANSWER_TIMEOUT_MS)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]

    page.get_by_role("tab", name="文档库").click()
    docs = page.locator("#bq-doc-list")
    expect(docs).to_contain_text("洛阳市西工区人民政府办公室")
    expect(docs.locator("a", has_text="下载PDF")).to_have_count(1)
    charts = page.locator(".bq-chart")
    expect(charts).to_have_count(3, timeout=ANSWER_TIMEOUT_MS)
    expect(charts.nth(0)).to_contain_text("一般公共服务")
    expect(charts.nth(0)).not_to_contain_text("201类")
    expect(charts.nth(2)).to_contain_text("公务接待费")
    expect(charts.nth(2)).not_to_contain_text("小计")
    expect(page.locator("#bq-facts")).to_contain_text("部门收支预算表")
    expect(page.get_by_role("button", name="导出数据 Excel")).to_be_visible()
    search = page.get_by_label("搜索文档（文件名、部门、年度）")
    search.fill("没有这个词")
    expect(docs).to_contain_text("没有符合条件的文档")
    search.fill("西工区")
    expect(docs.locator(".bq-doc")).to_have_count(1)
    expect(page.locator(".bq-ok")).to_contain_text("全部通过", timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator("#bq-facts")).to_contain_text("部门收支预算表")
    width_px = page.evaluate("document.documentElement.scrollWidth")
    assert width_px <= WIDTHS[width]["width"], f"the library tab scrolls sideways ({width_px}px)"
    page.screenshot(path=str(ARTIFACTS / f"library_{width}.png"), full_page=True)

    page.get_by_role("tab", name="管理").click()
    expect(page.locator("#bq-admin-note")).to_contain_text("BUDGETQA_ADMIN_TOKEN")
    expect(page.get_by_role("button", name="上传并导入")).to_be_disabled()
    expect(page.get_by_role("button", name="删除文档…")).to_be_disabled()
    width_px = page.evaluate("document.documentElement.scrollWidth")
    assert width_px <= WIDTHS[width]["width"], f"the admin tab scrolls sideways ({width_px}px)"
    page.screenshot(path=str(ARTIFACTS / f"admin_{width}.png"), full_page=True)
    page.context.close()
