"""The conversation state a follow-up resolves against, and the records the conversation layer adds
to the Answer JSON (`conversation`, `series`).

The state travels in the history the client sends back: each answer carries the state after it in
its `conversation` field. History is user input, so a state read from it is validated, and every
fact it names is looked up again in the store: a figure the client altered is dropped, never stated.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel, Field, ValidationError

from assistant.compose import label
from assistant.records import Answer, Citation
from ingest.records import Fact

log = logging.getLogger(__name__)
MAX_FIGURES = 4
MAX_FACTS = 40


class FactRef(BaseModel):
    """A stored fact an answer used, by where it stands; `value` is re-read from the store."""

    document: str
    page: int
    table: str | None = None
    row: str | None = None
    column: str | None = None
    value: float
    unit: str
    department: str
    year: int
    kind: str
    label: str = Field(description="What the figure is, in words (row, or column for a total row).")

    @classmethod
    def of(cls, f: Fact) -> FactRef:
        return cls(document=f.document, page=f.page, table=f.table, row=f.row, column=f.column or None,
                   value=f.value, unit=f.unit, department=f.department, year=f.year, kind=f.kind, label=label(f))


class QuoteRef(BaseModel):
    """A passage the last answer quoted, by where it stands; checked against the stored passage."""

    document: str
    page: int
    heading: str
    quote: str = Field(max_length=400, description="The quoted words (a stored passage must contain them).")


class Figure(BaseModel):
    """A figure an answer stated as its headline: one fact, or computed from facts."""

    label: str
    value: float
    unit: str
    department: str | None = None
    year: int | None = None
    facts: list[FactRef] = Field(default_factory=list)
    computation: str | None = None


class SeriesPoint(BaseModel):
    """One figure of a ranking or a series of years, with its citation (the page draws these as a chart)."""

    department: str
    year: int
    label: str
    value: float
    unit: str
    citation: Citation | None = None


class ConversationState(BaseModel):
    """What the conversation is about after an answer."""

    department: str | None = None
    departments: list[str] = Field(default_factory=list, description="Departments the last answer covered.")
    ranked: str | None = Field(default=None, description="desc or asc when the last answer ranked departments.")
    year: int | None = None
    kind: str | None = Field(default=None, description="预算 or 决算, when the question or filter named it.")
    scope: str | None = Field(default=None, description="部门 or 单位 of the document answered from.")
    item: str | None = Field(default=None, description="The item asked about, in the user's words.")
    asked: str | None = Field(default=None, description="The last question as put to the single-question "
                              "assistant, without department and year: asked again when only the scope changes.")
    measure: str | None = Field(default=None, description="value, change_amount, change_rate, share, completion …")
    change_measure: str | None = Field(default=None, description="The last change asked: change_amount or change_rate.")
    column: str | None = Field(default=None, description="The column asked for: 年初预算, 全年预算, 预算数, 决算数.")
    facts: list[FactRef] = Field(default_factory=list, description="The facts the last answer cited.")
    figures: list[Figure] = Field(default_factory=list, description="Headline figures of the last answers, oldest first.")
    quoted: list[QuoteRef] = Field(default_factory=list, description="Passages the last answer quoted.")
    readings: list[FactRef] = Field(default_factory=list, description="The figures an ambiguous last answer "
                                    "listed, in order: the next question may pick one (第二个, 汇总表的那个).")
    series_years: list[int] = Field(default_factory=list, description="The years the last answer gave the item "
                                    "for (a series): '那会议费呢' gives the other item for the same years.")
    pending: str | None = Field(default=None, description="A question that asked which department (over several "
                                "years, or naming none over several loaded): asked again, with it, when the next "
                                "question names only one (\"我问的是检察院\").")
    missing: str | None = Field(default=None, description="The item the last question asked about when no "
                                "figure was found for it: a follow-up on 'the last figure' must not use an older one.")


class ConversationAnswer(Answer):
    """The Answer JSON with the conversation fields (CONTRACT.md allows new fields)."""

    conversation: ConversationState | None = Field(default=None, description="State for follow-up questions.")
    series: list[SeriesPoint] = Field(default_factory=list, description="Figures of a ranking or a series of years.")

    @classmethod
    def of(cls, a: Answer, **extra: Any) -> ConversationAnswer:
        data = a.model_dump()
        data.update(extra)
        return cls.model_validate(data)


@dataclass
class Scope:
    """The department, year and kind a turn is about, after filters, question and history."""

    department: str | None
    year: int | None
    kind: str | None


class TurnLike(Protocol):
    """What the follow-up and library modules use of a turn (assistant/conversation.py, Turn)."""

    conv: Any
    question: str
    rest: str
    m: Any
    state: ConversationState | None
    filters: Scope

    def scope(self, year: int | None = None) -> Scope: ...

    def finish(self, ans: Answer, facts: list[Any], item: str | None, measure: str | None,
               column: str | None = None, figure: Figure | None = None, asked: str | None = None,
               **extra: Any) -> ConversationAnswer: ...

    def computed(self, value: float, unit: str, sentence: str, how: str, facts: list[Any], item: str | None,
                 measure: str, department: str | None = None, year: int | None = None, label: str | None = None,
                 **extra: Any) -> ConversationAnswer: ...

    def refused(self, text: str) -> ConversationAnswer: ...

    def carried(self, **changes: Any) -> ConversationState: ...


class FactFinder:
    """Stored facts by where they stand, read per document and kept until the store changes."""

    def __init__(self, store: Any):
        self.store = store
        self._version: str | None = None
        self._by_doc: dict[str, list[Fact]] = {}
        self._passages: dict[str, list[Any]] = {}
        self._known: set[str] = set()
        self._lock = threading.Lock()

    def facts(self, document: str) -> list[Fact]:
        with self._lock:
            version = self.store.version()
            if version != self._version:
                self._by_doc, self._passages, self._version = {}, {}, version
                self._known = {d.document for d in self.store.document_infos()}
            if document not in self._known:  # a name a client made up: nothing to read, nothing kept
                return []
            if document not in self._by_doc:
                self._by_doc[document] = list(self.store.facts(document=document))
            return self._by_doc[document]

    def passage(self, ref: QuoteRef) -> Any | None:
        """The stored passage a quote stands in (same document, page and heading, containing it), or None."""
        if not self.facts(ref.document) and ref.document not in self._known:
            return None
        with self._lock:
            if ref.document not in self._passages:
                self._passages[ref.document] = list(self.store.passages(document=ref.document))
            held = self._passages[ref.document]
        words = _fold(ref.quote)[:40]
        return next((p for p in held if p.page == ref.page and p.heading == ref.heading and words
                     and words in _fold(p.text)), None)

    def find(self, document: str, page: int, table: str | None, row: str | None, column: str | None,
             value: float | None = None) -> Fact | None:
        """The fact standing there; where one sentence states two figures of one row ("由3辆变为4辆"),
        the one with `value` when given."""
        here = [f for f in self.facts(document)
                if f.page == page and (f.table or None) == (table or None) and (f.row or None) == (row or None)
                and (f.column or None) == (column or None)]
        if value is not None:
            same = [f for f in here if abs(f.value - value) <= 0.005]
            if same:
                return same[0]
        return here[0] if here else None

    def of_citation(self, c: Citation, value: float | None = None) -> Fact | None:
        return self.find(c.document, c.page, c.table, c.row, c.column, value)

    def verified(self, ref: FactRef) -> Fact | None:
        f = self.find(ref.document, ref.page, ref.table, ref.row, ref.column, ref.value)
        return f if f is not None and f.unit == ref.unit else None


def _verify(state: ConversationState, finder: FactFinder) -> ConversationState:
    """Keep only facts the store holds, with the store's values; figures whose facts all check out."""
    facts = []
    for ref in state.facts[:MAX_FACTS]:  # a client may send any number: an answer cites a few
        f = finder.verified(ref)
        if f is not None:
            facts.append(FactRef.of(f))
    figures = []
    for fig in state.figures[-MAX_FIGURES:]:
        checked = [finder.verified(r) for r in fig.facts[:MAX_FACTS]]
        if not fig.facts or any(f is None for f in checked):
            continue
        real = [f for f in checked if f is not None]
        if fig.computation is None:
            if len(real) != 1 or abs(real[0].value - fig.value) > 0.005:
                continue
            fig = fig.model_copy(update={"value": real[0].value})
        elif not _recomputes(fig, real):
            continue
        figures.append(fig.model_copy(update={"facts": [FactRef.of(f) for f in real]}))
    quoted = [q for q in state.quoted[:3] if finder.passage(q) is not None]
    readings = [FactRef.of(f) for f in (finder.verified(r) for r in state.readings[:8]) if f is not None]
    return state.model_copy(update={"facts": facts, "figures": figures, "quoted": quoted, "readings": readings})


