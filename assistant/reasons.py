""""为什么会多？" after a figure: the reason the document gives for that figure, quoted from the passage
that states it ("……减少147.20万元，减少100%。主要原因是……").

The passage is found by the figure's own words (its row label, or the sentence a narrative figure was
read from) in the answer's document; the reason is the sentence after it that opens with a reason
word, before the passage moves on to the next numbered item. No reason stated there: None, and the
question goes to the narrative search as before.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.mentions import fold

_REASON = re.compile(r"(主要原因|原因是|原因为|原因：|原因:|主要是由于|主要由于|由于|主要是因为|因为)")
# the start of the next item of an enumeration: "2．", "（3）", "3、", "二是"
_NEXT_ITEM = re.compile(r"(?<![\d.])\d{1,2}[．.、](?!\d)|（\d{1,2}）|\(\d{1,2}\)|[一二三四五六七八九十]是")
_LEAD = re.compile(r"^[\d一二三四五六七八九十]+[．.、]|^（\d+）|^\(\d+\)")


def _anchor_words(f: Any) -> list[str]:
    """How the figure is named in the text: its quote for a narrative figure, its row's last label."""
    out = []
    if f.source == "narrative" and f.quote:
        out.append(fold(f.quote)[:24])
    leaf = (f.row or "").split(" / ")[-1]
    leaf = _LEAD.sub("", fold(leaf)).strip("“”\"")
    if len(leaf) >= 2:
        out.append(leaf)
    return [w for w in out if w]


def _reason_in(text: str, start: int = 0) -> str | None:
    """From `start` to the end of the first reason sentence before the next numbered item, or None."""
    nxt = _NEXT_ITEM.search(text, start + 1)
    segment = text[start:nxt.start() if nxt else len(text)]
    m = _REASON.search(segment)
    if m is None:
        return None
    end = segment.find("。", m.end())
    return segment[:end + 1 if end >= 0 else len(segment)][:300]


def _reason_clause(text: str) -> str | None:
    """The numbered clause that states a reason, to the end of its sentence ("二是……主要原因：……。")."""
    m = _REASON.search(text)
    if m is None:
        return None
    begin = max([x.start() for x in _NEXT_ITEM.finditer(text, 0, m.start())] or [0])
    end = text.find("。", m.end())
    return text[begin:end + 1 if end >= 0 else len(text)][:240]


def parts_reasons(f: Any, passages: list[Any]) -> tuple[Any, str, list[Any]] | None:
    """The figure's passage states no reason but its sub-headings do ("（二）公务接待费……主要原因：……"):
    (the figure's passage, the reasons of its parts), or None."""
    for word in _anchor_words(f):
        for p in sorted(passages, key=lambda p: (p.page != f.page, p.page)):
            if word not in fold(p.text):
                continue
            parts = [c for c in passages if c.document == p.document and c.heading.startswith(p.heading + " > ")]
            said = [(c, r) for c in parts if (r := _reason_clause(fold(c.text))) is not None]
            if said:
                text = "文件没有直接说明原因；其中各项的说明：" + "".join(r for _, r in said)[:400]
                return p, text, [c for c, _ in said]
            return None
    return None


def reason_for(f: Any, passages: list[Any]) -> tuple[Any, str] | None:
    """(passage, quoted sentences) giving the reason for fact f, or None."""
    for word in _anchor_words(f):
        for p in sorted(passages, key=lambda p: (p.page != f.page, p.page)):
            text = fold(p.text)
            at = text.find(word)
            if at < 0:
                continue
            start = at + len(word)
            nxt = _NEXT_ITEM.search(text, start)
            segment = text[at:nxt.start() if nxt else len(text)]
            m = _REASON.search(segment)
            if m is None:
                continue
            end = segment.find("。", m.end())
            return p, segment[:end + 1 if end >= 0 else len(segment)][:300]
    return None


def passage_of(f: Any, passages: list[Any], width: int = 240) -> tuple[Any, str] | None:
    """(passage, text around the figure) where fact f is stated: "另外两家是哪两家" after "共3家" is
    answered from the sentences the figure stands in."""
    for word in _anchor_words(f):
        for p in sorted(passages, key=lambda p: (p.page != f.page, p.page)):
            text = fold(p.text)
            at = text.find(word)
            if at >= 0:
                start = text.rfind("。", 0, at) + 1  # from the sentence the figure stands in
                return p, text[start:start + width]
    return None
