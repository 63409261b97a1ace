"""Question -> Query: which departments, years, item words and measure are asked for."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.clauses import LEAD_IN, asking_part
from assistant.grams import bigrams
from budgetqa.vocabulary import money_pattern
from ingest.names import Mention, mentions

DATA = Path(__file__).parent / "data"
_ORG = re.compile(r"((?:[\u4e00-\u9fa5]{1,6}(?:省|市|区|县))[\u4e00-\u9fa5]{1,12}?(?:厅|局|院|委员会|委|部|办公室))")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)\s*年?度?")
_COMPARE_YEAR = re.compile(r"(?:跟|和)(?<!\d)(20\d\d)(?!\d)\s*年?度?\s*(?:相比|比较|对比|比)|"
                           r"(?:比|与|较|同)(?<!\d)(20\d\d)(?!\d)\s*年?度?|(?<!\d)(20\d\d)(?!\d)\s*年?度?(?:相比|比较)")
_PLACE = re.compile(r"([\u4e00-\u9fa5]{2,3}(?:省|市|区|县))")
_NOT_PLACE = {"全区", "全市", "全省", "本区", "本市", "社区", "城区", "辖区", "小区", "园区", "片区", "管理区", "开发区", "示范区", "地区", "其他地区"}
# characters of the words around a name, never of a place's name ("想问一下省政协…": 一下省 is no place)
_NOT_IN_PLACE = r"[表中年的里和及与在是度问想请查看说我你个么吗呢了给比较跟同]|一下|根据|依据|按照|对照|关于|对于|相比"
_CODE = re.compile(r"(?<!\d)(\d{3}|\d{5}|\d{7})(?!\d)")


@dataclass(frozen=True)
class Term:
    labels: tuple[str, ...]
    words: tuple[str, ...]


@lru_cache(maxsize=1)
def thesaurus() -> tuple[Term, ...]:
    raw = tomllib.loads((DATA / "thesaurus.toml").read_text(encoding="utf-8"))
    return tuple(Term(tuple(t["labels"]), tuple(t["words"])) for t in raw["term"])


@lru_cache(maxsize=1)
def language() -> dict:
    return tomllib.loads((DATA / "language.toml").read_text(encoding="utf-8"))


def norm(text: str | None) -> str:
    """Comparable form of a label or question: full-width folded, no spaces, quotes or ordinals."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"[\s“”\"'‘’「」]", "", t)
    t = re.sub(r"^(其中[:：]?)", "", t)
    t = re.sub(r"^([一二三四五六七八九十]+、|\([一二三四五六七八九十\d]+\)|\d+[.、．])", "", t)
    return t


@dataclass
class Query:
    text: str
    q: str  # normalized question
    departments: list[str] = field(default_factory=list)
    unknown_department: str | None = None
    years: list[int] = field(default_factory=list)
    previous_year: bool = False
    this_year: bool = False
    kind: str | None = None
    wants_budget_column: bool = False  # 预算数 asked for explicitly in a 决算
    measure: str = "value"
    item: str = ""  # the question with department, year and measure words removed
    rest: str = ""  # the question with department and year removed (measure words kept)
    targets: list[tuple[str, str]] = field(default_factory=list)  # (word typed, label it stands for)
    codes: list[str] = field(default_factory=list)
    narrative: bool = False
    sub_year: bool = False  # asks for part of a year (上半年, 三月): annual documents do not say
    count: bool = False  # asks how many (批次, 人, 辆): money figures do not answer it
    region_total: bool = False  # asks for a whole region (全区), which department documents do not hold


_NARRATIVE = re.compile(r"为什么|原因|职责|职能|哪些|哪几|哪两|哪三|指的是|包括什么|包括哪|什么是|是指|含义|构成|机构设置|内设|任务|目标|怎么|如何|介绍|说明一下|主要用于|用途|是什么")