def _recomputes(fig: Figure, facts: list[Fact]) -> bool:
    """A computed figure is kept when its facts still give it by a sum, a difference or a ratio."""
    vals = [f.value for f in facts]
    cands = [sum(vals)]
    if len(vals) == 2:
        a, b = vals
        cands += [abs(a - b), a - b]
        if b:
            cands += [a / b * 100, (a - b) / b * 100]
        if a:
            cands += [b / a * 100]
    if len(vals) >= 3 and vals[-1]:
        cands.append(sum(vals[:-1]) / vals[-1] * 100)
    return any(abs(round(c, 2) - fig.value) <= 0.011 for c in cands)


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def quotes_of(ans: Answer) -> list[QuoteRef]:
    """The passages an answer quoted (narrative citations), for a follow-up about them."""
    return [QuoteRef(document=c.document, page=c.page, heading=c.heading, quote=c.quote[:400])
            for c in ans.citations if c.heading and c.quote and not c.table][:3]


def describe(f: Fact) -> str:
    """A cited fact in words; a figure the narrative states names its column too ("…比上年增加")."""
    if f.source == "narrative" and f.column and f.column not in ("预算数", "决算数", "金额", "合计"):
        return f"{label(f)}{f.column}"
    return label(f)


def from_history(history: list[dict] | None, finder: FactFinder) -> ConversationState | None:
    """The state after the last answer in a client-sent history, checked against the store."""
    for turn in reversed(history or []):
        if not (isinstance(turn, dict) and turn.get("role") == "assistant" and isinstance(turn.get("answer"), dict)):
            continue
        a = turn["answer"]
        raw = a.get("conversation")
        if isinstance(raw, dict):
            try:
                return _verify(ConversationState.model_validate(raw), finder)
            except ValidationError as exc:
                log.info("history: conversation state ignored (%s)", exc.errors()[0].get("msg", "invalid"))
        return _from_answer(a, finder)
    return None


