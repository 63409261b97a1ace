"""Load test of the web app over HTTP, on the loopback interface only.

Starts `budgetqa serve` in a subprocess on 127.0.0.1 with a free port and its own BUDGETQA_HOME (the
app ingests the bundled sample on first start), asks every distinct question once to record the
single-user answers, then lets N concurrent clients ask the gold questions, cycled, until M
questions have been asked. Every response must be HTTP 200 and equal, field for field, to the
single-user answer for its question. Prints a summary and writes docs/LOAD.md.

    python scripts/load_test.py                       # 20 clients, 2,000 questions (the issue's figures)
    python scripts/load_test.py --clients 4 --questions 100 --report -    # print only
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "eval" / "gold" / "seed.jsonl"
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(home: Path, env: dict[str, str] | None = None, startup_s: float = 300.0) -> Iterator[str]:
    """Run the app on 127.0.0.1 with BUDGETQA_HOME=home until the block ends; yields its base URL once
    it answers questions (first start ingests the sample)."""
    port = free_port()
    full_env = {**os.environ, "BUDGETQA_HOME": str(home), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
                **(env or {})}
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "budgetqa.cli", "serve", "--host", LOOPBACK, "--port", str(port)],
                            env=full_env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://{LOOPBACK}:{port}"
    try:
        deadline = time.monotonic() + startup_s
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the app exited with {proc.returncode}: {log.read().decode()[-2000:]}")
            try:
                if httpx.get(f"{base}/api/documents", timeout=startup_s).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start within {startup_s:.0f} s")
            time.sleep(0.2)
        # the first question waits for the assistant to be built
        httpx.post(f"{base}/api/ask", json={"question": "三公经费是多少"}, timeout=startup_s)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


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
        xs = sorted(self.latencies)
        if not xs:
            return 0.0
        return xs[min(len(xs) - 1, max(0, math.ceil(p / 100 * len(xs)) - 1))]  # nearest rank

    def summary(self) -> dict:
        return {"clients": self.clients, "questions": self.asked, "seconds": round(self.seconds, 2),
                "per_second": round(self.asked / self.seconds, 1) if self.seconds else 0.0,
                "p50_ms": round(self.percentile(50) * 1000, 1), "p95_ms": round(self.percentile(95) * 1000, 1),
                "max_ms": round(max(self.latencies, default=0) * 1000, 1),
                "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1) if self.latencies else 0.0,
                "errors": len(self.errors), "mismatches": len(self.mismatches)}


def run_load(base: str, qs: list[str], expected: dict[str, dict], clients: int, total: int) -> LoadResult:
    """`clients` threads, each with its own connection, share `total` questions (qs cycled)."""
    assert base.startswith(f"http://{LOOPBACK}:"), "loopback only"
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


def write_report(path: Path, result: LoadResult, single_ms: float, n_distinct: int) -> None:
    s = result.summary()
    cpu = os.cpu_count()
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    path.write_text(f"""# Load test

`python scripts/load_test.py`: the web app in its own process on 127.0.0.1, the bundled sample
ingested, embeddings `{os.environ.get("BUDGETQA_EMBED_MODEL", "e5-small-packaged")}`; {result.clients} concurrent clients (threads, one
keep-alive connection each) ask the {n_distinct} questions of `eval/gold/seed.jsonl`, cycled, {s["questions"]} in all,
over HTTP (`POST /api/ask`). Each answer is compared, field for field, with the answer the same server gave
when the question was asked alone. CI runs a smaller version with the same checks
(tests/test_hardening.py: 4 clients × 100 questions, cycled from the first 50, hash embeddings).

Machine: {cpu} CPU cores, Python {platform.python_version()}, {platform.system()} {platform.machine()};
load average at the end of the run (1 / 5 / 15 min): {load} — other jobs shared the machine when it
was above the core count.

| measure | value |
|---|---|
| questions | {s["questions"]} |
| concurrent clients | {s["clients"]} |
| wall time | {s["seconds"]} s |
| throughput | {s["per_second"]} questions/s |
| latency p50 | {s["p50_ms"]} ms |
| latency p95 | {s["p95_ms"]} ms |
| latency max | {s["max_ms"]} ms |
| latency mean | {s["mean_ms"]} ms |
| single-user latency (mean, one client) | {single_ms:.1f} ms |
| HTTP errors | {s["errors"]} |
| answers differing from the single-user answer | {s["mismatches"]} |

Reading the figures: one client asking in turn gets {1000 / single_ms if single_ms else 0:.1f} answers/s (each round trip {single_ms:.1f} ms);
{result.clients} clients together get {s["per_second"]} answers/s, as a lone client leaves the server idle while it
sends each question and reads each answer. Answering is CPU-bound Python under one interpreter lock,
so beyond that requests queue: by Little's law the mean latency is about clients ÷ throughput =
{result.clients / s["per_second"] * 1000 if s["per_second"] else 0:.0f} ms (measured {s["mean_ms"]} ms), and p95 is the requests that waited longest in that queue.
""", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--questions", type=int, default=2000)
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument("--report", default=str(ROOT / "docs" / "LOAD.md"), help="Markdown report path, or - for none")
    args = ap.parse_args(argv)
    qs = questions(args.gold)
    with tempfile.TemporaryDirectory(prefix="budgetqa-load-") as tmp, serve(Path(tmp) / "home") as base:
        t0 = time.perf_counter()
        expected = single_user_answers(base, qs)
        single_ms = (time.perf_counter() - t0) / len(expected) * 1000
        result = run_load(base, qs, expected, args.clients, args.questions)
    s = result.summary()
    print(json.dumps({**s, "single_user_mean_ms": round(single_ms, 1)}, ensure_ascii=False))
    for line in (result.errors + [f"differs: {q}" for q in result.mismatches])[:20]:
        print(line, file=sys.stderr)
    if args.report != "-":
        write_report(Path(args.report), result, single_ms, len(expected))
    return 0 if not result.errors and not result.mismatches else 1


if __name__ == "__main__":
    sys.exit(main())
