"""How a stored fact's labels read for matching: its row and column paths and table title in comparable
form, a label without its qualifier or class ending, a label written short, the runs of a question a
sentence repeats, and the table that states an item for the whole department (data/canonical.toml)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from assistant.understand import DATA, norm
from ingest.records import Fact


@lru_cache(maxsize=1)
def _canonical_data() -> dict:
    return tomllib.loads((DATA / "canonical.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _canonical() -> dict[str, str]:
    raw = _canonical_data()
    return {norm(label): item["table_type"] for item in raw["item"] for label in item["labels"]}


def canonical_table(label: str) -> str | None:
    """The table type that states this item for the whole department (assistant/data/canonical.toml)."""
    return _canonical().get(label)


@lru_cache(maxsize=1)
def _canonical_parents() -> dict[str, frozenset[str]]:
    raw = _canonical_data()
    return {norm(label): frozenset(norm(p) for p in item.get("parents", [])) for item in raw["item"]
            for label in item["labels"]}


def whole_of_parts() -> tuple[frozenset[str], frozenset[str]]:
    """The table types printing economic items for all the spending, and those for one part of it
    (canonical.toml [whole_of_parts])."""
    raw = _canonical_data()["whole_of_parts"]
    return frozenset(raw["whole"]), frozenset(raw["parts"])


def economic_tables() -> frozenset[str]:
    """The table types where one item's figures differ by scope, not by being another item
    (canonical.toml [whole_of_parts]: the whole, its parts, and the “三公”经费 table)."""
    whole, parts = whole_of_parts()
    return whole | parts | frozenset(_canonical_data()["whole_of_parts"]["scoped"])


def in_canonical_table(table_type: str | None, labels: Labels, leaf: str) -> bool:
    """Whether a fact states `leaf` where canonical.toml says the item belongs: in a table of that
    type, or under one of the item's parent headings ("“三公”经费 / 公务接待费") in a table whose
    title was not read."""
    if table_type and table_type == canonical_table(leaf):
        return True
    parents = _canonical_parents().get(leaf, frozenset())
    path = labels.row_parts[:-1] + labels.col_parts[:-1] if leaf == labels.row_leaf else labels.col_parts[:-1]
    return any(p in parents for p in path)

@dataclass
class Labels:
    row_leaf: str
    row_parts: list[str]
    col_parts: list[str]
    col_leaf: str
    table: str


def fact_labels(f: Fact) -> Labels:
    """A fact's labels in comparable form (assistant/understand.norm): row path and leaf, column path and
    leaf, table title. The lexical lookup and the ranker's features both read them from here."""
    row_parts = [norm(p) for p in (f.row or "").split(" / ") if p]
    col_parts = [norm(p) for p in f.column.split(" / ") if p]
    return Labels(row_parts[-1] if row_parts else "", row_parts, col_parts, col_parts[-1] if col_parts else "",
                   norm(f.table))


def labels_of(facts: list[Fact]) -> list[Labels]:
    """The normalized labels FactIndex matches on; a caller that reloads per document keeps them."""
    return [fact_labels(f) for f in facts]


def bare(text: str) -> str:
    """Without 预算/决算 and class markers: "收入预算总计" and "收入总计" name the same row."""
    return re.sub(r"预算|决算|\((类|款|项)\)", "", text)


_QUALIFIER = re.compile(r"\((?!(?:类|款|项)\))[^()]{1,20}\)$")


def core(label: str) -> str:
    """A label without its bracketed qualifier: "政府采购金额(以合同签订为准)" → "政府采购金额",
    "党建工作经费(某局)" → "党建工作经费" (class markers "(类)" stay)."""
    return _QUALIFIER.sub("", label) or label


_CLASS_END = re.compile(r"(事务支出|事务)$")


def class_stem(label: str) -> str:
    """The name of an expenditure class without its "事务(支出)" ending ("农林水事务" → "农林水"); '' for
    other labels."""
    stem = _CLASS_END.sub("", label)
    return stem if stem != label and len(stem) >= 2 else ""


def abbreviated(label: str, item: str) -> str:
    """The run of `item` that writes `label` short, keeping its first and last characters and most of
    the others in order ("党建经费" for 党建工作经费, "公务用车运维费" for 公务用车运行维护费); '' if none."""
    if len(label) < 5:
        return ""
    least = max(4, -(-len(label) * 3 // 5))
    for start in (i for i, ch in enumerate(item) if ch == label[0]):
        pos, j = 0, start
        while j < len(item) and pos < len(label):
            k = label.find(item[j], pos)
            if k < 0:
                break
            pos, j = k + 1, j + 1
            if pos == len(label) and j - start >= least:
                return item[start:j]
    return ""


def common_part(a: str, b: str) -> str:
    """The longest common substring of two labels."""
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return b[m.b:m.b + m.size]


def stated_runs(item: str, sentence: str, least: int = 2) -> list[str]:
    """The longest runs of `item` (at least `least` characters) that `sentence` also writes, left to
    right: the words of a question a narrative fact's sentence says about its figure."""
    runs: list[str] = []
    i = 0
    while i < len(item):
        n = len(item) - i
        while n >= least and item[i:i + n] not in sentence:
            n -= 1
        if n >= least:
            runs.append(item[i:i + n])
            i += n
        else:
            i += 1
    return runs


def lcs(a: str, b: str) -> int:
    return len(common_part(a, b))