def _measure(q: str) -> str:
    m = language()["measure"]
    # "预算执行率的目标值" asks for a target, not for the final figure over the budget
    if re.search(r"完成.{0,8}预算", q) or (any(w in q for w in m["completion"])
                                          and not re.search(language()["target_pattern"], q)):
        return "completion"
    final = "|".join(map(re.escape, m["final"]))  # 决算, 实际支出: the figure spent
    gap = re.search(rf"({final}).{{0,8}}(比|较|与).{{0,8}}预算|预算.{{0,8}}(比|较|与).{{0,8}}({final})", q)
    # "2023年预算比2022年预算执行数增加了…" (read "比上年…"): this year's budget against last year's, a change
    if gap and not re.search("|".join(m["previous_year"]), gap.group(0)):
        return "budget_gap"
    if re.search(r"(比|较)(年初|全年|调整后?)预算", q):  # "支出比年初预算少了多少": a 决算's two columns
        return "budget_gap"
    # "其中公务接待费占多少钱": the amount of the part, not its share
    amount = bool(re.search(rf"占了?多少(钱|{money_pattern()}|万)", q))
    if "占" in q and not re.search(r"比.{0,8}(增|减|下降)", q) and not amount:
        return "share"
    if re.search(r"(增长|下降|增加|减少|涨|降)(了)?(百分之多少|百分之几|多少百分比|几个百分点|多少\(?(%|个百分点))", q):
        return "change_rate"
    for name in ("change_rate", "change_amount", "share", "sum", "difference"):
        if any(w in q for w in m[name]) and not (amount and name == "share"):
            return name
    if re.search(r"比.{0,6}(增加|减少|增长|下降|多|少)", q) and "比例" not in q:
        return "change_amount"
    return "value"


# "从2017年到2019年一共涨了多少": the change of the last year against the first ("2019年比2017年…")
_SPAN = re.compile(r"(?:从|由)?(?<!\d)(20\d\d)\s*年?度?\s*(?:到|至|—|-|~)\s*(20\d\d)\s*年?度?")
_SPAN_CHANGE = re.compile(r"(增加|减少|增长|下降|涨|降|多|少)了?(百分之)?(多少|几)")


def span_as_change(text: str) -> str:
    """'从2017年到2019年…涨了多少' as '2019年比2017年…涨了多少'; other text unchanged."""
    m = _SPAN.search(text)
    c = _SPAN_CHANGE.search(text, m.end()) if m is not None else None
    if m is None or c is None or m.group(1) == m.group(2):
        return text
    first, last = sorted((m.group(1), m.group(2)))
    # the year asked first, the base before the change: "2019年…比2017年(一共)涨了多少"
    between = text[m.end():c.start()]
    at = m.end() + len(re.sub(r"(一共|总共|共|合计|累计)$", "", between))
    return f"{last}年" + text[:m.start()] + text[m.end():at] + f"比{first}年" + text[at:]


# "听说…有100多辆公车，是真的吗？": a figure heard, to be checked; the question is how many there are
_HEARD = re.compile(r"^(?:听说|据说|听人说|有人说|网上说|我听说|我看到|看到|(?:预算|决算)?(?:说明|文件|报告|材料)(?:里|中|上)?(?:说|讲|写着?))[，,]?")
# the words checking a figure heard ("…，是真的吗"), at the end of the question or of the hearsay sentence
_CHECK_WORDS = "是真的吗|是真的么|是不是真的|是否属实|属实吗|对吗|对不对|是吗"
_CHECK = re.compile(rf"[，,]?\s*(?:这|这个|那)?(?:{_CHECK_WORDS}|是这样吗|没错吧|没错吗)[？?。！!]*$")
_HEARD_FIGURE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?\s*(?:多|余|来)?\s*(?=[元万亿辆人名个家项台套次])")
# the figure a hearsay sentence states, in digits or words ("20多辆", "好几十辆", "超过100辆了")
_SAID_FIGURE = re.compile(r"(?:超过|超出|不止|至少|足足|将近|近|好)?(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千几]+)"
                          r"\s*(?:多|余|来)?\s*(?:[辆人名个家项台套次](?![\u4e00-\u9fff]?[?？])|(?=[元万亿]))")
