"""The assistant: question → Plan (assistant/plan.py) → tools (lookup, compute, passages) → Answer.

`Assistant.ask` is the single-question entry; the conversation layer calls it with explicit
department/year/kind. This module holds what the assistant has loaded and dispatches a plan's
route to its tool; planning, arithmetic, narrative selection and phrasing live in their own modules.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import replace

from assistant import (
    comparisons,
    compute,
    confidence,
    counts,
    each_item,
    enumerations,
    guards,
    shares,
    sum_difference,
    table_rows,
    targets,
    understood,
)
from assistant.candidates import DENSE_K, Candidate, Ranker, label_similarities, scope_rows
from assistant.compose import cite, not_found, nothing_found
from assistant.decide import decide, reading_of, suggestion, suggestions
from assistant.figures import figure_answer
from assistant.joined_labels import names_one_side
from assistant.llm import ChatModel
from assistant.lookup import Scored
from assistant.narrative import Passages
from assistant.plan import Catalog, Plan, read, route
from assistant.ranker import Model, Thresholds, load_models
from assistant.records import Answer
from assistant.same_label import the_whole, twins, which_row
from assistant.scoped import ScopedFacts, ScopedRetriever
from assistant.sentence_whole import whole_first
from assistant.understand import Query, language, parse, sub_year_period
from assistant.years import each_year
from ingest.records import Fact, Passage
from vectorstore.cache import Catalog as StoreCatalog
from vectorstore.cache import DocumentCache
from vectorstore.facts_db import FactStore
from vectorstore.index import SearchIndex

log = logging.getLogger(__name__)

_MIN_SCORE = 2.0
_MIN_SCORE_STATED = 0.5
_MAX_UNCOVERED = 2


class Assistant:
    """Deterministic by default; answers are built from stored facts only."""

    def __init__(self, store: FactStore, index: SearchIndex | None = None, use_thesaurus: bool = True,
                 use_tables: bool = True, llm: ChatModel | None = None, max_chars: int = 2000, use_ranker: bool = True, use_dense: bool = True,
                 normalise: bool = True, models: dict[str, Model] | None = None, embed_model: str | None = None,
                 cache_facts: int = 300_000, use_decision: bool = False):
        self.store = store
        self.use_ranker = use_ranker  # False: the hand-weighted lexical lookup alone (the ablation)
        self.normalise = normalise
        self.models = load_models() if models is None else models
        # the fitted decision (assistant/confidence.py); None: answers pass unchecked
        self.confidence = confidence.load() if use_decision else None
        self._dense_labels = False  # whether the index answered through label vectors (see _dense)
        # dense similarity only from the embedding model the weights were fitted with: another model's
        # similarities mean something else (BUDGETQA_EMBED_MODEL=hash in tests)
        fitted = self.models.get("dense")
        self.use_dense = (use_dense and index is not None and fitted is not None and embed_model is not None
                          and fitted.embedder == embed_model)
        self.max_chars = max_chars
        self.index = index
        self.llm = llm  # optional chat model that phrases answers (assistant/llm.py)
        self.use_thesaurus = use_thesaurus
        self.use_tables = use_tables
        self._lock = threading.Lock()
        self._version: str | None = None
        # what a question reads of the store, kept per document within a budget (assistant/scoped.py)
        self.store_catalog = StoreCatalog(store)
        self._fact_cache: DocumentCache = DocumentCache(max_documents=2000, max_items=cache_facts,
                                                        size=lambda v: len(v[0]))
        self._passage_cache: DocumentCache = DocumentCache(max_documents=2000, max_items=cache_facts // 6,
                                                           size=lambda v: len(v[0]))
        self.refresh()

    def refresh(self) -> None:
        """Re-read the document list when the store changed (another process may have ingested); facts
        and passages are read per question for the documents it is about (ScopedFacts, ScopedRetriever),
        cached by document row id, so documents saved or removed since drop out of the caches."""
        if not self.store_catalog.refresh() and self._version is not None:
            return
        with self._lock:
            if self._version == self.store_catalog.version:  # another thread refreshed meanwhile
                return
            ids = self.store_catalog.keys()
            self._fact_cache.keep_only(ids)
            self._passage_cache.keep_only(ids)
            self.facts = ScopedFacts(self.store, self.store_catalog, self._fact_cache, self.use_tables)
            self.retriever = ScopedRetriever(self.store, self.store_catalog, self._passage_cache, index=self.index)
            self.passages = Passages(self.retriever)
            self.ranker = Ranker(self.facts, None, self._dense if self.use_dense else None, self.model,
                                 lambda: self.model)
            self.catalog = Catalog(list(self.store_catalog.departments), self.store_catalog.years())
            self._version = self.store_catalog.version

    @property
    def model(self) -> Model | None:
        """The fitted ranker in use: with dense similarity when there is a vector index."""
        if not self.use_ranker:
            return None
        if self.use_dense:
            # weights fitted on the kind of dense similarity this index gives (label or fact vectors)
            name = "dense_labels" if self._dense_labels and "dense_labels" in self.models else "dense"
            return self.models.get(name) or self.models.get("lexical")
        return self.models.get("lexical")

    @property
    def thresholds(self) -> Thresholds:
        m = self.model
        return m.thresholds if m else Thresholds()

    def set_models(self, models: dict[str, Model]) -> None:
        """Use other fitted weights (cross-validation folds in scripts/fit_ranker.py)."""
        self.models = models
        self.ranker.model = self.model

    def _dense(self, text: str, departments: list[str], years: list[int]) -> dict[int, float]:
        """Cosine similarity of the question to the nearest facts in the vector index: through the
        labels' vectors when the index keeps one per distinct label, else the facts' own sentences."""
        try:
            labels = self.index.search_labels(text, k=DENSE_K) if self.index is not None else None
        except Exception:  # noqa: BLE001 - an index that cannot answer leaves the other signals
            log.warning("label search failed; ranking without vector similarity", exc_info=True)
            labels = None
        self._dense_labels = labels is not None
        if labels is None:
            return {}
        sims = {(fieldname, label): 1.0 - float(dist) for fieldname, label, dist in labels}
        rows = scope_rows(self.facts, departments, years, None)
        return label_similarities(sims, self.facts.facts, rows)

    @property
    def departments(self) -> list[str]:
        return self.catalog.departments

    @property
    def years(self) -> dict[str, list[int]]:
        return self.catalog.years

    # ---- planning -------------------------------------------------------------------------
    def plan(self, question: str, department: str | None = None, year: int | None = None,
             kind: str | None = None) -> Plan:
        """The typed plan for a question: departments, years, kind, item words, measure, route."""
        self.refresh()
        q = read(question, self.catalog, self.use_thesaurus, self.normalise)
        p = route(question, q, self.catalog, department, year, kind)
        if p.route == "refuse" and q.sub_year:
            # "第二季度用款计划多少": annual documents do not say, unless one prints that period
            again = route(question, replace(q, sub_year=False), self.catalog, department, year, kind)
            if again.route != "refuse" and any(sub_year_period(f.row or "", q.rest) for f in self._scoped(again)):
                return again
        return p

    # ---- the public call ------------------------------------------------------------------
    def ask(self, question: str, department: str | None = None, year: int | None = None,
            kind: str | None = None) -> Answer:
        """Answer one question on its own; department/year/kind narrow the documents (the page's
        filters, or the conversation layer's). A conversation's history is read only by the layer
        above (assistant/conversation.py), never here."""
        answer = self._answer(question, department, year, kind)
        if self.llm is not None:
            from assistant.llm import phrase

            answer = phrase(answer, self.llm)
        return answer

    def _answer(self, question: str, department: str | None, year: int | None,
                kind: str | None = None) -> Answer:
        question = (question or "").strip()
        if len(question) > self.max_chars:
            return not_found(question[:200], "问题太长，请简要地问一个关于部门预算或决算的问题。")
        self.refresh()
        if not question or not re.search(r"[\u4e00-\u9fffA-Za-z]", question):
            return not_found(question, "请输入一个关于部门预算或决算的问题，例如“车辆维护的预算是多少？”")
        if not self.store_catalog.documents:
            return not_found(question, "还没有导入任何预算文件。请先导入 PDF。")
        p = self.plan(question, department, year, kind)
        answer = self.execute(p)
        answer.question = question
        return confidence.check(self, p, answer, self.confidence)  # the fitted decision (assistant/confidence.py)

    def execute(self, p: Plan) -> Answer:
        """Run a plan's tool; an indicator named outright that only a target states answers last."""
        a = self._execute(p)
        if a.status == "not_found" and p.route not in ("refuse", "which_department"):
            return targets.last(p.query, self._scoped(p)) or a
        return a

    def _execute(self, p: Plan) -> Answer:
        if p.route == "refuse":
            return not_found(p.text, p.reason or nothing_found(p.query.item, p.text))
        if p.route == "which_department":
            names = "；".join(p.departments[:5])
            return Answer(question=p.text, status="ambiguous", answer=f"问题中的名称可以指几个已导入的部门：{names}。请问您指的是哪一个？",
                          alternatives=list(p.departments[:5]), item=p.query.item, measure=p.query.measure)
        if p.route in ("value", "narrative") and table_rows.asks_rows(p.query) \
                and (rows := table_rows.answer(p.query, self._scoped(p))) is not None:
            return rows  # "项目支出预算表里列了多少个项目": the table's rows, not a sentence's count
        if p.route in ("value", "narrative") and (t := targets.first(p.query, self._scoped(p))) is not None:
            return t
        if p.route == "narrative":
            stated = self.count(p) if counts.asks_stated_count(p.query) else None
            return stated if stated is not None and stated.status == "answered" else self.passages.answer(p)
        if p.route == "value":
            return self.value(p)
        tool = {"sum_or_difference": sum_difference.sum_or_difference, "share": shares.share, "change": compute.change,
                "budget_vs_final": compute.budget_vs_final, "previous_year": compute.previous_year,
                "each_year": each_year, "each_item": each_item.each_item, "ratio": comparisons.ratio,
                "which_most": comparisons.which_most, "which_of_two": comparisons.which_of_two}[p.route]
        return tool(self, p)

    # ---- tools ----------------------------------------------------------------------------
    def candidates(self, q: Query, depts: list[str], years: list[int], kind: str | None, measure: str = "value",
                   text: str | None = None) -> list[Candidate]:
        """Every fact in scope that may answer the query, with the ranker's probability, best first."""
        return self.ranker.candidates(q, depts, years, kind, measure, text)

    def lookup(self, q: Query, depts: list[str], years: list[int], kind: str | None, measure: str = "value") -> list[Scored]:
        """Facts answering a query in these departments and years, best first (score: the ranker's
        probability; without a fitted ranker, the lexical score)."""
        if self.model is None:
            hits = self.facts.lookup(q, depts, years, kind, measure)
            # a stated share or change is looked for among the few facts of that measure only, so a
            # weaker match to the item is enough ("服务类占比" for "服务类政府采购支出预算 / 占比")
            least = _MIN_SCORE if measure == "value" else _MIN_SCORE_STATED
            typed = {w for w, _label in q.targets if len(w) >= 2}
            # a code the question writes names the row exactly: the other words qualify it (assistant/guards.py)
            ok = [h for h in hits if h.score >= least and (len(h.uncovered) <= _MAX_UNCOVERED or h.fact.row_code in q.codes)
                  and not names_one_side(h.fact, q.text)  # "购置费" is not "购置及运行费"
                  # a budget term the question names ("三公", "政府采购") that the fact does not speak of,
                  # unless the question gives the fact's classification code, which names the row exactly
                  and not (h.fact.row_code not in q.codes
                           and any(w not in h.matched and sum(c in h.uncovered for c in w) >= 2 for w in typed))]
            return guards.unit_first(q, self._guarded(q, ok, depts, years, kind))
        cands = self._guarded(q, self.candidates(q, depts, years, kind, measure), depts, years, kind)
        d = decide(cands, self.thresholds)
        if d.verdict != "answered" or d.best is None:
            return []  # a part of a computation must be as sure as an answer
        rest = [c for c in cands if c is not d.best and c.p >= self.thresholds.ambiguous]
        return [c.as_scored() for c in [d.best, *rest][:8]]

    def _guarded(self, q: Query, hits: list, depts: list[str], years: list[int], kind: str | None) -> list:
        """The hits that state what the question pins down (assistant/guards.py): the code it writes, an
        item it names that the hit leaves uncovered, the table it names, which figure of an account (年初预算,
        全年预算, 决算数), a figure per person."""
        scope = [self.facts.facts[i] for i in self.facts.select(depts, years, kind)]
        hits = guards.by_column_kind(q, guards.by_named_table(q, guards.by_code(q, hits, scope)))
        return guards.by_per_unit(q, guards.by_named_items(q, hits, scope))

    def sub_query(self, text: str, q: Query) -> Query:
        """A part of a question (one side of a sum, a share's denominator) read in the question's scope."""
        sub = parse(text, self.catalog.departments)
        sub.departments, sub.years, sub.kind = q.departments, q.years, q.kind
        if not self.use_thesaurus:
            sub.targets = []
        return sub

    def _passages(self, p: Plan) -> list[Passage]:
        flt = {"department": p.departments or None, "year": p.years or None}
        return [self.retriever.passages[i] for i in self.retriever.candidates(flt)]

    def _scoped(self, p: Plan) -> list[Fact]:
        return [self.facts.facts[i] for i in self.facts.select(p.departments, p.years, p.kind)]

    def facts_in(self, department: str, year: int) -> list[Fact]:
        """Every fact of one department's documents of one year."""
        return [self.facts.facts[i] for i in self.facts.select([department], [year], None)]

    def years_of(self, department: str) -> list[int]:
        return list(self.catalog.years.get(department, []))

    def value(self, p: Plan) -> Answer:
        """One figure: the best-ranked fact when it is clearly ahead; the close readings when two
        figures compete; else the narrative when it may say, else not found with "did you mean"."""
        q = p.query
        if q.count:
            counted = self.count(p)
            if counted is not None:
                return counted
            if q.years and p.years and p.years[0] not in q.years:
                return self._nothing(p, [])  # read in the next year's document for its year-end count only
        if guards.asked_codes(q) and (rows := guards.code_name_conflict(q, self._scoped(p))):
            return self._which_reading(p, rows)  # the code names one row, the words another: ask which
        if self.model is None:
            hits = guards.not_stated(q, self.lookup(q, p.departments, p.years, p.kind))
            hits = [h for h in hits if not counts.not_a_count(q, h.fact)]  # "多少人次" is not answered in 批
            if len(twin_rows := twins(hits)) > 1:  # one label on several rows with different figures: ask which
                if (whole := the_whole(q, twin_rows)) is not None:  # unless the question asks the whole
                    return figure_answer(self, p, whole, close=whole[1:3])  # the parts named beside it
                return which_row(p, twin_rows)
            if rivals := guards.leaf_rivals(hits):  # one name under two parents of a table: ask which
                return self._which_reading(p, rivals, whole_rows=True)
            if hits:  # a part of a sentence's whole is not the whole the question names
                return figure_answer(self, p, whole_first(q, hits))
            near = [h for h in self.facts.lookup(q, p.departments, p.years, p.kind, near=True) if h.score > 0]
            if (hit := understood.near_reading(q, near)) is not None:  # an abbreviation or typo of one item
                return understood.said(figure_answer(self, p, [hit, *(h for h in near if h is not hit)], close=[]), hit)
            return self._nothing(p, suggestions(near))
        cands = self._guarded(q, guards.not_stated(q, self.candidates(q, p.departments, p.years, p.kind, "value", p.text)),
                              p.departments, p.years, p.kind)
        scored = [c.as_scored() for c in cands[:8]]
        if (whole := whole_first(q, scored)) is not scored:  # the parts of a sentence's whole are not rivals of it
            return figure_answer(self, p, whole, close=[])
        d = decide(cands, self.thresholds)
        if d.verdict == "answered" and d.best is not None and counts.not_a_count(q, d.best.fact):
            return self._nothing(p, suggestions(cands))  # "有几个项目" is never answered with 100% or 万元
        if d.verdict == "answered" and d.best is not None:
            # the figure is decided; which of the facts stating it leads is the lexical order without the
            # canonical table's weight (lookup.ranked): the sentence that also states the change may lead
            same = [c for c in cands if c.lexical and abs(c.fact.value - d.best.fact.value) < 0.005]
            lead = max(same, key=lambda c: c.lexical.score - c.lexical.canonical if c.lexical else 0.0, default=d.best)
            ranked = [lead, *(c for c in cands if c is not lead)]
            return figure_answer(self, p, [c.as_scored() for c in ranked[:8]], close=[])
        if d.verdict == "ambiguous":
            if (whole := the_whole(q, [c.as_scored() for c in d.readings])) is not None:  # "一共": the whole's
                return figure_answer(self, p, whole, close=whole[1:3])
            return self._which_reading(p, [c.fact for c in d.readings])
        if (read_as := understood.reading(q, cands)) is not None:  # an abbreviation or typo of one item, far ahead
            return understood.said(figure_answer(self, p, [read_as.as_scored()], close=[]), read_as)
        return self._nothing(p, suggestions(cands))

    def _which_reading(self, p: Plan, facts: list[Fact], whole_rows: bool = False) -> Answer:
        """Two or three readings with different figures, one line each, and the question which (whole_rows:
        each with its row's whole path, where the rows differ only above their own name)."""
        lines = [reading_of(f.model_copy(update={"row": (f.row or "").replace(" / ", "—")}) if whole_rows else f)
                 for f in facts]
        text = "这个问题有几种读法，数字不同：\n" + "\n".join(f"· {x}" for x in lines) + "\n请问您指的是哪一项？"
        return Answer(question=p.query.text, status="ambiguous", answer=text, alternatives=lines,
                      citations=[cite(f) for f in facts], department=p.departments[0] if len(p.departments) == 1 else None,
                      year=p.years[0] if len(p.years) == 1 else None, item=p.query.item, measure="value")

    def count(self, p: Plan) -> Answer | None:
        """A how-many question from the count facts of the documents in scope (assistant/counts.py);
        "截至2024年底" is also read in the next year's document, which states the year-end state."""
        q = p.query
        years = list(p.years)
        if re.search(language()["count"]["year_end_pattern"], q.q):
            for d in p.departments:
                years += [y + 1 for y in p.years if y + 1 in self.years_of(d) and y + 1 not in years]
        facts = [self.facts.facts[i] for i in self.facts.select(p.departments, years, p.kind)]
        main, part = counts.split_part(q.text)
        stated = counts.answer(self.sub_query(main, q) if part else q, facts, self.sub_query(part, q) if part else None)
        return enumerations.or_counted(stated, q, self._passages(p))

    def _nothing(self, p: Plan, near: Sequence[Candidate | Scored]) -> Answer:
        q = p.query
        if q.count or "多少" not in q.text:  # "下属有几个预算单位": the narrative may say
            a = self.passages.answer(p, fallback=True)
            if a.status == "answered":
                return a
        return not_found(q.text, nothing_found(q.item, q.text), [suggestion(c) for c in near[:3]])
