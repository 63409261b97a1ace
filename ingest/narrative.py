"""Narrative text -> passages along the document's own headings, and the figures sentences state."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from budgetqa.vocabulary import money_pattern, vocabulary
from ingest.pdf_reader import RawPage
from ingest.textnorm import clean

_HEADINGS = [
    re.compile(r"^第[一二三四五六七八九十]+部分"),
    re.compile(r"^[一二三四五六七八九十]+、"),
    re.compile(r"^[（(][一二三四五六七八九十]+[）)]"),
]
_PAGE_NO = re.compile(r"^[-—\s]*\d+[-—\s]*$")
_FIGURE = re.compile(rf"(\d[\d,]*(?:\.\d+)?)\s*({money_pattern()}|{re.escape(vocabulary().percent)})")
_BUDGET_WORD = re.compile(r"^(.*?)(年初预算|全年预算|调整预算|预算数|预算安排)(为|是)?$")
# "2022年当年预算执行数为1.48万元": another year's executed figure, a fact of that year
_EXEC_WORD = re.compile(r"^(.*?)(?:当年|本年|全年)?(预算执行数|执行数)(为|是)?$")
_CLAUSE_YEAR = re.compile(r"^\D{0,6}?(20\d\d)\s*年(?!度?部门)")
_FINAL_WORD = re.compile(r"^(.*?)(支出决算|决算数|决算)(为|是)?$")
_CLASS_PATH = re.compile(r"（[类款项]）|\([类款项]\)")
_LEAD = re.compile(r"^(其中|主要是|主要为|包括|分别为|一是|二是|三是|四是|为|是|共|合计|总计|当年|本年)[:：，,]?")
_MAX_PASSAGE = 700
# a figure whose item is only one of these words says nothing findable ("支出决算为2940.05万元" alone)
_TOO_GENERIC = {"支出", "收入", "合计", "总计", "其中", "资金", "经费", "金额", "共计", "单位价值"}


@dataclass
class RawPassage:
    page: int
    heading: list[str]
    text: str
    # (offset in text, page) where the text goes on to another page: a figure's page is its sentence's
    turns: list[tuple[int, int]] = field(default_factory=list)

    def page_at(self, offset: int) -> int:
        at = bisect_right([o for o, _ in self.turns], offset) - 1
        return self.turns[at][1] if at >= 0 else self.page


@dataclass
class RawFigure:
    page: int
    row: str
    column: str
    value: float
    unit: str
    quote: str
    year: int | None = None  # another year the figure belongs to ("2022年当年预算执行数为…")


def _heading_level(line: str) -> int | None:
    if len(line) > 40:
        return None
    for level, pat in enumerate(_HEADINGS):
        if pat.match(line):
            return level
    return None


def passages(pages: list[RawPage]) -> list[RawPassage]:
    out: list[RawPassage] = []
    path: list[str] = []
    body: list[str] = []
    body_pages: list[int] = []  # the page each line of the body stands on
    start = 1

    def flush() -> None:
        joined = "".join(body)
        text = joined.strip()
        offset = len(joined) - len(joined.lstrip())
        starts = list(accumulate((len(x) for x in body), initial=0))[:-1]
        first = True
        while text:
            # cut at a sentence end: a figure cut in two ("11" | ".67万元") would be read wrong
            cut = len(text) if len(text) <= _MAX_PASSAGE else text.rfind("。", 0, _MAX_PASSAGE) + 1 or _MAX_PASSAGE
            # each piece on the page it starts on: a long section runs over several pages
            at = bisect_right(starts, offset) - 1
            page = start if first or at < 0 else body_pages[at]
            turns = [(max(0, o - offset), p) for o, p in zip(starts, body_pages, strict=True)
                     if offset < o < offset + cut and p != page]
            out.append(RawPassage(page, list(path), text[:cut], turns))
            text, offset, first = text[cut:], offset + cut, False
        body.clear()
        body_pages.clear()

    for page in pages:
        if page.tables and len(page.text) < 150:
            continue  # a table page: its title lines are not narrative
        if re.match(r"^\s*(\S{0,30}\s*)?目\s*录", page.text[:80]):
            continue  # the table of contents repeats headings without their text
        for raw_line in page.text.split("\n"):
            line = clean(raw_line)
            if not line or _PAGE_NO.match(line):
                continue
            level = _heading_level(line)
            if level is not None:
                flush()
                # "（二）公务接待费0.83万元，主要用于…": a heading that starts its own paragraph
                head = re.split(r"[，,。：:]|\d", line, maxsplit=1)[0]
                inline = head != line
                path[level:] = [head if inline else line]
                start = page.number
                if inline:
                    body.append(line)
                    body_pages.append(page.number)
                continue
            if not body:
                start = page.number
            body.append(line)
            body_pages.append(page.number)
    flush()
    return out


def _subject(clause: str) -> str:
    s = re.sub(r"\*", "", clause)
    s = re.sub(r"^.*?20\d\d\s*年度?", "", s) if re.search(r"20\d\d\s*年", s) else s
    s = re.sub(r"^[（(][一二三四五六七八九十\d]+[）)]|^\d+[.、]", "", s.strip())
    prev = None
    while prev != s:
        prev, s = s, _LEAD.sub("", s).strip("：:，, ")
    s = re.sub(r"(年初预算为|支出预算为|预算安排|预算为|安排|为|是)$", "", s)
    s = _CLASS_PATH.sub("", s)
    tail = re.split(r"[:：]", s)[-1]
    s = tail if len(tail) >= 2 else s
    return s[-40:]


_ASIDE = re.compile(r"[（(][^（()）]*[）)]")


def change_word(before: str) -> str | None:
    """The direction word said before a figure, the first one outside brackets: "下降（增长）27.78%" is a
    decline (the bracket is the template's other choice, left in the text)."""
    text = _ASIDE.sub("", before)
    found = [(text.find(w), w) for w in ("增加", "减少", "增长", "下降") if w in text]
    return min(found)[1] if found else None


def figures(passage: RawPassage, kind: str, subject: str = "") -> list[RawFigure]:
    """Figures a passage states: '公务接待费0.83万元，比2024年支出预算减少1.00万元，下降54.64%'. `subject`:
    the item the piece of text before this one (same heading) ended on, when a long section was cut."""
    out: list[RawFigure] = []
    base_col = "决算数" if kind == "决算" else "预算数"
    # carries over sentences: "公务接待费0.83万元，…。比2024年减少1.00万元"
    at = 0
    for sentence in re.split(r"(?<=[。；;])", passage.text):
        page, at = passage.page_at(at), at + len(sentence)
        compared = re.search(r"[比较与]\S{0,10}?(20\d\d|上年|去年)", sentence) is not None
        for clause in re.split(r"[，；;。、]|,(?!\d{3})", sentence):
            if not _FIGURE.search(clause) and _CLASS_PATH.search(clause):
                # "财政事务（款）行政运行（项）。年初预算为…": the item the next figures are about
                tail = re.split(r"（类）|\(类\)", clause)[-1]
                levels = [_subject(x) for x in _CLASS_PATH.split(tail) if x.strip()]
                subject = " / ".join(x for x in levels[-2:] if x) or subject
                continue
            for m in _FIGURE.finditer(clause):
                before = clause[: m.start()]
                value = float(m.group(1).replace(",", ""))
                unit = m.group(2)
                word = change_word(before)
                year = None
                clause_compared = re.search(r"[比较与]\S{0,10}?(20\d\d|上年|去年)", clause) is not None
                if not clause_compared and not word and (my := _CLAUSE_YEAR.match(before)):
                    year = int(my.group(1))
                if re.search(r"[（(][类款项][）)][”\"']?\s*$", before) and unit != "%":
                    # "“一般公共服务支出（类）统计信息事务（款）统计管理（项）”2.63万元"
                    tail = re.split(r"（类）|\(类\)", before)[-1]
                    levels = [_subject(x) for x in _CLASS_PATH.split(tail)]
                    levels = [x for x in levels if len(re.sub(r"[“”\"'‘’\s]", "", x)) >= 2]
                    subject = " / ".join(levels[-2:]) or subject
                    if subject:
                        out.append(RawFigure(page, subject, base_col, value, unit, sentence.strip()))
                    continue
                if (mx := _EXEC_WORD.match(before.strip())) and unit != "%" and not word:
                    row = _subject(mx.group(1)) or subject
                    if row and row not in _TOO_GENERIC:
                        out.append(RawFigure(page, row, "预算执行数", value, unit, sentence.strip(), year))
                    continue
                if word and (compared or re.match(r"^\s*(增长|下降|增加|减少)", before)):
                    col = f"比上年{word}" if unit != "%" else f"比上年{word}率"
                    lead = before.split(word)[0]
                    row = "" if unit == "%" or re.search(r"[比较与]", lead) else _subject(lead.replace("各", ""))
                    row = row or subject
                    subject = row
                elif "占" in before and unit == "%":
                    col, row = "占比", subject or _subject(before.split("占")[0])
                elif "完成" in before and unit == "%":
                    col, row = "完成预算的比例", subject
                elif (mb := _BUDGET_WORD.match(before.strip())) and unit != "%":
                    col = "预算数" if mb.group(2) == "预算安排" else mb.group(2) + ("数" if not mb.group(2).endswith("数") else "")
                    row = _subject(mb.group(1)) or subject
                    subject = row or subject
                elif (mf := _FINAL_WORD.match(before.strip())) and unit != "%" and kind == "决算":
                    col = "决算数"
                    row = _subject(mf.group(1)) if _subject(mf.group(1)) not in ("", "支出") else subject
                    subject = row or subject
                else:
                    row = _subject(before) or subject
                    col = base_col
                    subject = row or subject
                if row and row not in _TOO_GENERIC:
                    out.append(RawFigure(page, row, col, value, unit, sentence.strip(),
                                         year if col in ("预算数", "年初预算数", "全年预算数", "决算数") else None))
                before = ""
    return out
