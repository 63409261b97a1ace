"""The part of a question that asks: a story told before it ("我在某区开了家小公司，想看看…。") is
context, not the item, the department or the year asked about.

A question of several sentences asks in the sentences that hold a question word (多少, 几, 哪, 是否,
吗, ？…); a sentence without one tells the story. Within that sentence, leading clauses where the asker speaks of
themselves (我在…, 我是…, 本人…) or name the document read (根据…预算说明，) and ask nothing are the story too,
as long as what remains still names something; a story begun so runs on to where the asker turns to the question
("…，想问下…"). Of several asking sentences, a yes-or-no one beside one that
asks what or how much checks a premise: the latter is the question.
"""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"(?<=[。！？!?；;])")
_CLAUSE = re.compile(r"(?<=[，,：:])")
ASKS = re.compile(r"多少|多大|多高|几|哪|什么|是否|有没有|有无|吗|么|怎|如何|为何|为什么|为啥|比例|占比|[?？]")
# a sentence asking for a figure, a reason or which one, not yes or no
_ASKS_WHAT = re.compile(r"多少|几|哪|什么|怎|如何|为何|为啥")
_YES_NO = re.compile(r"吗|是否|是不是|对不对|对吧")
# "我在…开了家公司", "我是…", "本人最近…": the asker about themselves ("我们单位的…" is the item's owner)
_FIRST_PERSON = re.compile(r"^(我|本人)(在|是|家|住|开|想|准备|打算|刚|最近|从事|做|有个|有一|来自|生活)")
# "根据省法院2017年预算说明，…", "按照2019年的决算，…": the document read, not the item, year or body asked about
_SOURCE = re.compile(r"^(根据|依据|按照|对照|参照|据|从|看)[^，,：:]{0,30}(说明|文件|公开|报告|预算|决算|表|资料|数据)(来看|看|中|里|上)?[，,：:]$")
# where the asker turns from the story to the question ("我家就住X，孩子在附近上学，想问下…")
LEAD_IN = re.compile(r"(?:我)?(?:想问一下|想问问|想问下|想问|请问一下|请问|想了解一下|想了解下|想了解|想知道|想查一下|想查|问一下|问下|"
                     r"麻烦问一下|麻烦问|请教一下|请教)")
# the words that only ask ("是多少", "几"): what is left beside them names something
_QUESTION_WORDS = r"请问|是多少|有多少|多少钱|多少|是什么|几"
_MEASURE_WORDS = re.compile(rf"{_QUESTION_WORDS}|到底|究竟|决算|预算|完成|执行|百分之|百分比|比例|占比|比重|"
                            r"增长|下降|增加|减少|变化|率|数|的|了|是|为|呢|吗|[?？。!！]")
_CONTENT = re.compile(r"[\u4e00-\u9fff]{2}")


def _names_something(text: str) -> bool:
    """More than a bare question word: two Chinese characters beside 多少/是多少."""
    return bool(_CONTENT.search(re.sub(_QUESTION_WORDS, "", text)))


def _names_item(text: str) -> bool:
    """More than the words of a measure ("决算完成预算的百分之多少"): two Chinese characters of an item."""
    return bool(_CONTENT.search(_MEASURE_WORDS.sub("", text)))


def asking_part(text: str) -> str:
    """The sentences (and clauses) of `text` that ask; `text` itself when it is one plain question."""
    sentences = [s for s in _SENTENCE.split(text) if s.strip()]
    asking = [s for s in sentences if ASKS.search(s)]
    # "…比2022年增加了1421.25万元吗？政府性基金到底安排了多少？": the yes-or-no sentence checks a premise;
    # the one that asks for a figure (or a reason, or which) is the question
    # (unless that one names no item: "…“三公”经费是不是超支了？决算完成预算的百分之多少" asks of the premise's)
    if len(asking) > 1 and any(_ASKS_WHAT.search(s) and _names_item(s) for s in asking):
        asking = [s for s in asking if _ASKS_WHAT.search(s) or not _YES_NO.search(s)]
    part = "".join(asking) if len(sentences) > 1 and asking and _names_something("".join(asking)) else text
    dash = re.split(r"——+|--+", part)  # a single — joins a name ("办公经费—其他")
    if len(dash) > 1 and ASKS.search(dash[-1]) and _names_item(dash[-1]):
        part = dash[-1]  # "…的钱主要花在人身上还是办公上——人员经费比公用经费多出来多少": the dash leads to the question
    clauses = [c for c in _CLAUSE.split(part) if c]
    turn = next((i for i, c in enumerate(clauses) if i > 0 and LEAD_IN.match(c)), None)
    if turn is not None and _FIRST_PERSON.match(clauses[0]) and not any(ASKS.search(c) for c in clauses[:turn]) \
            and _names_something("".join(clauses[turn:])):
        clauses = clauses[turn:]  # the whole story told before "想问…" is context
    while len(clauses) > 1 and (_FIRST_PERSON.match(clauses[0]) or _SOURCE.match(clauses[0])) \
            and not ASKS.search(clauses[0]) and _names_something("".join(clauses[1:])):
        clauses = clauses[1:]
    return "".join(clauses)