# where the hearsay sentence ends: its check ("，真的吗？") or its question mark
_HEARSAY_END = re.compile(rf"(?:[，,]?\s*(?:这|这个|那)?(?:{_CHECK_WORDS}|真的吗))?[？?。！!]")
_HOW_MANY = re.compile(r"多少|几")


# a classification path as the documents print it: "一般公共服务支出（类）统计信息事务（款）统计管理（项）"
_PATH = re.compile(r"(?:[\u4e00-\u9fff、]+\((?:类|款|项)\)\s*){2,}")
_PATH_LEVEL = re.compile(r"([\u4e00-\u9fff、]+)\((?:类|款|项)\)")


def leaf_of_path(text: str) -> str:
    """A path of 类, 款 and 项 read as its last level, the item asked ("统计管理"): the tables print the
    item's own name on its row, and its parents' names on rows of their own (another figure)."""
    return _PATH.sub(lambda m: _PATH_LEVEL.findall(m.group(0))[-1] + " ", text)


_SUB_YEAR = re.compile(r"上半年|下半年|第?[一二三四1-4]季度|(?<!\d)(1[0-2]|[1-9])月|[一二三四五六七八九十]+月份")


def sub_year_period(label: str, question: str) -> bool:
    """Whether a label prints the part of the year the question asks for ("第二季度用款计划")."""
    m = _SUB_YEAR.search(question)
    return m is not None and m.group(0).lstrip("第") in label


_RESTATED = re.compile(r"给([\u4e00-\u9fff]{2,8}?)的([\u4e00-\u9fff]{2,10})")


def _restated(m: re.Match[str]) -> str:
    """'给离休老干部的离休费' -> ' 离休费' when the words given to share a word with the item; else as typed."""
    who, item = m.group(1), m.group(2)
    return f" {item}" if bigrams(who) & bigrams(item) else m.group(0)


_FIGURE_SAID = re.compile(rf"(?:是|为|安排了?|有)?\s*\d+(?:\.\d+)?\s*(?:{money_pattern()}|万|%)")
_CHANGE_SAID = re.compile(r"(?:比|较|与)[^，,；;]{0,12}?(?:增加|减少|增长|下降|多|少)了?\s*\d")
_YEAR_SAID = re.compile(r"(?:今年|本年)?\s*[（(]?\s*20\d\d\s*[）)]?\s*年?度?|今年|本年")


def base_year_asked(text: str) -> str:
    """'X今年(2025)收支总计1074.61万元，说比2024年增加了155.64万元，那2024年的预算是多少' as 'X收支总计，那2024年的
    预算是多少': the clauses before the question state this year's figure and its change (the question's
    premise); what is asked is the base year's figure, of the item the premise names. Other text unchanged."""
    clauses = re.split(r"(?<=[，,；;])", text)
    if len(clauses) < 2 or not re.search(r"多少|几", clauses[-1]) or not _YEAR.search(clauses[-1]):
        return text
    before = clauses[:-1]
    if not any(_CHANGE_SAID.search(c) for c in before) or _FIGURE_SAID.search(clauses[-1]):
        return text
    kept = [_YEAR_SAID.sub("", _FIGURE_SAID.sub("", c)) for c in before if not _CHANGE_SAID.search(c)]
    kept = [re.sub(r"^说", "", c) for c in kept if re.search(r"[\u4e00-\u9fff]{2}", c)]
    return "".join(kept) + clauses[-1] if kept else text


