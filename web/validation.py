"""The body of `POST /api/ask` checked field by field before anything reads it.

Every malformed field is a QuestionError (HTTP 400) naming the field and what it should be; nothing
a client sends reaches the assistant as a type it does not expect (a year of "²" or 5,000 digits, a
department as a list, history as a number, a lone surrogate)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from budgetqa.errors import QuestionError

MAX_FIELD_CHARS = 200  # department and kind names are short
MAX_HISTORY_TURNS = 200
MAX_DEPTH = 32  # nesting of the history's Answer objects
_YEAR = re.compile(r"[0-9]{4}")  # ASCII digits only: str.isdigit() also accepts "²" and "٢٠٢٥"


@dataclass
class AskRequest:
    question: str
    department: str | None = None
    year: int | None = None
    kind: str | None = None
    history: list[dict] = field(default_factory=list)


def _bad_text(value: Any) -> str | None:
    """Where a string inside `value` cannot be UTF-8 (a lone surrogate), or it is nested too deep."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        x, depth = stack.pop()
        if depth > MAX_DEPTH:
            return "嵌套过深"
        if isinstance(x, str):
            try:
                x.encode("utf-8")
            except UnicodeEncodeError:
                return "含有无效的 Unicode 字符（孤立的代理项）"
        elif isinstance(x, dict):
            stack.extend((k, depth + 1) for k in x)
            stack.extend((v, depth + 1) for v in x.values())
        elif isinstance(x, list):
            stack.extend((v, depth + 1) for v in x)
    return None


def _optional_text(body: dict, name: str) -> str | None:
    v = body.get(name)
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        raise QuestionError(f"{name} 应为字符串或 null，收到 {type(v).__name__}。")
    v = v.strip()
    if len(v) > MAX_FIELD_CHARS:
        raise QuestionError(f"{name} 太长（{len(v)} 字），最多 {MAX_FIELD_CHARS} 字。")
    return v or None


def _year(body: dict) -> int | None:
    v = body.get("year")
    if v is None or v == "":
        return None
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise QuestionError(f"year 应为四位数字的年份或 null，收到 {type(v).__name__}。")
    text = str(v).strip()
    if not _YEAR.fullmatch(text):
        shown = text if len(text) <= 12 else text[:12] + "…"
        raise QuestionError(f"year 应为四位数字的年份（如 2025），收到 {shown!r}。")
    return int(text)


def parse_ask(body: Any) -> AskRequest:
    """The fields of an ask request, checked; QuestionError (400) names the first bad one."""
    if not isinstance(body, dict):
        raise QuestionError("请求体应为 JSON 对象，如 {\"question\": \"车辆维护的预算是多少？\"}。")
    for name, value in body.items():
        if _bad_text(name):
            raise QuestionError(f"字段名{_bad_text(name)}。")
        problem = _bad_text(value)
        if problem:
            raise QuestionError(f"{name} {problem}。")
    question = body.get("question")
    if question is not None and not isinstance(question, str):
        raise QuestionError(f"question 应为字符串，收到 {type(question).__name__}。")
    history = body.get("history")
    if history is None:
        history = []
    if not isinstance(history, list):
        raise QuestionError(f"history 应为列表（对话记录，最早的在前），收到 {type(history).__name__}。")
    if len(history) > MAX_HISTORY_TURNS:
        raise QuestionError(f"history 太长（{len(history)} 条），最多 {MAX_HISTORY_TURNS} 条。")
    turns = [h for h in history if isinstance(h, dict)]  # a client's junk entries are skipped
    for i, h in enumerate(turns):
        for key in ("role", "content"):
            if key in h and not isinstance(h[key], str):
                raise QuestionError(f"history[{i}].{key} 应为字符串。")
        if "answer" in h and h["answer"] is not None and not isinstance(h["answer"], dict):
            raise QuestionError(f"history[{i}].answer 应为上次返回的回答 JSON 对象。")
    return AskRequest(question=question or "", department=_optional_text(body, "department"), year=_year(body),
                      kind=_optional_text(body, "kind"), history=turns)
