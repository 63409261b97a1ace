"""Checks that keep a different figure from being answered: what the question pins down (a
classification code, a money unit) must be what the fact states.

A question that writes a classification code ("行政运行（2120101）") names one row exactly: a fact
printed on another code's row is never its answer, however many words it shares (the parent class's
sentence, the neighbouring 项 of the same 款). A fact printed without a code (a sentence of the
narrative) stands only when it states the coded row's figure. A code no fact in scope carries
still rules out the facts printed on other codes.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache
from typing import TypeVar

from assistant.understand import DATA, Query, norm
from budgetqa.vocabulary import (
    convert,
    is_generic_column,
    is_total_row,
    money_pattern,
    money_units,
    vocabulary,
)
from ingest.records import Fact

# a money unit the question asks the figure in ("预算多少元", "是多少万元"), not one of a figure it quotes
_ASKED_UNIT = re.compile(r"(?<![\d.,，" + "".join({u[0] for u in money_units() if len(u) > 1}) + "])("
                         + money_pattern() + ")")


H = TypeVar("H")


def _fact(h: object) -> Fact:
    return h if isinstance(h, Fact) else h.fact  # type: ignore[attr-defined]


def _in_yuan(f: Fact) -> float | None:
    scale = vocabulary().money_scale.get(f.unit)
    return f.value * scale if scale is not None else None


def _same_figure(uncoded: Fact, coded: Fact) -> bool:
    """Whether a fact without a code states the coded fact's figure as printed (a sentence rounds the
    table's 元 to 万元 with two decimals)."""
    if uncoded.unit == coded.unit:
        return abs(uncoded.value - coded.value) < 0.005
    a, b = _in_yuan(uncoded), _in_yuan(coded)
    if a is None or b is None:
        return False
    scale = vocabulary().money_scale[uncoded.unit]
    return abs(a - b) <= 0.005 * scale + 1e-6  # the coded figure rounded to the sentence's unit


def fact_key(f: Fact) -> tuple:
    """What identifies a stored fact whichever copy of it is held: where it stands and what it prints."""
    return f.document, f.page, f.table, f.row, f.row_code, f.column, f.value, f.unit, f.source, f.quote


def asked_codes(q: Query) -> set[str]:
    """The classification codes the question writes."""
    return {c for c in q.codes if c}


def code_admits(q: Query, scope: Sequence[Fact]) -> set[tuple] | None:
    """The keys (`fact_key`) of the facts of `scope` a coded question may be answered with; None when
    the question writes no code (every fact may). `scope` is what the question is asked of (its facts may
    be other objects than the hits', read again through a small cache: compared by what they print)."""
    codes = asked_codes(q)
    if not codes:
        return None
    carried = {f.row_code for f in scope if f.row_code}
    known = codes & carried
    if not known:
        # a number that no row carries may be no code at all ("100个"): only the facts printed on
        # another code's row of the same length are ruled out (a 7-digit 项 is not a 5-digit 款)
        lengths = {len(c) for c in codes}
        return {fact_key(f) for f in scope if not f.row_code or len(f.row_code) not in lengths}
    coded = [f for f in scope if f.row_code in known]
    return {fact_key(f) for f in scope if f.row_code in known
            or (not f.row_code and any(_same_figure(f, g) for g in coded if g.unit != "%"))}


def by_code(q: Query, hits: list[H], scope: Sequence[Fact]) -> list[H]:
    """The hits (facts, or records carrying `.fact`) a coded question may be answered with."""
    admitted = code_admits(q, scope)
    if admitted is None:
        return hits
    return [h for h in hits if fact_key(_fact(h)) in admitted]


def asked_unit(q: Query) -> str | None:
    """The money unit the question asks the figure in, when it names one."""
    units = set(money_units())
    found = [u for u in _ASKED_UNIT.findall(q.q) if u in units]
    return found[-1] if len(set(found)) == 1 else None


def unit_first(q: Query, hits: list[H]) -> list[H]:
    """Among the leading hits stating the same figure, the one printed in the unit the question asks
    in leads ("多少元": the table in 元 before the sentence rounding it to 万元)."""
    unit = asked_unit(q)
    if unit is None or not hits:
        return hits
    top = _fact(hits[0])
    if top.unit == unit:
        return hits
    same = [h for h in hits if _fact(h).unit == unit and (_same_figure(top, _fact(h)) or _same_figure(_fact(h), top))]
    if not same:
        return hits
    lead = same[0]
    return [lead, *(h for h in hits if h is not lead)]


