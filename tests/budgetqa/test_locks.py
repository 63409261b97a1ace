"""The one file lock (budgetqa/locks.py): exclusive across holders, the file kept for the next one, and
the same lock under the home's write lock, the model build and FactStore.group_lock."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from filelock import Timeout

from budgetqa.locks import file_lock
from vectorstore.facts_db import FactStore


def test_a_second_holder_waits_and_the_file_stays(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    with file_lock(path):
        with pytest.raises(Timeout):
            file_lock(path).acquire(timeout=0.1)  # another holder (another open file): refused while held
    assert path.exists(), "the lock file is kept for the next holder"
    with file_lock(path):  # free again
        pass


def test_group_lock_on_sqlite_orders_two_writers(tmp_path: Path) -> None:
    store = FactStore(f"sqlite:///{tmp_path / 'facts.sqlite3'}")
    order: list[str] = []
    held = threading.Event()

    def first() -> None:
        with store.group_lock("部门|2025|预算"):
            held.set()
            time.sleep(0.3)
            order.append("first done")

    t = threading.Thread(target=first)
    t.start()
    held.wait(5)
    with store.group_lock("部门|2025|预算"):
        order.append("second in")
    t.join()
    assert order == ["first done", "second in"]
    assert (tmp_path / "facts.sqlite3.lock").exists()
