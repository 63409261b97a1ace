"""The JSON API's request and response models (CONTRACT.md, HTTP), as OpenAPI shows them at /docs.

The answer itself is assistant.records.Answer; these models describe what travels around it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant.records import Answer
from ingest.records import Fact


class HistoryTurn(BaseModel):
    """One turn of the conversation so far, as a chat client keeps it."""

    role: Literal["user", "assistant"] = Field(description="user: a question asked; assistant: the answer given.")
    content: str = Field(description="The question, or the answer's text.")
    answer: dict[str, Any] | None = Field(
        default=None, description="For an assistant turn: the Answer JSON the server returned, sent back unchanged "
                                  "(follow-up questions read their context from it).")


class AskRequest(BaseModel):
    """POST /api/ask: one question, optionally narrowed, with the conversation so far."""

    question: str = Field(description="The question in everyday words, e.g. 车辆维护的预算是多少？",
                          examples=["车辆维护的预算是多少？"])
    department: str | None = Field(default=None, description="Only this department's documents (the name "
                                   "GET /api/documents lists); null = all.")
    year: int | None = Field(default=None, description="Only this budget year; null = all (a digit string is accepted).")
    kind: Literal["预算", "决算"] | None = Field(default=None, description="Only budgets (预算) or final accounts (决算).")
    history: list[HistoryTurn] = Field(default_factory=list, description="The conversation so far, oldest first.")


class AskAnswer(Answer):
    """POST /api/ask's answer: the Answer JSON (CONTRACT.md) and, under a not_found answer, questions the
    documents do answer."""

    suggestions: list[str] | None = Field(default=None, description="With status not_found: 'did you mean' "
                                          "questions the documents answer (absent otherwise).")


class ErrorResponse(BaseModel):
    error: str = Field(description="One line saying what was wrong and what to do.")


class DocumentOut(BaseModel):
    """One ingested document (the line of `budgetqa documents --json`)."""

    document: str = Field(description="File name; the document's name in every other call.")
    department: str
    year: int
    kind: str = Field(description="预算 or 决算.")
    pages: int
    facts: int = Field(description="How many figures were read from it.")
    checks_failed: int = Field(description="Cross-checks (totals, sums) that did not add up.")
    checks_total: int | None = None
    part: str | None = Field(default=None, description="Which part of a department-year the file is (tables, text).")
    group: str | None = Field(default=None, description="Department-year group the file belongs to.")


class FactsPage(BaseModel):
    """GET /api/facts: one page of stored facts."""

    total: int = Field(description="Facts matching the filters.")
    offset: int
    limit: int
    facts: list[Fact]


class CheckOut(BaseModel):
    """One cross-check applied to a document's tables."""

    document: str
    name: str = Field(description="Which identity was checked (a total equals the sum of its rows, …).")
    ok: bool
    detail: str = Field(description="The figures compared.")
    table: str | None = None
    page: int | None = None


class UploadResult(BaseModel):
    document: str | None
    status: Literal["ingested", "unchanged", "failed", "rejected"]
    message: str = ""
    facts: int | None = None
    checks_failed: int | None = None


class UploadResponse(BaseModel):
    results: list[UploadResult]
