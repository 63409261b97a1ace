"""Conversations: a follow-up question resolved against the conversation state, above the
single-question assistant.

`Conversation.ask(question, history, department, year, kind)` reads the state the last answer carried
(assistant/conversation_state.py), decides what the new question asks (the follow-up words are in
assistant/data/follow_ups.toml), calls `Assistant.ask` with an explicit department and year one or
more times, and composes the answer. What the question or the page's filters name wins over the
history. Every figure stated is a stored fact or computed from stored facts, the computation shown.

    >>> conv = Conversation(assistant)
    >>> first = conv.ask("三公经费是多少？")
    >>> history = [{"role": "user", "content": "三公经费是多少？"},
    ...            {"role": "assistant", "content": first.answer, "answer": first.to_json()}]
    >>> conv.ask("比去年多了多少？", history).value   # the change the first answer stated
"""

from __future__ import annotations

import logging
import re
import threading
from typing import TYPE_CHECKING, Any

from assistant import follow_up_words as fw
from assistant import follow_ups as fu
from assistant import library_questions
from assistant.compose import fmt
from assistant.conversation_state import (
    MAX_FIGURES,
    ConversationAnswer,
    ConversationState,
    FactFinder,
    FactRef,
    Figure,
    Scope,
    describe,
    from_history,
    headline,
    quotes_of,
)
from assistant.follow_up_columns import named_column
from assistant.follow_up_names import short_department
from assistant.follow_up_years import held_year
from assistant.mentions import BODY_END, Mentions, find, fold, pattern
from assistant.neighbourhood import repeats_earlier
from assistant.normalise import readable
from assistant.records import Answer
from assistant.stated_years import asked_years

if TYPE_CHECKING:  # the assistant imports nothing of this layer; the annotation only
    from assistant.service import Assistant

log = logging.getLogger(__name__)
PER_DEPARTMENT_MAX = 3  # a question naming no department is answered per department up to this many


class Conversation:
    """The conversation layer over one `Assistant` (assistant/service.py)."""

    def __init__(self, assistant: Assistant):
        self.bot = assistant
        self.finder = FactFinder(assistant.store)
        self._catalog: tuple[str | None, dict[str, list[int]]] = (None, {})
        self._lock = threading.Lock()

    # ---- the library's documents ----------------------------------------------------------
    def catalog(self) -> dict[str, list[int]]:
        """Department → years loaded, from the store's document list."""
        with self._lock:
            version = self.bot.store.version()
            if self._catalog[0] != version:
                years: dict[str, list[int]] = {}
                for d in self.bot.store.document_infos():
                    years.setdefault(d.department, [])
                    if d.year not in years[d.department]:
                        years[d.department].append(d.year)
                self._catalog = (version, {k: sorted(v) for k, v in sorted(years.items())})
            return self._catalog[1]

    def documents(self, department: str, year: int) -> list[str]:
        """The documents (file names) of one department and year."""
        return [d.document for d in self.bot.store.document_infos() if d.department == department and d.year == year]

    def loaded(self, department: str | None, year: int | None) -> bool:
        return department is not None and year is not None and year in self.catalog().get(department, [])

    def labels(self, state: ConversationState) -> list[str]:
        """The row labels and table titles of the documents a conversation state is about."""
        if not state.department:
            return []
        years = [state.year] if state.year else self.catalog().get(state.department, [])
        return [x for y in years for d in self.documents(state.department, y) for f in self.finder.facts(d)
                for x in (f.row or "", f.table or "")]

    # ---- one call of the single-question assistant ----------------------------------------
    def single(self, text: str, scope: Scope) -> tuple[Answer, list[Any]]:
        """`Assistant.ask` with an explicit scope; the answer and the stored facts it cites."""
        kw: dict[str, Any] = {"department": scope.department, "year": scope.year}
        if scope.kind:
            kw["kind"] = scope.kind
        ans = self.bot.ask(text, **kw)
        facts = [f for f in (self.finder.of_citation(c, ans.value) for c in ans.citations) if f is not None]
        return ans, facts

    # ---- the public call ------------------------------------------------------------------
    def ask(self, question: str, history: list[dict] | None = None, department: str | None = None,
            year: int | None = None, kind: str | None = None) -> ConversationAnswer:
        typed = (question or "").strip()
        state = from_history(history, self.finder)
        catalog = self.catalog()
        # English and traditional characters read as the documents print them before any pattern folds spaces
        question = readable(typed, list(catalog)) if getattr(self.bot, "normalise", True) else typed
        m = find(question, list(catalog))
        if state is not None and (state.department or state.pending) and not department:  # "人大呢？"
            m = short_department(m, list(catalog), state.department, lambda: self.labels(state),
                                 replying=bool(state.pending) and not state.department)
        try:
            turn = Turn(self, question, m, state, department, year, kind)
            told = turn.answer()
            return told if told.question == typed else told.model_copy(update={"question": typed})
        except Exception:  # the single-question path still answers; the log keeps the traceback
            log.exception("conversation layer failed on %r; answering it as a single question", question[:200])
            ans = self.bot.ask(question, department=department, year=year, kind=kind)
            return ConversationAnswer.of(ans)


