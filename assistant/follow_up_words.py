"""Reading a follow-up question: its item, measure, column and whether it names an item of its own;
and a self-contained question to put to the single-question assistant. The words themselves are data
(assistant/data/follow_ups.toml)."""

from __future__ import annotations

import re

from assistant.mentions import fold, pattern, words
from budgetqa.vocabulary import money_pattern

_FILLER = re.compile(r"哪块钱|哪部分|哪块|哪项|什么|的|是|了|又|会|要|还|有|吗|呢|多少|几|个|家|项|一年|那个|这个|请问|一下|呀|啊|吧|分别|具体|现在|目前|"
                     rf"一共|总共|数|额|钱|{money_pattern()}|%|比|跟|和|与|年|呢|，|,|？|\?|。|！|!|、|：|:|\s|\d")
_CUT = re.compile(r"是多少|有多少|为多少|多少钱|是几|安排了多少|安排多少|一共多少|总共多少|合计多少|多少|有几|几[个家项人辆台次]|是什么|吗|呢|[？?。]")


# ---- reading the question ------------------------------------------------------------------
def _strip_words(t: str, ws: list[str]) -> str:
    for w in sorted(ws, key=len, reverse=True):
        t = t.replace(w, " ")
    return t


def strip_ends(text: str) -> str:
    """Without the opening 那/换成 and the closing 呢/吗/？ of a short follow-up."""
    t = fold(text)
    for w in sorted(words()["openers"], key=len, reverse=True):
        if t.startswith(w):
            t = t[len(w):]
            break
    t = re.sub(r"(?<=[\u4e00-\u9fff])呢[，,]", "", t)  # "车呢，有几辆" -> "车有几辆"
    return re.sub(r"(呢|吗|啊|呀)?[？?。!！]*$", "", t).strip(" ，,")


def column_of(text: str) -> str | None:
    t = fold(text)
    for col, ws in words()["columns"].items():
        if any(w in t for w in ws):
            return str(col)
    return None


def _without_measure(t: str) -> str:
    t = _strip_words(t, [w for ws in words()["columns"].values() for w in ws])
    for name in ("change", "change_rate", "change_amount", "sum_last", "difference_last", "share", "why",
                 "previous_year", "year_before_previous", "next_year"):
        t = pattern(name).sub(" ", t)
    return _strip_words(t, words()["pronouns"] + words()["openers"] + words()["closers"] + words()["clarifiers"]
                        + words()["pairs"])


def has_item(text: str) -> bool:
    """Whether the question names an item of its own (two characters left once follow-up words go)."""
    left = _FILLER.sub("", _without_measure(fold(text)))
    return len(re.findall(r"[\u4e00-\u9fffA-Za-z]", left)) >= 2


def pronoun_in(text: str) -> str | None:
    t = fold(text)
    return next((w for w in sorted(words()["pronouns"], key=len, reverse=True) if w in t), None)


def measure_of(text: str) -> str:
    t = fold(text)
    if column_of(t) == "完成率":
        return "completion"
    if pattern("share").search(t):
        return "share"
    if pattern("change").search(t) and not re.search(r"变成|变为", t):
        return change_measure(t, None)
    return "value"


def change_measure(t: str, before: str | None) -> str:
    if pattern("change_rate").search(t):
        return "change_rate"
    if pattern("change_amount").search(t):
        return "change_amount"
    return before or "change_amount"  # "涨了多少", "变化多少": as the conversation asked before


def item_of(text: str) -> str | None:
    """The item a question asks about, in its own words: '三公经费里，因公出国（境）费'."""
    t = strip_ends(text)
    cuts = [m.start() for m in (_CUT.search(t), pattern("change").search(t), pattern("share").search(t),
                                pattern("why").search(t)) if m]
    if "占" in t:
        cuts.append(t.index("占"))
    t = t[:min(cuts)] if cuts else t
    t = re.sub(r"(的)?(年初预算数?|全年预算数?|调整预算数?|预算数|决算数|预算|决算)$", "", t)
    t = t.strip(" ，,的是为在里中")
    t = _strip_words(t, words()["pronouns"]).strip()
    return t if len(re.findall(r"[\u4e00-\u9fff]", t)) >= 2 else None


def _col_words(col: str | None) -> str:
    return {"年初预算": "年初预算数", "全年预算": "全年预算数", "预算数": "预算数", "决算数": "决算数"}.get(col or "", "")


def phrase(item: str, measure: str | None, column: str | None = None) -> str:
    """A self-contained question about `item` for the single-question assistant."""
    if measure == "change_amount":
        return f"{item}比上年增加了多少"
    if measure == "change_rate":
        return f"{item}比上年增长了百分之多少"
    if measure == "completion":
        return f"{item}完成预算的百分之几"
    return f"{item}{_col_words(column)}是多少"
