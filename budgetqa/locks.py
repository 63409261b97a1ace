"""The one file lock every process-shared lock uses: an flock on a lock file (`filelock`), released by
the kernel when its process dies, the file kept for the next holder (waiters share it)."""

from __future__ import annotations

import os

from filelock import FileLock


def file_lock(path: str | os.PathLike[str]) -> FileLock:
    """An flock on `path`; `with file_lock(p):` waits for it, `.acquire(timeout=…)` waits at most that long
    (raising `filelock.Timeout`). No soft (marker file) fallback: a marker would outlive a killed holder."""
    return FileLock(path, mode=0o644, fallback_to_soft=False, preserve_lock_file=True)
