"""The HTML pieces the page shows: an answer with its source cards, cross-check results, bar charts.
The page's CSS is web/page.css."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from assistant.library_questions import chart_of
from assistant.records import Answer, Citation
from budgetqa.vocabulary import fmt
from web.labels import cell_label, readable_answer, source_line, unique_citations

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
PENDING_HTML = '<div class="bq-msg bq-pending" role="status"><span class="bq-dots" aria-hidden="true"></span>正在查找…</div>'


def _card(c: Citation, image_url: str | None, page_url: str | None, pdf_url: str | None) -> str:
    quote = f'<div class="bq-src-quote">{html.escape(c.quote)}</div>' if c.quote else ""
    img = ""
    if image_url:
        # the wrapper reserves the crop's space before it loads, so nothing above it moves; the link
        # opens the page viewer (web/page.js), or without the script the whole page as an image
        img = (f'<a class="bq-src-imgwrap" href="{html.escape(page_url or image_url)}" target="_blank" '
               f'title="点击查看第{c.page}页整页">'
               f'<img class="bq-src-img" src="{html.escape(image_url)}" loading="lazy" alt="第{c.page}页引用位置"></a>')
    pdf = (f'<a class="bq-src-pdf" href="{html.escape(pdf_url)}#page={c.page}" target="_blank" rel="noopener">'
           f'打开PDF原文</a>' if pdf_url else "")
    return (f'<div class="bq-src"><div class="bq-src-head">{html.escape(cell_label(c))}</div>'
            f'<div class="bq-src-where">{html.escape(source_line(c))}</div>{quote}{img}{pdf}</div>')


def answer_text(ans: Answer) -> str:
    """The answer and its sources as plain text (the copy button builds the same text in the page)."""
    cites = unique_citations(ans.citations)
    lines = [STATUS_WORD.get(ans.status, "") + readable_answer(ans)]
    if ans.computation:
        lines.append(f"计算：{ans.computation}")
    lines += [f"来源：{source_line(c)}，{cell_label(c)}" + (f"（{c.quote}）" if c.quote and len(c.quote) < 40 else "")
              for c in cites]
    return "\n".join(lines)


Url = Callable[[Citation], str | None]


def answer_html(ans: Answer, image_url: Url, page_url: Url | None = None, pdf_url: Url | None = None,
                suggest: tuple[str, list[str]] = ("", [])) -> str:
    """The chat message for an answer: the sentence first with one source line, then the source cards
    folded ("来源（3）"), 'did you mean' questions as chips (`suggest`: title, questions; web/suggest.py),
    and a copy button that copies plain text.
    `image_url(c)`/`page_url(c)`/`pdf_url(c)` give the cell crop, the whole page and the PDF, or None."""
    cites = unique_citations(ans.citations)
    head = STATUS_WORD.get(ans.status, "")
    title, chips = suggest
    sentence = readable_answer(ans)
    if chips:  # the chips say it: not once more inside the sentence
        sentence = re.sub(r"您是不是想问：.*$", "", sentence, flags=re.S).strip() or sentence
    body = (f'<div class="bq-answer bq-{ans.status}">' + (f"<b>{head}</b>" if head else "")
            + html.escape(sentence) + "</div>")
    if cites:
        body += f'<div class="bq-source-line">来源：{html.escape(source_line(cites[0]))}</div>'
    if ans.computation:
        body += f'<div class="bq-computation">计算：{html.escape(ans.computation)}</div>'
    chart = chart_of(ans)  # a ranking or a series of years (assistant/library_questions.py)
    body += bars_html(*chart) if chart else ""
    if chips:
        body += (f'<div class="bq-suggest"><span class="bq-suggest-title">{html.escape(title)}</span>'
                 + "".join(f'<button type="button" class="bq-chip">{html.escape(q)}</button>'
                           for q in chips) + "</div>")
    if cites:
        cards = "".join(_card(c, image_url(c), page_url(c) if page_url else None, pdf_url(c) if pdf_url else None)
                        for c in cites)
        body += (f'<details class="bq-sources"><summary>来源（{len(cites)}）</summary>'
                 f'<div class="bq-cards">{cards}</div></details>')
    body += '<button type="button" class="bq-copy" title="复制答案和来源（纯文本）">复制</button>'
    return f'<div class="bq-msg">{body}</div>'


def error_html(message: str) -> str:
    return f'<div class="bq-msg"><div class="bq-answer bq-error"><b>出错了：</b>{html.escape(message)}</div></div>'


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
