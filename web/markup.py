"""The HTML pieces the page shows: an answer with its source cards, cross-check results, bar charts.
The page's CSS is web/page.css."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from assistant.library_questions import chart_of
from assistant.records import Answer, Citation
from budgetqa.vocabulary import fmt

PAGE_CSS = (Path(__file__).with_name("page.css")).read_text(encoding="utf-8")

def bars_html(title: str, rows: list[tuple[str, float]], note: str) -> str:
    """A horizontal bar chart in plain HTML (readable at phone width, no plotting library)."""
    if not rows:
        return f'<div class="bq-chart"><h4>{html.escape(title)}</h4><p class="bq-muted">本文档中没有可用的数据。</p></div>'
    top = max((abs(v) for _, v in rows), default=0) or 1.0
    bars = "".join(
        f'<div class="bq-bar"><span class="bq-bar-label">{html.escape(label)}</span>'
        f'<span class="bq-bar-track"><span class="bq-bar-fill" style="width:{max(abs(v) / top * 100, 0.5):.1f}%"></span></span>'
        f'<span class="bq-bar-value">{fmt(v)}</span></div>'
        for label, v in rows)
    return (f'<div class="bq-chart"><h4>{html.escape(title)}</h4>{bars}'
            f'<p class="bq-muted">来源：{html.escape(note)}</p></div>')



STATUS_WORD = {"answered": "", "not_found": "未找到：", "ambiguous": "需要确认："}


def _card(c: Citation, image_url: str | None) -> str:
    where = c.table or (c.heading.split(" > ")[-1] if c.heading else "说明部分")
    cells = "".join(f'<div class="bq-src-line"><b>{k}</b>{html.escape(v)}</div>'
                    for k, v in (("行：", c.row), ("列：", c.column)) if v)
    quote = f'<div class="bq-src-quote">{html.escape(c.quote)}</div>' if c.quote else ""
    img = (f'<a class="bq-src-imgwrap" href="{html.escape(image_url)}" target="_blank" title="查看原图">'
           f'<img class="bq-src-img" src="{html.escape(image_url)}" alt="第{c.page}页引用位置"></a>' if image_url else "")
    return (f'<div class="bq-src"><div class="bq-src-head">{html.escape(c.document)} · 第{c.page}页</div>'
            f'<div class="bq-src-table">{html.escape(where)}</div>{cells}{quote}{img}</div>')


def answer_html(ans: Answer, image_url: Callable[[Citation], str | None]) -> str:
    """The chat message for an answer: its text, how it was computed, and one card per source.
    `image_url(citation)` gives the highlighted page region's URL or None."""
    head = STATUS_WORD.get(ans.status, "")
    text = html.escape(ans.answer)
    body = f'<div class="bq-answer bq-{ans.status}">' + (f"<b>{head}</b>" if head else "") + text + "</div>"
    if ans.computation:
        body += f'<div class="bq-computation">计算：{html.escape(ans.computation)}</div>'
    chart = chart_of(ans)  # a ranking or a series of years (assistant/library_questions.py)
    body += bars_html(*chart) if chart else ""
    if ans.citations:
        cards = "".join(_card(c, image_url(c)) for c in ans.citations)
        body += f'<div class="bq-sources"><div class="bq-sources-title">来源（{len(ans.citations)}）</div>{cards}</div>'
    return body


def checks_html(checks: list) -> str:  # list[CheckResult]
    failed = [c for c in checks if not c.ok]
    if not checks:
        return '<p class="bq-muted">这个文档没有可做的交叉核对。</p>'
    if not failed:
        return f'<p class="bq-ok">{len(checks)} 项交叉核对全部通过。</p>'
    items = "".join(
        f'<li><b>{html.escape(c.name)}</b>：{html.escape(c.detail)}'
        + (f'<span class="bq-muted">（{html.escape(c.table or "")}{f"，第{c.page}页" if c.page else ""}）</span>'
           if c.table or c.page else "") + "</li>"
        for c in failed)
    return f'<div class="bq-checks"><p>{len(checks)} 项交叉核对中有 {len(failed)} 项未通过：</p><ul>{items}</ul></div>'
