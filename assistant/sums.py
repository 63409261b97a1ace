"""Which items a sum adds: the items a question names one by one ("A和B，两样加起来"), the rows whose
name contains a word ("名字里带'办公经费'的那几个项目"), or the items of a class ("属于'社会保障缴费'的
几项"). The phrasings and the classes are data (assistant/data/sums.toml); the adding is
assistant/compute.py's.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.understand import language, norm
from budgetqa.vocabulary import is_money, is_total_row, money_pattern, money_units, vocabulary
from ingest.records import Fact

DATA = Path(__file__).parent / "data" / "sums.toml"
_SPLIT = re.compile(r"以及|和|与|及|加上|加|跟|比(?!例|重|率|上年|去年)|较|、|还有|，|,|；|;")


@lru_cache(maxsize=1)
def rules() -> dict:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Rows:
    """The rows a sum adds, all from one table and one column; `how` names what chose them."""

    facts: tuple[Fact, ...]
    how: str
    preferred: int = 0  # how many words of the question the table's title shares

    @property
    def total(self) -> float:
        return round(sum(f.value for f in self.facts), 2)


def named_word(text: str) -> str | None:
    """The word the items' names contain: "名字里带'办公经费'的那几个项目" -> '办公经费'."""
    for p in rules()["named_by"]:
        m = re.search(p, text)
        if m:
            return m.group("w").strip()
    return None


def class_asked(text: str) -> tuple[str, tuple[str, ...]] | None:
    """A class of the economic classification whose items are asked for, with its items' codes."""
    for p in rules()["member_of"]:
        m = re.search(p, text)
        if not m:
            continue
        name = norm(m.group("k"))
        for c in rules()["class"]:
            if norm(c["name"]) == name:
                return c["name"], tuple(c["codes"])
    return None


def context(item: str) -> tuple[str, str]:
    """('人大事务款', 'A、B和C三项合计') from '人大事务款下，A、B和C三项合计': where the items stand."""
    m = re.match(rules()["context"], item.strip())
    if not m:
        return "", item
    return m.group("c"), item[m.end():]


_JOINERS = re.compile(r"以及|和|与|及|、")
_HELD = "\ue001"


def joined_labels(facts: list[Fact]) -> set[str]:
    """The joined words of printed row and column labels ('个人和家庭' of '对个人和家庭的补助', '结转和结余'):
    two characters either side of a joining word inside one label, which joins no two items."""
    out: set[str] = set()
    for name in {x for f in facts for x in [_own(f), *f.column.split(" / ")]}:
        own = norm(name)
        for m in _JOINERS.finditer(own):
            if m.start() >= 2 and len(own) - m.end() >= 2:
                out.add(own[m.start() - 2:m.end() + 2])
    return out


