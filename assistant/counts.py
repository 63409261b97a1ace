"""How-many questions ("一共有多少辆车", "编制多少人", "有几个项目", "几件法规") answered from count facts.

Ingest files a count the narrative states ("共有车辆55辆，其中一般公务用车13辆") as a fact with the row
the sentence names (车辆, 一般公务用车) and the unit it prints. A count question is matched to those
facts by general signals only:

- the unit the question asks for (多少辆 → 辆; 名 and 位 count people, `language.toml` [count]);
- how much of the fact's row label the question's item contains, and how much of the item the
  clause that states the figure contains (its own words: "实际在编在职人员274名");
- whether the figure is a part of a total the same sentence gives ("其中…", "（一般公务用车3辆…）"),
  a total itself ("共有…"), or a state the sentence says was replaced ("由3辆变为4辆": 3 is the old one);
- performance targets ("≤4辆") only when the question asks what is planned.

Several figures close in score → the readings are listed and the user asked which (never a silent
pick among 1, 3 and 4 vehicles). A question that adds "其中…几辆" gets the part in the same answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from assistant.compose import cite, where
from assistant.features import item_words
from assistant.grams import bigrams
from assistant.records import Answer
from assistant.understand import Query, language, norm
from budgetqa.vocabulary import is_money, vocabulary
from ingest.records import Fact

# Readings whose scores lie this close to the best one are listed, not chosen between (the scale is
# that of `_score`: 1.0 = the whole row label in the question).
_CLOSE = 0.25
# Least share of the row label the item must contain when the question names no unit.
_MIN_COVER = 0.5


_CLAUSE_WORDS = 4  # character pairs of a clause's own words the question must hold to name that clause
_CLAUSE_NAMED = 0.5  # what naming one clause of a sentence weighs: more than a row label's partial cover


@dataclass
class Reading:
    """One count fact scored against the question."""

    fact: Fact
    score: float
    clause: str
    part: bool
    dated: bool = False  # the clause states the year-end the question asks ("2024年期末")


@lru_cache(maxsize=1)
def _count_words() -> dict:
    return language()["count"]


def _units() -> list[str]:
    """Count units a question may ask for, longest first (人次 before 人)."""
    words = set(vocabulary().count_units) | set(_count_words()["extra_units"]) | set(_count_words()["alias"])
    return sorted(words, key=lambda w: (-len(w), w))


def asked_unit(text: str) -> str | None:
    """The unit of "多少辆" / "几件" / "多少名" in the question, as documents print it (名 → 人)."""
    units = "|".join(re.escape(u) for u in _units())
    m = re.search(rf"(?:多少|几)\s*(?:个)?({units})", text)
    if not m:
        m = re.search(rf"({units})数", text)  # 人数, 车辆数 → 辆 is not here; 人数 → 人
    if not m:
        return None
    u = m.group(1)
    return _count_words()["alias"].get(u, u)


def _same_unit(a: str, b: str) -> bool:
    alias = _count_words()["alias"]
    return alias.get(a, a) == alias.get(b, b) or {a, b} <= {"台", "套", "台（套）"}


def _number(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:g}"


def clause_of(f: Fact) -> tuple[str, int]:
    """The clause of the fact's sentence that states its figure, and where the figure stands in the
    sentence (-1 when it cannot be found): the printed number with its unit nearest the row label
    ("共28个项目", "公车由3辆变为4辆", "编制338名")."""
    quote = f.quote or ""
    row = (f.row or "").split(" / ")[-1]
    unit = re.escape(f.unit.split("（")[0]) if f.unit else ""
    hits = [m.start() for m in re.finditer(rf"(?<![0-9.]){re.escape(_number(f.value))}\s*(?:{unit}|名|位)", quote)]
    rows = [m.start() for m in re.finditer(re.escape(row), quote)] if row else []
    if hits:
        pos = min(hits, key=lambda h: min((abs(h - r) for r in rows), default=0))
    else:
        pos = rows[0] if rows else -1
    at = max(pos, 0)
    start = max(quote.rfind(c, 0, at) for c in "，,；;。") + 1
    if sums_up(f, pos):
        # "…全面实施绩效管理，涉及…,共28个项目": a clause that sums up speaks of its whole sentence
        start = max(quote.rfind(c, 0, at) for c in "；;。") + 1
    ends = [i for i in (quote.find(c, at) for c in "，,；;。") if i >= 0]
    return quote[start:min(ends) if ends else len(quote)], pos


def is_part(f: Fact, pos: int) -> bool:
    """The figure is one part of a total the sentence gives: it stands after 其中, or inside brackets."""
    if pos < 0:
        return False
    before = (f.quote or "")[:pos]
    sentence = re.split(r"[。；;]", before)[-1]
    opened = sentence.count("（") + sentence.count("(") > sentence.count("）") + sentence.count(")")
    return "其中" in sentence or opened


def is_superseded(f: Fact) -> bool:
    """The sentence says this figure was replaced by another ("由3辆变为4辆")."""
    num = re.escape(_number(f.value))
    moves = "|".join(_count_words()["changed_to"])
    return bool(re.search(rf"由\s*{num}\s*\D{{0,3}}?(?:{moves})", f.quote or ""))


def _cover(label: str, text: str) -> float:
    """Share of `label`'s characters found, in order, in `text`."""
    if not label:
        return 0.0
    blocks = SequenceMatcher(None, label, text, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks if b.size >= 1) / len(label)


