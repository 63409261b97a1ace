"""Figures of another year that stand inside a document: a 2023 budget's "2022年当年预算执行数为440.75万元，
2023年预算安排352.67万元" or "比2022年预算持平". Ingest stores such a figure as a fact of its own year and
kind (ingest/periods.py, ingest/pipeline.py) inside the later year's document; here a question or a
follow-up about that year finds it there, and the answer says which figure it is (执行数 or 预算) and
where the document states it. A budget asked for is never answered with an execution figure."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from assistant.compose import cite, fmt, not_found, where
from assistant.fact_labels import common_part
from assistant.records import Answer
from budgetqa.vocabulary import convert, is_money
from ingest.records import Fact

_DATA = Path(__file__).parent / "data" / "years.toml"


@lru_cache(maxsize=1)
def words() -> dict[str, list[str]]:
    return tomllib.loads(_DATA.read_text(encoding="utf-8"))


class DocumentList(Protocol):
    """What the widening needs of the store's document list (vectorstore.cache.Catalog)."""

    def doc_ids(self, departments: Sequence[str] | None = None, years: Sequence[int] | None = None,
                kinds: Sequence[str] | None = None) -> list[tuple[int, int]]: ...

    def years(self) -> dict[str, list[int]]: ...


def holding(catalog: DocumentList, departments: Sequence[str], years: Sequence[int]) -> list[tuple[int, int]]:
    """The documents that may hold the facts of these departments and years: each year's own documents,
    and for a department without a document of a year, its documents of the next year (they state the
    year before's figures). Store order."""
    ids = catalog.doc_ids(departments, years)
    if not years:
        return ids
    loaded = catalog.years()
    extra: set[tuple[int, int]] = set()
    for d in departments or list(loaded):
        have = loaded.get(d, [])
        for y in years:
            if y not in have and y + 1 in have:
                extra.update(catalog.doc_ids([d], [y + 1]))
    return sorted(set(ids) | extra) if extra else ids


def asks_budget(text: str) -> bool:
    """The question asks what was budgeted ("2022年的预算是多少"), not what was spent."""
    w = words()
    return any(x in text for x in w["budget_words"]) and not asks_spent(text)


def asks_spent(text: str) -> bool:
    """The question asks what was spent or executed ("2022年实际花了多少", "比2022年执行数")."""
    return any(x in text for x in words()["spent_words"])


def fits_kind(text: str, f: Fact) -> bool:
    """Whether fact f's kind answers what the question asks: an execution figure (决算 kind) is no budget."""
    if f.kind == "决算":
        return not asks_budget(text)
    return not asks_spent(text) or "预算" in text


def same_value(a: Fact, b: Fact) -> bool:
    """The two facts state the same figure, whatever money unit each is printed in."""
    v = convert(b.value, b.unit, a.unit) if is_money(a.unit) and is_money(b.unit) else (
        b.value if a.unit == b.unit else None)
    return v is not None and abs(a.value - round(v, 2)) < 0.005


def leaf(f: Fact) -> str:
    return (f.row or "").split(" / ")[-1]


def sentence_mates(g: Fact, facts: Sequence[Fact]) -> list[Fact]:
    """The facts of another year stated in g's own sentence for g's row ("2022年当年预算执行数为1.48万元，
    2023年预算安排2.63万元": the 2023 figure of the 2022 one)."""
    if g.source != "narrative" or not g.quote:
        return []
    return [h for h in facts if h is not g and h.source == "narrative" and h.quote == g.quote and h.row == g.row
            and h.year != g.year and h.measure == "amount"]


def stated_for(last: Fact, facts: Sequence[Fact], year: int) -> Fact | None:
    """The figure of `year` that last's document states for last's item: a sentence stating both years'
    figures whose figure for last's year is last's (in whatever unit), under last's row name; else the
    one fact of that year with last's row. None when none or several different figures."""
    others = [g for g in facts if g.document == last.document and g.year == year and g.measure == "amount"
              and g.source == "narrative"]
    named = [g for g in others if leaf(g) == leaf(last) or (last.row and g.row == last.row)]
    paired = [g for g in named if any(same_value(h, last) and h.year == last.year for h in sentence_mates(g, facts))]
    found = paired or ([g for g in named if g.row == last.row] if last.source == "narrative" else [])
    if len({round(g.value, 2) for g in found}) != 1:
        return None
    return found[0]


def level_with(last: Fact, facts: Sequence[Fact], year: int, item: str = "") -> Fact | None:
    """The sentence that states last's figure and says it is level with `year`'s ("2023年“三公”经费预算数为
    22.91万元，比2022年预算持平"): then `year`'s figure is the same. The sentence names last's row or the
    item asked; one such sentence, else None."""
    other = rf"(?:{year}年度?|上年度?|去年|上一年度?)"
    said = re.compile(rf"(?:比|较|与|同|和){other}[^，。；,;]{{0,12}}?(?:"
                      + "|".join(map(re.escape, words()["level_words"])) + ")|(?:"
                      + "|".join(map(re.escape, words()["level_before"])) + f"){other}")
    names = [_plain(x) for x in (item, leaf(last), last.column) if x]
    found = []
    for g in facts:
        if g.document != last.document or g.year != last.year or g.source != "narrative" or not g.quote:
            continue
        if g.measure != "amount" or not same_value(g, last):
            continue
        quote = g.quote.replace(",", "")
        at = _printed_at(quote, g.value)
        if at < 0:
            continue
        # what the sentence says of this figure, up to the next figure ("21.56万元，其中：购置费0万元，比…持平"
        # says 持平 of the 0)
        then = _NEXT_FIGURE.search(quote, at + len(f"{g.value:.2f}".rstrip("0").rstrip(".")) + 1)
        if not said.search(quote[at:then.start() if then else len(quote)]):
            continue
        row = _plain(g.row or "")
        # the sentence's item shares a name with the figure's row, column or the item asked ("三公经费")
        if leaf(g) == leaf(last) or any(len(_GENERIC.sub("", common_part(n, row))) >= 2 for n in names):
            found.append(g)
    return found[0] if len({round(g.value, 2) for g in found}) == 1 else None


