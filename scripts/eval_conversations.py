"""Play the development conversations through the HTTP API, grade every turn, write docs/CONVERSATIONS.md.

    python scripts/eval_conversations.py [--sample-home DIR] [--real-home DIR] [--embed-model hash]
                                         [--conversations FILE] [--json out.json] [--no-write]

Each conversation is sent turn by turn to `POST /api/ask` with the `history` a chat client keeps
(CONTRACT.md, HTTP): the user's questions and, for each answer, the Answer JSON returned for it, sent
back unchanged. conv-01..08 run over the bundled sample alone, the others over every real PDF loaded
together (without the blank template and the error-injected copy). Without --sample-home/--real-home
the stores are ingested into a temporary folder first (about two minutes).

Grading is the gold-file rule (CONTRACT.md): the answer's value in the gold unit within 0.005 of one
of `values`; `answer_contains` for narrative turns; a refusal is `not_found` with no value.

A turn *contradicts* the conversation when the previous answer stated the item's change from last
year ("比上年增加1.17万元", "增长58.38%") and the turn asks for that change but is refused or gets
another figure.

Hold-out: the sample conversations and the odd-numbered real ones (conv-09, 11, …, 25) were used
while developing; the even-numbered real ones (conv-10, 12, …, 24) are reported separately.

`--independent` plays instead the 12 conversations of eval/independent/conversations.jsonl (written
from the PDFs by someone who never saw the code; nothing is tuned on them), each over the documents
of its `group` (seed = the sample, putuo-budget = the Putuo 2023 budget alone, real = the Jiangsu and
Putuo 决算 PDFs), and writes only their totals (no turn-by-turn listing: they stay held out) into
a marked section of docs/CONVERSATIONS.md, labelled with --label.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
import tomllib
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eval.bench import REAL, SHARED, real_pdfs, sections, write_section  # noqa: E402
from eval.grade import convert  # noqa: E402

DEV = SHARED / "dev" / "conversations.jsonl"
PATTERNS = ROOT / "eval" / "gold" / "conversation_patterns.toml"
INDEPENDENT = ROOT / "eval" / "independent" / "conversations.jsonl"
SAMPLE_ONLY = {f"conv-{i:02d}" for i in range(1, 9)}
# held-out conversations whose failures were read while developing a later round (named in the report)
EXAMINED = {"conv-20", "conv-22"}
_STATED_CHANGE = re.compile(r"比(?:上年|去年|上一年|20\d\d年)(?:预算)?(?:数)?(增加|减少|增长|下降|减)了?([\d,]+(?:\.\d+)?)(万元|元|亿元|%)")
_CHANGE_QUESTION = re.compile(r"比(?:上年|去年|上一年|20\d\d年)|增长|下降|增加|减少|涨|降|变化|多了|少了|增是减")


def held_out(conv_id: str) -> bool:
    """The even-numbered real conversations: not looked at while developing."""
    n = int(conv_id.split("-")[1])
    return conv_id not in SAMPLE_ONLY and n % 2 == 0


def correct(turn: dict, ans: dict) -> bool:
    if turn["expect"] == "refuse":
        return ans.get("status") == "not_found" and ans.get("value") is None
    if turn["expect"] == "ask":  # the answer must ask which reading or department (eval/written/conversations.jsonl)
        return ans.get("status") == "ambiguous" and ans.get("value") is None
    if ans.get("status") != "answered":
        return False
    if turn.get("values"):
        v = ans.get("value")
        if v is None:
            return False
        got = convert(float(v), ans.get("unit"), turn.get("unit"))
        return got is not None and any(abs(got - g) <= 0.005 for g in turn["values"])
    text = ans.get("answer") or ""
    return all(k in text for k in turn.get("answer_contains") or [])


def contradicts(question: str, previous: dict | None, ans: dict) -> bool:
    """The previous answer stated a change; this turn asks for the change and does not give it."""
    if not previous or previous.get("status") != "answered" or not _CHANGE_QUESTION.search(question):
        return False
    named = {int(y) for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", question)}
    year = previous.get("year")
    if named and not (isinstance(year, int) and named <= {year, year - 1}):
        return False  # other years named: not the change the previous answer stated
    if re.search(r"为什么|原因|为何", question):
        return False
    stated = _STATED_CHANGE.findall(previous.get("answer") or "")
    if not stated:
        return False
    if ans.get("status") != "answered" or ans.get("value") is None:
        return True
    for _word, number, unit in stated:
        got = convert(float(ans["value"]), ans.get("unit"), unit)
        if got is not None and abs(abs(got) - float(number.replace(",", ""))) <= 0.005:
            return False
    # a figure in the unit of a stated change, and not that change
    return any(convert(float(ans["value"]), ans.get("unit"), u) is not None for _w, _n, u in stated)


def build_home(folder: Path, paths: list[Path], embed_model: str) -> Path:
    from budgetqa.settings import Settings
    from library import Library

    if not paths:
        raise SystemExit(f"no PDF to ingest into {folder}: is the corpus folder there?")
    lib = Library(Settings(home=folder, embed_model=embed_model))
    failed = [o.message for o in lib.ingest(paths) if o.status == "failed"]
    if failed:
        raise SystemExit("ingest failed: " + "; ".join(failed))
    return folder


def client_for(home: Path, embed_model: str) -> Any:
    from fastapi.testclient import TestClient

    from app import build_app
    from budgetqa.settings import Settings

    return TestClient(build_app(Settings(home=home, embed_model=embed_model)))


def outcome(turn: dict, ans: dict, ok: bool) -> str:
    """right; wrong (a figure stated that is not the expected one, or a refusal answered with one);
    asked (ambiguous, asking which); missed (not found, or the keywords missing)."""
    if ok:
        return "right"
    if ans.get("value") is not None and (turn.get("values") or turn["expect"] == "refuse"):
        return "wrong"
    return "asked" if ans.get("status") == "ambiguous" else "missed"


def play(client: Any, conv: dict, patterns: dict[str, str]) -> list[dict]:
    history: list[dict] = []
    out, previous, all_correct = [], None, True
    for n, turn in enumerate(conv["turns"], 1):
        t0 = time.perf_counter()
        r = client.post("/api/ask", json={"question": turn["question"], "department": None, "year": None,
                                          "history": history})
        ms = (time.perf_counter() - t0) * 1000
        ans = r.json() if r.status_code == 200 else {"status": "error", "answer": r.text[:200]}
        ok = correct(turn, ans)
        out.append({"conversation": conv["id"], "turn": n, "question": turn["question"],
                    "pattern": "first" if n == 1 else patterns.get(f"{conv['id']}.{n}", "unlabelled"),
                    "expect": turn["expect"], "values": turn.get("values"), "unit": turn.get("unit"),
                    "answer_contains": turn.get("answer_contains"), "correct": ok,
                    "outcome": outcome(turn, ans, ok), "group": conv.get("group"),
                    "contradiction": n > 1 and contradicts(turn["question"], previous, ans),
                    "status": ans.get("status"), "value": ans.get("value"), "got_unit": ans.get("unit"),
                    "answer": (ans.get("answer") or "")[:300], "held_out": held_out(conv["id"]),
                    "after_correct": n > 1 and all_correct, "ms": round(ms, 1)})
        all_correct = all_correct and ok
        history += [{"role": "user", "content": turn["question"]},
                    {"role": "assistant", "content": ans.get("answer") or "", "answer": ans}]
        previous = ans
    return out


def _rate(rows: list[dict]) -> str:
    if not rows:
        return "–"
    k = sum(r["correct"] for r in rows)
    return f"{k}/{len(rows)} ({k / len(rows):.1%})"


def summary(rows: list[dict]) -> dict:
    follow = [r for r in rows if r["turn"] > 1]
    return {"turns": len(rows), "correct": sum(r["correct"] for r in rows),
            "follow_ups": len(follow), "follow_ups_correct": sum(r["correct"] for r in follow),
            "contradictions": sum(r["contradiction"] for r in rows)}


def report(rows: list[dict], meta: dict) -> str:
    dev = [r for r in rows if not r["held_out"]]
    held = [r for r in rows if r["held_out"]]
    lines = ["# Conversations", "",
             f"Written by `scripts/eval_conversations.py` on {meta['when']} (embedding model `{meta['embed_model']}`). "
             "The 25 development conversations of `../shared/dev/conversations.jsonl` (83 turns) are played "
             "through `POST /api/ask`, each turn with the history a chat client sends back (the Answer JSON "
             "unchanged). conv-01..08 run over the bundled sample alone, the others over every real PDF loaded "
             "together. A turn is correct by the gold-file rule (value within 0.005 in the gold unit; "
             "keywords for narrative turns; a refusal is `not_found`). A *contradiction* is a turn asking for "
             "the change the previous answer stated, answered with another figure or refused.", "",
             "Held out: the sample conversations and the odd-numbered real ones were used while developing; "
             "the even-numbered real ones (conv-10, 12, …, 24) are reported apart. Caveat: every question of "
             "the 25 was read when the patterns were labelled, and one early run showed held-out results "
             "(a bug found then, one year named as the base of a change — '比2023年增加了多少' — was fixed as a "
             "general bug); after that the held-out half was run only for this report. In the round after "
             f"that, the failures of {', '.join(sorted(EXAMINED))} were read (a reason asked after a figure, a "
             "question about the last answer's own sentences): the last row leaves them out. The truly held-out "
             "figure is the independent conversations' at the end of this report.", "",
             "The last column counts only follow-ups whose earlier turns were all answered correctly: what "
             "the conversation layer does when the single-question answers it builds on are right.", "",
             "| set | turns | follow-up turns | wrong figures | contradictions | follow-ups after correct turns |",
             "|---|---|---|---|---|---|"]
    for name, part in (("all 25 conversations", rows), ("developed on (sample + odd real)", dev),
                       ("held out (even real)", held),
                       ("held out, never read (even real without " + ", ".join(sorted(EXAMINED)) + ")",
                        [r for r in held if r["conversation"] not in EXAMINED])):
        follow = [r for r in part if r["turn"] > 1]
        clean = [r for r in follow if r["after_correct"]]
        lines.append(f"| {name} | {_rate(part)} | {_rate(follow)} | {sum(r['outcome'] == 'wrong' for r in part)} | "
                     f"{sum(r['contradiction'] for r in part)} | {_rate(clean)} |")
    missed = [r for r in rows if r["turn"] > 1 and not r["correct"]]
    after_bad = sum(not r["after_correct"] for r in missed)
    lines += ["", f"Of the {len(missed)} follow-ups not answered correctly, {after_bad} come after an earlier turn "
                  "of the same conversation that was answered wrongly or not at all (their context was missing); "
                  f"first turns not answered correctly: {sum(r['turn'] == 1 and not r['correct'] for r in rows)} "
                  "(the single-question assistant's part)."]
    lat = [r["ms"] for r in rows]
    lines += ["", f"Latency per turn through the API (the layer and its calls of the single-question assistant, "
                  f"in process): median {statistics.median(lat):.0f} ms, slowest {max(lat):.0f} ms."]
    if meta.get("baseline"):
        b = meta["baseline"]
        lines += ["", f"For comparison, {b['label']}: {b['correct']}/{b['turns']} turns, "
                      f"{b['follow_ups_correct']}/{b['follow_ups']} follow-ups, {b['contradictions']} contradictions."]
    lines += ["", "## By follow-up pattern", "",
              "Patterns are labelled by hand from each question's wording (`eval/gold/conversation_patterns.toml`), "
              "not from what the assistant did.", "",
              "| pattern | all | developed on | held out |" + (" baseline (all) |" if meta.get("baseline_turns") else ""),
              "|---|---|---|---|" + ("---|" if meta.get("baseline_turns") else "")]
    by: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by[r["pattern"]].append(r)
    before: dict[str, list[dict]] = defaultdict(list)
    for r in meta.get("baseline_turns") or []:
        before[r["pattern"]].append(r)
    for p in sorted(by, key=lambda p: (p != "first", p)):
        part = by[p]
        lines.append(f"| {p} | {_rate(part)} | {_rate([r for r in part if not r['held_out']])} | "
                     f"{_rate([r for r in part if r['held_out']])} |" + (f" {_rate(before[p])} |" if before else ""))
    wrong = [r for r in rows if not r["correct"] or r["contradiction"]]
    lines += ["", "## Turns not answered correctly", ""]
    if not wrong:
        lines.append("None.")
    for r in wrong:
        want = r["values"] or r["answer_contains"] or "refuse"
        got = f"{r['status']} {'' if r['value'] is None else r['value']}{r['got_unit'] or ''}".strip()
        said = re.sub(r"\s+", " ", r["answer"])[:160].replace("|", "/")
        lines.append(f"- {r['conversation']}.{r['turn']} ({r['pattern']}{', held out' if r['held_out'] else ''}"
                     f"{', CONTRADICTION' if r['contradiction'] else ''}) {r['question']} — expected {want} "
                     f"{r['unit'] or ''}; got {got}: {said}")
    return "\n".join(lines) + "\n"


def independent_report(rows: list[dict], label: str) -> str:
    """Totals only (the turns stay unread by whoever develops): per group, first turns and follow-ups."""
    lines = [f"### {label}", "", "| set | turns | right | wrong figure | not found | asked which | contradictions |",
             "|---|---|---|---|---|---|---|"]
    parts = [("all 12 conversations", rows), ("first turns", [r for r in rows if r["turn"] == 1]),
             ("follow-up turns", [r for r in rows if r["turn"] > 1])]
    parts += [(f"group {g}", [r for r in rows if r["group"] == g]) for g in sorted({r["group"] for r in rows})]
    for name, part in parts:
        c = defaultdict(int, {k: sum(r["outcome"] == k for r in part) for k in ("right", "wrong", "missed", "asked")})
        lines.append(f"| {name} | {len(part)} | {_rate(part)} | {c['wrong']} | {c['missed']} | {c['asked']} | "
                     f"{sum(r['contradiction'] for r in part)} |")
    return "\n".join(lines) + "\n"


def run_independent(args: argparse.Namespace) -> None:
    import eval_independent

    source = INDEPENDENT if args.conversations == DEV else args.conversations  # --conversations: another held-out file
    convs = [json.loads(x) for x in source.read_text(encoding="utf-8").splitlines() if x.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="bq-indep-conv-"))
    homes = {"seed": args.sample_home, "putuo-budget": args.putuo_home, "real": args.independent_real_home}
    rows: list[dict] = []
    clients: dict[str, Any] = {}
    for conv in convs:
        g = conv["group"]
        if g not in clients:
            home = homes.get(g) or build_home(tmp / g, eval_independent.group_files(g), args.embed_model)
            clients[g] = client_for(home, args.embed_model)
        rows += play(clients[g], conv, {})
    text = independent_report(rows, f"{args.label} ({datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}, "
                                    f"embedding model `{args.embed_model}`)")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary(rows), "turns": rows}, ensure_ascii=False, indent=1),
                             encoding="utf-8")
    print(text)
    if not args.no_write:
        write_independent(ROOT / "docs" / "CONVERSATIONS.md", args.label, text)


def write_independent(doc: Path, label: str, table: str) -> None:
    """The independent runs in one marked section of the report, one `###` part per run label: a run
    replaces the part of its label and keeps the others (the figure at the start beside the one at the end)."""
    old = re.search(r"<!-- begin eval_conversations:.*?-->\n(.*?)<!-- end eval_conversations -->",
                    doc.read_text(encoding="utf-8") if doc.exists() else "", re.S)
    parts = [p for p in re.split(r"(?m)^(?=### )", old.group(1)) if p.startswith("### ")] if old else []
    parts = [p for p in parts if not p.startswith(f"### {label} (")] + [table]
    intro = ("## Independent conversations\n\nThe 12 conversations of `eval/independent/conversations.jsonl` (36 turns, "
             "written from the PDFs by someone who never saw the code), played the same way over the documents of "
             "each one's group (`python scripts/eval_conversations.py --independent --label …`). Nothing was tuned "
             "on them and their turns are not listed here: totals only. The run at the end of a round against the "
             "one at its start is what that round's conversation work did on conversations nobody tuned on.\n\n")
    write_section(doc, "eval_conversations", intro + "\n".join(p.strip() + "\n" for p in parts))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample-home", type=Path, help="a store holding the bundled sample alone (else ingested)")
    ap.add_argument("--real-home", type=Path, help="a store holding the real corpus (else ingested)")
    ap.add_argument("--embed-model", default="hash", help="embedding model of the stores (default hash)")
    ap.add_argument("--conversations", type=Path, default=DEV)
    ap.add_argument("--only", help="comma-separated conversation ids to play")
    ap.add_argument("--json", type=Path, help="also write every graded turn as JSON here")
    ap.add_argument("--no-write", action="store_true", help="print the report instead of writing docs/")
    ap.add_argument("--dev-only", action="store_true", help="play only the conversations developed on")
    ap.add_argument("--baseline", type=Path, help="a --json output of an earlier run, reported beside this one")
    ap.add_argument("--baseline-label", default="an earlier run", help="what the baseline run was")
    ap.add_argument("--independent", action="store_true",
                    help="play eval/independent/conversations.jsonl instead (totals only, held out)")
    ap.add_argument("--putuo-home", type=Path, help="--independent: a store of the Putuo 2023 budget alone")
    ap.add_argument("--independent-real-home", type=Path, help="--independent: a store of the Jiangsu and Putuo 决算 PDFs")
    ap.add_argument("--label", default="independent conversations", help="--independent: the run's name in the report")
    args = ap.parse_args()
    if args.independent:
        sys.path.insert(0, str(ROOT / "scripts"))
        run_independent(args)
        return
    convs = [json.loads(x) for x in args.conversations.read_text(encoding="utf-8").splitlines() if x.strip()]
    if args.only:
        keep = set(args.only.split(","))
        convs = [c for c in convs if c["id"] in keep]
    if args.dev_only:
        convs = [c for c in convs if not held_out(c["id"])]
    patterns = tomllib.loads(PATTERNS.read_text(encoding="utf-8"))["patterns"]
    tmp = Path(tempfile.mkdtemp(prefix="bq-conv-"))
    sample_home = args.sample_home or build_home(tmp / "sample", sorted((ROOT / "samples").glob("*.pdf")),
                                                 args.embed_model)
    real_home = args.real_home or build_home(tmp / "real", real_pdfs(REAL), args.embed_model)
    rows: list[dict] = []
    clients: dict[str, Any] = {}
    for conv in convs:
        which = "sample" if conv["id"] in SAMPLE_ONLY else "real"
        if which not in clients:
            clients[which] = client_for(sample_home if which == "sample" else real_home, args.embed_model)
        rows += play(clients[which], conv, patterns)
    meta: dict[str, Any] = {"when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "embed_model": args.embed_model}
    if args.baseline:
        base = json.loads(args.baseline.read_text(encoding="utf-8"))
        meta["baseline"] = {"label": args.baseline_label, **base["summary"]}
        meta["baseline_turns"] = base.get("turns") or []
    text = report(rows, meta)
    if args.json:
        args.json.write_text(json.dumps({"meta": {k: v for k, v in meta.items() if k != "baseline_turns"},
                                         "summary": summary(rows), "turns": rows},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    if args.no_write:
        print(text)
        return
    doc = ROOT / "docs" / "CONVERSATIONS.md"
    kept = sections(doc)  # the independent runs' sections stay
    doc.write_text(text + kept, encoding="utf-8")
    s = summary(rows)
    write_section(ROOT / "docs" / "EVALUATION.md", "eval_conversations",
                  f"## Conversations\n\nThe 25 development conversations (83 turns) played through the HTTP API with "
                  f"history: {s['correct']}/{s['turns']} turns correct, {s['follow_ups_correct']}/{s['follow_ups']} "
                  f"follow-ups, {s['contradictions']} contradictions; by follow-up pattern and on the held-out half "
                  f"in [CONVERSATIONS.md](CONVERSATIONS.md).")
    print(text)


if __name__ == "__main__":
    main()