def _score(f: Fact, item: str, asks_total: bool) -> Reading:
    row = norm((f.row or "").split(" / ")[-1])
    path = norm(f.row or "")
    clause, pos = clause_of(f)
    part = is_part(f, pos)
    cover = max(_cover(row, item), _cover(path, item) if f.measure == "target" else 0.0)
    stop = _count_words()["stop_characters"]
    grams = {g for g in (item[i:i + 2] for i in range(len(item) - 1)) if not any(c in stop for c in g)}
    quote = norm(f.quote)
    sentence = next((x for x in re.split(r"[。；;]", quote) if norm(clause) in x), quote)
    said = (0.7 * sum(1 for g in grams if g in norm(clause)) + 0.3 * sum(1 for g in grams if g in sentence)) / len(grams) \
        if grams else 0.0
    score = cover + 0.5 * said
    if part and cover < 1.0:
        score -= 0.5  # a part the question does not name ("一般公务用车0辆" for "几辆车")
    if asks_total and not part:
        score += 0.2
        if sums_up(f, pos):
            score += 0.2  # "一共有多少个项目": the clause stating the total ("共28个项目"), not one that picks some
    return Reading(f, score, clause, part)


def _clause_named(rs: list[Reading], asked: str) -> None:
    """Of the counts one sentence states ("…本级和联谊俱乐部在职7名人员，南京…管理建设办公室在职10名人员…"),
    the one whose own clause holds what the question names ("南京…管理建设办公室有几名在职人员") gains: words of
    its clause that no other clause of the sentence has, several of them in the question."""
    grams = bigrams(asked)
    for r in rs:
        others = [o for o in rs if o is not r and o.fact.quote == r.fact.quote and o.clause != r.clause]
        if not others:
            continue
        own = bigrams(norm(r.clause)) - set().union(*(bigrams(norm(o.clause)) for o in others))
        if len(own & grams) >= _CLAUSE_WORDS:
            r.score += _CLAUSE_NAMED


def sums_up(f: Fact, pos: int) -> bool:
    """The figure stands in a clause that sums up its sentence ("…,共28个项目", "合计5辆")."""
    if pos < 0:
        return False
    quote = f.quote or ""
    start = max(quote.rfind(c, 0, pos) for c in "，,；;。") + 1
    return bool(re.match(_count_words()["summing_clause"], quote[start:pos]))


_KEEP = "\ue000"