def _is_class_of(code: str, other: str) -> bool:
    return code.startswith(other) or other.startswith(code)


def _reading(facts: list[Fact]) -> Fact:
    """The fact that stands for a row: its total column, first printed."""
    return min(facts, key=lambda f: (not is_generic_column(f.column.split(" / ")[-1]), f.page))


def code_name_conflict(q: Query, scope: Sequence[Fact]) -> list[Fact]:
    """When the question writes a code and, beside it, the printed name of another row (not the code's
    own row nor one of its classes): one fact of each row, to ask which is meant ("行政运行（2120102）"
    where 2120102 is 一般行政管理事务). Empty when code and name agree."""
    codes = asked_codes(q) & {f.row_code for f in scope if f.row_code}
    if not codes:
        return []
    item = norm(q.item)
    table = [f for f in scope if f.source == "table" and f.row_code and f.unit != "%"]
    own = {norm((f.row or "").split(" / ")[-1]) for f in table if f.row_code in codes}
    if any(n and n in item for n in own):
        return []
    coded = [f for f in table if f.row_code in codes]
    named: dict[str, list[Fact]] = {}
    for f in table:
        leaf = norm((f.row or "").split(" / ")[-1])
        if (f.row_code not in codes and len(leaf) >= 3 and leaf in item and not is_total_row(leaf)
                and not any(_is_class_of(c, f.row_code or "") for c in codes)):
            named.setdefault(f.row_code or "", []).append(f)
    if not named or not coded:
        return []
    # the named row under the same class as the code first (2120102 beside 2120101, not 2013202)
    code = sorted(codes)[0]
    near = max(named, key=lambda c: (len(_shared_prefix(c, code)), c))
    return [_reading(coded), _reading(named[near])]


def _shared_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


@lru_cache(maxsize=1)
def _data() -> dict:
    return tomllib.loads((DATA / "guards.toml").read_text(encoding="utf-8"))


def asks_per_unit(q: Query) -> bool:
    """"人均", "每个居委会": a figure per person or per unit is asked."""
    return bool(re.search(_data()["per_unit_pattern"], q.q))


def per_unit_fact(f: Fact) -> bool:
    text = f"{f.row or ''} {f.column} {f.quote or '' if f.source == 'narrative' else ''}"
    return any(w in text for w in _data()["per_unit_labels"])


def by_per_unit(q: Query, hits: list[H]) -> list[H]:
    """A per-person question keeps only the figures stated per person: a total divided by nobody
    knows how many is not in the documents."""
    if not asks_per_unit(q):
        return hits
    return [h for h in hits if per_unit_fact(_fact(h))]


_GENERIC_WORD = re.compile(r"^(预算|决算|经费|支出|收入|费用|资金|金额|合计|总计|小计|其他|其中)")


def scope_labels(scope: Sequence[Fact]) -> frozenset[str]:
    """The item names printed in scope (row leaves, column leaves) that name one item: two characters
    or more, no total, generic column or budget word."""
    out: set[str] = set()
    for f in scope:
        for part in ((f.row or "").split(" / ")[-1], f.column.split(" / ")[-1]):
            p = re.sub(r"^其中[:：]?", "", norm(part))
            if (len(p) >= 2 and not is_total_row(p) and not is_generic_column(p) and not re.search(r"\d", p)
                    and not _GENERIC_WORD.fullmatch(p)):
                out.add(p)
    return frozenset(out)


def names_another_item(item: str, labels: frozenset[str], own: str, matched: Sequence[str],
                       said: Sequence[str] = ()) -> str | None:
    """A printed item name the question writes that this fact's labels do not contain ("项目支出中的奖金"
    against the 项目支出 total: 奖金 is a row of its own): the name, or None. A name inside a longer
    one the fact has is no other item."""
    # a word the hit matched through the thesaurus covers the names inside it ("车辆维护" for 公务用车运行维护费
    # covers 车辆), unless it is itself a printed name the fact's labels lack
    covered = [x for x in labels if _within(x, own)] + [m for m in matched if m and not (m in labels and not _within(m, own))]
    covered += [w for w in said if w]  # the thesaurus reads them as this fact's labels
    for label in labels:
        if not _within(label, own) and not any(label in c for c in covered):
            return label
    return None


def _common(a: str, b: str) -> str:
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return b[m.b:m.b + m.size]


