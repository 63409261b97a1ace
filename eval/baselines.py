"""Baselines graded on the same gold sets as the assistant, and retrieval recall@k for every method.

* plain vector RAG as a general tool does it: the page text of each PDF (pdfplumber), LangChain's
  RecursiveCharacterTextSplitter, our default embeddings, Chroma (langchain-chroma), top 5;
* keyword-only retrieval: BM25 (rank_bm25, our jieba + bigram tokens) over the same chunks, top 5.

Such a tool returns text, not a figure, so it is graded generously: an `answer` item counts as correct
when its top 5 chunks hold the gold figure (`figure_in`) or, for items graded by keywords, every
`answer_contains` keyword; a `refuse` item only when nothing at all is retrieved. That is an upper bound
on what an LLM reading those chunks could reach.

Recall@k: the share of `answer` items whose gold figure (or every keyword) stands in the first k
retrieved chunks. For the assistant the ranked evidence is what its plan looks up: the top facts of
`Assistant.facts.lookup` for the question's department, year, kind, item and measure (before the
assistant's score threshold), a fact holding the figure when its value, converted to the gold unit,
equals a gold value; for narrative questions the top passages of its hybrid retriever.
"""

from __future__ import annotations

import re
import time
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from budgetqa.vocabulary import convert, vocabulary
from eval.grade import EvalReport, GoldItem, Tally, rate
from ingest.records import Fact

if TYPE_CHECKING:
    from assistant.service import Assistant
    from vectorstore.embeddings import Embedder

CHUNK_SIZE, CHUNK_OVERLAP, TOP_K = 500, 50, 5
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")


@dataclass
class Evidence:
    """One retrieved item: a chunk or passage (text), or a looked-up fact, with where it stands."""

    document: str
    page: int
    text: str = ""
    fact: Fact | None = None

    @classmethod
    def of_fact(cls, f: Fact) -> Evidence:
        return cls(f.document, f.page, (f.quote or "") + (f.row or ""), f)


Retrieve = Callable[[str], Sequence[Evidence]]


# --------------------------------------------------------------------------- does evidence hold the answer


def numbers(text: str) -> list[float]:
    """Every number printed in a text, thousands separators removed: '2,938.21' -> 2938.21."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"(?<=\d)[,，](?=\d{3}(?!\d))", "", t)
    return [float(x) for x in _NUMBER.findall(t)]


def _same(got: float, gold: float) -> bool:
    return abs(abs(got) - abs(gold)) <= 0.005  # "减少2.17" prints the magnitude of a -2.17 change


def figure_in(text: str, values: list[float], unit: str | None) -> bool:
    """Whether the text prints a gold value: a number equal to it within 0.005 once read as 元, 万元 or
    亿元 and converted to the gold unit (tables print 元 where the gold says 万元)."""
    scale = vocabulary().money_scale
    scales = [scale[u] / scale[unit] for u in scale] if unit in scale else [1.0]
    for n in numbers(text):
        for s in scales:
            # a zero is only found printed as zero, not as a small number read in a smaller unit
            if any(_same(n * s, g) for g in values if s == 1.0 or (g != 0 and n != 0)):
                return True
    return False


def fact_holds(f: Fact, item: GoldItem) -> bool:
    got = convert(f.value, f.unit, item.unit)
    return got is not None and any(_same(got, g) for g in item.values)


def holds(item: GoldItem, evidence: Sequence[Evidence], gold_page: bool = False) -> bool:
    """Whether the evidence answers an `answer` item: a fact or a text with the figure, or all keywords.
    With `gold_page`, only evidence from the gold source's file and page counts."""
    src = item.source or {}
    if gold_page:
        if not src.get("file") or not src.get("page"):
            return False
        evidence = [e for e in evidence if e.document == src["file"] and e.page == int(src["page"])]
    if item.values:
        return any(fact_holds(e.fact, item) if e.fact else figure_in(e.text, item.values, item.unit) for e in evidence)
    joined = "".join(e.text for e in evidence)
    return all(k in joined for k in item.answer_contains)


# --------------------------------------------------------------------------- the general tool's corpus


@dataclass
class Chunk:
    text: str
    document: str
    page: int