def _words(raw: str, row: str = "") -> str:
    """The question's words that may name what is counted: fillers and punctuation out, except a printed
    row label of three or more characters the question names whole ("预算单位": 预算 and 单位 are fillers)."""
    keep = len(row) >= 3 and row in raw
    text = raw.replace(row, _KEEP) if keep else raw
    text = re.sub(rf"[^\w{_KEEP}]|_", "", norm(item_words(text)))
    return text.replace(_KEEP, row) if keep else text


def _unsaid_modifier(item: str, row: str, clause: str, label_grams: set[str]) -> bool:
    """The question qualifies the row with words the documents' labels use ("其他运转类项目") that the
    fact's sentence does not say: the fact counts something else. Words no label uses (a story, "我爸
    以前…") do not count against it."""
    at = item.rfind(row) if row else -1  # the thing counted is named last ("…特定目标类的项目一共有几个")
    if at <= 0:
        return False
    modifier = item[max(0, at - 6):at]
    return len({g for g in bigrams(modifier) if g in label_grams and g not in clause}) >= 2


def readings(q: Query, facts: list[Fact]) -> list[Reading]:
    """The count facts that may answer the question, best first."""
    label_grams: set[str] = set()
    for f in facts:
        if f.source == "table":
            label_grams |= bigrams(norm(f.row or "")) | bigrams(norm(f.column))
    unit = asked_unit(q.rest or q.q)
    if not q.count and unit is None:
        return []  # not a how-many question
    wants_target = bool(re.search(language()["target_pattern"], q.q))
    asks_total = bool(re.search(_count_words()["total_pattern"], q.q))
    year_end = bool(re.search(_count_words()["year_end_pattern"], q.q))
    plans = bool(re.search(_count_words()["plan_question"], q.q))
    # the measure word goes, the thing counted stays: "几辆车" → "车", "多少个项目" → "项目" (before the
    # fillers go, which take 多少 and would leave its unit behind); punctuation names nothing
    plain = sorted(set(vocabulary().count_units) | set(_count_words()["extra_units"]) - set(_count_words()["alias"])
                   | {"名", "位"}, key=lambda w: (-len(w), w))
    raw = re.sub(rf"(?:多少|几)\s*(?:{'|'.join(map(re.escape, plain))})?", " ", norm(q.item))
    item = _words(raw)
    out = []
    for f in facts:
        if is_money(f.unit) or f.unit == vocabulary().percent:
            continue
        if f.measure == "target" and not wants_target:
            continue  # a target says what is planned, not how many there are
        if f.measure not in ("count", "target") and f.source != "narrative":
            continue
        if unit and not _same_unit(f.unit, unit):
            continue
        if is_superseded(f):
            continue
        if q.years and f.year not in q.years and not any(f"{y}年" in (f.quote or "") for y in q.years):
            continue  # another year's document, which does not speak of the year asked
        row = norm((f.row or "").split(" / ")[-1])
        item = _words(raw, row)
        r = _score(f, item, asks_total)
        if not unit and _cover(row, item) < _MIN_COVER:
            continue  # no unit to go by: the item must name the row
        if r.score <= 0 or (_cover(row, item) == 0 and r.score < 0.5):
            continue
        if _cover(row, item) < 0.5 and not bigrams(norm(r.clause)) & bigrams(item):
            continue  # "几个出国团组" is not "1个派出机构": one stray character and the unit in common
        if _unsaid_modifier(item, row, norm(r.clause), label_grams):
            continue
        if year_end and any(re.search(rf"{y}年(?:度)?(?:期末|年末|年底|底|末)", f.quote or "") for y in q.years):
            r.score += 0.3  # "2024年期末共有车辆1辆" for "2024年底有几辆车"
            r.dated = True
        if wants_target and f.measure == "target":
            r.score += 0.3
        if plans and re.search(_count_words()["plan_clause"], r.clause):
            r.score += 0.3  # "拟制定和修改12件法规" for "打算制定和修改几件", not "预备制定和修改13件"
        out.append(r)
    _clause_named(out, _words(raw))
    out.sort(key=lambda r: (-r.score, r.part, r.fact.page))
    # the date the question pins ("2024年底") is stated by some readings: those answer it, not a count
    # of another moment ("由3辆变为4辆" after a merger)
    return [r for r in out if r.dated] or out


