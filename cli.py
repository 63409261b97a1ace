"""`budgetqa` command line (see CONTRACT.md), the top layer beside app.py. Errors become one line on
stderr, never a traceback; the traceback goes to the log (budgetqa.logs)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from budgetqa.errors import BudgetQAError
from budgetqa.logs import configure_logging
from budgetqa.settings import Settings, load_settings

log = logging.getLogger(__name__)
KINDS = ["预算", "决算"]


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from library import Library, Outcome, find_pdfs

    lib = Library(settings)
    for line in lib.recovered:  # a previous ingest into this home was interrupted
        print(f"budgetqa: {line}", file=sys.stderr)
    files = find_pdfs(args.paths)
    bar = tqdm(total=len(files), unit="file", disable=not sys.stderr.isatty() or len(files) < 2, file=sys.stderr)
    failed = 0

    def progress(o: Outcome) -> None:
        nonlocal failed
        bar.update(1)
        if o.status == "ingested" and o.message:  # flagged: another version disagrees
            bar.write(f"{o.path.name}: warning: {o.message}", file=sys.stderr)
        if o.status == "failed":
            failed += 1
            bar.write(o.message, file=sys.stderr)
        elif not bar.disable:
            bar.set_postfix_str(o.path.name[:30])
        else:
            note = f"{o.facts} facts, {o.checks_failed} failed checks" if o.status == "ingested" else o.message
            print(f"{o.path.name}: {o.status} ({note})", file=sys.stderr)

    lib.ingest(files, progress, index=not args.no_index)
    bar.close()
    return 1 if failed else 0


def cmd_documents(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.versions import conflicts_by_document
    from library import document_row
    from vectorstore.facts_db import FactStore

    store = FactStore(settings.db_url)
    docs = store.documents()
    conflicts = conflicts_by_document({d.document: (store.saved_report(d.document) or {}).get("conflicts", [])
                                       for d in docs})
    for d in docs:
        row = document_row(d) | {"scope": d.scope, "conflicts": conflicts.get(d.document, [])}
        if args.json:
            _print_json(row)
        else:
            note = f"\tdisagrees with: {', '.join(row['conflicts'])}" if row["conflicts"] else ""
            print(f"{row['department']}\t{row['year']}\t{row['kind']}\t{row['pages']}页\t{row['facts']} facts\t"
                  f"{row['checks_failed']}/{row['checks_total']} checks failed\t{row['document']}{note}")
    if not docs and not args.json:
        print("no documents yet: run `budgetqa ingest FILE.pdf`", file=sys.stderr)
    return 0


def _known_document(store: object, name: str | None) -> None:
    """Raise a one-line error naming the known documents when `name` is not one of them."""
    if name is None:
        return
    known = [d.document for d in store.documents()]  # type: ignore[attr-defined]
    if name not in known:
        listed = "、".join(known[:10]) + (f" … ({len(known)} in all)" if len(known) > 10 else "")
        raise BudgetQAError(f"no document named {name!r}; known documents: {listed or 'none (run `budgetqa ingest`)'}")


def _known_department(store: object, name: str | None) -> None:
    """--department takes a name exactly as `documents` lists it: anything else would find nothing."""
    if name is None:
        return
    known = sorted({d.department for d in store.documents()})  # type: ignore[attr-defined]
    if name not in known:
        listed = "、".join(known[:10]) + (f" … ({len(known)} in all)" if len(known) > 10 else "")
        raise BudgetQAError(f"no department named {name!r}; known departments: {listed or 'none (run `budgetqa ingest`)'}")


def cmd_facts(args: argparse.Namespace, settings: Settings) -> int:
    from vectorstore.facts_db import FactStore

    store = FactStore(settings.db_url)
    _known_document(store, args.document)
    for f in store.facts(document=args.document):
        if args.kind and f.kind != args.kind:
            continue
        d = f.model_dump(exclude_none=True, exclude={"bbox", "table_index"})
        if args.json:
            _print_json(d)
        else:
            print(f"p{f.page}\t{f.table or '说明'}\t{f.row or ''}\t{f.row_code or ''}\t{f.column}\t{f.value:g}{f.unit}")
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.conversation import BatchAsker
    from assistant.startup import build_assistant
    from library import Library

    bot = build_assistant(settings, Library(settings))
    _known_department(bot.store, args.department)
    if args.batch:
        if args.batch != "-" and not Path(args.batch).is_file():
            raise BudgetQAError(f"batch file {args.batch} not found; give a JSONL file of {{\"id\", \"question\"}} lines, or - for stdin")
        stream = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")  # noqa: SIM115
        batch = BatchAsker(bot)  # lines may carry "history" or a "conversation" id (assistant/conversation.py)
        for n, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                question = item["question"]
            except (json.JSONDecodeError, KeyError, TypeError):
                log.info("%s: line %d is not a question", args.batch, n, exc_info=True)
                print(f"{args.batch}: line {n} is not JSON with a \"question\" field; fix that line", file=sys.stderr)
                return 2
            ans = batch(str(question), item, args.department, args.year, args.kind)
            _print_json({"id": item.get("id"), **ans.to_json()})
        return 0
    if not args.question:
        print("budgetqa ask: give a QUESTION or --batch FILE", file=sys.stderr)
        return 2
    ans = BatchAsker(bot)(" ".join(args.question), {}, args.department, args.year, args.kind)
    if args.json:
        _print_json(ans.to_json())
    else:
        print(ans.render_text())
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.startup import build_assistant
    from eval.grade import format_report, load_gold, run_eval
    from library import Library

    gold = load_gold(args.gold)
    bot = build_assistant(settings, Library(settings))
    if not bot.store.documents():
        raise BudgetQAError(f"no documents ingested in the store of BUDGETQA_HOME={settings.home}; run `budgetqa ingest FILE.pdf` first")
    report = run_eval(bot, gold)
    if args.json:
        _print_json(report.to_json())
    else:
        print(format_report(report))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from web.backend import Backend

    # the library starts preparing (first run: the sample's facts) while the page's imports load
    backend = Backend(settings, Path(__file__).resolve().parent / "samples")
    backend.start()
    from app import serve

    serve(settings, host=args.host, port=args.port, backend=backend)
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from library.check import check_store

    problems = check_store(settings, repair=args.repair)
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)" + (" (repaired)" if args.repair and problems else ""))
    return 1 if problems and not args.repair else 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="budgetqa", description="Exact, cited answers from budget documents. "
                                "All state lives under $BUDGETQA_HOME (default ~/.budgetqa).")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("ingest", help="ingest PDF files or folders")
    s.add_argument("paths", nargs="+", metavar="PATH", help="PDF files, or folders searched recursively for *.pdf")
    s.add_argument("--no-index", action="store_true", help="store facts only; skip the vector index")
    s.set_defaults(func=cmd_ingest)
    s = sub.add_parser("documents", help="list ingested documents")
    s.add_argument("--json", action="store_true", help="one JSON object per line (CONTRACT.md)")
    s.set_defaults(func=cmd_documents)
    s = sub.add_parser("facts", help="dump facts")
    s.add_argument("--document", metavar="NAME", help="only this document (its file name, as `documents` lists it)")
    s.add_argument("--kind", choices=KINDS, help="only budgets (预算) or final accounts (决算)")
    s.add_argument("--json", action="store_true", help="one JSON object per line (CONTRACT.md)")
    s.set_defaults(func=cmd_facts)
    s = sub.add_parser("ask", help="answer a question")
    s.add_argument("question", nargs="*", metavar="QUESTION", help="the question in everyday words")
    s.add_argument("--json", action="store_true", help="print the Answer JSON (CONTRACT.md)")
    s.add_argument("--batch", metavar="FILE", help='JSONL lines {"id": ..., "question": ...}; - reads stdin')
    s.add_argument("--department", metavar="D", help="only this department's documents")
    s.add_argument("--year", type=int, metavar="Y", help="only this budget year")
    s.add_argument("--kind", choices=KINDS, help="only budgets (预算) or final accounts (决算)")
    s.set_defaults(func=cmd_ask)
    s = sub.add_parser("eval", help="grade the assistant on a gold file")
    s.add_argument("gold", metavar="GOLD.jsonl", help="gold questions (CONTRACT.md, gold file)")
    s.add_argument("--json", action="store_true", help="print the report as JSON")
    s.set_defaults(func=cmd_eval)
    s = sub.add_parser("serve", help="start the web app")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 = all)")
    s.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    s.set_defaults(func=cmd_serve)
    s = sub.add_parser("check", help="verify that facts and vectors agree")
    s.add_argument("--repair", action="store_true", help="fix what can be fixed")
    s.set_defaults(func=cmd_check)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    # the embedding model's loading bars are noise on a command line (their libraries read these)
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings)
        if settings.aliases_file:
            from ingest.names import use_alias_file

            use_alias_file(settings.aliases_file)
        code = int(args.func(args, settings))
        sys.stdout.flush()  # a reader that has gone (`| head -1`) shows here, inside the handlers below
        return code
    except BudgetQAError as exc:
        log.info("budgetqa %s failed", args.command, exc_info=True)
        print(f"budgetqa: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("budgetqa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `budgetqa facts | head`: the reader has gone; stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
