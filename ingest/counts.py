"""Counts the narrative states: '共有车辆55辆，其中执法执勤用车40辆' → (车辆, 55, 辆), (执法执勤用车, 40, 辆).
What a count is (units, classifiers, the words around it) is data: data/counts.toml."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache

from budgetqa.vocabulary import money_pattern
from ingest.names import DATA


@dataclass(frozen=True)
class _Rules:
    number: re.Pattern[str]
    classifiers: frozenset[str]
    lead: re.Pattern[str]
    trail: re.Pattern[str]
    split: re.Pattern[str]
    unit_alias: dict[str, str]
    after_stop: re.Pattern[str]
    not_before: tuple[str, ...]
    min_chars: int
    max_chars: int
    bare_nouns: frozenset[str]
    measures: tuple[tuple[re.Pattern[str], str], ...]


@lru_cache(maxsize=1)
def rules() -> _Rules:
    raw = tomllib.loads((DATA / "counts.toml").read_text(encoding="utf-8"))
    units = "|".join(re.escape(u) for u in sorted(raw["units"], key=len, reverse=True))
    not_after = "|".join(re.escape(u) for u in raw["not_after"])
    lead = "|".join(re.escape(w) for w in sorted(raw["lead_words"], key=len, reverse=True))
    trail = "|".join(re.escape(w) for w in sorted(raw["trail_words"], key=len, reverse=True))
    split = "|".join(re.escape(w) for w in sorted(raw["split_words"], key=len, reverse=True))
    stops = "|".join(re.escape(w) for w in raw["after_stops"])
    return _Rules(
        number=re.compile(rf"(?<![\d.,，])(?P<num>\d+)\s*(?P<unit>{units})(?!{not_after})"),
        classifiers=frozenset(raw["classifiers"]),
        lead=re.compile(rf"^(?:{lead})+"),
        trail=re.compile(rf"(?:{trail})+$"),
        split=re.compile(split),
        unit_alias=dict(raw["unit_alias"]),
        after_stop=re.compile(stops),
        not_before=tuple(raw["not_before"]),
        min_chars=int(raw["limits"]["min_item_chars"]),
        max_chars=int(raw["limits"]["max_item_chars"]),
        bare_nouns=frozenset(raw.get("bare_nouns", [])),
        measures=tuple((re.compile(m["pattern"]), m["measure"]) for m in raw["measure"]),
    )


def measure_of(column: str) -> str:
    """What a figure in this column measures: 'change', 'change_rate', 'share', 'completion' or 'amount'."""
    for pattern, measure in rules().measures:
        if pattern.search(column or ""):
            return measure
    return "amount"


@dataclass
class Count:
    item: str
    value: int
    unit: str
    sentence: str


def _item(text: str) -> str:
    r = rules()
    t = re.sub(r"[\s“”\"'《》]", "", text)
    t = r.split.split(t)[-1]
    t = re.sub(r"\d{4}年度?", "", t)  # "编报绩效目标的2024年度项目": the year is not the item
    t = re.split(rf"[\d.]+\s*(?:{money_pattern()}|万|%)?(?:以上|以下|及以上)?", t)[-1]  # "单价50万元以上通用设备"
    prev = None
    while prev != t:
        prev = t
        t = r.lead.sub("", t)
        t = r.trail.sub("", t)
        t = re.sub(r"^\d+\s*年度?", "", t)
    # "纳入…编制范围的预算单位" → "预算单位": the noun after the last 的; a noun that names nothing alone
    # keeps what qualifies it ("绩效跟踪评价的项目", "绩效评级为优的项目": three counts of 项目 in one passage)
    head, _, noun = t.rpartition("的")
    if head and noun in r.bare_nouns and len(t) <= r.max_chars:
        return t
    return noun


def _ok(item: str) -> bool:
    r = rules()
    return r.min_chars <= len(item) <= r.max_chars and not re.search(r"[\d%]", item)


def counts(text: str) -> list[Count]:
    """The counts a passage states, each with the sentence it stands in."""
    r = rules()
    out: list[Count] = []
    text = re.sub(r"台[（(]套[)）]", "台/套", text)  # one unit, not a bracketed aside
    for sentence in re.split(r"(?<=[。；;])", text):
        for clause in re.split(r"[，,；;。（）()]", sentence):
            last = 0
            prev_item = ""
            for m in r.number.finditer(clause):
                before_all = clause[: m.start()]
                if before_all.endswith(r.not_before) or re.search(r"[\d.]$", before_all):
                    continue
                unit = m.group("unit")
                item = ""
                if unit in r.classifiers:
                    after = clause[m.end():]
                    after = r.after_stop.split(after, maxsplit=1)[0]
                    if _ok(after):
                        item = after
                if not item:
                    item = _item(clause[last:m.start()]) or prev_item  # "由3辆变为4辆": the same thing
                last = m.end()
                if _ok(item):
                    prev_item = item
                    out.append(Count(item, int(m.group("num")), r.unit_alias.get(unit, unit), sentence.strip()))
    return out
