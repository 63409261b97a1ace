"""Does the body do X? ("政府办管不管人防工作？") — answered from the item of the body's function list
(the passage under a 主要职责 / 主要职能 heading) that names X.

X is matched by its bigrams; a bigram also matches its two characters one apart, as Chinese short
forms are made ("人防" for "人民防空", "国动" for "国防动员"). The item that names the most of X is
quoted with its number. No item names X → the answer says the listed functions do not mention it,
quoting the heading, never a figure.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from assistant.enumerations import numbered
from assistant.grams import longest_first
from assistant.records import Answer, Citation
from assistant.understand import DATA, Query
from ingest.records import Passage


@dataclass(frozen=True)
class _Words:
    duty: re.Pattern[str]
    filler: tuple[str, ...]
    headings: re.Pattern[str]
    contents: re.Pattern[str]


@lru_cache(maxsize=1)
def words() -> _Words:
    raw = tomllib.loads((DATA / "narrative.toml").read_text(encoding="utf-8"))
    return _Words(re.compile(raw["duty_pattern"]), longest_first(raw["filler"]),
                  re.compile(raw["duty_headings"]), re.compile(raw["contents_pattern"]))


def asks_duty(text: str) -> bool:
    return bool(words().duty.search(text))


def asks_contents(text: str) -> bool:
    """"X主要包含什么": the question asks what an item holds, which a passage tells, not a figure."""
    return bool(words().contents.search(text))


def thing(q: Query) -> str:
    """What the question asks whether the body does: "管不管人防工作" → "人防"."""
    t = q.rest or q.q
    for w in words().filler:
        t = t.replace(w, " ")
    return re.sub(r"[^\u4e00-\u9fff]", "", t)


def _named(gram: str, text: str) -> bool:
    return gram in text or re.search(f"{re.escape(gram[0])}[\u4e00-\u9fff]{re.escape(gram[1])}", text) is not None


def _items(passages: Iterable[Passage]) -> list[tuple[Passage, str]]:
    """(passage, item) of every function listed under a 职责/职能 heading, in document order."""
    groups: dict[tuple[str, str], list[Passage]] = {}
    for p in passages:
        if words().headings.search(p.heading):
            groups.setdefault((p.document, p.heading), []).append(p)
    out = []
    for ps in groups.values():
        ps.sort(key=lambda p: p.page)
        text = "".join(p.text for p in ps)
        items = numbered(text) or [x for x in re.split(r"(?<=[。；;])", text) if x.strip()]
        for item in items:
            home = next((p for p in ps if item[:12] in p.text), ps[0])
            out.append((home, item))
    return out


def answer(q: Query, passages: Iterable[Passage]) -> Answer | None:
    """The function item naming the thing asked about; a no when the list names none; None when
    there is no function list in scope or nothing to look for."""
    what = thing(q)
    grams = [what[i:i + 2] for i in range(len(what) - 1)]
    items = _items(passages)
    if not grams or not items:
        return None
    scored = [(sum(_named(g, item) for g in grams) / len(grams), k) for k, (_p, item) in enumerate(items)]
    best, k = max(scored, key=lambda s: (s[0], -s[1]))
    p, item = items[k]
    heading = p.heading.split(" > ")[-1]
    if best < 0.5:
        return Answer(question=q.text, status="answered", item=what, measure="narrative",
                      answer=f"《{p.document}》第{p.page}页“{heading}”所列职责中没有提到“{what}”。",
                      citations=[Citation(document=p.document, page=p.page, heading=p.heading, quote=heading)],
                      department=p.department, year=p.year)
    return Answer(question=q.text, status="answered", item=what, measure="narrative",
                  answer=f"是的。根据《{p.document}》第{p.page}页“{heading}”：{item.strip()}",
                  citations=[Citation(document=p.document, page=p.page, heading=p.heading, quote=item.strip()[:200])],
                  department=p.department, year=p.year)


__all__ = ["answer", "asks_contents", "asks_duty", "thing"]