def _within(label: str, text: str) -> bool:
    """Whether `text` writes `label`, or nearly all its character pairs ("本年拨款 / 一般公共预算" writes
    一般公共预算拨款 in another order)."""
    if label in text:
        return True
    pairs = {label[i:i + 2] for i in range(len(label) - 1)}
    return len(pairs) >= 4 and sum(p in text for p in pairs) >= 0.75 * len(pairs)


def _uncovered(h: object) -> list[str] | None:
    """The words a hit matched, or None for a hit no lexical match scored (nothing to check)."""
    if hasattr(h, "matched"):
        return list(h.matched)
    lexical = getattr(h, "lexical", None)
    return list(lexical.matched) if lexical is not None else None


def _largest(scope: Sequence[Fact], labels: frozenset[str]) -> dict[str, float]:
    """The largest amount (in 元) printed under each of these names."""
    out: dict[str, float] = {}
    for f in scope:
        if (v := _in_yuan(f)) is None:
            continue
        for part in ((f.row or "").split(" / ")[-1], f.column.split(" / ")[-1]):
            p = re.sub(r"^其中[:：]?", "", norm(part))
            if p in labels:
                out[p] = max(out.get(p, v), v)
    return out


def _a_column_of(f: Fact, name: str, scope: Sequence[Fact]) -> bool:
    """Whether the table of f prints a column of that name (the name then asks for that column of the
    row, not for a class above it: "行政运行的项目支出" beside its 基本支出 columns)."""
    return any(g.document == f.document and g.table == f.table and g.table_index == f.table_index
               and name in norm(g.column) for g in scope)


def by_named_items(q: Query, hits: list[H], scope: Sequence[Fact]) -> list[H]:
    """The hits whose labels contain every item name of the scope the question writes (see
    `names_another_item`) — unless the name left out is a larger figure than the hit's, a class the
    hit's item belongs to ("公用经费中的办公费": 办公费 printed without its class): a total or a class
    never answers for one of its parts, a part may stand under a class its row does not print."""
    item = norm(q.item)
    if (m := NAMED_TABLE.search(item)) is not None:
        item = item.replace(m.group(1), " ")  # the names in a table's title name the table, not an item
    labels = frozenset(x for x in scope_labels(scope) if x in item)
    if not labels:
        return hits
    memo: dict[str, dict[str, float]] = {}

    def largest_of() -> dict[str, float]:
        if "v" not in memo:
            memo["v"] = _largest(scope, labels)
        return memo["v"]

    out = []
    for h in hits:
        f, matched = _fact(h), _uncovered(h)
        # not the table's title: "“三公”经费、会议费、培训费支出预算表" does not make 会议费 a 培训费, unless the
        # question writes the title ("“三公”经费、会议费、培训费预算里培训费")
        own = norm(f"{f.row or ''}{f.column}{f.quote or '' if f.source == 'narrative' else ''}")
        title = re.sub(r"^.*?20\d\d年?度?", "", norm(f.table or ""))
        if title and len(_common(title, item)) >= 6:
            own += title
        # a word the thesaurus reads as one of this fact's labels ("公车" for 公务用车) is the fact's own
        said = [norm(w) for w, label in q.targets if _within(norm(label), own)]
        other = None if matched is None else names_another_item(item, labels, own, matched, said)
        if other is None:
            out.append(h)
            continue
        mine, leaf = _in_yuan(f), re.sub(r"^其中[:：]?", "", norm((f.row or "").split(" / ")[-1]))
        if leaf in labels and mine is not None and other in (largest := largest_of()) and mine < largest[other] \
                and not _a_column_of(f, other, scope):
            out.append(h)  # the hit's own row is named and the name left out is larger: the class of this part
    return out


# a table the question names ("政府性基金支出预算表中…", "项目支出预算表里…")
NAMED_TABLE = re.compile(r"([\u4e00-\u9fff“”\"（）()、]{2,30}?表)(?!格)")


def named_table(q: Query) -> str | None:
    """The words naming a table in the question ("政府性基金支出预算表"), years left out; None when none."""
    m = NAMED_TABLE.search(re.sub(r"20\d\d年?度?", " ", q.q))
    return m.group(1) if m else None


def named_table_type(q: Query) -> str | None:
    """The table type a question names ("政府性基金支出预算表中…", "项目支出预算表里…"), when the name
    pins one type down; None otherwise."""
    from ingest.classify import classify  # the ingest layer's reading of table titles

    named = named_table(q)
    if named is None:
        return None
    t = classify(named).id
    return None if t in _data()["loose_table_types"] else t


