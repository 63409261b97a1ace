"""Read one PDF in a child process with a time and a memory limit.

A damaged or hostile PDF can make pdfminer loop for minutes, exhaust memory or crash the
interpreter; none of that may hang the CLI or the web app, or take down the process that holds
the store. `extract_limited` runs `ingest.pipeline.extract` in `python -m ingest.sandbox`, which
caps its address space, and kills it after `timeout_s`. The child writes nothing under
BUDGETQA_HOME: it returns the IngestReport as JSON in a private temporary file.

Measured on the 2-core machine (busy with other jobs): starting the child costs 0.3-0.6 s per file;
the 34-page sample reads in 1.5 s, a generated 300-page compilation in 4 s, and the sample repeated
to 510 pages (6,315 facts) in 38 s with a peak resident size of 210 MB. So the defaults
(BUDGETQA_MAX_PAGES=1000, BUDGETQA_PAGE_TIMEOUT_S=60) ingest a 500-page budget compilation, and refuse
a file that cannot be read in a minute with a one-line reason instead of blocking the store. The limit
covers reading only; embedding the facts afterwards is bounded by their number.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from budgetqa.errors import DocumentError
from ingest.pdf_reader import check_header
from ingest.records import IngestReport

MEMORY_LIMIT_MB = 2048  # address space the child may add to its imports; real files need under 200 MB
_EXIT_DOCUMENT_ERROR = 3
_EXIT_MEMORY = 4


def extract_limited(path: Path, max_pages: int, sha256: str | None, timeout_s: float,
                    memory_mb: int = MEMORY_LIMIT_MB) -> IngestReport:
    """`extract(path, max_pages, sha256)` in a child process; every failure is a DocumentError."""
    name = path.name
    check_header(path)  # empty files, Office files and the like need no child process
    with tempfile.TemporaryDirectory(prefix="budgetqa-extract-") as tmp:
        out = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "ingest.sandbox", str(path), str(out), str(max_pages), sha256 or "",
               str(memory_mb)]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise DocumentError(name, f"took longer than {timeout_s:g} s to read (BUDGETQA_PAGE_TIMEOUT_S); "
                                      "the file may be damaged, or split it into smaller files") from None
        except BaseException:  # KeyboardInterrupt: never leave the child behind
            proc.kill()
            proc.communicate()
            raise
        if proc.returncode == 0 and out.exists():
            return IngestReport.model_validate_json(out.read_text(encoding="utf-8"))
        if proc.returncode == _EXIT_DOCUMENT_ERROR and out.exists():
            raise DocumentError(name, json.loads(out.read_text(encoding="utf-8"))["reason"])
        last = (err or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        if proc.returncode == _EXIT_MEMORY or "MemoryError" in last[0]:
            raise DocumentError(name, f"needs more than {memory_mb} MB of memory to read; the file may be damaged")
        raise DocumentError(name, f"could not be read (the PDF reader stopped: {last[0][:100]}); "
                                  "the file may be damaged, re-download it")


def _die_with_parent() -> None:
    """Linux: the child is killed when the process that started it dies (no orphans after a crash)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _limit_memory(extra_mb: int) -> None:
    """Cap the address space at what the imports already use plus `extra_mb` for reading the PDF."""
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as fh:
            used_kb = next(int(x.split()[1]) for x in fh if x.startswith("VmSize:"))
        limit = used_kb * 1024 + extra_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, OSError, ValueError, StopIteration):
        pass  # not Linux: the time limit still holds


def _child(argv: list[str]) -> int:
    path, out, max_pages, sha, memory_mb = Path(argv[0]), Path(argv[1]), int(argv[2]), argv[3] or None, int(argv[4])
    _die_with_parent()
    from ingest.pipeline import extract

    _limit_memory(memory_mb)
    try:
        report = extract(path, max_pages, sha)
    except DocumentError as exc:
        out.write_text(json.dumps({"reason": exc.reason}, ensure_ascii=False), encoding="utf-8")
        return _EXIT_DOCUMENT_ERROR
    except MemoryError:
        return _EXIT_MEMORY
    except Exception as exc:  # anything else the reader raised is still one line for the user
        text = " ".join(str(exc).split())[:100]
        reason = f"could not be read ({type(exc).__name__}{': ' + text if text else ''}); re-download the file"
        out.write_text(json.dumps({"reason": reason}, ensure_ascii=False), encoding="utf-8")
        return _EXIT_DOCUMENT_ERROR
    tmp = out.with_suffix(".part")
    tmp.write_text(report.model_dump_json(), encoding="utf-8")
    tmp.replace(out)
    return 0


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))
