"""What a ranker knows of one (question, fact) pair: general signals, no rule about a particular item.

Each fact is described by its table title, row path and code, column path and the thesaurus words
for its labels (`Description`). A question's item words are compared with that description as
IDF-weighted character bigrams, both ways (how much of the question the labels cover, how much of the
row label the question covers), in characters and in toneless pinyin (homophone typos). Dense
similarity, classification codes, the table's type, the measure and unit, and the budget/final
column of a 决算 are further features. assistant/ranker.py weighs them with fitted weights.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from assistant.fact_labels import fact_labels
from assistant.lookup import GENERIC_COLUMNS, FactIndex, Scored
from assistant.normalise import pinyin_bigrams
from assistant.understand import Query, language, norm, thesaurus
from budgetqa.vocabulary import money_units
from ingest.periods import spent_column
from ingest.records import Fact

TABLE_TYPES = ("three_public", "overall_performance_targets", "project_performance_targets", "fiscal_funds_summary",
               "income_expenditure_summary", "income_summary", "operating_funds", "general_budget_basic_expenditure",
               "economic_classification_summary", "general_budget_expenditure", "government_fund_expenditure",
               "state_capital_expenditure", "project_expenditure", "government_procurement", "expenditure_summary")
_MONEY = money_units()
_TOTAL_ROW = re.compile(r"^(合计|总计|收入总计|支出总计|本年收入合计|本年支出合计|.{0,6}合计)$")
_CHANGE_COLS = ("比上年增加", "比上年减少", "比上年增长", "比上年下降", "比上年增减")
_ASKS_PERCENT = re.compile(r"百分之|%|率|比例|比重|占比")
_ASKS_TARGET = re.compile(r"目标|指标|要求|控制在|达到|打算|计划|预计")
_ASKS_TOTAL = re.compile(r"总|合计|一共|全部|整体|全年")


def bigrams(text: str) -> set[str]:
    t = re.sub(r"[^\u4e00-\u9fff]", " ", text)
    return {t[i:i + 2] for i in range(len(t) - 1) if " " not in t[i:i + 2]}


@lru_cache(maxsize=1)
def _fillers() -> tuple[str, ...]:
    return tuple(sorted((w for w in language()["filler"] if len(w) >= 2), key=lambda w: (-len(w), w)))


def item_words(item: str) -> str:
    """The item with question fillers (请问, 是多少, 预算 …) blanked out."""
    t = item
    for w in _fillers():
        t = t.replace(w, " ")
    return t


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, tuple[str, ...]]:
    """Printed label → the everyday words the thesaurus gives for it."""
    out: dict[str, list[str]] = {}
    for t in thesaurus():
        for label in t.labels:
            out.setdefault(norm(label), []).extend(norm(w) for w in t.words)
    return {k: tuple(v) for k, v in out.items()}


@dataclass
class Description:
    """One fact's labels as bigram sets (characters and pinyin)."""

    row: set[str]
    row_leaf: set[str]
    col: set[str]
    table: set[str]
    syn: set[str]
    row_py: set[str]
    leaf_py: set[str]
    col_generic: bool
    total_row: bool


def describe(f: Fact) -> Description:
    lab = fact_labels(f)  # the same normalized labels the lexical lookup reads
    row_parts, leaf = lab.row_parts, lab.row_leaf
    cols = [p for p in lab.col_parts if p not in GENERIC_COLUMNS]
    title = re.sub(r"^.*?20\d\d年?度?", "", lab.table)
    syn: set[str] = set()
    for label in [leaf, *cols]:
        for w in _synonyms().get(label, ()):
            syn |= bigrams(w)
    row_text = "".join(row_parts)
    return Description(bigrams(row_text), bigrams(leaf), bigrams("".join(cols)), bigrams(title), syn,
                       pinyin_bigrams(row_text), pinyin_bigrams(leaf), not cols,
                       not leaf or bool(_TOTAL_ROW.match(leaf)))


class Idf:
    """Inverse document frequency of label bigrams over every fact loaded (a fact = a document)."""

    def __init__(self, descriptions: Iterable[Description]):
        df: dict[str, int] = {}
        n = 0
        for d in descriptions:
            n += 1
            for g in d.row | d.col | d.table:
                df[g] = df.get(g, 0) + 1
        self.n = max(n, 1)
        self.df = df

    def __call__(self, gram: str) -> float:
        return math.log((self.n + 1) / (self.df.get(gram, 0) + 0.5))

    def known(self, gram: str) -> bool:
        return gram in self.df


def _cov(want: set[str], have: set[str], idf: Idf) -> float:
    total = sum(idf(g) for g in want)
    return sum(idf(g) for g in want if g in have) / total if total else 0.0


@dataclass
class QuestionSide:
    """The question's side of the comparison, computed once per question."""

    grams: set[str]  # item bigrams the library's labels use (others cannot discriminate)
    unknown: float  # share of item bigrams no label uses
    grams_py: set[str]
    targets: set[str]  # bigrams of the thesaurus labels the item's words stand for
    asks_count: bool
    asks_percent: bool
    asks_target: bool
    asks_total: bool
    codes: set[str]