def by_named_table(q: Query, hits: list[H]) -> list[H]:
    """A question naming a table is answered from a table of that type (or one whose type was not read)
    or a sentence, never from another type of table."""
    t = named_table_type(q)
    # a sentence may state what the table prints (an empty table's 0.00: "政府性基金收支预算0.00万元")
    kept = hits if t is None else [h for h in hits if _fact(h).source == "narrative"
                                   or _fact(h).table_type in (t, None, "other")]
    # "支出决算表中…": the table printed under that very title, not one whose longer title holds it
    # ("一般公共预算财政拨款支出决算表", of the same type)
    named = norm(named_table(q) or "")
    exact = [h for h in kept if _fact(h).source == "table" and _title(_fact(h).table) == named]
    if exact and len(exact) < len([h for h in kept if _fact(h).source == "table"]):
        return [h for h in kept if _fact(h).source == "narrative" or h in exact]
    return kept


def _title(table: str | None) -> str:
    """A table's title without its number, year and body ("三、2024年度…支出决算表" -> "支出决算表")."""
    t = re.sub(r"^[一二三四五六七八九十\d]+[、.．]", "", norm(table or ""))
    return re.sub(r"^.*?20\d\d年?度?", "", t)


def _kinds(text: str) -> set[str]:
    return {k for k, words in _data()["column_kinds"].items() if any(w in text for w in words)}


_BASE = re.compile(r"(与|同|跟|和)[^，,。；？?]*?相比|(比|较|相较于?)[^，,。；？?]*")


def _own_figure_words(q: Query) -> str:
    """The words that describe the figure asked: in a change question the base of the comparison ("比2022年执行数",
    "与上年决算数相比") describes the other figure, not this one."""
    return _BASE.sub("", q.q) if q.measure.startswith("change") else q.q


def by_column_kind(q: Query, hits: list[H]) -> list[H]:
    """A question naming which figure of an account it asks (年初预算, 全年预算, 决算数) keeps the hits whose
    column names that kind or none."""
    asked = _kinds(_own_figure_words(q))
    if not asked or q.measure in ("completion", "budget_gap"):  # those compare the kinds named
        return hits

    def fits(k: set[str]) -> bool:
        return not k or bool(k & asked) or (k == {"budget"} and asked <= {"initial", "full_year"})

    return [h for h in hits if fits(_kinds(f"{_fact(h).column} {_fact(h).row or ''}"))]


_TIE = 0.05


def leaf_rivals(hits: Sequence[object]) -> list[Fact]:
    """The best hit and the equally scored hits of the same table printing the same row name under other
    parents with another figure (两个专项 each with its 物业管理费): one fact per figure, to ask which;
    [] when the best hit has none."""
    if not hits:
        return []
    best = _fact(hits[0])
    top = float(getattr(hits[0], "score", 0.0))
    leaf = (best.row or "").split(" / ")[-1]
    if best.source != "table" or " / " not in (best.row or ""):
        return []
    out, seen = [best], {round(best.value, 2)}
    for h in hits[1:]:
        f = _fact(h)
        if top - float(getattr(h, "score", 0.0)) > _TIE:
            break
        if ((f.document, f.table, f.column, f.unit) == (best.document, best.table, best.column, best.unit)
                and (f.row or "").split(" / ")[-1] == leaf and f.row != best.row and round(f.value, 2) not in seen):
            out.append(f)
            seen.add(round(f.value, 2))
    return out if len(out) > 1 else []


# a figure the question writes with its unit ("单价20万元以上的设备", "编制338名里"): what the asker knows
_STATED = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?=[元万亿%％名人辆个台家项次批])")


def not_stated(q: Query, hits: list[H]) -> list[H]:
    """Without the hits whose figure the question itself writes: "它的20万以上设备呢" does not ask for the
    20万元 threshold. All the hits when every one is such a figure (the question may quote the answer)."""
    said = {float(x) for x in _STATED.findall(q.q)}
    if not said:
        return hits

    def stated(f: Fact) -> bool:
        values = {f.value} | ({v for u in money_units() if (v := convert(f.value, f.unit, u)) is not None}
                              if f.unit in money_units() else set())
        return any(abs(v - x) < 0.005 for v in values for x in said)

    kept = [h for h in hits if not stated(_fact(h))]
    return kept or hits