def premise_as_question(text: str) -> str:
    """'听说X有100多辆公车，是真的吗' as 'X有多少辆公车': the documents' figure answers the check.
    '听说X有好几十辆公车？到底有几辆' as 'X有公车，到底有几辆': the hearsay names the body and the item,
    the sentence after it asks, and the figure heard is not the answer."""
    t = text.strip()
    heard = _HEARD.match(t)
    end = _HEARSAY_END.search(t, heard.end()) if heard else None
    if heard and end and _HOW_MANY.search(t[end.end():]) and _SAID_FIGURE.search(t[heard.end():end.start()]):
        said = _SAID_FIGURE.sub("", t[heard.end():end.start()], count=1).rstrip("了")
        return f"{said}，{t[end.end():]}"
    if not _CHECK.search(t) or not _HEARD_FIGURE.search(t):
        return text
    t = _HEARD.sub("", _CHECK.sub("", t))
    return _HEARD_FIGURE.sub("多少", t, count=1) + "？"


def parse(question: str, known_departments: list[str]) -> Query:
    whole = norm(question)
    # a story told before the question is context: the item, department and year are read from the
    # part that asks (assistant/clauses.py); the story names the department only when that part does not
    q = asking_part(whole)
    story = whole.replace(q, " ") if q != whole else ""
    query = Query(text=question, q=q)
    rest = q
    # the loaded bodies the question names, by the names people use (ingest.names); several for
    # one span = ambiguous words ("财政局" with two 财政局 loaded)
    found = mentions(rest, known_departments)
    if not found and story:
        query.departments = [n for hit in mentions(story, known_departments) for n in hit.names]
        query.departments = list(dict.fromkeys(query.departments))
    for hit in found:
        query.departments += [n for n in hit.names if n not in query.departments]
    for hit in reversed(found):
        if not _part_of_item(hit, found, rest):
            rest = rest[:hit.start] + " " + rest[hit.end:]
    # "想问下街道…", "，请问…": the words turning to the question are no part of the item
    rest = re.sub(rf"(?:^|(?<=[，,。；;\s])){LEAD_IN.pattern}", " ", rest)
    rest = _RESTATED.sub(_restated, rest)  # "给离休老干部的离休费": the words before 的 restate the item
    named = query.departments or (known_departments if len(known_departments) == 1 else [])
    for w in sorted(language()["body_kinds"], key=_longest_first):
        # "街道办" for 万里街道办事处: the body, not an item; standing alone, not the end of another
        # body's name ("国防动员办公室")
        if w in rest and named and all(w in n for n in named):
            rest = re.sub(rf"(?:^|(?<=[\s，,。；;：:]))\s*{re.escape(w)}", " ", rest)
    if not query.departments:
        m = _ORG.search(rest)
        # "…预算表中省委办公厅…", "今年区…": a place name holds none of these function characters
        if m and not re.search(_NOT_IN_PLACE, re.split(r"(?<=[省市区县])", m.group(1))[0]):
            query.unknown_department = m.group(1)
    for m in _PLACE.finditer(q):
        place = m.group(1)
        if re.search(_NOT_IN_PLACE, place):
            continue
        if not re.match(r".{0,6}?(政府|人民|财政|教育|委|局|厅|院|部|办)", q[m.end():]):
            continue  # "区志办", "经费和区…": not a place that names another body
        # a generic word ("城区", "其他地区"), not a district's name that ends like one ("老城区")
        if place in _NOT_PLACE or any(place.endswith(x) for x in _NOT_PLACE if len(x) >= 3):
            continue
        names = query.departments or known_departments
        if not any(place in n or n.find(place[-3:]) >= 0 for n in names):
            query.unknown_department = query.unknown_department or place
    rest = leaf_of_path(_COMPARE_YEAR.sub("比上年", rest))
    for m in _YEAR.finditer(rest):
        query.years.append(int(m.group(1)))
    if not query.years and story and not re.search(r"今年|本年|当年|去年|上年", rest):
        query.years = [int(m.group(1)) for m in _YEAR.finditer(story)]
    rest = _YEAR.sub(" ", rest)
    if any(w in rest for w in language()["measure"]["previous_year"]):
        query.previous_year = True
    if re.search(r"今年|本年|当年", rest):
        query.this_year = True
    if "决算" in rest or "实际支出" in rest or "实际" in rest:
        query.kind = "决算" if "决算" in rest else None
    query.wants_budget_column = bool(re.search(r"预算数|年初预算|全年预算|预算是多少", rest)) and "决算数" not in rest
    query.measure = _measure(rest)
    if query.measure != "value":
        query.previous_year = False  # "比上年增加多少" asks for a change, not last year's figure
    # "有没有政府采购？采购预算多少" asks the figure; "有没有…" alone asks what the narrative says
    query.narrative = (bool(_NARRATIVE.search(rest)) and query.measure == "value" and "多少" not in rest) or bool(
        re.search(r"为什么|为何|为啥|原因|是什么车|哪几类|什么内容|主要内容", rest)) or (
        bool(re.search(r"有没有|有无|是否", rest)) and "多少" not in rest)
    # "和" inside one item's name ("社保和就业", "社会保障和就业支出") joins no two items
    joined = rest
    for w, _label in expand(rest):
        joined = joined.replace(w, "\0" * len(w))
    if query.measure == "value" and re.search(r"[、]|和.+(合计|一共|总共|加起来|共计)", joined) and re.search(r"合计|一共|总共|共计|加起来|总和", rest):
        query.measure = "sum"
    query.rest = rest
    query.codes = _CODE.findall(rest)
    query.count = bool(re.search(language()["count_pattern"], rest))
    query.region_total = bool(re.search(r"全(区|市|省|县)", rest))
    query.sub_year = bool(_SUB_YEAR.search(rest))
    for w in sorted({w for k in ("change_amount", "change_rate", "share", "sum", "difference", "previous_year")
                     for w in language()["measure"][k]}, key=_longest_first):
        rest = rest.replace(w, " ")
    rest = re.sub(r"今年|本年|当年", " ", rest)
    query.item = re.sub(r"\s+", " ", rest).strip()
    query.targets = expand(query.item)
    return query


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _part_of_item(hit: Mention, found: list[Mention], text: str) -> bool:
    """Whether a department's name, named again after the question named the department, begins the
    item's own name: a shorter name of the same body run into a label ("省政协办公厅2019年政协会议（项）支出",
    "区财政局今年财政事务支出"). Such words stay in the item."""
    first = found[0]
    if hit is first or not set(hit.names) <= set(first.names):
        return False
    after = text[hit.end:hit.end + 1]
    if not _CJK.match(after):
        return False
    return hit.end - hit.start < first.end - first.start


def _longest_first(word: str) -> tuple[int, str]:
    """Sort key: longer words first, ties by the word itself (never by set order, which varies per process)."""
    return -len(word), word


def expand(item: str) -> list[tuple[str, str]]:
    """Thesaurus words in the item, longest first, each span used once: [(word, label), ...]."""
    pairs = sorted(((norm(w), t) for t in thesaurus() for w in t.words + t.labels), key=lambda p: -len(p[0]))
    work, out = item, []
    for w, term in pairs:
        if w and w in work:
            out += [(w, norm(label)) for label in term.labels]
            work = work.replace(w, "\0" * len(w))
    return out


def residual(text: str, covered: list[str], label_chars: str = "") -> str:
    """What is left of `text` once the matched labels, filler words and characters the fact's own
    labels contain are taken out: what the question asks that this fact does not speak of."""
    t = re.sub(r"\((类|款|项)\)", " ", text)
    for c in sorted(set(covered), key=_longest_first):
        if c:
            t = t.replace(c, " ")
    for w in sorted(language()["filler"], key=_longest_first):
        t = t.replace(w, " ")
    t = re.sub(r"[\s\d.%\x00()（）《》“”、,，:：—\-]+", "", t)
    return "".join(ch for ch in t if ch not in label_chars)
