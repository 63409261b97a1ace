"""The write path's journal: ingests killed half-way, recovery at start, `budgetqa check` and its repairs."""

from __future__ import annotations

import random
import subprocess
import threading
import time
from pathlib import Path

from conftest import JIANGSU_TABLES, PUTUO, SAMPLE, copy_home
from helpers import PY, cli_env, hash_settings, run_cli

from ingest.pipeline import extract, sha256_of
from library import Library
from library.check import check_store
from vectorstore.facts_db import FactStore


def _kill_trial(home: Path, files: list[Path], kill_after: float | None, after_entry: float | None) -> dict:
    """Run `budgetqa ingest` and SIGKILL it `kill_after` s after start, or `after_entry` s after its
    journal entry appears (None: let it finish). Returns what was seen."""
    pending = home / "pending"
    t0 = time.monotonic()
    proc = subprocess.Popen([PY, "-m", "cli", "ingest", *map(str, files)], env=cli_env(home),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen_entry = entry_gone = None
    killed_at = None
    while proc.poll() is None:
        now = time.monotonic() - t0
        has_entry = pending.is_dir() and any(not p.name.startswith(".") for p in pending.iterdir())
        if has_entry and seen_entry is None:
            seen_entry = now
        if seen_entry is not None and not has_entry and entry_gone is None:
            entry_gone = now
        due = (kill_after is not None and now >= kill_after) or (
            after_entry is not None and seen_entry is not None and now >= seen_entry + after_entry)
        if due:
            proc.kill()
            killed_at = now
            break
        time.sleep(0.005)
    _, err = proc.communicate()
    return {"killed_at": killed_at, "entry": seen_entry, "entry_gone": entry_gone,
            "total": time.monotonic() - t0, "rc": proc.returncode, "stderr": err.decode()[-500:]}


def _document_state(home: Path, name: str) -> dict:
    store = FactStore(hash_settings(home).db_url)
    row = next((d for d in store.documents() if d["document"] == name), None)
    return {"in_sql": row is not None, "facts": len(store.facts(document=name)),
            "passages": len(store.passages(document=name)),
            "other_facts": len(store.facts(document=SAMPLE.name)), "version_row": row and row["sha256"]}


def test_ingest_killed_at_random_moments_leaves_the_document_absent_or_whole(sample_home: Path,
                                                                              tmp_path: Path) -> None:
    seed = int(time.time())
    rng = random.Random(seed)
    target = JIANGSU_TABLES
    base = copy_home(sample_home, tmp_path / "base")
    full = _kill_trial(base, [target], None, None)
    assert full["rc"] == 0 and full["entry"] is not None, full
    whole = _document_state(base, target.name)
    assert whole["in_sql"] and whole["facts"] > 50
    window = max(0.05, (full["entry_gone"] or full["total"]) - full["entry"])
    plans = [(rng.uniform(0.3, full["total"]), None) for _ in range(4)]  # anywhere in the run
    plans += [(None, rng.uniform(0.0, 1.1 * window)) for _ in range(4)]  # while the stores are written
    homes = [copy_home(sample_home, tmp_path / f"trial{k}") for k in range(len(plans))]
    results: list[dict] = [{} for _ in plans]

    def run(k: int) -> None:
        results[k] = _kill_trial(homes[k], [target], *plans[k])

    for pair in range(0, len(plans), 2):  # two at a time: the CI machine has two cores
        threads = [threading.Thread(target=run, args=(k,)) for k in (pair, pair + 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    outcomes = []
    for k, home in enumerate(homes):
        why = f"seed {seed}, trial {k}, plan {plans[k]}, run {results[k]}"
        before = _document_state(home, target.name)
        # the SQL store alone is already all-or-nothing, and the other document untouched
        assert before["other_facts"] == whole["other_facts"], why
        assert (before["facts"], before["passages"]) in ((0, 0), (whole["facts"], whole["passages"])), why
        lib = Library(hash_settings(home))  # start-up recovery
        assert check_store(lib.settings) == [], why
        after = _document_state(home, target.name)
        assert after["in_sql"] == before["in_sql"], why
        present = (home / "files" / target.name).exists()
        assert present == after["in_sql"], why
        assert not (home / "pending").exists() or not list((home / "pending").iterdir()), why
        outcomes.append(("whole" if after["in_sql"] else "absent", bool(lib.recovered)))
    print(f"kill test, seed {seed}: (state, recovered at start) per trial: {outcomes}")
    assert any(recovered for _, recovered in outcomes), (seed, outcomes, results)
    # an interrupted home takes the document again as if nothing had happened
    lib = Library(hash_settings(homes[-1]))
    assert lib.ingest_one(target).status in ("ingested", "unchanged")
    assert check_store(lib.settings) == [] and _document_state(homes[-1], target.name)["facts"] == whole["facts"]


def test_recovery_rolls_back_uncommitted_and_completes_committed_ingests(sample_home: Path, tmp_path: Path) -> None:
    """The two halves of the protocol, stopped by hand at the worst places."""
    from library import journal

    report = extract(PUTUO)  # a document with passages: the vectors that are its own
    # 1. vectors written, SQL not committed: the document must vanish at the next start
    home = copy_home(sample_home, tmp_path / "rollback")
    lib = Library(hash_settings(home))
    journal.begin(lib.settings, "ingest", report.info.document, report.info.sha256, True, PUTUO)
    lib.index.replace_document(report.info.document, report.facts[:100], report.passages)
    assert report.info.document in lib.index.documents()
    lib2 = Library(hash_settings(home))
    assert lib2.recovered == [f"{report.info.document}: rolled back an interrupted ingest"]
    assert report.info.document not in lib2.index.documents()
    assert not (home / "files" / report.info.document).exists() and check_store(lib2.settings) == []
    # 2. SQL committed, vectors half written, copy not yet moved: completed at the next start
    home = copy_home(sample_home, tmp_path / "forward")
    lib = Library(hash_settings(home))
    journal.begin(lib.settings, "ingest", report.info.document, report.info.sha256, True, PUTUO)
    lib.index.replace_document(report.info.document, report.facts[:100], report.passages[:2])
    lib.store.save(report)
    lib2 = Library(hash_settings(home))
    assert lib2.recovered == [f"{report.info.document}: completed an interrupted ingest (it had been committed)"]
    assert sha256_of(home / "files" / report.info.document) == report.info.sha256
    assert check_store(lib2.settings) == []
    # 3. a removal whose SQL delete committed: vectors and files go at the next start
    journal.begin(lib2.settings, "remove", report.info.document)
    lib2.store.remove(report.info.document)
    lib3 = Library(hash_settings(home))
    assert lib3.recovered == [f"{report.info.document}: finished an interrupted removal"]
    assert check_store(lib3.settings) == [] and report.info.document not in lib3.index.documents()


def test_start_up_recovery_waits_for_a_live_writer(sample_home: Path, tmp_path: Path) -> None:
    """An entry is stale only when nobody holds the write lock: a second process must not undo a
    first one's ingest in progress."""
    from library import journal

    home = copy_home(sample_home, tmp_path / "home")
    settings = hash_settings(home)
    with journal.write_lock(settings):
        entry = journal.begin(settings, "ingest", "in-progress.pdf", "0" * 64, True)
        assert Library(settings).recovered == [] and entry.folder.exists()
        with journal.write_lock(settings, timeout_s=0) as got:
            assert not got
    assert Library(settings).recovered == ["in-progress.pdf: rolled back an interrupted ingest"]


def test_check_reports_and_repairs_every_disagreement(sample_home: Path, tmp_path: Path) -> None:
    from ingest.records import Passage

    home = copy_home(sample_home, tmp_path / "home")
    lib = Library(hash_settings(home))
    vectors = lib.index
    first = next(iter(vectors.stored(SAMPLE.name)[SAMPLE.name]))
    vectors.collection.delete(ids=[first])
    vectors.replace_document("ghost.pdf", [], [Passage(document="ghost.pdf", department="d", year=2025,
                                                       kind="预算", page=1, heading="", text="x")])
    (home / "files" / "stray.pdf").write_bytes(b"%PDF-1.4")
    out = run_cli(home, "check")
    assert out.returncode == 1 and out.stdout.strip().endswith("3 problem(s)"), out.stdout
    for words in (f"{SAMPLE.name}: the index holds", "ghost.pdf: 1 vectors", "files/stray.pdf: left over"):
        assert words in out.stdout, out.stdout
    out = run_cli(home, "check", "--repair")
    assert out.returncode == 0 and out.stdout.count("— repaired") == 3, out.stdout
    assert check_store(lib.settings) == []
    (home / "files" / SAMPLE.name).write_bytes(b"%PDF-1.4 not the same")
    assert [p for p in check_store(lib.settings, repair=True) if "sha256 differs" in p], "an altered copy is reported"