def question_side(q: Query, idf: Idf) -> QuestionSide:
    words = item_words(q.item)
    grams = bigrams(words)
    known = {g for g in grams if idf.known(g)}
    targets: set[str] = set()
    for _w, label in q.targets:
        targets |= bigrams(label)
    return QuestionSide(known, (len(grams) - len(known)) / len(grams) if grams else 0.0, pinyin_bigrams(words),
                        targets, q.count, bool(_ASKS_PERCENT.search(q.rest or q.item)),
                        bool(_ASKS_TARGET.search(q.rest or q.item)), bool(_ASKS_TOTAL.search(q.rest or q.item)),
                        set(q.codes))


FEATURES = ("q_cov_row", "q_cov_col", "q_cov_table", "q_cov_all", "q_cov_py", "leaf_cov", "leaf_cov_py",
            "col_cov", "col_generic", "target_row", "target_col", "code", "unknown", "lexical", "lexical_none",
            "dense", "money_count", "count_count", "count_plain", "pct_pct", "pct_plain", "target_asked",
            "target_plain", "narrative", "total_row", "total_asked", "part_col", "final_col", "budget_col",
            "budget_asked", "zero") + tuple(f"type_{t}" for t in TABLE_TYPES)


def features(f: Fact, d: Description, qs: QuestionSide, q: Query, idf: Idf, legacy: Scored | None,
             dense: float) -> list[float]:
    """The feature vector of one candidate, in FEATURES order."""
    label_all = d.row | d.col | d.table | d.syn
    leaf_have = qs.grams | qs.targets
    col_grams = d.col
    money, pct = f.unit in _MONEY, f.unit == "%"
    count = not money and not pct
    target = f.measure == "target"
    in_final = f.kind == "决算"
    spent = spent_column(f.column)  # 决算数, 预算执行数: what was spent
    x = {
        "q_cov_row": _cov(qs.grams, d.row | d.syn, idf),
        "q_cov_col": _cov(qs.grams, d.col, idf),
        "q_cov_table": _cov(qs.grams, d.table, idf),
        "q_cov_all": _cov(qs.grams, label_all, idf),
        "q_cov_py": len(qs.grams_py & (d.row_py)) / len(qs.grams_py) if qs.grams_py else 0.0,
        "leaf_cov": _cov(d.row_leaf, leaf_have, idf),
        "leaf_cov_py": len(d.leaf_py & qs.grams_py) / len(d.leaf_py) if d.leaf_py else 0.0,
        "col_cov": _cov(col_grams, leaf_have, idf) if col_grams else 0.0,
        "col_generic": float(d.col_generic),
        "target_row": float(bool(qs.targets) and bool(d.row_leaf) and d.row_leaf <= qs.targets),
        "target_col": float(bool(qs.targets) and bool(d.col) and d.col <= qs.targets),
        "code": float(bool(f.row_code) and f.row_code in qs.codes),
        "unknown": qs.unknown,
        "lexical": max(-5.0, min(legacy.score, 30.0)) / 10 if legacy else 0.0,
        "lexical_none": float(legacy is None),
        "dense": dense,
        "money_count": float(money and qs.asks_count),
        "count_count": float(count and qs.asks_count),
        "count_plain": float(count and not qs.asks_count),
        "pct_pct": float(pct and qs.asks_percent),
        "pct_plain": float(pct and not qs.asks_percent),
        "target_asked": float(target and qs.asks_target),
        "target_plain": float(target and not qs.asks_target),
        "narrative": float(f.source == "narrative"),
        "total_row": float(d.total_row),
        "total_asked": float(d.total_row and qs.asks_total),
        "part_col": float(any(p.startswith("其中") for p in f.column.split(" / "))),
        "final_col": float(in_final and spent and not q.wants_budget_column),
        "budget_col": float(in_final and "预算" in f.column and not spent and not q.wants_budget_column),
        "budget_asked": float(in_final and "预算" in f.column and not spent and q.wants_budget_column),
        "zero": float(f.value == 0),
    }
    for t in TABLE_TYPES:
        x[f"type_{t}"] = float(f.table_type == t)
    return [x[k] for k in FEATURES]


def compatible(f: Fact, q: Query, measure: str) -> bool:
    """Whether a fact can answer the measure at all (type, not wording): a change column never answers
    "how much", a money figure never answers "how many"."""
    is_change = f.column.startswith(_CHANGE_COLS) or f.measure in ("change", "change_rate")
    if measure == "value":
        if is_change or f.column in ("占比", "完成预算的比例") or f.measure in ("share", "completion"):
            return False
        if f.unit == "%" and f.source == "narrative" and f.measure != "target":
            return False
        return not (q.count and f.unit in _MONEY)
    if measure in ("change_amount", "change_rate"):
        return is_change and (measure == "change_rate") == (f.unit == "%")
    if measure == "share":
        return f.column == "占比" or f.measure == "share"
    if measure == "completion":
        return f.column == "完成预算的比例" or f.measure == "completion"
    return True


def legacy_scores(index: FactIndex, rows: list[int], q: Query, measure: str) -> dict[int, Scored]:
    """The hand-weighted lexical score of assistant/lookup.py, one feature among the others."""
    memo: dict = {}
    return {i: s for i in rows if (s := index.score(i, q, measure, memo)) is not None}
