"""The assistant: question → Plan (assistant/plan.py) → tools (lookup, compute, passages) → Answer.

`Assistant.ask` is the single-question entry; the conversation layer calls it with explicit
department/year/kind. This module holds what the assistant has loaded and dispatches a plan's
route to its tool; planning, arithmetic, narrative selection and phrasing live in their own modules.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

from assistant import compute
from assistant.compose import not_found, nothing_found
from assistant.figures import figure_answer
from assistant.followup import apply_history
from assistant.lookup import FactIndex, Scored, labels_of
from assistant.narrative import Passages
from assistant.plan import Catalog, Plan, read, route
from assistant.records import Answer
from assistant.understand import Query, parse
from budgetqa.settings import Settings
from ingest.records import Fact, Passage
from vectorstore.facts_db import FactStore
from vectorstore.hybrid import HybridRetriever, term_freqs

_MIN_SCORE = 2.0
_MAX_UNCOVERED = 2


@dataclass
class _Loaded:
    """One stored document as the assistant holds it, with what is costly to make again: the facts'
    normalized labels and the passages' BM25 term counts."""

    facts: list[Fact]
    labels: list[Any]
    passages: list[Passage]
    freqs: list[dict[str, int]]

    @classmethod
    def of(cls, facts: list[Fact], passages: list[Passage], use_tables: bool) -> _Loaded:
        if not use_tables:
            facts = [f for f in facts if f.source == "narrative"]
        return cls(facts, labels_of(facts), passages, [term_freqs(p) for p in passages])