class Turn:
    """One question of a conversation being answered."""

    def __init__(self, conv: Conversation, question: str, m: Mentions, state: ConversationState | None,
                 department: str | None, year: int | None, kind: str | None):
        self.conv, self.question, self.m, self.state = conv, question, m, state
        self.filters = Scope(department, year, kind)
        self.rest = m.without_names()  # the question without department names and years
        self.t = fold(question)

    # ---- scope ----------------------------------------------------------------------------
    def scope(self, year: int | None = None) -> Scope:
        s = self.state
        dept = self.filters.department or (self.m.departments[0] if self.m.departments else None) \
            or (s.department if s else None)
        asked = asked_years(self.question, self.m.years)  # "比2022年…": 2022 is the base, not the year asked
        yr = self.filters.year or year or (asked[0] if len(asked) == 1 else None)
        if yr is None and s and s.year and (dept == s.department or self.conv.loaded(dept, s.year)):
            yr = s.year
        return Scope(dept, yr, self.filters.kind)

    def answer(self) -> ConversationAnswer:
        lib = library_questions.answer(self)
        if lib is not None:
            return lib
        s = self.state
        if s is None or not (s.item or s.figures or s.department or s.departments):
            return self.fresh()
        body = self.unloaded_body()
        if body is not None:  # "那省财政厅的呢": a body no loaded document is of, never the last department's answer
            return self.refused(f"已导入的文件中没有“{body}”的预算或决算，无法回答。", missing=f"{body}的{s.item or '该项'}")
        unfounded = self.on_missing()
        if unfounded is not None:  # "比去年多了多少" after a not_found: never the change of an older answer
            return unfounded
        over = library_questions.again(self) or library_questions.again_years(self)  # the same departments / years
        if over is not None:
            return over
        handled = fu.resolve(self)
        return handled if handled is not None else self.fresh()

    def on_missing(self) -> ConversationAnswer | None:
        """A follow-up on the last figure ("比去年多了多少", "两项加起来", "差多少", "它…") when the last question
        found none: refused, saying what it would need, instead of built on an earlier answer's figure. A
        follow-up naming an item of its own, or whose pronoun stands for the item not found (asked again by
        name, then answered with the figure it finds), goes on as usual."""
        s = self.state
        if s is None or not s.missing or fw.has_item(self.rest):
            return None
        t, missing = fold(self.rest), s.missing
        if pattern("change").search(t) and not pattern("share").search(t):
            return self.refused(f"上一个问题没有找到“{missing}”的数，无法计算它比上年的变化：需要它本年和上年的数"
                                f"（或文件说明的比上年增减）。请说明项目名称，必要时说明部门和年份。")
        if any(pattern(n).search(t) for n in ("sum_last", "difference_last", "compare_last")):
            return self.refused(f"上一个问题没有找到“{missing}”的数，无法用它计算。请说明要计算的各个项目的名称。")
        if fw.pronoun_in(self.rest) and missing != s.item:
            return self.refused(f"上一个问题没有找到“{missing}”的数，无法回答它的情况。请说明项目名称。")
        return None

    def unloaded_body(self) -> str | None:
        """"那省财政厅的呢": the follow-up names only a body (a name ending on 厅, 局, 院…) that is no loaded
        department and no row of the conversation's documents ("公立医院" is a row, not a body)."""
        if self.m.departments or self.filters.department or self.state is None or not self.state.department:
            return None
        core = re.sub(r"\s+", "", fw.strip_ends(self.rest)).rstrip("的")
        if not re.fullmatch(r"[\u4e00-\u9fff]{2,12}", core) or core[-1] not in BODY_END:
            return None
        s = self.state
        docs = self.conv.documents(s.department, s.year) if s.department and s.year else []
        if any(core in fold(f.row or "") for d in docs for f in self.conv.finder.facts(d)):
            return None
        return core

    def fresh(self) -> ConversationAnswer:
        """A question that stands on its own, with the conversation's scope where it names none."""
        scope = self.scope()
        catalog = self.conv.catalog()
        if scope.department is None and len(catalog) > 1 and not self.m.departments:
            probe, probe_facts = self.conv.single(fw.strip_ends(self.question), scope)
            if probe.status == "not_found":  # nowhere in the library, or a body not loaded ("教育局…")
                return self.finish(probe, probe_facts, item=fw.item_of(self.rest), measure=fw.measure_of(self.rest))
            return self.per_department(list(catalog), scope)
        if self.state and self.state.figures and fw.has_item(self.rest) and pattern("its_kin").search(self.t):
            near = fu.nearby(self, rows_under=False)  # "那金融局的那个呢": before the words are read on their own
            if near is not None:
                return near
        ans, facts = self.conv.single(fw.strip_ends(self.question), scope)
        if ans.value is None and self.state and self.state.figures and fw.has_item(self.rest) \
                and ans.status != "ambiguous":
            # "那X的那个党建经费呢" gave no figure: a row beside the last one in its table that holds the words
            near = fu.nearby(self, rows_under=False)
            if near is not None:
                return near
        if ans.status == "not_found" and self.state and self.state.item and fw.has_item(self.rest):
            # "打算派遣几个人？": the item the conversation is about, named for the assistant
            again, again_facts = self.conv.single(f"{self.state.item}{fw.strip_ends(self.rest)}", scope)
            if again.status == "answered":
                ans, facts = again, again_facts
        named = named_column(self, ans, facts)
        if named is not None:
            return named
        return self.finish(ans, facts, item=fw.item_of(self.rest), measure=fw.measure_of(self.rest),
                           asked=fw.strip_ends(self.rest))

    def per_department(self, departments: list[str], scope: Scope) -> ConversationAnswer:
        """No department named over several: a short list per department, or ask which."""
        if len(departments) > PER_DEPARTMENT_MAX:
            names = "、".join(departments)
            return ConversationAnswer(
                question=self.question, status="ambiguous",
                answer=f"已导入{len(departments)}个部门的文件（{names}），请说明问的是哪个部门，"
                       f"或问“各部门……”以比较所有部门。",
                alternatives=departments,
                conversation=self.carried(item=fw.item_of(self.rest), measure=fw.measure_of(self.rest),
                                          asked=fw.strip_ends(self.rest), year=scope.year,
                                          pending=asked_again(self.rest, scope.year)))
        return library_questions.across(self, departments, scope, item_text=self.question, ranked=None)

    # ---- the state after this turn --------------------------------------------------------
    def carried(self, **changes: Any) -> ConversationState:
        base = self.state or ConversationState()
        return base.model_copy(update={k: v for k, v in changes.items() if v is not None})

    def finish(self, ans: Answer, facts: list[Any], item: str | None, measure: str | None,
               column: str | None = None, figure: Figure | None = None, asked: str | None = None,
               **extra: Any) -> ConversationAnswer:
        """The answer with the state after it (the client sends it back with the next question)."""
        extra.setdefault("question", self.question)  # the question as the user typed it, not as re-put
        again = self.repeated(ans, facts) if figure is None else None
        if again is not None:  # "那X的那个呢" answered with the figure just given: X was not found
            return self.refused(f"已导入的文件中没有找到“{fw.strip_ends(self.rest)}”的数（找到的只是前面已回答的"
                                f"“{(again.row or '').split(' / ')[-1]}”），请说明要查的项目名称。",
                                missing=item or fw.strip_ends(self.rest))
        if ans.status != "answered":  # the scope and item named stay for the next question
            scope = self.scope()
            year = scope.year if self.conv.loaded(scope.department, scope.year) else None
            kept = self.carried(department=scope.department, year=year, item=item if self.state is None else None,
                                asked=asked if self.state is None else None)
            kept.readings = [FactRef.of(f) for f in facts] if ans.status == "ambiguous" else []
            kept.missing = (item or asked or fw.strip_ends(self.rest)) if ans.status == "not_found" else None
            return ConversationAnswer.of(ans, conversation=kept, **extra)
        prev = self.state or ConversationState()
        if ans.value is None and prev.asked and pattern("elaboration").search(self.t):
            item, asked = prev.item, prev.asked  # "另外两家是哪两家": about the last answer, whose topic stays
        head = figure or headline(ans, facts)
        figures = (prev.figures + [head])[-MAX_FIGURES:] if head else prev.figures
        measure = measure or ans.measure or "value"
        change = measure if measure in ("change_amount", "change_rate") else prev.change_measure
        kind = self.filters.kind or next((f.kind for f in facts), None) or prev.kind
        state = ConversationState(
            department=ans.department or self.scope().department,
            year=held_year(self, ans.year, ans.department, facts) or self.scope().year,
            departments=[ans.department] if ans.department else [], kind=kind,
            scope=next((getattr(f, "scope", None) for f in facts), None) or prev.scope,
            item=item or prev.item, asked=asked or prev.asked, measure=measure, change_measure=change,
            # a column named in a change question is the base of the change ("比2022年执行数"), not the column asked
            column=column or (fw.column_of(self.rest) if measure not in ("change_amount", "change_rate") else None)
            or prev.column,
            facts=[FactRef.of(f) for f in facts], figures=figures, quoted=quotes_of(ans))
        return ConversationAnswer.of(ans, conversation=state, **extra)

    def repeated(self, ans: Answer, facts: list[Any]) -> Any | None:
        """The fact a follow-up naming an item of its own was answered with, when it is a figure an earlier
        answer already gave and the item's words are not in its labels (never a "new" answer); else None."""
        s = self.state
        if s is None or ans.status != "answered" or ans.computation or not facts or not fw.has_item(self.rest):
            return None
        # the figures the answers stated, not the close items cited beside them ("另有相近项目：…工程预算550.00")
        earlier = [r for fig in s.figures for r in fig.facts] or s.facts
        return facts[0] if repeats_earlier(facts[0], earlier, self.rest) else None

    def computed(self, value: float, unit: str, sentence: str, how: str, facts: list[Any], item: str | None,
                 measure: str, department: str | None = None, year: int | None = None, label: str | None = None,
                 **extra: Any) -> ConversationAnswer:
        """An answer computed here from stored facts: the computation and every fact cited."""
        from assistant.compose import cite, where

        dept = department or (facts[0].department if facts else None)
        yr = year or (facts[0].year if facts else None)
        text = f"{sentence}。计算方法：{how}。" + "；".join(
            f"{describe(f)}{fmt(f.value)}{f.unit}（{f.year}年{f.department}，{where(f)}）" for f in facts) + "。"
        ans = Answer(question=self.question, status="answered", answer=text, value=round(value, 2), unit=unit,
                     citations=[cite(f) for f in facts], computation=how, department=dept, year=yr,
                     item=item, measure=measure)
        fig = Figure(label=label or item or "", value=round(value, 2), unit=unit, department=dept, year=yr,
                     facts=[FactRef.of(f) for f in facts], computation=how)
        return self.finish(ans, facts, item=item, measure=measure, figure=fig, **extra)

    def refused(self, text: str, missing: str | None = None) -> ConversationAnswer:
        """A not_found answer; `missing`: the item this question asked for and did not get."""
        return ConversationAnswer(question=self.question, status="not_found", answer=text,
                                  conversation=self.carried(missing=missing))


