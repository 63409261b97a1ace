"""The assistant: plan a question, call the lookup/compute/passage tools, compose a cited Answer."""

from __future__ import annotations

import re
import threading
from typing import Any, Protocol

from assistant.compose import cite, fmt, label, where
from assistant.lookup import Scored
from assistant.records import Answer, Citation
from assistant.scoped import ScopedFacts, ScopedRetriever
from assistant.understand import Query, parse
from budgetqa.settings import Settings
from ingest.records import Fact
from vectorstore.cache import Catalog, DocumentCache
from vectorstore.facts_db import FactStore

_MIN_SCORE = 2.0
_MAX_UNCOVERED = 2
_FOLLOW_UP = re.compile(r"^(那|那么|还有|再问|那个|它|其中)|呢[？?]?$")


class Assistant:
    """Deterministic by default; answers are built from stored facts only."""

    def __init__(self, store: FactStore, index: Any = None, use_thesaurus: bool = True, use_tables: bool = True,
                 llm: Any = None, max_chars: int = 2000, cache_facts: int = 300_000):
        self.store = store
        self.max_chars = max_chars
        self.index = index
        self.llm = llm  # optional chat model that phrases answers (assistant/llm.py)
        self.use_thesaurus = use_thesaurus
        self.use_tables = use_tables
        self._lock = threading.Lock()
        self._version: str | None = None
        # what a question reads of the store, kept per document within a budget (assistant/scoped.py)
        self.catalog = Catalog(store)
        self._fact_cache: DocumentCache = DocumentCache(max_documents=2000, max_items=cache_facts,
                                                        size=lambda v: len(v[0]))
        self._passage_cache: DocumentCache = DocumentCache(max_documents=2000, max_items=cache_facts // 6,
                                                           size=lambda v: len(v[0]))
        self.refresh()

    def refresh(self) -> None:
        """Re-read the document list when the store changed (another process may have ingested); facts
        and passages are read per question for the documents it is about (ScopedFacts, ScopedRetriever),
        cached by document row id, so documents saved or removed since drop out of the caches."""
        if not self.catalog.refresh() and self._version is not None:
            return
        with self._lock:
            if self._version == self.catalog.version:  # another thread refreshed meanwhile
                return
            ids = self.catalog.keys()
            self._fact_cache.keep_only(ids)
            self._passage_cache.keep_only(ids)
            self.facts = ScopedFacts(self.store, self.catalog, self._fact_cache, self.use_tables)
            self.retriever = ScopedRetriever(self.store, self.catalog, self._passage_cache, index=self.index)
            self.departments = self.catalog.departments
            self.years: dict[str, list[int]] = self.catalog.years()
            self._rarity_cache: dict[str, float] = {}
            self._version = self.catalog.version

    # ---- planning -------------------------------------------------------------------------
    def _query(self, question: str, history: list[dict] | None) -> tuple[Query, dict]:
        q = parse(question, self.departments)
        if not self.use_thesaurus:
            q.targets = []
        prev = _last_answer(history)
        ctx: dict = {}
        if prev:
            ctx = {"department": prev.get("department"), "year": prev.get("year"), "item": prev.get("item"),
                   "measure": prev.get("measure")}
            short = len(q.item) <= 8 or _FOLLOW_UP.search(question.strip())
            if short and not q.departments and ctx["department"]:
                q.departments = [ctx["department"]]
            if short and not q.years and ctx["year"] and not q.previous_year:
                q.years = [ctx["year"]]
            item_words = re.sub(r"[那么呢？?。，,的还有再问它其中]|去年|上年|占多少|比例|占比", "", q.item)
            if not item_words and ctx.get("item"):
                measure, prev_year = q.measure, q.previous_year
                q2 = parse(str(ctx["item"]), self.departments)
                q.item, q.targets, q.codes = q2.item, q2.targets if self.use_thesaurus else [], q2.codes
                q.measure, q.previous_year = measure, prev_year
        return q, ctx

    def _scope(self, q: Query, department: str | None, year: int | None) -> tuple[list[str], list[int], str | None]:
        depts = [department] if department else q.departments
        years = [year] if year else list(q.years)
        if not depts and len(self.departments) == 1:
            depts = list(self.departments)
        if not years and (q.this_year or q.previous_year or True):
            known = sorted({y for d in (depts or self.departments) for y in self.years.get(d, [])})
            if known and (len(depts) == 1 or len(self.departments) == 1):
                years = [known[-1]]
        kind = q.kind
        return depts, years, kind

    # ---- the public call ------------------------------------------------------------------
    def ask(self, question: str, history: list[dict] | None = None, department: str | None = None,
            year: int | None = None, kind: str | None = None) -> Answer:
        """Answer one question; department/year/kind narrow the documents (the page's filters)."""
        answer = self._answer(question, history, department, year, kind)
        if self.llm is not None:
            from assistant.llm import phrase

            answer = phrase(answer, self.llm)
        return answer

    def _answer(self, question: str, history: list[dict] | None, department: str | None,
                year: int | None, kind_filter: str | None = None) -> Answer:
        question = (question or "").strip()
        if len(question) > self.max_chars:
            return _not_found(question[:200], "问题太长，请简要地问一个关于部门预算或决算的问题。")
        self.refresh()
        if not question or not re.search(r"[\u4e00-\u9fffA-Za-z]", question):
            return _not_found(question, "请输入一个关于部门预算或决算的问题，例如“车辆维护的预算是多少？”")
        if not self.catalog.documents:
            return _not_found(question, "还没有导入任何预算文件。请先导入 PDF。")
        q, _ctx = self._query(question, history)
        if q.sub_year and not q.narrative:
            return _not_found(question, "预算和决算文件只有全年数，没有按月或按季度的执行数据，无法回答。")
        if q.region_total and not q.narrative:
            return _not_found(question, "已导入的是部门预算/决算文件，不包含全区（全市、全省）的汇总数据，无法回答。")
        if q.unknown_department and not department:
            return _not_found(question, f"已导入的文件中没有“{q.unknown_department}”的预算或决算，无法回答。")
        depts, years, kind = self._scope(q, department, year)
        kind = kind_filter or kind
        missing = [y for y in years if depts and all(y not in self.years.get(d, []) for d in depts)]
        if q.previous_year and years and not q.years:
            return self._previous_year(q, depts, years[0], kind)
        if missing and q.narrative:  # "2024年期末共有几辆车" is told in the 2025 document
            return self._narrative(q, depts, [], kind)
        if missing:
            later = [y for d in depts for y in self.years.get(d, []) if y == missing[0] + 1]
            if q.previous_year or (later and q.measure == "value" and not q.narrative):
                return self._previous_year(q, depts, missing[0] + 1, kind)
            name = "、".join(depts) if depts else "所选部门"
            return _not_found(question, f"已导入的文件中没有{name}{missing[0]}年的数据，无法回答。")
        if q.narrative:
            return self._narrative(q, depts, years, kind)
        if q.measure in ("sum", "difference"):
            return self._two_items(q, depts, years, kind)
        if q.measure == "share":
            return self._share(q, depts, years, kind)
        if q.measure in ("change_amount", "change_rate"):
            return self._change(q, depts, years, kind)
        if q.measure in ("budget_gap", "completion"):
            return self._budget_vs_final(q, depts, years, kind)
        return self._value(q, depts, years, kind)

    # ---- tools ----------------------------------------------------------------------------
    def lookup(self, q: Query, depts: list[str], years: list[int], kind: str | None, measure: str = "value") -> list[Scored]:
        hits = self.facts.lookup(q, depts, years, kind, measure)
        return [h for h in hits if h.score >= _MIN_SCORE and len(h.uncovered) <= _MAX_UNCOVERED]

    def _value(self, q: Query, depts: list[str], years: list[int], kind: str | None) -> Answer:
        hits = self.lookup(q, depts, years, kind)
        if not hits:
            if q.count or "多少" not in q.text:  # "下属有几个预算单位": the narrative may say
                return self._narrative(q, depts, years, kind, fallback=True)
            return _not_found(q.text, _nothing(q))
        best = hits[0]
        f = best.fact
        same = [h.fact for h in hits[1:] if abs(h.fact.value - f.value) < 0.005 and h.fact.table != f.table][:2]
        others = [h for h in hits[1:] if abs(h.fact.value - f.value) >= 0.005 and best.score - h.score < 1.0
                  and label(h.fact) != label(f)][:2]
        text = f"{f.year}年{f.department}{label(f)}{_kind_word(f)}为{fmt(f.value)}{f.unit}。"
        ctx = self._context(f)
        if ctx:
            text += ctx[0]
        alternatives = [f"{label(h.fact)}{fmt(h.fact.value)}{h.fact.unit}（{where(h.fact)}）" for h in others]
        if alternatives:
            text += "另有相近项目：" + "；".join(alternatives) + "。如指的是它们，请说明。"
        text += where(f) + "。"
        cits = [cite(f)] + [cite(x) for x in same] + (ctx[1] if ctx else []) + [cite(h.fact) for h in others]
        return Answer(question=q.text, status="answered", answer=text, value=f.value, unit=f.unit, citations=cits,
                      alternatives=alternatives, department=f.department, year=f.year, item=q.item, measure="value")

    def _context(self, f: Fact) -> tuple[str, list[Citation]] | None:
        """The change from last year and its reason, when the narrative states them for this item."""
        name = (f.row or "").split(" / ")[-1] if f.source == "narrative" else label(f)
        same_doc_year = [self.facts.facts[i] for i in self.facts.select([f.department], [f.year], None)]
        for g in same_doc_year:
            if (g.source == "narrative" and g.department == f.department and g.year == f.year and g.row
                    and g.column.startswith("比上年") and g.unit != "%" and g.row == name):
                rate = next((h for h in same_doc_year if h.source == "narrative" and h.document == g.document
                             and h.row == g.row and h.unit == "%" and h.column.startswith("比上年")), None)
                word = "增加" if ("增加" in g.column or "增长" in g.column) else "减少"
                s = f"比上年{word}{fmt(g.value)}{g.unit}" + (f"，{rate.column[3:5]}{fmt(rate.value)}%" if rate else "")
                reason = re.search(r"主要原因[:：]?([^。]*)", g.quote or "")
                s += f"，主要原因：{reason.group(1)}" if reason else ""
                return s + "。", [cite(g)]
        return None

    def _change(self, q: Query, depts: list[str], years: list[int], kind: str | None) -> Answer:
        hits = self.lookup(q, depts, years, kind, q.measure)
        if hits:
            f = hits[0].fact
            word = f.column.replace("比上年", "").replace("率", "")
            unit = "%" if q.measure == "change_rate" else f.unit
            text = f"{f.year}年{f.department}{f.row}比上年{word}{fmt(f.value)}{unit}。{where(f)}说明部分。"
            return Answer(question=q.text, status="answered", answer=text, value=f.value, unit=unit,
                          citations=[cite(f)], department=f.department, year=f.year, item=q.item, measure=q.measure)
        # not stated: compute from two years' documents when both are loaded
        if years:
            cur = self.lookup(q, depts, years, kind)
            prev = self.lookup(q, depts, [years[0] - 1], kind) if cur else []
            if cur:  # the same item last year: same label, else same row in the same kind of table
                a0 = cur[0].fact
                prev = ([p for p in prev if label(p.fact) == label(a0) and p.fact.table_type == a0.table_type]
                        or [p for p in prev if label(p.fact) == label(a0)]
                        or [p for p in prev if p.fact.row == a0.row and p.fact.table_type == a0.table_type])
            if cur and prev:
                a, b = cur[0].fact, prev[0].fact
                diff = round(a.value - b.value, 2)
                if q.measure == "change_rate":
                    if b.value == 0:
                        return _not_found(q.text, "上年数为0，无法计算增长率。")
                    rate = round(diff / b.value * 100, 2)
                    how = f"({fmt(a.value)} - {fmt(b.value)}) ÷ {fmt(b.value)} × 100% = {fmt(rate)}%"
                    return _computed(q, rate, "%", f"{a.year}年{label(a)}比{b.year}年变化{fmt(rate)}%", how, [a, b])
                how = f"{fmt(a.value)} - {fmt(b.value)} = {fmt(diff)}"
                return _computed(q, abs(diff), a.unit, f"{a.year}年{label(a)}比{b.year}年{'增加' if diff >= 0 else '减少'}{fmt(abs(diff))}{a.unit}", how, [a, b])
        return _not_found(q.text, "文件中没有说明该项目与上年相比的变化，也没有上年的文件可供计算。")

    def _by_heading(self, q: Query, flt: dict) -> tuple[Any, float] | None:
        """A passage whose own heading is what the question names ("主要职责" → "一、主要职能";
        "名词解释里基本支出…" → "第三部分 名词解释 > 七、基本支出")."""
        item = q.item.replace("职责", "职能").replace("组成", "构成")
        best, best_key = None, (1, 1.0)  # at least two words of the heading named
        for i in self.retriever.candidates(flt):
            p = self.retriever.passages[i]
            levels = [re.sub(r"^[（(]?[一二三四五六七八九十\d]+[、）).．]|[“”\"]", "", h) for h in p.heading.split(" > ")]
            leaf, parents = levels[-1], "".join(levels[:-1])
            grams = {leaf[i:i + 2] for i in range(len(leaf) - 1)} - {"情况", "说明", "部门", "预算", "决算"}
            up = {parents[i:i + 2] for i in range(len(parents) - 1)} - {"情况", "说明", "部门", "预算", "决算"}
            n = sum(g in item for g in grams)
            if not grams or n == 0:
                continue
            key = (n + sum(g in item for g in up), n / len(grams))
            if key > best_key:
                best, best_key = p, key
        return (best, float(best_key[0])) if best is not None else None

    def _rarity(self, gram: str) -> float:
        """1 for a bigram few passages contain, near 0 for one most contain ("经费", "支出")."""
        cache = self._rarity_cache
        if gram not in cache:
            n = self.retriever.size() or 1
            df = self.retriever.document_frequency(gram)
            cache[gram] = max(0.0, 1.0 - df / n) ** 2
        return cache[gram]

    def _budget_vs_final(self, q: Query, depts: list[str], years: list[int], kind: str | None) -> Answer:
        """决算 documents print 预算数 beside 决算数: the gap between them, or the completion rate."""
        if q.measure == "completion":
            stated = self.lookup(q, depts, years, kind, "completion")
            if stated:
                f = stated[0].fact
                text = f"{f.year}年{f.department}{f.row}完成预算的{fmt(f.value)}%。{where(f)}说明部分：{f.quote}"
                return Answer(question=q.text, status="answered", answer=text, value=f.value, unit="%",
                              citations=[cite(f)], department=f.department, year=f.year, item=q.item, measure=q.measure)
        q.wants_budget_column = True
        budget = [h for h in self.lookup(q, depts, years, kind) if "预算" in h.fact.column]
        q.wants_budget_column = False
        final = [h for h in self.lookup(q, depts, years, kind) if "决算" in h.fact.column]
        if not budget or not final:
            return _not_found(q.text, "没有同时找到该项目的预算数和决算数，无法比较。")
        b, f = budget[0].fact, final[0].fact
        if b.unit != f.unit:
            return _not_found(q.text, "预算数和决算数的单位不同，无法比较。")
        if q.measure == "completion":
            if b.value == 0:
                return _not_found(q.text, "预算数为0，无法计算完成比例。")
            rate = round(f.value / b.value * 100, 2)
            how = f"{fmt(f.value)} ÷ {fmt(b.value)} × 100% = {fmt(rate)}%"
            return _computed(q, rate, "%", f"{label(f)}决算数为预算数的{fmt(rate)}%", how, [f, b])
        gap = round(f.value - b.value, 2)
        how = f"{fmt(f.value)} - {fmt(b.value)} = {fmt(gap)}"
        word = "多" if gap >= 0 else "少"
        return _computed(q, abs(gap), f.unit, f"{label(f)}决算数比预算数{word}{fmt(abs(gap))}{f.unit}", how, [f, b])

    def _previous_year(self, q: Query, depts: list[str], year: int, kind: str | None) -> Answer:
        """Last year's figure: from last year's document, else current minus the stated change."""
        prev_docs = [y for d in depts for y in self.years.get(d, []) if y == year - 1]
        if prev_docs:
            q.years = [year - 1]
            return self._value(q, depts, [year - 1], kind)
        cur = [s for s in self.lookup(q, depts, [year], kind) if s.fact.measure != "target"]  # a target has no last year
        ch = self.lookup(q, depts, [year], kind, "change_amount")
        if cur and ch:
            a, c = cur[0].fact, ch[0].fact
            up = "增加" in c.column or "增长" in c.column
            prev = round(a.value - c.value if up else a.value + c.value, 2)
            how = f"{fmt(a.value)} {'-' if up else '+'} {fmt(c.value)} = {fmt(prev)}（{year}年数{'减去' if up else '加上'}比上年{'增加' if up else '减少'}额）"
            return _computed(q, prev, a.unit, f"{year - 1}年{label(a)}约为{fmt(prev)}{a.unit}", how, [a, c])
        return _not_found(q.text, f"已导入的文件中没有{year - 1}年的该项数据，无法回答。")

    def _share(self, q: Query, depts: list[str], years: list[int], kind: str | None) -> Answer:
        num_text, den_text = _share_parts(q.rest or q.item)
        num_q = self._sub_query(num_text or q.item, q)
        stated = self.lookup(num_q, depts, years, kind, "share")
        if stated and (not den_text or _mentions(stated[0].fact.quote or "", den_text)):
            f = stated[0].fact
            text = f"{f.year}年{f.department}{f.row}占{fmt(f.value)}%。{where(f)}说明部分：{f.quote}"
            return Answer(question=q.text, status="answered", answer=text, value=f.value, unit="%", citations=[cite(f)],
                          department=f.department, year=f.year, item=q.item, measure="share")
        cur = self.lookup(num_q, depts, years, kind)
        if not cur:
            return _not_found(q.text, _nothing(q))
        a = cur[0].fact
        if den_text:
            den = self.lookup(self._sub_query(den_text, q), depts, years, kind)
            total = next((d.fact for d in den if d.fact.unit == a.unit and d.fact is not a), None)
        else:
            total = self._total_for(a)
        if total is None or total.value == 0:
            return _not_found(q.text, f"找到{label(a)}，但没有找到可作分母的合计数，无法计算占比。")
        share = round(a.value / total.value * 100, 2)
        how = f"{fmt(a.value)} ÷ {fmt(total.value)} × 100% = {fmt(share)}%"
        return _computed(q, share, "%", f"{label(a)}占{label(total)}的{fmt(share)}%", how, [a, total])

    def _sub_query(self, text: str, q: Query) -> Query:
        sub = parse(text, self.departments)
        sub.departments, sub.years, sub.kind = q.departments, q.years, q.kind
        if not self.use_thesaurus:
            sub.targets = []
        return sub

    def _total_for(self, f: Fact) -> Fact | None:
        same_table = [g for g in (self.facts.facts[i] for i in self.facts.select([f.department], [f.year], None))
                      if g.document == f.document and g.table_index == f.table_index and g.source == "table"]
        row_total = [g for g in same_table if g.column == f.column and (g.row or "") in ("合计", "总计")]
        col_total = [g for g in same_table if g.row == f.row and g.page == f.page and g.column in ("合计", "总计")]
        if f.column.split(" / ")[0] not in ("合计", "总计") and col_total and f.column not in ("合计", "总计"):
            return col_total[0]
        return row_total[0] if row_total and row_total[0] is not f else None

    def _two_items(self, q: Query, depts: list[str], years: list[int], kind: str | None) -> Answer:
        item = re.sub(r"[两三四五六七八九几]项|这[两三四五六七八九几]个项目|合计|一共|总共|共计|加起来", "", q.item)
        parts = [p for p in re.split(r"以及|和|与|及|加上|加|跟|比|、|还有|，|,", item) if re.search(r"[\u4e00-\u9fff]{2}", p)]
        if len(parts) < 2:
            return self._value(q, depts, years, kind)
        if q.measure == "difference":
            parts = parts[:2]
        found: list[Fact] = []
        for part in parts:
            hits = self.lookup(self._sub_query(part, q), depts, years, kind)
            if not hits:
                return _not_found(q.text, f"没有找到“{part}”的数据，无法计算。")
            found.append(hits[0].fact)
        unit = found[0].unit
        if any(f.unit != unit for f in found):
            return _not_found(q.text, "这些数字的单位不同，无法直接相加减。")
        if q.measure == "sum":
            v = round(sum(f.value for f in found), 2)
            how = " + ".join(fmt(f.value) for f in found) + f" = {fmt(v)}"
            return _computed(q, v, unit, "、".join(label(f) for f in found) + f"合计{fmt(v)}{unit}", how, found)
        a, b = found
        v = round(a.value - b.value, 2)
        how = f"{fmt(a.value)} - {fmt(b.value)} = {fmt(v)}"
        return _computed(q, abs(v), unit, f"{label(a)}比{label(b)}{'多' if v >= 0 else '少'}{fmt(abs(v))}{unit}", how, [a, b])

    def _narrative(self, q: Query, depts: list[str], years: list[int], kind: str | None, fallback: bool = False) -> Answer:
        flt = {"department": depts or None, "year": years or None}
        hits = self.retriever.search(q.text, flt)
        if not hits:
            return _not_found(q.text, _nothing(q))
        p, _score = self._by_heading(q, flt) or hits[0]
        if fallback:
            topic = _GENERIC_ASK.sub(" ", q.item)
            grams = {topic[i:i + 2] for i in range(len(topic) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", topic[i:i + 2])}
            if not grams or sum(g in p.heading + p.text for g in grams) < 0.6 * len(grams):
                return _not_found(q.text, _nothing(q))
        why = bool(re.search(r"为什么|原因", q.text))
        if why:
            # the reason sentence about this item, from the best few passages
            topic = re.sub(r"为什么|为何|原因|比上年|比去年|与上年|上年|去年|增加|减少|增长|下降|的|了|是|什么", " ", q.item)
            grams = {topic[i:i + 2] for i in range(len(topic) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", topic[i:i + 2])}
            weight = {g: self._rarity(g) for g in grams}
            best = None
            for cand, _s in hits[:4]:
                sents = [x for x in re.split(r"(?<=[。；])", cand.text) if x.strip()]
                for k, sent in enumerate(sents):
                    # the item is often named in the sentence before the one giving the reason
                    window = (sents[k - 1] if k and "原因" in sent else "") + sent
                    score = sum(w for g, w in weight.items() if g in window) + (3 if "原因" in sent else 0)
                    if best is None or score > best[0]:
                        best = (score, window, cand)
            if best is not None and best[0] > 3:
                _sc, sent, p = best
                quote = sent.strip()
            else:
                quote = p.text[:300]
        else:
            mine = (self.retriever.passages[i] for i in self.retriever.candidates({"department": p.department}))
            same = [x for x in mine if x.document == p.document and x.heading == p.heading]
            body = "".join(x.text for x in same) if same else p.text
            quote = _focus(body, q.item) or body[:1200]
        text = f"根据《{p.document}》第{p.page}页“{p.heading.split(' > ')[-1] if p.heading else '说明'}”：{quote}"
        cits = [Citation(document=p.document, page=p.page, heading=p.heading, quote=quote)]
        cits += [Citation(document=x.document, page=x.page, heading=x.heading, quote=x.text[:120]) for x, _ in hits[1:3]]
        return Answer(question=q.text, status="answered", answer=text, citations=cits, department=p.department,
                      year=p.year, item=q.item, measure="narrative")


_GENERIC_ASK = re.compile(r"主要职责|职责|职能|有哪些|哪些|是什么|什么|主要内容|方面|情况|介绍|包括|内容|有没有|有无|是否|几个|多少个|下属|为何|为什么|原因")


def _focus(body: str, item: str) -> str | None:
    """The sentences of a long passage that speak of the asked-about topic ("防范非法集资…有什么职责"),
    or None when the question asks for the whole list ("主要职责有哪些")."""
    topic = _GENERIC_ASK.sub(" ", item)
    grams = {topic[i:i + 2] for i in range(len(topic) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", topic[i:i + 2])}
    if len(grams) < 2:
        return None
    parts = [x for x in re.split(r"(?<=[。；])|(?=\d{1,2}\.[\u4e00-\u9fff])", body) if x and x.strip()]
    scored = [(sum(g in x for g in grams), n) for n, x in enumerate(parts)]
    best = max((sc for sc, _ in scored), default=0)
    if best < 2:
        return None
    keep = sorted(n for sc, n in scored if sc >= max(2, best - 1))[:3]
    return "".join(parts[n] for n in keep)


def _share_parts(item: str) -> tuple[str, str]:
    """'人员经费占基本支出的百分之几' -> ('人员经费', '基本支出'); '项目支出中其他运转类占…' -> ('其他运转类', '项目支出')."""
    if "占" not in item:
        return item, ""
    num, den = item.split("占", 1)
    den = re.sub(r"^(比例|比重|比)?(是|为)?", "", den)
    den = re.sub(r"(的)?(比例|比重|百分比|百分之几|多少|多大|份额|几成).*$", "", den).strip("的 ")
    m = re.match(r"^在?(.+?)(?:里面|里|中|当中)(.+)$", num)
    m2 = re.match(r"^(.+?)在(.+?)(?:里面|里|中|当中)?$", num)
    if m2 and not den:
        num, den = m2.group(1), m2.group(2)
    elif m and not den:
        den, num = m.group(1), m.group(2)
    elif m:
        num = m.group(2)
    den = den.strip("的是为 ")
    return num.strip("的 "), den if len(re.findall(r"[\u4e00-\u9fff]", den)) >= 2 else ""


def _mentions(quote: str, text: str) -> bool:
    words = re.findall(r"[\u4e00-\u9fff]{2,}", text)
    return bool(words) and all(w[:2] in quote for w in words)


def _kind_word(f: Fact) -> str:
    if f.kind == "决算":
        return "决算数" if "决算" in f.column or f.source == "narrative" else ("预算数" if "预算" in f.column else "")
    return "预算"


def _nothing(q: Query) -> str:
    what = re.sub(r"[\d.,%]+", "", q.item.strip() or q.text)[:40]  # never echo a figure the documents lack
    return f"已导入的文件中没有找到“{what}”的相关数据，无法回答。"


def _not_found(question: str, text: str) -> Answer:
    return Answer(question=question, status="not_found", answer=text)


def _computed(q: Query, value: float, unit: str, sentence: str, how: str, facts: list[Fact]) -> Answer:
    f = facts[0]
    text = f"{f.year}年{f.department}{sentence}。计算方法：{how}。" + "；".join(
        f"{label(x)}{fmt(x.value)}{x.unit}{where(x)}" for x in facts) + "。"
    return Answer(question=q.text, status="answered", answer=text, value=value, unit=unit,
                  citations=[cite(x) for x in facts], computation=how, department=f.department, year=f.year,
                  item=q.item, measure=q.measure)


def _last_answer(history: list[dict] | None) -> dict | None:
    """The last answer in a client-sent history, keeping only well-typed fields (it is user input)."""
    for turn in reversed(history or []):
        if isinstance(turn, dict) and turn.get("role") == "assistant" and isinstance(turn.get("answer"), dict):
            a = turn["answer"]
            year = a.get("year")
            return {
                "department": a["department"] if isinstance(a.get("department"), str) else None,
                "year": int(year) if isinstance(year, int) or (isinstance(year, str) and year.isdigit()) else None,
                "item": a["item"][:200] if isinstance(a.get("item"), str) else None,
                "measure": a["measure"] if isinstance(a.get("measure"), str) else None,
            }
    return None


class _LazyIndex:
    """Opens the vector index (and loads the embedding model, seconds) on the first narrative
    question: figure lookups never need it, so start-up and `budgetqa ask` stay fast."""

    def __init__(self, lib: Any):
        self._lib = lib
        self._index: Any = None
        self._failed = False
        self._lock = threading.Lock()

    def search(self, *args: Any, **kwargs: Any) -> list:
        with self._lock:
            if self._index is None and not self._failed:
                try:
                    self._index = self._lib.index
                except Exception:  # the keyword retriever still answers narrative questions
                    self._failed = True
        return self._index.search(*args, **kwargs) if self._index is not None else []


class _Library(Protocol):
    """What the assistant needs of the process's one `library.Library` (the write path): its store and
    its vector index, opened on first use."""

    store: FactStore

    @property
    def index(self) -> Any: ...


def build_assistant(settings: Settings, lib: _Library, with_index: bool = True) -> Assistant:
    """The assistant over `lib`'s store (vector index when it can be opened). `lib` is the process's
    one Library: the assistant never builds a writer of its own."""
    index = _LazyIndex(lib) if with_index else None
    llm = None
    if settings.llm:
        from assistant.llm import chat_model

        llm = chat_model(settings.llm)
    return Assistant(lib.store, index, llm=llm, max_chars=settings.max_question_chars)