def page_chunks(pdfs: Sequence[Path], size: int = CHUNK_SIZE, overlap: int = CHUNK_OVERLAP) -> list[Chunk]:
    """Each page's text as pdfplumber extracts it, split by RecursiveCharacterTextSplitter (defaults
    otherwise: paragraph, line, space, character)."""
    import pdfplumber
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=overlap)
    out: list[Chunk] = []
    for path in pdfs:
        with pdfplumber.open(path) as pdf:
            for n, page in enumerate(pdf.pages, 1):
                text = page.extract_text() or ""
                out += [Chunk(t, path.name, n) for t in splitter.split_text(text) if t.strip()]
    return out


class VectorRAG:
    """Chroma (in memory) over the chunks through LangChain, as a tutorial would build it."""

    def __init__(self, chunks: Sequence[Chunk], embedder: Embedder, k: int = TOP_K):
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_core.documents import Document

        from vectorstore.embeddings import as_langchain

        self.k = k
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.db = Chroma(collection_name=f"rag-{uuid.uuid4().hex[:12]}", embedding_function=as_langchain(embedder),
                         client=client)
        docs = [Document(page_content=c.text, metadata={"source": c.document, "page": c.page}) for c in chunks]
        for i in range(0, len(docs), 256):
            self.db.add_documents(docs[i : i + 256], ids=[f"c{j}" for j in range(i, min(i + 256, len(docs)))])

    def __call__(self, question: str) -> list[Evidence]:
        return [Evidence(d.metadata["source"], int(d.metadata["page"]), d.page_content)
                for d in self.db.similarity_search(question, k=self.k)]


class KeywordRAG:
    """BM25 over the same chunks; chunks sharing no token with the question are not retrieved."""

    def __init__(self, chunks: Sequence[Chunk], k: int = TOP_K):
        from rank_bm25 import BM25Okapi

        from vectorstore.hybrid import tokens

        self.k = k
        self.chunks = list(chunks)
        self._tokens = tokens
        self.bm25 = BM25Okapi([tokens(c.text) for c in self.chunks])

    def __call__(self, question: str) -> list[Evidence]:
        scores = self.bm25.get_scores(self._tokens(question))
        best = sorted(range(len(scores)), key=lambda i: -scores[i])[: self.k]
        return [Evidence(self.chunks[i].document, self.chunks[i].page, self.chunks[i].text) for i in best if scores[i] > 0]


# --------------------------------------------------------------------------- the assistant's own ranking


def assistant_evidence(bot: Assistant, k: int = TOP_K) -> Retrieve:
    """The assistant's ranked evidence for a question (see the module docstring)."""

    def retrieve(question: str) -> list[Evidence]:
        plan = bot.plan(question)
        q, depts, years, kind = plan.query, plan.departments, plan.years, plan.kind
        if q.unknown_department:
            return []
        if q.narrative:
            hits = bot.retriever.search(q.text, {"department": depts or None, "year": years or None})
            return [Evidence(p.document, p.page, f"{p.heading}\n{p.text}") for p, _score in hits[:k]]
        measure = q.measure if q.measure in ("change_amount", "change_rate", "share") else "value"
        return [Evidence.of_fact(s.fact) for s in bot.facts.lookup(q, depts, years, kind, measure, limit=k)]

    return retrieve


# --------------------------------------------------------------------------- grading a retrieval method


def grade_retrieval(retrieve: Retrieve, gold: Sequence[GoldItem], k: int = TOP_K) -> EvalReport:
    """Accuracy under the generous criterion, by kind; recall@1 and @k over the `answer` items."""
    tally = Tally()
    r1: list[bool] = []
    rk: list[bool] = []
    rk_page: list[bool] = []
    for item in gold:
        t0 = time.perf_counter()
        got = list(retrieve(item.question))[:k]
        seconds = time.perf_counter() - t0
        if item.expect == "refuse":
            ok = not got
        else:
            r1.append(holds(item, got[:1]))
            rk.append(holds(item, got))
            if (item.source or {}).get("page"):
                rk_page.append(holds(item, got, gold_page=True))
            ok = rk[-1]
        tally.add(item, ok, not got, seconds)
    return tally.report(recall={"recall_at_1": rate(r1), f"recall_at_{k}": rate(rk),
                                f"recall_at_{k}_gold_page": rate(rk_page)})
