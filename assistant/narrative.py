"""The passages tool: which narrative passage answers a question, and which of its sentences to quote."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from typing import Any

from assistant import duties, enumerations
from assistant.compose import not_found, nothing_found
from assistant.grams import bigrams
from assistant.plan import Plan
from assistant.records import Answer, Citation
from assistant.scoped import ScopedRetriever
from assistant.understand import DATA
from ingest.records import Passage

_GENERIC_ASK = re.compile(r"主要职责|职责|职能|有哪些|哪些|是什么|什么|主要内容|方面|情况|介绍|包括|内容|有没有|有无|是否|几个|多少个|下属|为何|为什么|原因")
_CHANGED = re.compile(r"增加|减少|增长|下降|降低|小于|大于|压减|上升")
_NUMBERED = re.compile(r"\s*(?:[\d一二三四五六七八九十]+[．.、]|[（(]\d+[）)])")
_LIST_ASK = re.compile(r"哪些|哪几")
# what introduces a printed list: "包括：", "具体包括", "主要有：" (the list follows, parted by 、)
_LIST_MARK = re.compile(r"(?:具体|主要)?(?:包括|包含|有)[:：]|(?:具体|主要)?包括")
_LIST_COVER = 0.6  # share of the question's rare words the words before the list must carry
_HEADING_NOISE = {"情况", "说明", "部门", "预算", "决算"}


def _grams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", text[i:i + 2])}


class Passages:
    """Narrative answers over the passages of a question's scope (BM25 + vectors)."""

    def __init__(self, retriever: ScopedRetriever):
        self.retriever = retriever
        self._rarity_cache: dict[str, float] = {}

    def by_heading(self, item: str, flt: dict[str, Any]) -> tuple[Passage, float] | None:
        """A passage whose own heading is what the question names ("主要职责" → "一、主要职能";
        "名词解释里基本支出…" → "第三部分 名词解释 > 七、基本支出")."""
        item = item.replace("职责", "职能").replace("组成", "构成")
        best, best_key = None, (1, 1.0)  # at least two words of the heading named
        for i in self.retriever.candidates(flt):
            p = self.retriever.passages[i]
            levels = [re.sub(r"^[（(]?[一二三四五六七八九十\d]+[、）).．]|[“”\"]", "", h) for h in p.heading.split(" > ")]
            leaf, parents = levels[-1], "".join(levels[:-1])
            grams = bigrams(leaf) - _HEADING_NOISE
            up = bigrams(parents) - _HEADING_NOISE
            n = sum(g in item for g in grams)
            if not grams or n == 0:
                continue
            key = (n + sum(g in item for g in up), n / len(grams))
            if key > best_key:
                best, best_key = p, key
        return (best, float(best_key[0])) if best is not None else None

    def rarity(self, gram: str) -> float:
        """1 for a bigram few passages contain, near 0 for one most contain ("经费", "支出")."""
        cache = self._rarity_cache
        if gram not in cache:
            # statistics of the whole store, not of the question's scope
            n, df = self.retriever.size() or 1, self.retriever.document_frequency(gram)
            cache[gram] = max(0.0, 1.0 - df / n) ** 2
        return cache[gram]

    def answer(self, plan: Plan, fallback: bool = False) -> Answer:
        q, depts, years = plan.query, plan.departments, plan.years
        flt = {"department": depts or None, "year": years or None}
        if q.count:  # "年度主要任务列了几项": a list the documents print, counted
            counted = enumerations.answer(q, (self.retriever.passages[i] for i in self.retriever.candidates(flt)))
            if counted is not None and counted.status == "answered":
                return counted
        if duties.asks_duty(q.q):
            said = duties.answer(q, (self.retriever.passages[i] for i in self.retriever.candidates(flt)))
            if said is not None:
                return said
        hits = self.retriever.search(q.text, flt)
        if not hits:
            return not_found(q.text, nothing_found(q.item, q.text))
        p, _score = self.by_heading(q.item, flt) or hits[0]
        if fallback:
            grams = _grams(_GENERIC_ASK.sub(" ", q.item))
            if not grams or sum(g in p.heading + p.text for g in grams) < 0.6 * len(grams):
                return not_found(q.text, nothing_found(q.item, q.text))
        listed = self._listing(q.item, flt) if _LIST_ASK.search(q.text) and not re.search(r"为什么|原因", q.text) else None
        if listed is not None:
            quote, p = listed
        elif re.search(r"为什么|原因", q.text):
            quote, p = self._reason(q.item, hits, p, _narrative_words()["reason_pattern"], None)
        elif re.search(_narrative_words()["use_question"], q.text):
            quote, p = self._reason(q.item, hits, p, _narrative_words()["use_pattern"], flt)
        else:
            mine = (self.retriever.passages[i] for i in self.retriever.candidates({"department": p.department}))
            same = [x for x in mine if x.document == p.document and x.heading == p.heading]
            body = "".join(x.text for x in same) if same else p.text
            quote = focus(body, q.item) or body[:1200]
        text = f"根据《{p.document}》第{p.page}页“{p.heading.split(' > ')[-1] if p.heading else '说明'}”：{quote}"
        cits = [Citation(document=p.document, page=p.page, heading=p.heading, quote=quote)]
        cits += [Citation(document=x.document, page=x.page, heading=x.heading, quote=x.text[:120]) for x, _ in hits[1:3]]
        return Answer(question=q.text, status="answered", answer=text, citations=cits, department=p.department,
                      year=p.year, item=q.item, measure="narrative")

    def _listing(self, item: str, flt: dict[str, Any]) -> tuple[str, Passage] | None:
        """The sentence that lists what the question asks for ("有哪些下属单位" → "本部门下属单位包括：甲、乙、
        丙。"): the words before its list marker cover most of the question's rare words; None if none does."""
        topic = _GENERIC_ASK.sub(" ", _LIST_MARK.sub(" ", item))  # "主要包括哪些": the asking words
        weight = {g: self.rarity(g) for g in _grams(topic)}
        total = sum(weight.values())
        if total <= 0:
            return None
        best: tuple[float, str, Passage] | None = None
        for i in self.retriever.candidates(flt):
            p = self.retriever.passages[i]
            sents = [x for x in re.split(r"(?<=[。；])", p.text) if x.strip()]
            for k, sent in enumerate(sents):
                m = _LIST_MARK.search(sent)
                if m is None or len([x for x in re.split(r"[、，,]", sent[m.end():]) if x.strip("。； ")]) < 2:
                    continue
                # "（二）公用经费1642.08万元。主要包括：…": a list opening its sentence lists what the one before names
                said = (sents[k - 1] if k and not _grams(sent[:m.start()]) else "") + sent
                covered = sum(w for g, w in weight.items() if g in said[:len(said) - len(sent) + m.start()]) / total
                if covered >= _LIST_COVER and (best is None or covered > best[0]):
                    best = (covered, said.strip(), p)
        return (best[1], best[2]) if best is not None else None

    def _reason(self, item: str, hits: list[tuple[Passage, float]], p: Passage, marker: str,
                flt: dict[str, Any] | None) -> tuple[str, Passage]:
        """The sentence about this item that gives its reason (or its use: `marker` opens it), from the
        best few passages; with `flt`, then the other passages in scope (a long passage the search ranks
        low: the sentence of an item's use is short and says little else)."""
        topic = re.sub(r"为什么|为何|原因|比上年|比去年|与上年|上年|去年|增加|减少|增长|下降|主要用于|用于|的|了|是|什么", " ", item)
        weight = {g: self.rarity(g) for g in _grams(topic)}
        because = re.compile(marker)
        best = None
        first = [cand for cand, _s in hits[:4]]
        rest = [] if flt is None else [x for i in self.retriever.candidates(flt) if (x := self.retriever.passages[i]) not in first]
        for cand in first + rest:
            sents = [x for x in re.split(r"(?<=[。；])", cand.text) if x.strip()]
            for k, sent in enumerate(sents):
                # the item is often named one or two sentences before the one giving the reason
                # ("…预算数为2,388.04万元。与上年相比增加2,247.84万元。主要是…")
                said = because.search(sent) is not None
                back = next((j for j in (k - 1, k - 2) if said and j >= 0 and any(g in sents[j] for g in weight)), k)
                window = "".join(sents[back:k + 1])
                # "主要是…" gives a reason after a change ("增加2,247.84万元。主要是…"); elsewhere it describes
                # ("支出315万元，主要是…运行费项目支出")
                # ("4．…支出315万元，主要是…运行费项目支出": a numbered item opens, its change must come first)
                said = said and (flt is not None or "原因" in sent or _CHANGED.search(sent) is not None
                                 or (not _NUMBERED.match(sent) and _CHANGED.search(window) is not None))
                score = sum(w for g, w in weight.items() if g in window) + (3 if said else 0)
                if best is None or score > best[0]:
                    best = (score, window, cand)
        if best is not None and best[0] > 3:
            return best[1].strip(), best[2]
        return p.text[:300], p


@lru_cache(maxsize=1)
def _narrative_words() -> dict[str, Any]:
    return tomllib.loads((DATA / "narrative.toml").read_text(encoding="utf-8"))


def focus(body: str, item: str) -> str | None:
    """The sentences of a long passage that speak of the asked-about topic ("防范非法集资…有什么职责"),
    or None when the question asks for the whole list ("主要职责有哪些")."""
    grams = _grams(_GENERIC_ASK.sub(" ", item))
    if len(grams) < 2:
        return None
    parts = [x for x in re.split(r"(?<=[。；])|(?=\d{1,2}\.[\u4e00-\u9fff])", body) if x and x.strip()]
    scored = [(sum(g in x for g in grams), n) for n, x in enumerate(parts)]
    best = max((sc for sc, _ in scored), default=0)
    if best < 2:
        return None
    keep = sorted(n for sc, n in scored if sc >= max(2, best - 1))[:3]
    return "".join(parts[n] for n in keep)