_LAYERS: dict[int, tuple[Any, Conversation]] = {}
_LAYERS_LOCK = threading.Lock()


def asked_again(rest: str, year: int | None) -> str:
    """The question that asked which department, to be asked again with the one the reply names ("我问的是
    检察院"): its words without department names, with the year it named."""
    words = fw.strip_ends(rest)
    return f"{year}年{words}" if year else words


def conversation_for(assistant: Any) -> Conversation | None:
    """The conversation layer over this assistant (one per assistant), or None for a stand-in
    without a store (tests replace the assistant with a recorder)."""
    if getattr(assistant, "store", None) is None:
        return None
    with _LAYERS_LOCK:
        held = _LAYERS.get(id(assistant))
        if held is None or held[0] is not assistant:
            held = (assistant, Conversation(assistant))
            _LAYERS[id(assistant)] = held
        return held[1]


class BatchAsker:
    """`budgetqa ask --batch`: a line may carry the `history` a client keeps, or a `conversation` id
    whose earlier lines (in file order) form the history of this one."""

    def __init__(self, assistant: Any):
        self.layer = conversation_for(assistant)
        self.bot = assistant
        self.histories: dict[str, list[dict]] = {}

    def __call__(self, question: str, line: dict, department: str | None, year: int | None,
                 kind: str | None = None) -> Answer:
        if self.layer is None:
            return self.bot.ask(question, department=department, year=year, kind=kind)
        key = line.get("conversation")
        given = line.get("history")
        history = [h for h in given if isinstance(h, dict)] if isinstance(given, list) else \
            self.histories.get(str(key), []) if key is not None else []
        ans = self.layer.ask(question, history, department, year, kind)
        if key is not None and not isinstance(given, list):
            self.histories[str(key)] = history + [{"role": "user", "content": question},
                                                  {"role": "assistant", "content": ans.answer, "answer": ans.to_json()}]
        return ans
