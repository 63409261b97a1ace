"""`budgetqa eval`: grade answers against a gold file (CONTRACT.md, Gold file)."""

from __future__ import annotations

import json
import logging
import re
import statistics
import time
from collections import defaultdict
from pathlib import Path, PurePath
from typing import Any, Protocol

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from assistant.records import Answer
from budgetqa.errors import GoldFileError
from budgetqa.vocabulary import convert as convert_money
from budgetqa.vocabulary import is_money, vocabulary

log = logging.getLogger(__name__)

# a count unit as documents print it beyond the vocabulary's list: 条, 本, 张, 名 … (CONTRACT.md, Answer)
_COUNT_UNIT = re.compile(r"^[\u4e00-\u9fff（）()]{1,6}$")


def is_count_unit(unit: str | None) -> bool:
    """A unit that counts things (人, 辆, 件 …), not money and not a percentage."""
    if not unit or is_money(unit) or unit == vocabulary().percent:
        return False
    # 千元 and the like are money in a unit the grader does not convert: not a count
    return unit in vocabulary().count_units or (not unit.endswith("元") and bool(_COUNT_UNIT.match(unit)))


def convert(value: float, unit: str | None, to: str | None) -> float | None:
    """The value in unit `to`: money converts between 元/万元/亿元; a count is a count whichever word
    counts it (条 / 项 / 个 for the items of a list); money, % and counts never convert into each other."""
    got = convert_money(value, unit, to)
    if got is None and is_count_unit(unit) and is_count_unit(to):
        return value
    return got


class Answers(Protocol):
    """What the harness grades: anything that answers one question (the assistant, a baseline)."""

    def ask(self, question: str) -> Answer: ...


class GoldItem(BaseModel):
    id: str
    question: str
    expect: str = Field(pattern="^(answer|refuse)$")
    values: list[float] = Field(default_factory=list)
    unit: str | None = None
    answer_contains: list[str] = Field(default_factory=list)
    kind: str = "lookup"
    asker: str | None = Field(default=None, description="Who asks: citizen, staff, trick … (groups the report).")
    source: dict[str, Any] = Field(default_factory=dict)
    note: str = ""

    @field_validator("source", mode="before")
    @classmethod
    def _no_source(cls, v: Any) -> Any:
        return {} if v is None else v  # a refusal has no source: null is allowed

    @model_validator(mode="after")
    def _gradable(self) -> GoldItem:
        # an answer item with neither values nor keywords would count every non-refusal as correct
        if self.expect == "answer" and not self.values and not self.answer_contains:
            raise ValueError("an 'answer' item needs 'values' or 'answer_contains'")
        if self.expect == "refuse" and (self.values or self.answer_contains):
            raise ValueError("a 'refuse' item cannot have 'values' or 'answer_contains'")
        v = vocabulary()
        if self.unit is not None and not is_money(self.unit) and self.unit != v.percent and not is_count_unit(self.unit):
            raise ValueError(f"unit {self.unit!r} is not a money unit ({', '.join(v.money_scale)}), % or a count unit "
                             f"such as {', '.join(sorted(v.count_units)[:6])}")
        return self


def load_gold(path: str | Path) -> list[GoldItem]:
    p = Path(path)
    if not p.exists():
        raise GoldFileError(f"{p}: gold file not found; give the path of a .jsonl file")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldFileError(f"{p}: cannot read the gold file ({exc}); give a UTF-8 .jsonl file") from exc
    items: list[GoldItem] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = GoldItem.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise GoldFileError(f"{p}: line {n} is not JSON ({exc.msg} at column {exc.colno}); fix that line") from exc
        except ValidationError as exc:
            raise GoldFileError(f"{p}: line {n} is not a valid gold item ({_first_error(exc)}); fix that line") from exc
        if item.id in seen:
            raise GoldFileError(f"{p}: line {n} repeats the id {item.id!r} of line {seen[item.id]}; ids must be unique")
        seen[item.id] = n
        items.append(item)
    return items


def _first_error(exc: ValidationError) -> str:
    """'expect: String should match pattern ...' — one line naming the field, not pydantic's banner."""
    e = exc.errors()[0]
    where = ".".join(str(x) for x in e.get("loc", ())) or "item"
    return f"{where}: {e.get('msg', 'invalid')}"[:160].replace("\n", " ")