def parts(item: str, joined: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The items a question names to add or compare, each with the words saying where they stand:
    '基本支出预算表中办公费和印刷费合计' -> ['基本支出预算表 办公费', '基本支出预算表 印刷费']. A joining
    word inside a printed label (`joined`, see joined_labels) splits nothing."""
    where, rest = context(item)
    where = re.sub(r"(?<=[\u4e00-\u9fff]{2})[款类项]$", "", where)  # '人大事务款': the class is named by its words
    rest = re.sub(rules()["count_words"], " ", rest)
    rest = re.sub(rules()["asking_tail"], "", rest.rstrip())
    held: list[str] = []
    for w in sorted(joined, key=lambda x: (-len(x), x)):
        if w in rest:
            rest = rest.replace(w, f"{_HELD}{len(held)}{_HELD}")
            held.append(w)
    out = []
    for piece in _SPLIT.split(rest):
        piece = re.sub(rf"{_HELD}(\d+){_HELD}", lambda m: held[int(m.group(1))], piece)
        if len(meaningful(piece)) >= 2:
            out.append(f"{where} {piece.strip()}".strip())
    return out


def meaningful(text: str) -> str:
    """The characters of `text` that are not filler words: what may name an item."""
    t = text
    for w in sorted(language()["filler"], key=lambda x: (-len(x), x)):
        t = t.replace(w, "")
    return "".join(re.findall(r"[\u4e00-\u9fffA-Za-z]", t))


def rows_named(facts: list[Fact], word: str, prefer: str = "") -> list[Rows]:
    """Every table row whose own name contains `word`, one column per table; the tables with the
    most such rows first (a table whose title shares words with `prefer` before others)."""
    w = fold(word)
    picked = [f for f in facts if f.source == "table" and is_money(f.unit) and f.measure == "amount"
              and w in fold(_own(f)) and not is_total_row(_own(f))]
    return _by_table(picked, f"名称中含“{word}”", prefer)


def rows_of_class(facts: list[Fact], name: str, codes: tuple[str, ...], prefer: str = "") -> list[Rows]:
    """The rows of a class's items (by classification code), one column per table."""
    picked = [f for f in facts if f.source == "table" and is_money(f.unit) and f.measure == "amount"
              and (f.row_code or "") in codes]
    return _by_table(picked, f"属于“{name}”", prefer)


def _by_table(picked: list[Fact], how: str, prefer: str) -> list[Rows]:
    groups: dict[tuple[str, str | None, str | None], list[Fact]] = {}
    for f in picked:
        groups.setdefault((f.document, f.table_type, f.table), []).append(f)
    out = []
    for key, fs in groups.items():
        column = _column(fs)
        seen: set[tuple[str, str | None]] = set()
        chosen = []
        for f in fs:
            k = (_own(f), f.row_code)
            if f.column == column and k not in seen:
                seen.add(k)
                chosen.append(f)
        overlap = _overlap(key[2] or "", prefer)
        out.append((len(chosen), overlap, Rows(tuple(chosen), how, overlap)))
    out.sort(key=lambda x: (-x[1], -x[0]))
    return [r for _, _, r in out]


def _column(fs: list[Fact]) -> str:
    """The column a table's rows are added in: the one most of them have, a total column first."""
    counts = Counter(f.column for f in fs)
    plain = vocabulary().plain_totals | vocabulary().unnamed_columns
    return max(counts, key=lambda c: (counts[c], c.split(" / ")[-1] in plain, -list(counts).index(c)))


def _own(f: Fact) -> str:
    return (f.row or "").split(" / ")[-1]


def fold(text: str) -> str:
    return re.sub(r"[—\-－–_·•]+", "", norm(text))


def _overlap(title: str, words: str) -> int:
    """How many 2-character pieces of `words` a table title contains."""
    t = norm(title)
    w = norm(words)
    return sum(1 for i in range(len(w) - 1) if w[i:i + 2] in t)


# a money unit as the user writes it: the vocabulary's units, or their short forms without 元 ("1471.70万")
_SHORT_MONEY = {u[:-1]: u for u in money_units() if len(u) > 1 and u.endswith(money_units()[0])}
_FIGURE = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(" + money_pattern() + "|"
                     + "|".join(map(re.escape, _SHORT_MONEY)) + ")?")
_SAID = re.compile(r"写的是|写着|写了|显示|只有|才有|才|只|大概|大约|约")


def figure_said(part: str) -> tuple[str, float | None, str | None]:
    """The figure a user quotes for an item ('合计写的是1471.70万' -> ('合计', 1471.7, the 万 unit)):
    the item's words without it, the number and its money unit (None when no unit is given)."""
    m = _FIGURE.search(part)
    if not m or re.fullmatch(r"20\d\d", m.group(1)):
        return part, None, None
    unit = _SHORT_MONEY.get(m.group(2) or "", m.group(2))
    rest = _SAID.sub(" ", part[:m.start()] + " " + part[m.end():])
    return re.sub(r"\s+", " ", rest).strip(), float(m.group(1).replace(",", "")), unit


def same_table_row(facts: list[Fact], first: Fact, part: str) -> Fact | None:
    """The one row of `first`'s table and column whose name contains the part's words ('设备购置'
    beside '信息化建设--维护类' is '信息化建设--设备购置'), or None when none or several do."""
    core = fold(meaningful(part))
    if len(core) < 2:
        return None
    rows = {(_own(f), f.row_code): f for f in facts
            if f.document == first.document and f.table == first.table and f.column == first.column
            and f is not first and core in fold(_own(f))}
    return next(iter(rows.values())) if len(rows) == 1 else None


def names(f: Fact, words: str) -> bool:
    """Whether a fact's row or column speaks of the words; words naming no item ('合计') fit a total."""
    core = fold(meaningful(words))
    if not core:
        return is_total_row(_own(f)) or any(is_total_row(c) for c in f.column.split(" / "))
    return core in fold(f"{f.row or ''}{f.column}")


_NUMBER_WORDS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def count_said(text: str) -> int | None:
    """How many items the question says it adds ("这三个项目", "4项"), None when it does not say."""
    m = re.search(r"(?<![\d.])([两二三四五六七八九十]|\d{1,2})\s*(?:个项目|个|项|笔|样)", text)
    if not m:
        return None
    n = m.group(1)
    return int(n) if n.isdigit() else _NUMBER_WORDS[n]


def headed_by(rows: tuple[Fact, ...], word: str) -> tuple[Fact, ...]:
    """The rows whose name begins with the word ('办公经费—差旅费' of '办公经费'): the items of a group so
    named, where other rows merely contain the word ('国防办办公经费')."""
    w = fold(word)
    return tuple(f for f in rows if fold(_own(f)).startswith(w))


def item_keeping_names(text: str, loaded: list[str]) -> str | None:
    """The question's item words when the department's name stands in them too ('江苏省人大常委会办公厅…
    人大事务款下，人大立法、人大监督…': the reader drops every '人大'): only the longest mention of the
    body goes, the years and the measure words with it; None when the question names the body once."""
    from ingest.names import clean_name, mentions

    t = clean_name(text)
    found = mentions(t, loaded)
    if len(found) < 2 or len({m.names for m in found}) != 1:
        return None
    longest = max(found, key=lambda m: m.end - m.start)
    rest = t[:longest.start] + " " + t[longest.end:]
    rest = re.sub(r"(?<!\d)20\d\d\s*年?度?", " ", rest)
    measure = language()["measure"]
    for w in sorted({w for k in ("sum", "difference") for w in measure[k]}, key=lambda x: (-len(x), x)):
        rest = rest.replace(w, " ")
    return re.sub(r"\s+", " ", rest).strip()


@lru_cache(maxsize=1)
def _computed() -> dict[str, str]:
    return tomllib.loads((DATA.parent / "computed.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _each() -> re.Pattern[str]:
    return re.compile(_computed()["each"])


def asks_each(text: str) -> bool:
    """Whether the question asks each of the items it names ("各是多少", "分别为多少", "各有多少")."""
    return bool(_each().search(re.sub(r"\s+", "", text)))


def each_items(item: str, joined: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """The items a question asks each of: '办公费和印刷费各是' -> ['办公费', '印刷费']; one item in two
    columns: '公务接待费预算数和决算数分别是' -> ['公务接待费预算数', '公务接待费决算数']."""
    pair = column_pair(item)
    if pair is not None:
        return [pair[0] + pair[1], pair[0] + pair[2]]
    return parts(_each().sub(" ", item), joined)


def column_pair(item: str) -> tuple[str, str, str] | None:
    """(item, first column word, second) when one item is asked in two columns ('公务接待费预算数和决算数')."""
    m = re.match(_computed()["column_pair"], norm(_each().sub(" ", item)))
    if m and len(meaningful(m.group("item"))) >= 2:
        return m.group("item"), m.group("a"), m.group("b")
    return None
