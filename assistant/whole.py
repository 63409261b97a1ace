"""A question about a document's whole amount, in the words people use for it.

"一共有多少预算", "预算一共多少钱", "这个部门今年总共花了多少钱", "省政协2019年的预算是多少" name no item:
once the filler words are out, nothing is left but words of a whole ("一共", "总共", "总额") and of
money. Such a question asks for the document's 收入总计 / 支出总计, and its item is read as that (the
thesaurus maps the word to the labels); the words are data (data/whole.toml).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache

from assistant.grams import longest_first
from assistant.understand import DATA, language


@dataclass(frozen=True)
class _Words:
    whole: tuple[str, ...]
    money: tuple[str, ...]
    document: tuple[str, ...]
    spending: tuple[str, ...]
    income: tuple[str, ...]
    as_spending: str
    as_income: str
    as_either: str
    filler: tuple[str, ...]
    printed: tuple[str, ...]


@lru_cache(maxsize=1)
def words() -> _Words:
    raw = tomllib.loads((DATA / "whole.toml").read_text(encoding="utf-8"))
    return _Words(tuple(raw["whole"]), tuple(raw["money"]), tuple(raw["document"]), tuple(raw["spending"]),
                  tuple(raw["income"]),
                  raw["as_spending"], raw["as_income"], raw["as_either"],
                  tuple(longest_first([*raw["whole"], *raw["also_filler"], *language()["filler"]])),
                  tuple(raw["printed"]))


def whole_item(item: str) -> str | None:
    """The thesaurus word a whole-amount question's item is read as, or None when the item names
    anything more than a whole and money ("基本支出一共多少" names 基本支出) or no money at all."""
    w = words()
    t = re.sub(r"\s+", "", item)
    if not any(x in t for x in w.whole) and not any(x in t for x in w.document):
        return None  # "安排了多少钱" with no word of a whole: a follow-up about an item said before
    return _read(t)


def names_printed_row(text: str) -> bool:
    """"本年支出合计": a row of the 收支总表 the question names as printed, looked up as it is."""
    t = re.sub(r"\s+", "", text)
    return any(x in t for x in words().printed)


def whole_of_money(words_of_total: str) -> str | None:
    """The thesaurus word words naming only money are read as ("政府办2025年的钱里，基本支出占多大比例",
    "今年的钱比去年多了百分之几": the whole spending), else None. Inside a share or a change the words need
    no word of a whole."""
    t = re.sub(r"\s+", "", words_of_total)
    read = _read(t)
    if read is not None and not any(x in t for x in words().income):
        return words().as_spending  # a part of the whole is spent: "的钱里" is the spending side
    return read


def _read(t: str) -> str | None:
    w = words()
    if not any(x in t for x in w.money):
        return None  # "一共有几个": a count, never an amount
    rest = t
    for f in w.filler:
        rest = rest.replace(f, "")
    if re.sub(r"[\W\d_]+", "", rest):
        return None  # words that name an item remain
    if any(x in t for x in w.income) and not any(x in t for x in w.spending):
        return w.as_income
    if any(x in t for x in w.spending) and not any(x in t for x in w.income):
        return w.as_spending
    return w.as_either