def _line(r: Reading) -> str:
    f = r.fact
    row = (f.row or "").split(" / ")[-1]
    # a row label ingest read from a sentence may be a fragment ("次、"): then the clause alone says what
    name = row if len(row) >= 2 and row in r.clause and not re.search(r"[、，,；;]", row) else ""
    clause = r.clause
    if len(clause) > 40:  # the part around the figure
        at = clause.find(_number(f.value))
        clause = "…" + clause[max(0, at - 24):at + 16] + "…"
    return f"{name}{f.comparison or ''}{_number(f.value)}{f.unit}（原文：“{clause}”，{where(f)}）"


def answer(q: Query, facts: list[Fact], part_question: Query | None = None) -> Answer | None:
    """The count the question asks for, the close readings when several figures compete, or None when
    no count fact speaks of the item (the caller then tries the narrative)."""
    rs = readings(q, facts)
    if not rs:
        return None
    # a count the question itself states is what it knows, not what it asks ("编制338名里，行政编制有多少名")
    said = {float(x) for x in re.findall(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])", q.text)}
    rs = [r for r in rs if r.fact.value not in said] or rs
    best = rs[0]
    close: list[Reading] = []
    for r in rs[1:]:
        if best.score - r.score > _CLOSE:
            break
        if r.fact.value != best.fact.value and all(r.fact.value != c.fact.value for c in close):
            close.append(r)
    f = best.fact
    if close:
        options = [best, *close][:4]
        text = "文件中有几个数字可以回答这个问题：\n" + "\n".join(f"· {_line(r)}" for r in options) + "\n请问您指的是哪一项？"
        return Answer(question=q.text, status="ambiguous", answer=text, alternatives=[_line(r) for r in options],
                      citations=[cite(r.fact) for r in options], department=f.department, year=f.year,
                      item=q.item, measure="count")
    text = f"{f.department}{f.year}年文件：{_line(best)}。"
    cits = [cite(f)]
    if part_question is not None:
        parts = [r for r in readings(part_question, facts) if r.fact.document == f.document]
        if parts and parts[0].fact is not f:
            text += f"其中{_line(parts[0])}。"
            cits.append(cite(parts[0].fact))
    return Answer(question=q.text, status="answered", answer=text, value=f.value, unit=f.unit, citations=cits,
                  department=f.department, year=f.year, item=q.item, measure="count", comparison=f.comparison)


def not_a_count(q: Query, f: Fact) -> bool:
    """A how-many question ("有几个项目") that a money amount or a rate would answer with a wrong figure
    (a 100% target, a 241.35万元 budget), or a count in another unit than the one asked (2批 for 多少人次);
    questions that also speak of money or rates are left alone."""
    if not q.count or re.search(_count_words()["money_or_rate"], q.rest or q.q):
        return False
    if is_money(f.unit) or f.unit == vocabulary().percent:
        return True
    unit = asked_unit(q.rest or q.q)  # "接待了多少人次" is not answered with 2批
    return bool(unit and f.unit and not _same_unit(f.unit, unit))


def asks_stated_count(q: Query) -> bool:
    """A how-many question the narrative route took for its words ("编报了绩效目标的项目有几个": 目标) that
    a count the documents state answers; "有哪几个…" asks for the things themselves."""
    return q.count and not re.search(_count_words()["which_things"], q.q)


def split_part(text: str) -> tuple[str, str | None]:
    """"一共有多少辆车？其中执法执勤用车几辆？" → the main question and the part it adds."""
    m = re.search(r"[？?，,。]\s*其中", text)
    if m:
        return text[:m.start()], text[m.end():]
    m = re.search(r"[？?]\s*(?=\S*(?:几|多少))", text.rstrip("？? "))
    if m:  # "有几辆车？特种专业技术用车有几辆？": a second question about a part
        return text[:m.start()], text[m.end():]
    return text, None


__all__ = ["Reading", "answer", "asked_unit", "asks_stated_count", "not_a_count", "readings", "split_part"]
