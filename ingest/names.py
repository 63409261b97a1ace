"""Names of public bodies: one spelling per body, the shorter names people use, and which loaded
bodies a question's words can mean. The rules are general (data/name_rules.toml); no list of
known departments is involved.

    >>> canonical("浙江省委办公厅")
    '中共浙江省委办公厅'
    >>> "西湖区财政局" in aliases("杭州市西湖区财政局")
    True
    >>> match_departments("财政局2024年的决算", ["杭州市财政局", "杭州市西湖区财政局"])
    ['杭州市财政局', '杭州市西湖区财政局']

`match_departments` is the question side's entry point (assistant/understand.py); its signature
stays stable: several names back = the words are ambiguous, the caller decides.
"""

from __future__ import annotations

import logging
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from budgetqa.errors import BudgetQAError

log = logging.getLogger(__name__)
DATA = Path(__file__).parent / "data"
_MAX_VARIANTS = 400


@dataclass(frozen=True)
class _Rules:
    region: re.Pattern[str]  # one region at the start of a name
    leading: tuple[str, ...]
    min_chars: int
    generic: frozenset[str]
    canonical: tuple[tuple[re.Pattern[str], str], ...]
    short: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    raw = tomllib.loads((DATA / "name_rules.toml").read_text(encoding="utf-8"))
    levels = "|".join(map(re.escape, raw["region_levels"]))
    # a place name holds none of the characters that only prose has ("…情况说明省检察院")
    place = rf"(?:(?![{raw['not_in_place_names']}])[\u4e00-\u9fff])"
    token = rf"{place}{{2,7}}?(?:{levels})"
    regions = rf"(?:{token})+?"
    return _Rules(
        region=re.compile(rf"^(?P<place>{place}{{2,7}}?)(?P<level>{levels})"),
        leading=tuple(raw["leading_words"]),
        min_chars=int(raw["min_alias_chars"]),
        generic=frozenset(raw["too_generic"]),
        canonical=tuple((re.compile(c["pattern"].replace("{R}", regions)), c["replace"]) for c in raw["canonical"]),
        short=tuple((re.compile(s["pattern"]), tuple(s["to"])) for s in raw["short"]),
    )


def clean_name(text: str) -> str:
    """Full-width folded, spaces and quotes removed: how names are compared."""
    t = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s\"'“”‘’「」]", "", t)


def canonical(name: str) -> str:
    """One spelling per body: '中国共产党浙江省委员会办公厅' and '浙江省委办公厅' → '中共浙江省委办公厅'."""
    t = clean_name(name)
    for pattern, repl in _rules().canonical:
        t = pattern.sub(repl, t, count=1)
    return t


def _split(name: str) -> tuple[str, list[tuple[str, str]], str]:
    """'中共杭州市西湖区委社会工作部' → ('中共', [('杭州','市'), ('西湖','区')], '委社会工作部')."""
    rules = _rules()
    lead = next((w for w in rules.leading if name.startswith(w)), "")
    rest = name[len(lead):]
    regions: list[tuple[str, str]] = []
    while True:
        m = rules.region.match(rest)
        # a region must leave a name behind it ("西湖区" alone is a place, not a body)
        if not m or len(rest) - m.end() < rules.min_chars:
            break
        regions.append((m.group("place"), m.group("level")))
        rest = rest[m.end():]
    return lead, regions, rest


def _usable(alias: str) -> bool:
    rules = _rules()
    return len(alias) >= rules.min_chars and alias not in rules.generic and not alias.startswith("委")


def _region_variants(name: str) -> set[str]:
    lead, regions, rest = _split(name)
    if not regions:
        return set()
    out: set[str] = set()
    leads = {lead, ""} if lead else {""}
    party = rest.startswith("委")  # 区委社会工作部: the committee is the region's
    for k in range(1, len(regions) + 1):
        kept = "".join(p + lv for p, lv in regions[k:])
        for ld in leads:
            if kept or not party:
                out.add(ld + kept + rest)
    last_place, last_level = regions[-1]
    for ld in leads:
        out.add(ld + last_level[-1] + rest)  # 省检察院, 区财政局, 省委办公厅
        if not party:
            out.add(ld + last_place + rest)  # 浙江高院, 西湖财政局
    if party and _usable(rest[1:]) and re.search(r"部|办公厅|办公室|委员会", rest[1:]):
        out.add(rest[1:])  # 社会工作部: the committee's own department
    return out


def _short_variants(name: str) -> set[str]:
    out = set()
    for pattern, targets in _rules().short:
        if pattern.search(name):
            for t in targets:
                out.add(pattern.sub(t, name, count=1))
    return out


