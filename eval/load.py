"""The load test's client side: the questions, the single-user answers, and N concurrent clients that
must get exactly those answers over HTTP (loopback only). scripts/load_test.py runs it against an app
started by eval.served and writes docs/LOAD.md; tests/web/test_served_app.py runs a CI-sized load."""

from __future__ import annotations

import json
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from eval.bench import percentile
from eval.served import LOOPBACK

GOLD = Path(__file__).resolve().parent / "gold" / "seed.jsonl"  # the load test asks its questions


def questions(gold: Path = GOLD) -> list[str]:
    return [json.loads(line)["question"] for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]


def single_user_answers(base: str, qs: list[str]) -> dict[str, dict]:
    out = {}
    with httpx.Client(base_url=base, timeout=120) as c:
        for q in dict.fromkeys(qs):
            r = c.post("/api/ask", json={"question": q})
            r.raise_for_status()
            out[q] = r.json()
    return out


@dataclass
class LoadResult:
    clients: int
    asked: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # non-200 responses and transport errors
    mismatches: list[str] = field(default_factory=list)  # 200 but not the single-user answer

    def percentile(self, p: float) -> float:
        return percentile(self.latencies, p) if self.latencies else 0.0

    def summary(self) -> dict:
        return {"clients": self.clients, "questions": self.asked, "seconds": round(self.seconds, 2),
                "per_second": round(self.asked / self.seconds, 1) if self.seconds else 0.0,
                "p50_ms": round(self.percentile(50) * 1000, 1), "p95_ms": round(self.percentile(95) * 1000, 1),
                "max_ms": round(max(self.latencies, default=0) * 1000, 1),
                "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1) if self.latencies else 0.0,
                "errors": len(self.errors), "mismatches": len(self.mismatches)}


def run_load(base: str, qs: list[str], expected: dict[str, dict], clients: int, total: int) -> LoadResult:
    """`clients` threads, each with its own connection, share `total` questions (qs cycled)."""
    if not base.startswith(f"http://{LOOPBACK}:"):
        raise ValueError(f"{base}: the load test runs on the loopback interface only")
    result = LoadResult(clients)
    lock = threading.Lock()
    counter = iter(range(total))

    def client() -> None:
        with httpx.Client(base_url=base, timeout=120) as c:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                q = qs[n % len(qs)]
                t0 = time.perf_counter()
                try:
                    r = c.post("/api/ask", json={"question": q})
                    dt = time.perf_counter() - t0
                    ok, body = r.status_code == 200, (r.json() if r.status_code == 200 else r.text[:200])
                except httpx.HTTPError as exc:
                    dt, ok, body = time.perf_counter() - t0, False, f"{type(exc).__name__}: {exc}"
                with lock:
                    result.asked += 1
                    result.latencies.append(dt)
                    if not ok:
                        result.errors.append(f"{q}: {body}")
                    elif body != expected[q]:
                        result.mismatches.append(q)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, name=f"client-{k}") for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.seconds = time.perf_counter() - t0
    return result
