"""`budgetqa eval`: grade answers against a gold file (CONTRACT.md, Gold file)."""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from budgetqa.errors import GoldFileError

_TO_YUAN = {"元": 1.0, "万元": 1e4, "亿元": 1e8}


class GoldItem(BaseModel):
    id: str
    question: str
    expect: str = Field(pattern="^(answer|refuse)$")
    values: list[float] = Field(default_factory=list)
    unit: str | None = None
    answer_contains: list[str] = Field(default_factory=list)
    kind: str = "lookup"
    source: dict[str, Any] = Field(default_factory=dict)
    note: str = ""


def load_gold(path: str | Path) -> list[GoldItem]:
    p = Path(path)
    if not p.exists():
        raise GoldFileError(f"{p}: gold file not found; give the path of a .jsonl file")
    items = []
    for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(GoldItem.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            first = str(exc).splitlines()[0][:120]
            raise GoldFileError(f"{p}: line {n} is not a valid gold item ({first}); fix that line") from exc
    return items


def convert(value: float, unit: str | None, to: str | None) -> float | None:
    if unit == to or to is None or unit is None:
        return value
    if unit in _TO_YUAN and to in _TO_YUAN:
        return value * _TO_YUAN[unit] / _TO_YUAN[to]
    return None


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
    for c in ans.get("citations") or []:
        if c.get("document") == src["file"] and int(c.get("page") or 0) == int(src["page"]):
            return True
    return False


def run_eval(assistant: Any, gold: list[GoldItem]) -> dict:
    by_kind: dict[str, list[bool]] = defaultdict(list)
    failures, cites = [], []
    tp = fp = fn = 0
    latencies = []
    for item in gold:
        t0 = time.perf_counter()
        ans = assistant.ask(item.question).to_json()
        latencies.append(time.perf_counter() - t0)
        ok = is_correct(item, ans)
        by_kind[item.kind].append(ok)
        c = citation_ok(item, ans)
        if c is not None:
            cites.append(c)
        refused = ans.get("status") == "not_found"
        tp += refused and item.expect == "refuse"
        fp += refused and item.expect != "refuse"
        fn += (not refused) and item.expect == "refuse"
        if not ok:
            failures.append({"id": item.id, "kind": item.kind, "question": item.question, "expected": item.values or
                             item.answer_contains or "refuse", "status": ans.get("status"), "value": ans.get("value"),
                             "unit": ans.get("unit"), "answer": (ans.get("answer") or "")[:160]})
    total = sum(len(v) for v in by_kind.values())
    correct = sum(sum(v) for v in by_kind.values())
    lat = sorted(latencies)
    return {
        "items": total, "correct": correct, "accuracy": round(correct / total, 4) if total else 0.0,
        "by_kind": {k: {"items": len(v), "correct": sum(v), "accuracy": round(sum(v) / len(v), 4)} for k, v in sorted(by_kind.items())},
        "citation_accuracy": round(sum(cites) / len(cites), 4) if cites else None,
        "refusal_precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "refusal_recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "latency_ms_p50": round(lat[len(lat) // 2] * 1000, 1) if lat else None,
        "failures": failures,
    }


def format_report(r: dict) -> str:
    lines = [f"accuracy {r['correct']}/{r['items']} = {r['accuracy']:.1%}"]
    for k, v in r["by_kind"].items():
        lines.append(f"  {k:<11} {v['correct']:>4}/{v['items']:<4} {v['accuracy']:.1%}")
    lines.append(f"citation accuracy {r['citation_accuracy']}; refusal precision {r['refusal_precision']}, "
                 f"recall {r['refusal_recall']}; median latency {r['latency_ms_p50']} ms")
    if r["failures"]:
        lines.append("failures:")
        for f in r["failures"]:
            lines.append(f"  {f['id']} [{f['kind']}] {f['question']} -> expected {f['expected']}; got {f['status']} "
                         f"{f['value']} {f['unit'] or ''}: {re.sub(chr(10), ' ', f['answer'])[:100]}")
    return "\n".join(lines)
