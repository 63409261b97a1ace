"""Try issue 17's attacks against `budgetqa serve` on the loopback interface and write docs/SECURITY.md.

Starts the app in a child process on a copy-free fresh home (it ingests the bundled sample), with an
admin token and its own Gradio upload folder, sends each attack once, and records what came back:
status, time, bytes the client got to send before the refusal, the server's memory, what Gradio's
folder holds afterwards, and whether /api/ask still answers.

    python scripts/security_probe.py               # writes docs/SECURITY.md
    python scripts/security_probe.py --report -    # print only
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import select
import socket
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eval.served import app_env, served_app  # noqa: E402

TOKEN = "probe-token-" + os.urandom(4).hex()
MB = 1024 * 1024


def _raw(port: int, head: bytes, total: int, chunk: int = 64 * 1024) -> tuple[str, int, float]:
    """Send head + a chunked body of `total` bytes until the server answers: (status line, sent, seconds)."""
    frame = f"{chunk:x}\r\n".encode() + b" " * chunk + b"\r\n"
    sent, t0 = 0, time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(head)
        while sent < total:
            if select.select([s], [], [], 0)[0]:
                break
            try:
                s.sendall(frame)
            except OSError:
                break
            sent += chunk
        answer = s.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
    return answer, sent, time.monotonic() - t0


def _rss_mb(port: int) -> float:
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in cmd and str(port).encode() in cmd:
            kb = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
            return int(kb.group(1)) / 1024 if kb else 0.0
    return 0.0


def _files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def probe() -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="budgetqa-probe-") as tmp:
        home, uploads = Path(tmp) / "home", Path(tmp) / "gradio"
        env = app_env(home, BUDGETQA_EMBED_MODEL="hash", BUDGETQA_ADMIN_TOKEN=TOKEN, GRADIO_TEMP_DIR=str(uploads))
        with served_app(env) as base:
            port = int(base.rsplit(":", 1)[1])

            def ask_ok() -> str:
                t0 = time.monotonic()
                r = httpx.post(f"{base}/api/ask", json={"question": "车辆维护的预算是多少？"}, timeout=60)
                return f"/api/ask then: {r.status_code} in {time.monotonic() - t0:.2f} s"

            cfg = httpx.get(f"{base}/config", timeout=30).json()
            types = {c["id"]: c["type"] for c in cfg["components"]}
            dep = next(d for d in cfg["dependencies"] if [types[i] for i in d["inputs"]] == ["textbox", "file"])
            for path in ("/dev/zero", "/etc/passwd", str(home / "facts.sqlite3")):
                for token in ("", TOKEN):
                    body = {"data": [token, [{"path": path, "orig_name": "a.pdf", "meta": {"_type": "gradio.FileData"}}]],
                            "fn_index": dep["id"], "trigger_id": dep["targets"][0][0], "session_hash": "probe1"}
                    t0 = time.monotonic()
                    r = httpx.post(f"{base}/gradio_api/queue/join", json=body, timeout=30)
                    shown = path.replace(str(home), "$BUDGETQA_HOME")
                    rows.append((f"queue/join FileData {shown} ({'admin token' if token else 'anonymous'})",
                                 f"{r.status_code} in {time.monotonic() - t0:.2f} s; Gradio folder holds "
                                 f"{_files(uploads)} files; {ask_ok()}"))
            kept = 0
            for _ in range(10):
                r = httpx.post(f"{base}/gradio_api/upload", files={"files": ("a.pdf", b"%PDF-1.4\n" + bytes(MB))})
                kept += r.status_code == 200
            rows.append(("10 anonymous POST /gradio_api/upload (1 MB each)",
                         f"{r.status_code}; {kept} accepted; Gradio folder holds {_files(uploads)} files"))
            for route in ("/gradio_api/upload", "/api/documents"):
                head = (f"POST {route} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                        "Content-Type: multipart/form-data; boundary=x\r\n\r\n").encode()
                status, sent, secs = _raw(port, head, 300 * MB)
                rows.append((f"anonymous chunked 300 MB to {route}",
                             f"{status} after {sent / MB:.1f} MB sent, {secs:.2f} s; folder {_files(uploads)} files"))
            rss = _rss_mb(port)
            head = (b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n")
            status, sent, secs = _raw(port, head, 200 * MB)
            rows.append(("chunked 200 MB JSON to /api/ask",
                         f"{status} after {sent / MB:.1f} MB sent, {secs:.2f} s; RSS {rss:.0f} → {_rss_mb(port):.0f} MB"))
            for label, body in (("year '²'", {"question": "x", "year": "²"}), ("year of 5,000 digits", {"question": "x", "year": "9" * 5000}),
                                ("department as a list", {"question": "x", "department": ["a"]}),
                                ("department as a dict", {"question": "x", "department": {"a": 1}}),
                                ("history as an int", {"question": "x", "history": 5})):
                r = httpx.post(f"{base}/api/ask", json=body, timeout=30)
                rows.append((f"/api/ask {label}", f"{r.status_code} {r.text[:90]}"))
            r = httpx.post(f"{base}/api/ask", content=b'{"question": "\\ud800"}', headers={"content-type": "application/json"})
            rows.append(("/api/ask lone surrogate", f"{r.status_code} {r.text[:90]}"))
            for route in ("/gradio_api/dev/reload", "/gradio_api/vibe-code", "/gradio_api/run/on_upload", "/monitoring",
                          "/gradio_api/file=http://127.0.0.1:1/"):
                rows.append((f"GET {route}", str(httpx.get(f"{base}{route}", timeout=10).status_code)))
            up = httpx.post(f"{base}/gradio_api/upload", headers={"X-Admin-Token": TOKEN},
                            files={"files": ("r.pdf", b"%PDF-1.4\n" + b"0" * 100)}).json()[0]
            r = httpx.get(f"{base}/gradio_api/file={up}", headers={"Range": "bytes=0-3", "Cookie": "sid=s3cret"})
            rows.append(("Range request with a cookie", f"{r.status_code}; cookie echoed: {'s3cret' in str(r.headers)}"))
            h = httpx.get(f"{base}/").headers
            rows.append(("headers on /", "; ".join(f"{k}: {h.get(k, '—')[:60]}" for k in (
                "content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy"))))
    return rows


def report(rows: list[tuple[str, str]]) -> str:
    lines = ["# Security probe (issue 17)", "",
             f"`python scripts/security_probe.py` on {platform.node() or 'this machine'} "
             f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}): `budgetqa serve` on 127.0.0.1, fresh home with "
             "the sample, an admin token set. Every row is one request (or the stated series) and what came back.",
             "", "| attack | result |", "|---|---|"]
    lines += [f"| {a} | {r.replace('|', '/')} |" for a, r in rows]
    lines += ["", "## Where it is held", "",
              "- `web/security.py` (with `web/upload_folder.py`, `web/public_errors.py`): one ASGI middleware in front of the API and the mounted Gradio page — the "
              "route list, body limits counted while streaming, the admin token before any upload byte, every "
              "Gradio FileData path checked against the upload folder before Gradio opens it, the headers "
              "(CSP with a per-response script nonce), Range responses stripped to their own headers, errors "
              "as one JSON line without server paths; `serve` keeps Gradio's files in a private folder "
              "removed at exit. `app.py` also marks the mounted page launched so Gradio's own rule applies.",
              "- `web/validation.py`: the fields of `POST /api/ask`, each malformed one a 400 naming it.",
              "- `library/journal.py`: an unwritable home is one line; a vector write that fails inside "
              "embedded Chroma keeps its journal entry for the next process (`keep_for_next_start`).",
              "- Tests: `tests/web/test_security.py` (real app), `tests/web/test_security_rules.py`, "
              "`tests/web/test_security_browser.py` (Chromium under the CSP), "
              "`tests/library/test_journal_disk_full.py`, `tests/library/test_read_only_home.py`.", "",
              "## Not covered here", "",
              "- Rate limits and connection counts per client (many idle `/gradio_api/queue/data` streams), "
              "TLS: put a reverse proxy in front of a public `budgetqa serve`.",
              "- The CSP allows `'unsafe-eval'`: Gradio 6's HTML component compiles its template with "
              "`new Function`; inline scripts still need the nonce."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--report", default=str(ROOT / "docs" / "SECURITY.md"), help="file to write, or - to print")
    args = p.parse_args(argv)
    text = report(probe())
    if args.report == "-":
        print(text)
    else:
        Path(args.report).write_text(text, encoding="utf-8")
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
