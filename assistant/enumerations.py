"""Counts of listed things the narrative enumerates without stating the total ("主要职责一共列了多少条",
"部门预算里包括几个科室的预算"): the items are counted here, and the answer says so.

Two kinds of list are read from a passage (all passages of one heading taken together):

- a numbered list: "1.…2.…3.…", "（一）…（二）…", "一是…二是…" — the longest run numbered 1, 2, 3, …;
- a list in one sentence after a lead word: "部门预算包括：综合科、机要科、…、金融办的预算。"

A list is matched to the question by the words of its heading and lead-in the question contains, and
by the thing counted ("几个科室": items ending in 科 or 室). A list ending in "等" is not complete and
is not counted. Two lists close in score with different counts → asked back, never a silent pick.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from assistant.counts import asked_unit
from assistant.grams import chinese_bigrams, longest_first, share_named
from assistant.records import Answer, Citation
from assistant.understand import DATA, Query
from ingest.records import Passage

_CLOSE = 0.25
_NAMED = 0.25  # least share of a list's heading and lead-in words the question must contain
_LEAST = 0.5  # least score for a list to answer (1.0: every word of its heading named)


@dataclass(frozen=True)
class _Words:
    lead: re.Pattern[str]
    filler: tuple[str, ...]
    unit_numbered: str
    unit_listed: str
    unit_lines: str
    generic_lead: str
    same: dict[str, str]


@lru_cache(maxsize=1)
def words() -> _Words:
    raw = tomllib.loads((DATA / "enumerations.toml").read_text(encoding="utf-8"))
    return _Words(re.compile(rf"(?:{raw['lead_words']})[:：]?"), longest_first(raw["filler"]),
                  raw["unit_numbered"], raw["unit_listed"], raw["unit_lines"], raw["generic_lead"], dict(raw["same_words"]))


@dataclass
class Listing:
    """One list a passage prints: where, what introduces it, its items."""

    passage: Passage
    heading: str  # the heading's leaf, without its ordinal
    lead: str  # the few words leading into a list in one sentence ("部门预算包括："); "" for a numbered list
    items: list[str]
    numbered: bool
    lines: bool = False  # printed one item a line (the contents, a table's rows)


_CN = "一二三四五六七八九十"


def _cn_number(n: int) -> str:
    if n <= 10:
        return _CN[n - 1]
    return ("" if n < 20 else _CN[n // 10 - 1]) + "十" + (_CN[n % 10 - 1] if n % 10 else "")


def _run(text: str, marker: str) -> list[str]:
    """The items of the run 1, 2, 3, … of `marker` ({n}: the digits, {cn}: the Chinese numeral) in text."""
    starts = []
    pos = 0
    for n in range(1, 61):
        m = re.compile(marker.replace("{n}", str(n)).replace("{cn}", _cn_number(n))).search(text, pos)
        if m is None:
            break
        starts.append(m.start())
        pos = m.end()
    if len(starts) < 2:
        return []
    ends = [*starts[1:], len(text)]
    return [text[s:e].strip() for s, e in zip(starts, ends, strict=True)]


# item markers: "1." / "1、" / "1．" after a sentence end or at the start; "（一）"; "一是"; "（1）"
_MARKERS = (r"(?:^|(?<=[。；;：:\s]))(?<!\d){n}[.．、](?!\d)", r"[（(]{cn}[）)]", r"{cn}是", r"[（(]{n}[）)]")


def numbered(text: str) -> list[str]:
    """The longest numbered list in a text (its items), or []."""
    runs = [_run(text, m) for m in _MARKERS]
    return max(runs, key=len, default=[])


def listed(sentence_text: str) -> list[tuple[str, list[str]]]:
    """(words before the lead word, items) of each "…包括：A、B、C的预算。" list of three or more items."""
    out = []
    for sentence in re.split(r"(?<=[。；;])", sentence_text):
        for m in words().lead.finditer(sentence):
            body = re.split(r"[。；;）)]", sentence[m.end():])[0]
            if "、" not in body:
                continue
            items = [x.strip() for x in re.split(r"[、，,]", body) if x.strip()]
            if items and re.search(r"等\S{0,8}$", items[-1]):
                break  # "A、B等": not the whole list
            # "…、金融办的预算": the list ends before 的; "…、维护费以及其他费用": the last two items
            last = re.sub(r"的\S*$", "", items[-1])
            items = [*items[:-1], *[x for x in re.split(r"以及|和|及", last, maxsplit=1) if x]]
            if len(items) >= 3 and all(len(x) <= 16 for x in items):
                out.append((sentence[:m.start()], items))
            break
    return out


def listings(passages: Iterable[Passage]) -> list[Listing]:
    """Every list the passages print (the passages of one heading read as one text)."""
    groups: dict[tuple[str, str], list[Passage]] = {}
    for p in passages:
        groups.setdefault((p.document, p.heading), []).append(p)
    out = []
    for (_doc, heading), ps in groups.items():
        ps.sort(key=lambda p: p.page)
        if any("\n" in p.text for p in ps):  # a list printed as lines (ingest/lists.py): one item a line
            parent, _, leaf = heading.rpartition(" > ")
            lines = [x.strip() for p in ps for x in p.text.split("\n") if x.strip()]
            out.append(Listing(ps[0], leaf, parent.split(" > ")[-1], lines, False, True))
            continue
        text = "".join(p.text for p in ps)
        leaf = re.sub(r"^[（(]?[一二三四五六七八九十\d]+[、）).．]", "", heading.split(" > ")[-1] if heading else "")
        items = numbered(text)
        if items:
            out.append(Listing(ps[0], leaf, "", items, True))
        for lead, its in listed(text):
            if any(re.search(r"\d", x) for x in its):
                continue  # "办公厅、研究室和4个专门委员会、8个工作委员会": counts of their own, not one list
            cjk = re.sub(r"[^\u4e00-\u9fff]", "", re.split(r"[，,：:]", lead)[-1])
            cjk = re.sub(rf"^(?:{words().generic_lead})+|(?:{words().generic_lead})+$", "", cjk[-8:])
            out.append(Listing(ps[0], leaf, cjk if len(cjk) >= 2 else "", its, False))
    return out + _sub_headings(groups)


def _sub_headings(groups: dict[tuple[str, str], list[Passage]]) -> list[Listing]:
    """Lists printed as numbered sub-headings ("一、主要职能 > （一）…", "（二）…"): one item per child."""
    children: dict[tuple[str, str], list[tuple[str, Passage]]] = {}
    for (doc, heading), ps in groups.items():
        if " > " not in heading:
            continue
        parent, leaf = heading.rsplit(" > ", 1)
        children.setdefault((doc, parent), []).append((leaf, min(ps, key=lambda p: p.page)))
    out = []
    for (_doc, parent), kids in children.items():
        kids.sort(key=lambda k: k[1].page)
        leaves = [leaf for leaf, _p in kids]
        run = []
        for n in range(1, len(leaves) + 1):
            hit = next((x for x in leaves if re.match(rf"[（(]{_cn_number(n)}[）)]", x)), None)
            if hit is None:
                break
            run.append(hit)
        if len(run) >= 2:
            first = kids[0][1]
            leaf = re.sub(r"^[（(]?[一二三四五六七八九十\d]+[、）).．]", "", parent.split(" > ")[-1])
            out.append(Listing(first.model_copy(update={"heading": parent}), leaf, "", run, True))
    return out


def _question_words(q: Query) -> str:
    t = q.rest or q.q
    for w in words().filler:
        t = t.replace(w, " ")
    return t


def _counted_noun(q: Query) -> str:
    """The thing counted: "几个科室" → "科室", "多少张预算表" → "预算表"."""
    m = re.search(r"(?:多少|几)\s*[个条项张家件所本名位种]?([^的里中是有了吗呢？?，,。\s\da-z]{0,4})", q.rest or q.q)
    return m.group(1) if m else ""


@dataclass
class Scored:
    listing: Listing
    score: float


def scored(q: Query, passages: Iterable[Passage]) -> list[Scored]:
    """The lists the question may ask about, best first."""
    text = _question_words(q)
    for a, b in words().same.items():
        text += " " + text.replace(a, b) if a in text else ""
    grams = chinese_bigrams(text)
    noun = _counted_noun(q)
    out = []
    for lst in listings(passages):
        # the heading's words and the lead-in's, each once ("三、所属单位" / "所属单位包括：")
        said = share_named(lst.heading, grams) + (0.0 if chinese_bigrams(lst.lead) <= chinese_bigrams(lst.heading) else share_named(lst.lead, grams))
        if said < _NAMED:
            continue  # the question must name the list, not only the kind of item ("多少张预算表")
        ends = sum(1 for x in lst.items if x and x[-1] in noun) / len(lst.items) if noun else 0.0
        if noun and ends == 0 and noun[-1] not in lst.heading + lst.lead:
            continue  # "多少张预算表" is not a count of the 科室 a sentence lists
        score = said + 0.5 * ends
        if score > 0:
            out.append(Scored(lst, score))
    out.sort(key=lambda s: (-s.score, s.listing.passage.page))
    return out


def answer(q: Query, passages: Iterable[Passage]) -> Answer | None:
    """A how-many question answered by counting a list the documents print; None when no list fits."""
    if not q.count and asked_unit(q.rest or q.q) is None:
        return None
    rs = scored(q, passages)
    if not rs or rs[0].score < _LEAST:
        return None
    best = rs[0]
    close = [r for r in rs[1:] if best.score - r.score <= _CLOSE and len(r.listing.items) != len(best.listing.items)]
    unit = asked_unit(q.rest or q.q) or (words().unit_numbered if best.listing.numbered
                                         else words().unit_lines if best.listing.lines else words().unit_listed)
    if close:
        options = [best, *close][:3]
        lines = [_line(r.listing, unit) for r in options]
        return Answer(question=q.text, status="ambiguous",
                      answer="文件中有几处列举可以回答这个问题（按文件所列逐条计数）：\n" + "\n".join(f"· {x}" for x in lines) + "\n请问您指的是哪一处？",
                      alternatives=lines, citations=[_cite(r.listing) for r in options], item=q.item, measure="count")
    lst = best.listing
    p = lst.passage
    return Answer(question=q.text, status="answered", answer=f"按文件所列逐条计数：{_line(lst, unit)}。",
                  value=float(len(lst.items)), unit=unit, citations=[_cite(lst)], department=p.department, year=p.year,
                  item=q.item, measure="count")


def _short(item: str, n: int = 14) -> str:
    return item if len(item) <= n else item[:n] + "…"


def _line(lst: Listing, unit: str) -> str:
    p = lst.passage
    heading = p.heading.split(" > ")[-1] if p.heading else "说明"
    if lst.lines and lst.lead:
        heading = f"{lst.lead}”中“{heading}"  # the table or contents the rows stand in, and the group
    n = len(lst.items)
    if lst.lines:
        names = [_short(x.split("：")[0], 20) for x in lst.items]
        what = "、".join(names) if len(names) <= 20 else "、".join(names[:20]) + "……"
    elif lst.numbered:
        what = f"第1项“{_short(lst.items[0])}”至第{n}项“{_short(lst.items[-1])}”"
    else:
        what = "、".join(lst.items)
    return f"《{p.document}》第{p.page}页“{heading}”列有{n}{unit}（{what}）"


def _cite(lst: Listing) -> Citation:
    p = lst.passage
    quote = "、".join(x.split("：")[0] for x in lst.items) if lst.lines else (
        "、".join(lst.items) if not lst.numbered else f"{lst.items[0][:40]}……{lst.items[-1][:40]}")
    return Citation(document=p.document, page=p.page, heading=p.heading, quote=quote[:200])


def or_counted(stated: Answer | None, q: Query, passages: Iterable[Passage]) -> Answer | None:
    """A stated count when one answers; a counted list when none does, or when the stated figures
    only compete ("共28个项目" / "1个项目" for "其他运转类项目有多少个") and a list answers plainly."""
    if stated is not None and stated.status == "answered":
        return stated
    counted = answer(q, passages)
    if counted is not None and (stated is None or counted.status == "answered"):
        return counted
    return stated


__all__ = ["Listing", "answer", "or_counted", "listed", "listings", "numbered", "scored"]
