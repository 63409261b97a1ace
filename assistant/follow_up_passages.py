"""Follow-ups answered from the document's text about the figure just answered: why it changed
(为什么…: the reason stated beside it, or for its parts) and what the answer's own sentence lists
(另外两家是哪两家). Passages are read from the store by the last answer's facts or quotes."""

from __future__ import annotations

from typing import Any

from assistant.conversation_state import ConversationAnswer, TurnLike, headline
from assistant.follow_up_words import has_item, strip_ends
from assistant.mentions import fold, pattern
from assistant.reasons import parts_reasons, passage_of, reason_for
from assistant.records import Answer, Citation


def _quoted(turn: TurnLike, p: Any, quote: str, f: Any, also: list[Any] | None = None) -> ConversationAnswer:
    s = turn.state
    item = s.item if s else None
    heading = p.heading.split(" > ")[-1]
    cits = [Citation(document=p.document, page=p.page, heading=p.heading, quote=quote[:200])]
    cits += [Citation(document=c.document, page=c.page, heading=c.heading, quote=c.text[:200]) for c in also or []]
    ans = Answer(question=turn.question, status="answered", measure="narrative",
                 answer=f"根据《{p.document}》第{p.page}页“{heading}”：{quote}",
                 citations=cits,
                 department=f.department, year=f.year, item=item)
    return turn.finish(ans, [], item=item, measure="narrative")


def elaborate(turn: TurnLike) -> ConversationAnswer | None:
    s = turn.state
    assert s is not None
    scope = turn.scope()
    for f in [g for g in (turn.conv.finder.verified(r) for r in s.facts) if g is not None][:2]:
        if f.source != "narrative" or (f.department, f.year) != (scope.department, scope.year):
            continue
        hit = passage_of(f, turn.conv.bot.store.passages(document=f.document))
        if hit is not None:
            return _quoted(turn, hit[0], hit[1], f)
    for ref in s.quoted[:1]:  # the passage the last answer quoted, read on from the quote
        p = turn.conv.finder.passage(ref)
        if p is not None and (p.department, p.year) == (scope.department, scope.year):
            text = fold(p.text)
            at = text.find(fold(ref.quote)[:40])
            start = text.rfind("。", 0, max(at, 0)) + 1
            return _quoted(turn, p, text[start:start + 240], p)
    return None


MORE_CHARS = 480


def more(turn: TurnLike) -> ConversationAnswer | None:
    """"说详细点": the whole paragraph the last answer quoted from (from the start of the sentence before the
    quote), else the passage the last answer's narrative figure stands in; for a table figure, where it stands
    and the other figures of its row. None when the last answer gave nothing to say more of."""
    s = turn.state
    assert s is not None
    for ref in s.quoted[:1]:
        p = turn.conv.finder.passage(ref)
        if p is not None:
            text = fold(p.text)
            at = max(text.find(fold(ref.quote)[:40]), 0)
            start = text.rfind("。", 0, max(text.rfind("。", 0, at), 0)) + 1  # one sentence before the quote
            return _quoted(turn, p, text[start:start + MORE_CHARS], p)
    facts = [g for g in (turn.conv.finder.verified(r) for r in s.facts) if g is not None]
    for f in facts[:2]:
        if f.source == "narrative":
            hit = passage_of(f, turn.conv.bot.store.passages(document=f.document), width=MORE_CHARS)
            if hit is not None:
                return _quoted(turn, hit[0], hit[1], f)
    table = next((f for f in facts if f.source == "table"), None)
    return row_detail(turn, table) if table is not None else None


def where_from(turn: TurnLike) -> ConversationAnswer | None:
    """"它是哪张表里的": where the last figure stands (its table, row and column and the row's other figures;
    for a figure from the text, the sentence), or None when the last answer gave no figure."""
    s = turn.state
    assert s is not None
    if not s.figures:
        return None
    facts = [f for f in (turn.conv.finder.verified(r) for r in s.figures[-1].facts) if f is not None]
    if len(facts) == 1 and facts[0].source == "table":
        return row_detail(turn, facts[0])
    if not facts:
        return None
    from assistant.compose import cite

    text = "；".join(_where_stated(f) for f in facts) + "。"
    last = s.figures[-1]
    ans = Answer(question=turn.question, status="answered", answer=f"{last.label}的出处：{text}",
                 value=last.value, unit=last.unit, citations=[cite(f) for f in facts], department=last.department,
                 year=last.year, item=s.item, measure=s.measure or "value", computation=last.computation)
    return turn.finish(ans, facts, item=s.item, measure=ans.measure, figure=last)


def _where_stated(f: Any) -> str:
    from assistant.compose import fmt, label, where

    if f.source == "table":
        return f"{label(f)}{fmt(f.value)}{f.unit}，{where(f)}，行“{f.row}”，列“{f.column}”"
    return f"{label(f)}{fmt(f.value)}{f.unit}，{where(f)}（原文：“{(f.quote or '')[:120]}”）"


def row_detail(turn: TurnLike, f: Any) -> ConversationAnswer:
    """Where a table figure stands, and the other figures of its row, each cited."""
    from assistant.compose import cite, fmt, label, where

    row = [g for g in turn.conv.finder.facts(f.document)
           if g.table == f.table and g.row == f.row and g.page == f.page and g is not f]
    cols = "；".join(f"{g.column}：{fmt(g.value)}{g.unit}" for g in row[:8])
    text = (f"{f.year}年{f.department}{label(f)}{fmt(f.value)}{f.unit}，{where(f)}，行“{f.row}”，列“{f.column}”。"
            + (f"同一行的其他数：{cols}。" if cols else ""))
    s = turn.state
    ans = Answer(question=turn.question, status="answered", answer=text, value=f.value, unit=f.unit,
                 citations=[cite(f), *(cite(g) for g in row[:8])], department=f.department, year=f.year,
                 item=s.item if s else None, measure=s.measure if s else "value")
    # the figure is the one just given, on purpose: not "an old figure for a new item" (Turn.repeated)
    return turn.finish(ans, [f, *row[:8]], item=ans.item, measure=ans.measure, figure=headline(ans, [f]))


def why(turn: TurnLike) -> ConversationAnswer | None:
    s = turn.state
    if s is None or not s.item or has_item(pattern("why").sub(" ", fold(turn.rest))):
        return None
    scope = turn.scope()
    for f in [g for g in (turn.conv.finder.verified(r) for r in s.facts) if g is not None][:4]:
        if (f.department, f.year) != (scope.department, scope.year):
            continue
        held = turn.conv.bot.store.passages(document=f.document)
        hit = reason_for(f, held)
        if hit is not None:  # the reason the document gives for the figure just answered
            return _quoted(turn, hit[0], hit[1], f)
        parts = parts_reasons(f, held)
        if parts is not None:  # none for the figure itself: the reasons given for its parts, each cited
            return _quoted(turn, parts[0], parts[1], f, also=parts[2])
    text = f"{s.item}{strip_ends(turn.rest)}"
    ans, facts = turn.conv.single(text, scope)
    return turn.finish(ans, facts, item=s.item, measure="narrative")