def is_correct(item: GoldItem, ans: dict) -> bool:
    if item.expect == "refuse":
        return ans.get("status") == "not_found" and ans.get("value") is None
    if ans.get("status") == "not_found":
        return False
    if item.values:
        v = ans.get("value")
        if v is None:
            return False
        got = convert(float(v), ans.get("unit"), item.unit)
        return got is not None and any(abs(got - g) <= 0.005 for g in item.values)
    text = ans.get("answer") or ""
    return all(k in text for k in item.answer_contains)


def citation_ok(item: GoldItem, ans: dict) -> bool | None:
    src = item.source or {}
    if item.expect != "answer" or not src.get("file") or not src.get("page"):
        return None
    # gold names the file by its path in the corpus ("seed/….pdf"), an answer by the document's file name
    want = PurePath(str(src["file"]).replace("\\", "/")).name
    for c in ans.get("citations") or []:
        got = PurePath(str(c.get("document") or "").replace("\\", "/")).name
        if got == want and int(c.get("page") or 0) == int(src["page"]):
            return True
    return False


def _ask(assistant: Answers, question: str) -> dict:
    """The answer JSON; an exception becomes a graded failure instead of ending the run."""
    try:
        return dict(assistant.ask(question).to_json())
    except Exception as exc:  # the harness reports a crash on one question and goes on
        log.exception("question crashed: %s", question[:200])
        return {"status": "error", "value": None, "unit": None, "citations": [],
                "answer": f"{type(exc).__name__}: {exc}"}


class KindScore(BaseModel):
    items: int
    correct: int
    accuracy: float


class Failure(BaseModel):
    """A gold item graded wrong, with what the assistant said."""

    id: str
    kind: str
    question: str
    expected: list[float] | list[str] | str
    status: str | None
    value: float | None
    unit: str | None
    answer: str


class EvalReport(BaseModel):
    """A graded run over a gold file (`budgetqa eval --json` prints it)."""

    items: int
    correct: int
    accuracy: float
    by_kind: dict[str, KindScore]
    by_asker: dict[str, KindScore] = Field(default_factory=dict, description="The same by who asks (gold `asker`).")
    wrong: int = Field(default=0, description="Answered with a figure or text that is not the gold one.")
    wrong_rate: float = 0.0
    ambiguous: int = Field(default=0, description="Answered with the close readings and a question back (neither right nor wrong).")
    citation_accuracy: float | None = Field(default=None, description="Answers citing the gold file and page.")
    refusal_precision: float | None = None
    refusal_recall: float | None = None
    latency_ms_p50: float | None = Field(default=None, description="Median seconds per question × 1000.")
    failures: list[Failure] = Field(default_factory=list)
    recall: dict[str, float | None] | None = Field(
        default=None, description="Retrieval graders only: recall_at_1, recall_at_K, recall_at_K_gold_page.")

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(exclude={"recall"} if self.recall is None else set())


class Tally:
    """Correct answers by kind, refusal precision and recall, latency: what every grader counts."""

    def __init__(self) -> None:
        self.by_kind: dict[str, list[bool]] = defaultdict(list)
        self.by_asker: dict[str, list[bool]] = defaultdict(list)
        self.wrong = 0
        self.ambiguous = 0
        self.tp = self.fp = self.fn = 0
        self.latencies: list[float] = []

    def add(self, item: GoldItem, ok: bool, refused: bool, seconds: float, answered: bool = False,
            ambiguous: bool = False) -> None:
        self.ambiguous += ambiguous
        self.by_kind[item.kind].append(ok)
        self.by_asker[item.asker or "-"].append(ok)
        self.wrong += answered and not ok
        self.tp += refused and item.expect == "refuse"
        self.fp += refused and item.expect != "refuse"
        self.fn += (not refused) and item.expect == "refuse"
        self.latencies.append(seconds)

    def report(self, **extra: Any) -> EvalReport:
        total = sum(len(v) for v in self.by_kind.values())
        correct = sum(sum(v) for v in self.by_kind.values())
        tp, fp, fn = self.tp, self.fp, self.fn
        return EvalReport(
            items=total, correct=correct, accuracy=round(correct / total, 4) if total else 0.0,
            by_kind={k: KindScore(items=len(v), correct=sum(v), accuracy=round(sum(v) / len(v), 4))
                     for k, v in sorted(self.by_kind.items())},
            by_asker={k: KindScore(items=len(v), correct=sum(v), accuracy=round(sum(v) / len(v), 4))
                      for k, v in sorted(self.by_asker.items())},
            wrong=self.wrong, wrong_rate=round(self.wrong / total, 4) if total else 0.0, ambiguous=self.ambiguous,
            refusal_precision=round(tp / (tp + fp), 4) if tp + fp else None,
            refusal_recall=round(tp / (tp + fn), 4) if tp + fn else None,
            latency_ms_p50=round(statistics.median(self.latencies) * 1000, 1) if self.latencies else None,
            **extra)