_GENERIC = re.compile(r"预算数?|决算数?|经费|支出|合计|总计|小计|20\d\d年度?")


def _plain(text: str) -> str:
    return re.sub(r"[“”\"'‘’「」\s的是多少呢吗？?/]", "", text)


_NEXT_FIGURE = re.compile(r"(?<![\d.])\d[\d.]*\s*(?:万元|亿元|元|%)")


def _printed_at(text: str, value: float) -> int:
    """Where the figure stands in the sentence as printed ("28", "28.00", "427.5"), -1 when it does not."""
    for number in dict.fromkeys([f"{value:.2f}", f"{value:.2f}".rstrip("0").rstrip(".")]):
        m = re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", text)
        if m:
            return m.start()
    return -1


def column_words(g: Fact) -> str:
    """What the figure is: the column printed ("预算执行数"), else 决算数 / 预算数 by kind."""
    return g.column or ("决算数" if g.kind == "决算" else "预算数")


def stated_answer(question: str, g: Fact, item: str | None) -> Answer:
    """The figure of another year as the later document states it, quoted and cited."""
    quote = (g.quote or "")[:200]
    text = (f"{g.year}年{g.department}{leaf(g)}{column_words(g)}为{fmt(g.value)}{g.unit}"
            f"（{g.document}中写明：“{quote}”）。{where(g)}。")
    return Answer(question=question, status="answered", answer=text, value=g.value, unit=g.unit,
                  citations=[cite(g)], department=g.department, year=g.year, item=item, measure="value")


def wrong_kind(question: str, g: Fact) -> Answer:
    """Asked for a year's budget where the document states only what was executed (or the reverse)."""
    other = "预算数" if g.kind == "决算" else "执行数（决算数）"
    return not_found(question, f"已导入的文件中没有{g.year}年该项的{other}；文件只写明{g.year}年{leaf(g)}"
                               f"{column_words(g)}为{fmt(g.value)}{g.unit}（{where(g)}）。如问的是它，请说明。")


def answer_of(question: str, item: str | None, facts: Sequence[Fact], year: int) -> Answer | None:
    """The best-ranked of these facts when it is one of `year` (stated in a later year's document): the
    figure quoted, or, when its kind is not the one asked for, why it does not answer."""
    if not facts or facts[0].year != year:
        return None
    g = facts[0]
    return stated_answer(question, g, item) if fits_kind(question, g) else wrong_kind(question, g)


def change_pair(current: Sequence[Fact], facts: Sequence[Fact], base: int) -> tuple[Fact, Fact] | None:
    """For the change of an item from `base`, a year whose figure only a later document states: the first
    of the current figures (best first) for which the document states `base`'s figure, as (this year's
    figure from that same sentence, `base`'s figure), both in one unit."""
    for a in current[:3]:
        g = stated_for(a, facts, base)
        if g is None:
            continue
        mates = [h for h in sentence_mates(g, facts) if h.year == a.year and h.unit == g.unit and same_value(h, a)]
        return (mates[0], g) if mates else None
    return None


_BASE = re.compile(r"(?:比|较|与|同|跟|和)\s*(20\d\d)\s*年?度?|(20\d\d)\s*年?度?\s*(?:相比|比较|对比)")


def asked_years(text: str, years: Sequence[int]) -> list[int]:
    """The years a question asks about, without a year it names only as what a change is measured from
    ("比2022年少了多少" asks about the document's year, not 2022)."""
    bases = [int(a or b) for a, b in _BASE.findall(text)]
    return [y for y in years if len(re.findall(rf"(?<!\d){y}(?!\d)", text)) > bases.count(y)]


def change_in_sentence(a: Fact, facts: Sequence[Fact]) -> tuple[Fact, Fact] | None:
    """The change from last year a sentence states beside figure a under a's name ("2025年收入总计1074.61万元，
    支出总计1074.61万元，与2024年预算相比，收支总计各增加155.64万元"): (the sentence's figure, its change), in one
    unit; None when no sentence, or one whose other figures differ from a's, or several changes."""
    found: dict[float, tuple[Fact, Fact]] = {}
    for g in facts:
        if g.source != "narrative" or g.document != a.document or g.year != a.year or not g.quote:
            continue
        if g.measure != "amount" or leaf(g) != leaf(a) or not same_value(g, a):
            continue
        told = [h for h in facts if h.source == "narrative" and h.quote == g.quote and h.year == g.year]
        changes = [h for h in told if h.column.startswith("比上年") and h.unit == g.unit]
        amounts = [h for h in told if h.measure == "amount" and not h.column.startswith("比上年")]
        if len(changes) == 1 and all(same_value(h, g) for h in amounts):
            found.setdefault(round(changes[0].value, 2), (g, changes[0]))
    return next(iter(found.values())) if len(found) == 1 else None