def _from_answer(a: dict, finder: FactFinder) -> ConversationState | None:
    """A state rebuilt from a plain Answer JSON (a client that kept only the contract's fields)."""
    try:
        ans = Answer.model_validate({k: v for k, v in a.items() if k in Answer.model_fields})
    except ValidationError:
        return None
    facts = [f for f in (finder.of_citation(c, ans.value) for c in ans.citations) if f is not None]
    state = ConversationState(department=ans.department, year=ans.year, item=ans.item, measure=ans.measure,
                              facts=[FactRef.of(f) for f in facts])
    head = headline(ans, facts)
    if head is not None:
        state.figures = [head]
    return state


def headline(ans: Answer, facts: list[Fact]) -> Figure | None:
    """The answer's headline figure with the facts it stands on."""
    if ans.status != "answered" or ans.value is None or not ans.unit:
        return None
    if ans.computation:
        name = re.sub(r"(是多少|多少|是|为)?[？?。]*$", "", ans.item or "")
        return Figure(label=name, value=ans.value, unit=ans.unit, department=ans.department,
                      year=ans.year, facts=[FactRef.of(f) for f in facts], computation=ans.computation)
    same = [f for f in facts if abs(f.value - ans.value) <= 0.005 and f.unit == ans.unit]
    if not same:
        return None
    f = same[0]
    return Figure(label=label(f), value=f.value, unit=f.unit, department=f.department, year=f.year,
                  facts=[FactRef.of(f)])
