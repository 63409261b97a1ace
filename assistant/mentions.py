"""What a question names outright: departments of the library (by full name, alias or a short form
such as "省高院" for "浙江省高级人民法院"), years, and the follow-up words of assistant/data/follow_ups.toml.

General matching only: a short form is a run of the question's characters that appears, in order,
in exactly one loaded department's name and ends on the character that names the body (院, 局, 厅…).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)\s*年?度?")
# the character that ends the name of a body ("省高院", "规划资源局", "政府办")
BODY_END = set("院局厅部办委会室处所站署馆校队团社协")
_BODY_END = BODY_END
# characters too common in names to start a short form on their own
_WEAK_START = set("省市区县中共人民的和与及在")
# what may stand right before a short form that is not a run of the name itself ("那省高院呢", "和政协办",
# "2016年省法院", "根据省法院");
# after any other character it is the tail of a longer word ("财政厅" is not "政协办公厅")
_BEFORE_SHORT = set("那么和与及跟同比较在对于的问是呢吗了，,、。？?！!：:；;（(“\"从到至看查说请年据照")


@lru_cache(maxsize=1)
def words() -> dict:
    """The follow-up and library-question vocabulary (assistant/data/follow_ups.toml)."""
    return tomllib.loads((DATA / "follow_ups.toml").read_text(encoding="utf-8"))


def fold(text: str | None) -> str:
    """NFKC-folded, spaces removed: the form every pattern is matched against."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def pattern(name: str, section: str = "patterns") -> re.Pattern[str]:
    return _compiled(section, name)


@lru_cache(maxsize=64)
def _compiled(section: str, name: str) -> re.Pattern[str]:
    return re.compile(words()[section][name])


def _aliases() -> list[tuple[str, str]]:
    # the user's optional file of extra abbreviations (BUDGETQA_ALIASES_FILE); short forms below work without it
    from ingest.names import user_aliases

    return [(fold(a), n) for n, names in user_aliases().items() for a in names]


@dataclass
class Mentions:
    """Departments (canonical names, in the order named) and years a question names."""

    text: str
    departments: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    def without_names(self) -> str:
        """The question with the department names and years taken out."""
        t = self.text
        for a, b in sorted(self.spans, reverse=True):
            t = t[:a] + " " + t[b:]
        return re.sub(r"\s+", " ", _YEAR.sub(" ", t)).strip()


def _is_subsequence(short: str, name: str) -> int:
    """Index in `name` of the last character of `short` matched in order, or -1."""
    pos = -1
    for ch in short:
        pos = name.find(ch, pos + 1)
        if pos < 0:
            return -1
    return pos


@lru_cache(maxsize=1)
def _terms() -> dict[str, tuple[str, ...]]:
    """The thesaurus's printed labels of three characters or more, by first character."""
    from assistant.understand import thesaurus

    out: dict[str, set[str]] = {}
    for term in thesaurus():
        for label in term.labels:
            w = fold(label)
            if len(w) >= 3:
                out.setdefault(w[0], set()).add(w)
    return {k: tuple(v) for k, v in out.items()}


def _term_at(text: str, i: int, n: int) -> bool:
    """Whether a budget term longer than n characters is printed at text[i:]."""
    return any(len(w) > n and text.startswith(w, i) for w in _terms().get(text[i], ()))


def _short_form(span: str, name: str) -> bool:
    if len(span) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]+", span):
        return False
    if span[-1] not in _BODY_END:  # "省人大": a run of three or more of the name's own characters
        return len(span) >= 3 and span in name and any(ch not in _WEAK_START for ch in span)
    if span in name:
        return len(span) >= 3 or span[0] not in _WEAK_START
    if len(span) == 2 and span[0] in _WEAK_START:
        return False
    end = _is_subsequence(span, name)
    # the body character must be the name's own head ("…办公室" for 办, "…法院" for 院), not an inner one
    return end >= 0 and end >= len(name) - 4


@lru_cache(maxsize=64)
def _common_names(departments: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(name people use, department) for the names that stand for exactly one loaded department,
    longest first: '省人大', '人大' for a 人大常委会办公厅 (ingest.names.aliases)."""
    from ingest.names import aliases

    owners: dict[str, set[str]] = {}
    for d in departments:
        for a in aliases(d):
            owners.setdefault(fold(a), set()).add(d)
    pairs = [(a, next(iter(ds))) for a, ds in owners.items() if len(ds) == 1 and len(a) >= 2]
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p)))


def find(text: str, departments: list[str]) -> Mentions:
    """Departments of `departments` and years that `text` names."""
    t = fold(text)
    m = Mentions(text=t, years=[int(x.group(1)) for x in _YEAR.finditer(t)])
    taken = [False] * len(t)
    found: list[tuple[int, int, str]] = []
    known = set(departments)
    exact = [(fold(d), d) for d in departments] + [(a, n) for a, n in _aliases() if n in known]
    for alias, name in sorted(exact, key=lambda p: (-len(p[0]), p)):
        for x in re.finditer(re.escape(alias), t):
            if not any(taken[x.start():x.end()]):
                found.append((x.start(), x.end(), name))
                taken[x.start():x.end()] = [True] * (x.end() - x.start())
    if not found:  # "人大呢": a name people use for one loaded body (ingest/data/name_rules.toml), when no
        # fuller name is there; only then, so that such a word inside an item's name stays the item's
        for alias, name in _common_names(tuple(departments)):
            for x in re.finditer(re.escape(alias), t):
                if not any(taken[x.start():x.end()]):
                    found.append((x.start(), x.end(), name))
                    taken[x.start():x.end()] = [True] * (x.end() - x.start())
    while True:  # short forms, longest first, each naming exactly one department
        best: tuple[int, int, str] | None = None
        for i in range(len(t)):
            for j in range(min(len(t), i + 12), i + 1, -1):
                if any(taken[i:j]) or (best and j - i <= best[1] - best[0]):
                    continue
                if i > 0 and re.match(r"[\u4e00-\u9fff]", t[i - 1]) and t[i - 1] not in _BEFORE_SHORT \
                        and not any(t[i:j] in fold(d) and len(t[i:j]) >= 3 for d in departments):
                    continue  # the tail of a longer word, unless a run of three of a name's own characters
                if _term_at(t, i, j - i):
                    continue  # "社会保障和就业支出": a budget term begins here, not a body's short name ("社会工作部")
                hits = [d for d in departments if _short_form(t[i:j], fold(d))]
                if len(hits) > 1:  # "省委办": the name that holds it as one run, not another spelling it apart
                    hits = [d for d in hits if t[i:j] in fold(d)]
                if len(hits) == 1:
                    best = (i, j, hits[0])
                    break
        if best is None:
            break
        found.append(best)
        taken[best[0]:best[1]] = [True] * (best[1] - best[0])
    for a, b, name in sorted(found):
        m.spans.append((a, b))
        if name not in m.departments:
            m.departments.append(name)
    return m