def rate(xs: list[bool]) -> float | None:
    return round(sum(xs) / len(xs), 4) if xs else None


def run_eval(assistant: Answers, gold: list[GoldItem], timings: list[float] | None = None) -> EvalReport:
    """Grade `assistant.ask` on every item. `timings`, when given, receives each answer's seconds."""
    tally = Tally()
    failures, cites = [], []
    for item in gold:
        t0 = time.perf_counter()
        ans = _ask(assistant, item.question)
        ok = is_correct(item, ans)
        tally.add(item, ok, ans.get("status") == "not_found", time.perf_counter() - t0, ans.get("status") == "answered",
                  ans.get("status") == "ambiguous")
        c = citation_ok(item, ans)
        if c is not None:
            cites.append(c)
        if not ok:
            failures.append(Failure(id=item.id, kind=item.kind, question=item.question,
                                    expected=item.values or item.answer_contains or "refuse", status=ans.get("status"),
                                    value=ans.get("value"), unit=ans.get("unit"), answer=(ans.get("answer") or "")[:160]))
    if timings is not None:
        timings.extend(tally.latencies)
    return tally.report(citation_accuracy=rate(cites), failures=failures)


def format_report(report: EvalReport) -> str:
    """The report as a plain-text table, then the failures with the answer given."""

    def pct(x: float | None) -> str:
        return "–" if x is None else f"{x:.1%}"

    r = report.to_json()
    lines = [f"{'kind':<12}{'correct':>9}{'items':>7}{'accuracy':>10}", "-" * 38]
    for k, v in r["by_kind"].items():
        lines.append(f"{k:<12}{v['correct']:>9}{v['items']:>7}{pct(v['accuracy']):>10}")
    lines += ["-" * 38, f"{'overall':<12}{r['correct']:>9}{r['items']:>7}{pct(r['accuracy']):>10}"]
    askers = r.get("by_asker") or {}
    if len(askers) > 1 or (askers and "-" not in askers):
        lines += ["", f"{'asker':<12}{'correct':>9}{'items':>7}{'accuracy':>10}", "-" * 38]
        for k, v in askers.items():
            lines.append(f"{k:<12}{v['correct']:>9}{v['items']:>7}{pct(v['accuracy']):>10}")
    lines += ["",
              f"answered wrongly    {pct(r.get('wrong_rate')):<7}(a figure or text that is not the gold one)",
              f"ambiguous           {r.get('ambiguous', 0):<7}(answered with the close readings and a question back)",
              f"citation accuracy   {pct(r['citation_accuracy']):<7}(an answer cites the gold file and page)",
              f"refusal precision   {pct(r['refusal_precision']):<7}(of the questions refused, share that should be)",
              f"refusal recall      {pct(r['refusal_recall']):<7}(of the questions to refuse, share refused)",
              f"median latency      {r['latency_ms_p50']} ms"]
    if r["failures"]:
        lines += ["", f"failures ({len(r['failures'])}):"]
        for f in r["failures"]:
            got = f"{f['status']} {'' if f['value'] is None else f['value']}{f['unit'] or ''}".strip()
            lines.append(f"  {f['id']} [{f['kind']}] {f['question']}")
            said = re.sub(r"\s+", " ", f["answer"])[:120]
            lines.append(f"      expected {f['expected']}; got {got}: {said}")
    return "\n".join(lines)
