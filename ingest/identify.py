"""A document's identity from its own text: department, year, kind (预算/决算) and scope (部门/单位).

Where the name comes from, strongest first: the cover title ("杭州市西湖区财政局 2024年度部门决算"),
labelled lines on the cover and above the tables ("预算主管部门：…", "部门：…", "编制部门：…"),
names the narrative prints before a year ("浙江省政协办公厅 2019 年度收入…") or in "第一部分 …概况".
The file name is a hint only, used when the document itself names nobody (uploads are often
called 1769321433314-826553525.pdf). What counts as a body's name is data (data/name_rules.toml).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.names import DATA, _split, canonical, clean_name, same_body

_YEAR = r"(?P<y>20\d\d|(?<!\d)\d{2}(?=\s*年))"
_LEVEL = r"(?:省级|市级|区级|县级|地级|本级)?"
_KIND = r"(?P<scope>部门|单位)?(?:汇总)?(?P<kind>预算|决算)"
# "杭州市西湖区财政局2024年度部门决算", "浙江省政协办公厅 2017 年度部门预算", "省人大办公厅2018预算公开"
_TITLE_NAME_FIRST = re.compile(rf"(?P<name>[\u4e00-\u9fff（）]{{2,40}}?)\s*{_YEAR}\s*年?度?{_LEVEL}{_KIND}")
# "2025年温州市鹿城区人民政府办公室部门预算公开", "2018 年度浙江省高级人民法院预算公开"
_TITLE_YEAR_FIRST = re.compile(rf"^{_YEAR}\s*年度?(?P<name>[\u4e00-\u9fff（）]{{2,40}}?){_LEVEL}{_KIND}")
# the year printed apart from the title (another font, read out of line order): "杭州市西湖区财政局年度部门决算2024"
_TITLE_YEAR_APART = re.compile(rf"(?P<name>[\u4e00-\u9fff（）]{{2,40}}?)年度?{_LEVEL}{_KIND}")
_BEFORE_YEAR = re.compile(r"(?P<name>[\u4e00-\u9fff（）]{4,40})\s*20\d\d\s*年")
_OVERVIEW = re.compile(r"第[一二三四五六七八九十]+部分\s*(?P<name>[\u4e00-\u9fff（）]{4,40}?)(?:部门)?概况")
_CONTENTS = re.compile(r"目\s*录")
_TABLE_YEAR = re.compile(r"(20\d\d)\s*年")


@dataclass(frozen=True)
class _IdRules:
    suffixes: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]  # (label, scope it implies or "")
    label_re: re.Pattern[str]
    placeholder: re.Pattern[str]


@lru_cache(maxsize=1)
def _id_rules() -> _IdRules:
    raw = tomllib.loads((DATA / "name_rules.toml").read_text(encoding="utf-8"))
    labels = tuple(sorted(((lb["pattern"], lb["scope"]) for lb in raw["label"]), key=lambda x: -len(x[0])))
    alts = "|".join(re.escape(lb) for lb, _ in labels)
    return _IdRules(
        suffixes=tuple(sorted(raw["body_suffixes"], key=len, reverse=True)),
        labels=labels,
        label_re=re.compile(rf"(?P<label>{alts})\s*[:：]\s*(?P<name>[^\s:：]{{2,60}})"),
        placeholder=re.compile(raw["placeholder"]),
    )


@dataclass
class Identity:
    department: str | None
    year: int | None
    kind: str
    scope: str
    evidence: dict[str, str] = field(default_factory=dict)  # what each part was read from
    placeholder: str | None = None  # a blank template's placeholder name ("杭州市XX局")


def is_body(name: str) -> bool:
    """A printed string that can be a body's name: ends in a body word, more than a place."""
    t = clean_name(name)
    if not 3 <= len(t) <= 40 or re.search(r"\d|[，。、；;,.]", t):
        return False
    if not t.endswith(_id_rules().suffixes):
        return False
    _, regions, rest = _split(t)
    return len(rest) >= 2


def _trim(name: str) -> str:
    """'杭州市西湖区财政局部门' → '杭州市西湖区财政局': trailing words that belong to the title, not the name."""
    t = clean_name(name)
    t = re.sub(r"(?:部门|单位|本级|汇总|公开|年度)+$", "", t)
    return t.strip("：:（）()")


def labelled_names(lines: list[str]) -> list[tuple[str, str]]:
    """(name, scope implied by its label) for each '部门：X' / '预算单位：X' line."""
    out = []
    for line in lines:
        t = clean_name(line)
        for m in _id_rules().label_re.finditer(t):
            # "部门：X单位：元" printed on one line: the unit's label ends the name
            name = re.sub(r"[（(]?单位$", "", m.group("name"))
            name = _trim(name)
            scope = next(s for lb, s in _id_rules().labels if lb == m.group("label"))
            if is_body(name) or _id_rules().placeholder.search(name):
                out.append((name, scope))
    return out


def cover_text(first_page_text: str) -> str:
    """The cover: the first page's text up to its table of contents, joined without spaces."""
    t = re.split(r"目\s*录", first_page_text, maxsplit=1)[0]
    return clean_name(t)[:300]


def _year(y: str) -> int:
    v = int(y)
    return v if v > 1999 else 2000 + v