class Assistant:
    """Deterministic by default; answers are built from stored facts only."""

    def __init__(self, store: FactStore, index: Any = None, use_thesaurus: bool = True, use_tables: bool = True,
                 llm: Any = None, max_chars: int = 2000):
        self.store = store
        self.max_chars = max_chars
        self.index = index
        self.llm = llm  # optional chat model that phrases answers (assistant/llm.py)
        self.use_thesaurus = use_thesaurus
        self.use_tables = use_tables
        self._lock = threading.Lock()
        self._version: str | None = None
        self._loaded: dict[int, _Loaded] = {}  # document row id → what was read of it
        self.refresh()

    def refresh(self) -> None:
        """Reload when the store changed (another process may have ingested): the documents saved or
        removed since the last load are read again, the others kept (`_Loaded`)."""
        version = self.store.version()
        if version == self._version:
            return
        with self._lock:
            if version == self._version:  # another thread reloaded meanwhile
                return
            ids = self.store.document_ids()
            new = sorted(i for i in ids if i not in self._loaded)
            facts_of, passages_of = (self.store.facts_of(new), self.store.passages_of(new)) if new else ({}, {})
            for i in new:
                self._loaded[i] = _Loaded.of(facts_of[i], passages_of[i], self.use_tables)
            self._loaded = {i: self._loaded[i] for i in sorted(ids)}  # store order: row ids grow with each save
            docs = list(self._loaded.values())
            facts = [f for d in docs for f in d.facts]
            self.facts = FactIndex(facts, [x for d in docs for x in d.labels])
            self.retriever = HybridRetriever(passages=[p for d in docs for p in d.passages], index=self.index,
                                             freqs=[x for d in docs for x in d.freqs])
            self.passages = Passages(self.retriever)
            infos = self.store.document_infos()
            departments = sorted({f.department for f in facts} | {d.department for d in infos})
            years: dict[str, list[int]] = {}
            for d in infos:
                years.setdefault(d.department, [])
                if d.year not in years[d.department]:
                    years[d.department].append(d.year)
            self.catalog = Catalog(departments, years)
            self._version = version

    @property
    def departments(self) -> list[str]:
        return self.catalog.departments

    @property
    def years(self) -> dict[str, list[int]]:
        return self.catalog.years

    # ---- planning -------------------------------------------------------------------------
    def plan(self, question: str, department: str | None = None, year: int | None = None, kind: str | None = None,
             history: list[dict] | None = None) -> Plan:
        """The typed plan for a question: departments, years, kind, item words, measure, route."""
        self.refresh()
        q = read(question, self.catalog, self.use_thesaurus)
        if history:
            q = apply_history(q, question, history, self.catalog, self.use_thesaurus)
        return route(question, q, self.catalog, department, year, kind)

    # ---- the public call ------------------------------------------------------------------
    def ask(self, question: str, history: list[dict] | None = None, department: str | None = None,
            year: int | None = None, kind: str | None = None) -> Answer:
        """Answer one question; department/year/kind narrow the documents (the page's filters, or the
        conversation layer's). `history` is read for short follow-ups when a client sends one."""
        answer = self._answer(question, history, department, year, kind)
        if self.llm is not None:
            from assistant.llm import phrase

            answer = phrase(answer, self.llm)
        return answer

    def _answer(self, question: str, history: list[dict] | None, department: str | None,
                year: int | None, kind: str | None = None) -> Answer:
        question = (question or "").strip()
        if len(question) > self.max_chars:
            return not_found(question[:200], "问题太长，请简要地问一个关于部门预算或决算的问题。")
        self.refresh()
        if not question or not re.search(r"[\u4e00-\u9fffA-Za-z]", question):
            return not_found(question, "请输入一个关于部门预算或决算的问题，例如“车辆维护的预算是多少？”")
        if not self.facts.facts and not self.retriever.passages:
            return not_found(question, "还没有导入任何预算文件。请先导入 PDF。")
        p = self.plan(question, department, year, kind, history)
        answer = self.execute(p)
        answer.question = question
        return answer

    def execute(self, p: Plan) -> Answer:
        """Run a plan's tool."""
        if p.route == "refuse":
            return not_found(p.text, p.reason or nothing_found(p.query.item, p.text))
        if p.route == "narrative":
            return self.passages.answer(p)
        if p.route == "value":
            return self.value(p)
        tool = {"sum_or_difference": compute.sum_or_difference, "share": compute.share, "change": compute.change,
                "budget_vs_final": compute.budget_vs_final, "previous_year": compute.previous_year}[p.route]
        return tool(self, p)

    # ---- tools ----------------------------------------------------------------------------
    def lookup(self, q: Query, depts: list[str], years: list[int], kind: str | None, measure: str = "value") -> list[Scored]:
        """Facts answering a query in these departments and years, best first."""
        hits = self.facts.lookup(q, depts, years, kind, measure)
        return [h for h in hits if h.score >= _MIN_SCORE and len(h.uncovered) <= _MAX_UNCOVERED]

    def sub_query(self, text: str, q: Query) -> Query:
        """A part of a question (one side of a sum, a share's denominator) read in the question's scope."""
        sub = parse(text, self.catalog.departments)
        sub.departments, sub.years, sub.kind = q.departments, q.years, q.kind
        if not self.use_thesaurus:
            sub.targets = []
        return sub

    def facts_in(self, department: str, year: int) -> list[Fact]:
        """Every fact of one department's documents of one year."""
        return [self.facts.facts[i] for i in self.facts.select([department], [year], None)]

    def years_of(self, department: str) -> list[int]:
        return list(self.catalog.years.get(department, []))

    def value(self, p: Plan) -> Answer:
        """One figure: the best-ranked fact, or the narrative when no fact speaks of the item."""
        q = p.query
        hits = self.lookup(q, p.departments, p.years, p.kind)
        if not hits:
            if q.count or "多少" not in q.text:  # "下属有几个预算单位": the narrative may say
                return self.passages.answer(p, fallback=True)
            return not_found(q.text, nothing_found(q.item, q.text))
        return figure_answer(self, p, hits)


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


def build_assistant(settings: Settings, with_index: bool = True) -> Assistant:
    """The assistant over the store under settings.home (vector index when it can be opened)."""
    from budgetqa.library import Library

    lib = Library(settings)
    index = _LazyIndex(lib) if with_index else None
    llm = None
    if settings.llm:
        from assistant.llm import chat_model

        llm = chat_model(settings.llm)
    return Assistant(lib.store, index, llm=llm, max_chars=settings.max_question_chars)
