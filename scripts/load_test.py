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
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eval.load import GOLD, LoadResult, questions, run_load, single_user_answers  # noqa: E402
from eval.served import app_env, served_app  # noqa: E402


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
    with tempfile.TemporaryDirectory(prefix="budgetqa-load-") as tmp, served_app(app_env(Path(tmp) / "home")) as base:
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
