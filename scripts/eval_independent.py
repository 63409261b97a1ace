"""Grade the assistant on the independent held-out questions (eval/independent/), which were written
from the PDFs alone by someone who had not read the code or the other question sets, and on which
nothing is tuned. Each group is ingested into a home of its own, its questions are put through
`budgetqa ask --json --batch`, and every answer is graded by the contract's rule (CONTRACT.md, Gold
file): value within 0.005 in the gold unit; refusals need not_found with no value.

usage: python scripts/eval_independent.py [--work DIR] [--questions FILE] [--details FILE]
(prints the table; --details writes one JSON line per question: its grade and the answer given)
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared/corpus from the main checkout, ../../shared/corpus from a worktree under wt/
CORPUS = next((p / "shared" / "corpus" for p in ROOT.parents if (p / "shared" / "corpus").is_dir()),
              ROOT.parent / "shared" / "corpus")
SCALE = {"元": 1.0, "万元": 1e4, "亿元": 1e8}


def group_files(group: str) -> list[Path]:
    if group == "seed":
        return sorted((CORPUS / "seed").glob("*.pdf"))
    if group == "putuo-budget":
        return sorted((CORPUS / "real" / "shanghai-putuo-budget").glob("*.pdf"))
    return sorted(p for d in ("jiangsu", "shanghai-putuo") for p in (CORPUS / "real" / d).rglob("*.pdf")
                  if "模板" not in p.name and "测试问题" not in p.name)


def grade(item: dict, ans: dict) -> str:
    status, value = ans.get("status"), ans.get("value")
    if item["expect"] == "refuse":
        return "right" if status == "not_found" and value is None else ("wrong" if value is not None else "other")
    if item["values"]:
        if value is None:
            return "ambiguous" if status == "ambiguous" else "miss"
        unit, want = ans.get("unit"), item["unit"]
        v = value * SCALE[unit] / SCALE[want] if unit in SCALE and want in SCALE else value
        return "right" if any(abs(v - x) <= 0.005 for x in item["values"]) else "wrong"
    text = ans.get("answer") or ""
    return "right" if status == "answered" and all(k in text for k in item["answer_contains"]) else "miss"


def cli(home: Path, *args: str, stdin: str | None = None) -> str:
    env = {"BUDGETQA_HOME": str(home), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
           "PATH": str(Path(sys.executable).parent)}
    out = subprocess.run([sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, input=stdin,
                         capture_output=True, text=True, check=False)
    return out.stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=None, help="folder for the homes (default: a temporary one)")
    ap.add_argument("--questions", type=Path, default=ROOT / "eval" / "independent" / "questions.jsonl",
                    help="question file in this format (default: eval/independent/questions.jsonl)")
    ap.add_argument("--details", type=Path, default=None,
                    help="write each question's grade and answer here (JSON lines), for a set used as development material")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="budgetqa-independent-"))
    items = [json.loads(x) for x in args.questions.read_text(encoding="utf-8").splitlines() if x.strip()]
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    details: list[dict] = []
    for group in ("seed", "putuo-budget", "real"):
        home = work / group
        if not home.exists():
            cli(home, "ingest", *map(str, group_files(group)))
        mine = [i for i in items if i["group"] == group]
        batch = "".join(json.dumps({"id": i["id"], "question": i["question"]}, ensure_ascii=False) + "\n" for i in mine)
        answers = {a["id"]: a for a in map(json.loads, filter(str.strip, cli(home, "ask", "--json", "--batch", "-",
                                                                              stdin=batch).splitlines()))}
        for i in mine:
            ans = answers.get(i["id"], {})
            g = grade(i, ans)
            details.append({"id": i["id"], "grade": g, "question": i["question"], "want": i["values"] or
                            i.get("answer_contains"), "unit": i["unit"], "status": ans.get("status"),
                            "value": ans.get("value"), "got_unit": ans.get("unit"), "answer": ans.get("answer")})
            for key in ("all", f"group {group}", f"kind {i['kind']}", f"asker {i['asker']}"):
                counts[key][g] += 1
    if args.details:
        args.details.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in details), encoding="utf-8")
    print("| set | n | right | wrong | not found | ambiguous |\n|---|---|---|---|---|---|")
    for key in sorted(counts, key=lambda k: (k != "all", k)):
        c, n = counts[key], sum(counts[key].values())
        print(f"| {key} | {n} | {c['right']} ({c['right'] / n:.1%}) | {c['wrong']} | {c['miss'] + c['other']} | "
              f"{c['ambiguous']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