def _title(text: str) -> tuple[str | None, int | None, str | None, str | None]:
    """(name, year, kind, scope) from a title line; name None when the title names only a place."""
    for pat in (_TITLE_YEAR_FIRST, _TITLE_NAME_FIRST):
        m = pat.search(text)
        if m:
            name = _trim(m.group("name"))
            keep = name if (is_body(name) or _id_rules().placeholder.search(name)) else None
            return keep, _year(m.group("y")), m.group("kind"), m.group("scope")
    m = _TITLE_YEAR_APART.search(text)
    years = set(re.findall(r"(?<!\d)20\d\d(?!\d)", text))
    if m and len(years) == 1:
        name = _trim(m.group("name"))
        keep = name if (is_body(name) or _id_rules().placeholder.search(name)) else None
        return keep, int(years.pop()), m.group("kind"), m.group("scope")
    return None, None, None, None


def _narrative_names(text: str) -> Counter[str]:
    found: Counter[str] = Counter()
    t = clean_name(text)
    for pat in (_BEFORE_YEAR, _OVERVIEW):
        for m in pat.finditer(t):
            raw = m.group("name")
            # the longest tail of the words before the year that is a body named in full
            for k in range(len(raw) - 3):
                cand = _trim(raw[k:])
                lead, regions, _ = _split(cand)
                if (regions or lead) and is_body(cand):
                    found[canonical(cand)] += 1
                    break
    return found


def identify(file_name: str, pages_text: list[str], label_lines: list[str], table_titles: list[str]) -> Identity:
    """Department, year, kind and scope of one document.

    `pages_text`: each page's text outside its tables; `label_lines`: text printed above or inside
    the tables' frames; `table_titles`: the tables' printed titles."""
    rules = _id_rules()
    cover = cover_text(pages_text[0] if pages_text else "")
    stem = clean_name(re.sub(r"\.pdf$", "", file_name, flags=re.I))
    evidence: dict[str, str] = {}
    votes: Counter[str] = Counter()
    scopes: list[str] = []

    c_name, c_year, c_kind, c_scope = _title(cover)
    if c_name:
        votes[canonical(c_name)] += 6
    cover_lines = re.split(r"\n", re.split(r"目\s*录", pages_text[0] if pages_text else "", maxsplit=1)[0])
    for name, scope in labelled_names(cover_lines) + labelled_names(label_lines):
        votes[canonical(name)] += 4
        if scope:
            scopes.append(scope)
    narrative = "\n".join(pages_text)
    for name, n in _narrative_names(narrative).items():
        votes[name] += min(n, 5)
    f_name, f_year, f_kind, f_scope = _title(stem)
    if f_name:
        votes[canonical(f_name)] += 1

    placeholder = next((n for n in votes if rules.placeholder.search(n)), None)
    if placeholder is None and rules.placeholder.search(cover):
        placeholder = re.split(r"\d|目录", cover)[0][:40] or cover[:40]  # the title up to its year

    department = _vote(votes)
    if department:
        evidence["department"] = ("cover" if c_name and same_body(c_name, department) else
                                  "labels/narrative" if votes[department] > 1 else "file name")

    year = c_year
    evidence["year"] = "cover"
    if year is None:
        years = Counter(int(m.group(1)) for t in table_titles for m in _TABLE_YEAR.finditer(clean_name(t)))
        if years:
            year, evidence["year"] = years.most_common(1)[0][0], "table titles"
    if year is None:
        m = re.search(r"(20\d\d)\s*年度?(?:部门|单位)?(?:预算|决算)", clean_name(narrative))
        if m:
            year, evidence["year"] = int(m.group(1)), "narrative"
    if year is None:
        m = re.search(r"(20\d\d)", stem) or re.search(r"(?<!\d)(\d{2})\s*年", stem)
        if m:
            year, evidence["year"] = _year(m.group(1)), "file name"

    kind = c_kind
    evidence["kind"] = "cover"
    if kind is None:
        final = sum("决算" in clean_name(t) for t in table_titles)
        budget = sum("预算" in clean_name(t) and "决算" not in clean_name(t) for t in table_titles)
        if final or budget:
            kind, evidence["kind"] = ("决算" if final > budget else "预算"), "table titles"
    if kind is None and f_kind:
        kind, evidence["kind"] = f_kind, "file name"
    if kind is None:
        head = clean_name("".join(pages_text[:3]))
        kind, evidence["kind"] = ("决算" if head.count("决算") > head.count("预算") else "预算"), "text"

    scope = c_scope or (Counter(scopes).most_common(1)[0][0] if scopes else None) or f_scope or "部门"
    return Identity(department, year, kind, scope, evidence, placeholder)


def _vote(votes: Counter[str]) -> str | None:
    """The name with most support, names of one body counted together; shown in its longest form."""
    groups: list[list[str]] = []
    for name in sorted(votes, key=lambda n: (-votes[n], -len(n), n)):
        for g in groups:
            if any(same_body(name, other) for other in g):
                g.append(name)
                break
        else:
            groups.append([name])
    if not groups:
        return None
    best = max(groups, key=lambda g: (sum(votes[n] for n in g), -groups.index(g)))
    # the form most votes gave; among equals the longest (the full name, not an abbreviation)
    return max(best, key=lambda n: (votes[n], len(n), n))
