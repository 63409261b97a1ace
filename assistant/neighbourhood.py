"""Follow-ups about an item near the one just answered, looked for in the last answer's document first.

Two neighbourhoods of the last answer's fact:

- **under it**: rows whose label path starts with its row (a project's performance indicators,
  "党建工作经费 / 产出指标 / 党建活动次数"): "它的总成本写的是多少", "满意度目标定的多少", "打算派遣几个人";
- **beside it**: rows of the same table under the same column ("那X的那个党建经费呢" → the row
  "党建工作经费（X）"), tried only when the question put on its own gave no figure.

A row is taken only when the question's words cover its name clearly and no other row with another
value does as well; otherwise the single-question path answers as before. A follow-up naming an item is
never answered with a figure already given whose labels lack the item's words (`repeats_earlier`). General matching on the
characters of the labels: nothing here knows a department, a document or a project.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from assistant.follow_up_words import strip_ends
from assistant.mentions import fold, pattern, words

_CJK = re.compile(r"[\u4e00-\u9fff]")
# words of a follow-up that say nothing about which row ("它…写的是多少", "打算…几个人")
_NOISE = re.compile(r"绩效目标表|目标表|绩效目标|表里|表中|里面|当中|之中|是多少|多少钱|多少|有几|一年|打算|计划|要求|写的|定的|"
                    r"设定|设置|安排|规定|要搞|要办|大概|一共|总共|分别|那个|这个|请问|的|是|了|呢|吗")
# "几个人", "多少次", "几辆": the count unit a question asks in
_COUNT_UNIT = re.compile(r"(?:几|多少)(?:个)?(人次|台套|人|名|位|辆|台|套|次|户|家|件|项|本|所|个)")
_UNIT_ALIAS = {"名": "人", "位": "人", "台套": "台（套）", "台": "台（套）", "套": "台（套）"}
_TARGET_WORDS = re.compile(r"目标|指标")
MIN_COVER = 0.6  # share of a row's name the question's words must cover
MIN_BESIDE = 0.8  # share of the question's item a neighbouring row's name must hold


def _segments(row: str | None) -> list[str]:
    return [fold(s) for s in (row or "").split(" / ") if s.strip()]


def _chars(text: str) -> set[str]:
    return set(_CJK.findall(text))


@lru_cache(maxsize=1)
def _not_naming() -> re.Pattern[str]:
    """Pronouns, openers and fillers in one pattern, the longest first at each place: "那个" goes whole,
    not as the opener "那" leaving "个" to count as a word of the item."""
    said = set(words()["pronouns"] + words()["openers"] + _NOISE.pattern.split("|"))
    return re.compile("|".join(re.escape(w) for w in sorted(said, key=len, reverse=True)))


def question_words(text: str) -> str:
    """The question without the follow-up words, pronouns and fillers: what names the row."""
    t = _COUNT_UNIT.sub(" ", fold(strip_ends(text)))
    return _not_naming().sub(" ", t)


def asked_unit(text: str) -> str | None:
    m = _COUNT_UNIT.search(fold(text))
    if m is None:
        return None
    return _UNIT_ALIAS.get(m.group(1), m.group(1))


def _unique(scored: list[tuple[float, Any]]) -> Any | None:
    """The best row, when every row scoring as well gives the same figure."""
    if not scored:
        return None
    scored.sort(key=lambda x: -x[0])
    best, top = scored[0]
    rivals = {(g.value, g.unit) for s, g in scored if s >= best - 1e-9}
    return top if len(rivals) == 1 else None


def under(anchor: Any, facts: list[Any], question: str) -> Any | None:
    """The row under the anchor's head row that the question names (a project's indicator)."""
    head = _segments(anchor.row)[:1]
    if not head:
        return None
    q = _chars(question_words(question))
    unit = asked_unit(question)
    targeted = bool(_TARGET_WORDS.search(fold(question)))
    if len(q) < 2 and unit is None:
        return None
    scored = []
    for g in facts:
        segs = _segments(g.row)
        if len(segs) < 2 or segs[0] != head[0] or g is anchor:
            continue
        name = _chars(segs[-1])
        if not name:
            continue
        cover = len(name & q) / len(name)
        if unit is not None:
            cover += 0.3 if g.unit == unit else -0.5
        if targeted and g.measure == "target":
            cover += 0.1
        if cover >= MIN_COVER and len(name & q) >= (1 if unit is not None and g.unit == unit else 2):
            scored.append((cover, g))
    return _unique(scored)


def beside(anchor: Any, facts: list[Any], question: str) -> Any | None:
    """The row of the anchor's table, under its column, whose name holds the question's item."""
    q = _chars(question_words(question))
    if len(q) < 3 or anchor.table is None:
        return None
    own = len(q & _chars("".join(_segments(anchor.row)))) / len(q)
    scored = []
    for g in facts:
        if g.table != anchor.table or g.column != anchor.column or g.row == anchor.row or g.unit != anchor.unit:
            continue
        cover = len(q & _chars("".join(_segments(g.row)))) / len(q)
        if cover >= MIN_BESIDE and cover > own:
            scored.append((cover, g))
    return _unique(scored)


def repeats_earlier(f: Any, earlier: list[Any], question: str) -> bool:
    """Whether fact f, found for a follow-up that names an item, is a figure already given (the same
    document, row and value as a fact an earlier answer cited) while the item's words are not in f's
    labels: the item asked for was not found, and the old figure is no answer for it."""
    q = _chars(question_words(question))
    if len(q) < 2:
        return False
    if not any(r.document == f.document and r.row == f.row and abs(r.value - f.value) < 0.005 for r in earlier):
        return False
    held = _chars(fold(f"{f.row or ''}{f.column or ''}{f.table or ''}"))
    return len(q & held) / len(q) < MIN_BESIDE


def asks_other_measure(question: str) -> bool:
    """A change, share or reason is not a row of its own: those follow-ups keep their own paths."""
    t = fold(question)
    return any(pattern(p).search(t) for p in ("change", "share", "why", "sum_last", "difference_last", "compare_last"))


# "由3辆变为4辆", "从2个增加到5个": a change of state stated in one sentence
_TRANSITION = re.compile(r"(?:由|从)(\d+(?:\.\d+)?)[^\d，。；]{0,4}(?:变为|变成|增加到|增加至|增至|减少到|减少至|减至|调整为|调整到|到)"
                         r"(\d+(?:\.\d+)?)")


def before_after(anchor: Any, facts: list[Any], question: str) -> Any | None:
    """"那合并之前是几辆" after a figure whose sentence states a change of state: the figure of the same
    row and sentence on the side asked (before: the first number, after: the second), or None."""
    t = fold(question)
    side = 0 if pattern("before").search(t) else (1 if pattern("after").search(t) else None)
    if side is None or not anchor.quote:
        return None
    m = _TRANSITION.search(fold(anchor.quote))
    if m is None:
        return None
    want = float(m.group(side + 1))
    for g in facts:
        if g.row == anchor.row and g.quote == anchor.quote and g.unit == anchor.unit and abs(g.value - want) < 1e-9:
            return g
    return None


_ORDINAL = {"一": 0, "1": 0, "二": 1, "2": 1, "两": 1, "三": 2, "3": 2, "四": 3, "4": 3, "五": 4, "5": 4}


def chosen(readings: list[Any], question: str) -> Any | None:
    """The reading a reply to "请问您指的是哪一项？" picks: by its place ("第二个", "前者", "后者") or by the
    words of its row, column or table ("汇总表里的那个"), when exactly one reading fits; else None."""
    t = fold(strip_ends(question))
    m = re.fullmatch(r"(?:就是|我说的是|我问的是|要|选)?第?([一二两三四五1-5])(?:个|种|项|条|笔)?(?:的|吧|数)?", t)
    if m:
        i = _ORDINAL[m.group(1)]
        return readings[i] if i < len(readings) else None
    if re.fullmatch(r"(?:就是)?前者(?:吧)?", t):
        return readings[0] if readings else None
    if re.fullmatch(r"(?:就是)?(?:后者|最后一个|最后那个)(?:吧)?", t):
        return readings[-1] if readings else None
    q = _chars(question_words(question))
    if len(q) < 2:
        return None
    scored = []
    for g in readings:
        cover = len(q & _chars(fold(f"{g.row or ''}{g.column}{g.table or ''}"))) / len(q)
        if cover >= 0.6:
            scored.append((cover, g))
    return _unique(scored)