@lru_cache(maxsize=4096)
def _aliases(name: str) -> tuple[str, ...]:
    full = canonical(name)
    seen = {full, clean_name(name)}
    todo = list(seen)
    while todo and len(seen) < _MAX_VARIANTS:
        v = todo.pop()
        for w in _region_variants(v) | _short_variants(v):
            if w not in seen and _usable(w):
                seen.add(w)
                todo.append(w)
    for extra in user_aliases().get(full, ()):
        seen.add(clean_name(extra))
    return tuple(sorted(seen, key=lambda a: (-len(a), a)))


def aliases(name: str) -> list[str]:
    """Every name people use for the body `name`, longest first (the name itself included).

    '杭州市西湖区人民政府北山街道办事处' → [..., '西湖区北山街道办事处', '北山街道办事处', '北山街道', ...]
    """
    return list(_aliases(name))


def short_name(name: str) -> str:
    """The shortest common name that still says where the body is ('西湖区财政局', '浙江省检察院')."""
    _, regions, _ = _split(canonical(name))
    if not regions:
        return name
    place = regions[-1][0] + regions[-1][1]
    keep = [a for a in _aliases(name) if place in a and len(a) >= 4]
    return min(keep, key=lambda a: (len(a), a)) if keep else name


@dataclass(frozen=True)
class Mention:
    """Where a question names a body: the span, the words, and every loaded body they can mean."""

    start: int
    end: int
    words: str
    names: tuple[str, ...]


class _AliasIndex:
    """Every alias of a set of loaded bodies → the bodies it can mean, built once per set, so that
    finding the names in a question costs the question's length, not the library's size."""

    def __init__(self, names: tuple[str, ...]):
        self.order = {n: k for k, n in enumerate(dict.fromkeys(names))}
        self.by_alias: dict[str, list[str]] = {}
        for name in self.order:
            for a in _aliases(name):
                self.by_alias.setdefault(a, []).append(name)
        self.longest = max(map(len, self.by_alias), default=0)
        self.shortest = min(map(len, self.by_alias), default=1)

    def hits(self, t: str) -> dict[tuple[int, int], set[str]]:
        out: dict[tuple[int, int], set[str]] = {}
        for i in range(len(t)):
            for j in range(i + self.shortest, min(len(t), i + self.longest) + 1):
                names = self.by_alias.get(t[i:j])
                if names:
                    out.setdefault((i, j), set()).update(names)
        return out


@lru_cache(maxsize=4)
def _alias_index(names: tuple[str, ...]) -> _AliasIndex:
    return _AliasIndex(names)


def mentions(text: str, loaded_names: Iterable[str]) -> list[Mention]:
    """Spans of `text` that name loaded bodies, longest spans only (a span inside a longer one
    is dropped: '西湖区财政局' is not also '财政局'). Positions refer to clean_name(text)."""
    t = clean_name(text)
    index = _alias_index(tuple(loaded_names))
    hits, order = index.hits(t), index.order
    spans = sorted(hits, key=lambda s: (s[0], -(s[1] - s[0])))
    kept = [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in hits)]
    out: list[Mention] = []
    for s in kept:
        if any(m.start < s[1] and s[0] < m.end for m in out):
            continue  # overlaps a span kept before it (left one wins)
        out.append(Mention(s[0], s[1], t[s[0]:s[1]], tuple(sorted(hits[s], key=order.__getitem__))))
    return out


def match_departments(text: str, loaded_names: Sequence[str]) -> list[str]:
    """All loaded bodies the words of `text` can mean, in the order they are named.

    Several names for one span means the words are ambiguous ('财政局' with both 杭州市财政局 and
    杭州市西湖区财政局 loaded): the caller asks which one, it does not pick."""
    out: list[str] = []
    for m in mentions(text, loaded_names):
        out += [n for n in m.names if n not in out]
    return out


def same_body(a: str, b: str) -> bool:
    """Two printed names of one body ('浙江省委办公厅' and '中国共产党浙江省委员会办公厅')."""
    ca, cb = canonical(a), canonical(b)
    return ca == cb or ca in _aliases(cb) and len(ca) > 4 or cb in _aliases(ca) and len(cb) > 4


# ---- the optional user file of extra abbreviations -------------------------------------------

_user: dict[str, tuple[str, ...]] = {}


def user_aliases() -> dict[str, tuple[str, ...]]:
    """Extra abbreviations a user gave (BUDGETQA_ALIASES_FILE); empty by default."""
    return _user


def use_alias_file(path: Path | None) -> None:
    """Load a TOML file of `[[department]] name = "…" aliases = ["…"]`; None = no extras."""
    global _user
    if path is None:
        _user = {}
    else:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            _user = {canonical(d["name"]): tuple(d.get("aliases", [])) for d in raw.get("department", [])}
        except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
            raise BudgetQAError(f"aliases file {path}: cannot be read ({exc}); fix it or unset BUDGETQA_ALIASES_FILE") from exc
    _aliases.cache_clear()
    _alias_index.cache_clear()
