"""Issue 17: one anonymous request must not take the site down or read the server's files.

The real app (`budgetqa serve`) on a loopback port, attacked the way the issue describes: Gradio
FileData naming server paths, anonymous uploads, oversized chunked bodies, malformed fields,
development routes, Range requests; and the headers every response must carry."""

from __future__ import annotations

import json
import os
import re
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import SAMPLE, copy_home
from make_bad_inputs import budget_pages, build_pdf

from eval.served import app_env, served_app

TOKEN = "security-token-9d2b"
QUESTION = "车辆维护的预算是多少？"


@pytest.fixture(scope="module")
def served(sample_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The web app in its own process on a copy of the sample store, with an admin token and its own
    Gradio upload folder (so the tests can see what Gradio keeps)."""
    tmp = tmp_path_factory.mktemp("secure")
    home = copy_home(sample_home, tmp / "home")
    uploads = tmp / "gradio"
    env = {"BUDGETQA_EMBED_MODEL": "hash", "BUDGETQA_ADMIN_TOKEN": TOKEN, "BUDGETQA_MAX_UPLOAD_MB": "2",
           "GRADIO_TEMP_DIR": str(uploads)}
    with served_app(app_env(home, **env)) as base:
        yield {"base": base, "home": home, "uploads": uploads, "port": int(base.rsplit(":", 1)[1])}


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def _upload_event(base: str) -> tuple[int, int]:
    """(fn_index, trigger id) of the page's upload button."""
    cfg = httpx.get(f"{base}/config", timeout=30).json()
    types = {c["id"]: c["type"] for c in cfg["components"]}
    dep = next(d for d in cfg["dependencies"] if [types[i] for i in d["inputs"]] == ["textbox", "file"])
    return dep["id"], dep["targets"][0][0]


def _join(base: str, token: str, path: str, session: str = "s3cur1ty") -> httpx.Response:
    fn, trigger = _upload_event(base)
    file_data = {"path": path, "orig_name": "预算.pdf", "meta": {"_type": "gradio.FileData"}}
    body = {"data": [token, [file_data]], "fn_index": fn, "trigger_id": trigger, "session_hash": session,
            "event_data": None}
    return httpx.post(f"{base}/gradio_api/queue/join", json=body, timeout=10)


def _event_output(base: str, session: str, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    with httpx.stream("GET", f"{base}/gradio_api/queue/data", params={"session_hash": session},
                      timeout=seconds) as stream:
        for line in stream.iter_lines():
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    return msg
            if time.monotonic() > deadline:
                break
    raise AssertionError("the upload event did not complete")


def _error_line(r: httpx.Response) -> str:
    body = r.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"], r.text
    assert "\n" not in body["error"] and "Traceback" not in body["error"]
    return body["error"]


def _no_server_path(text: str, *roots: Path) -> None:
    for root in roots:
        assert str(root) not in text, text
    assert not re.search(r"/(tmp|home|root|etc|dev|usr|var)/", text), text


def _asks_fine(base: str) -> None:
    t0 = time.monotonic()
    r = httpx.post(f"{base}/api/ask", json={"question": QUESTION}, timeout=30)
    assert r.status_code == 200 and r.json()["value"] == 4.6, r.text
    assert time.monotonic() - t0 < 15


# --------------------------------------------------------------------------- FileData naming server paths


def test_filedata_naming_dev_zero_is_refused_at_once_and_the_site_keeps_answering(served) -> None:
    base = served["base"]
    t0 = time.monotonic()
    for token in ("", TOKEN):
        r = _join(base, token, "/dev/zero")
        assert r.status_code == 400, r.text
        _no_server_path(_error_line(r))
    assert time.monotonic() - t0 < 5
    _asks_fine(base)
    assert httpx.get(f"{base}/api/documents", timeout=10).status_code == 200
    assert httpx.get(f"{base}/", timeout=10).status_code == 200


def test_filedata_naming_server_files_copies_nothing(served, tmp_path: Path) -> None:
    base, home, uploads = served["base"], served["home"], served["uploads"]
    before = _files(uploads)
    docs = httpx.get(f"{base}/api/documents").json()
    uploads.mkdir(parents=True, exist_ok=True)
    link_dir = uploads / "planted"
    link_dir.mkdir(exist_ok=True)
    link = link_dir / "a.pdf"
    if not link.is_symlink():
        link.symlink_to("/etc/passwd")  # a link inside the upload folder still points outside it
    outside = tmp_path / "预算.pdf"
    outside.write_bytes(build_pdf(budget_pages(year=2022)))
    named = ["/etc/passwd", str(home / "facts.sqlite3"), str(home / "files" / SAMPLE.name), str(outside),
             f"{uploads}/../home/facts.sqlite3", str(link), str(uploads), "", "rel/../../etc/passwd"]
    for path in named:
        for token in ("", TOKEN):
            r = _join(base, token, path)
            assert r.status_code == 400, (path, r.text)
            _no_server_path(_error_line(r), home)
    link.unlink()
    link_dir.rmdir()
    assert _files(uploads) == before, "nothing was copied into Gradio's cache"
    assert httpx.get(f"{base}/api/documents").json() == docs, "nothing was ingested"
    for body in (b"{not json", b"[" * 100_000 + b"]" * 100_000):
        r = httpx.post(f"{base}/gradio_api/queue/join", content=body, headers={"content-type": "application/json"})
        assert r.status_code in (400, 413), r.text
    _asks_fine(base)


def test_the_page_upload_path_still_ingests_with_the_token_and_keeps_no_file(served) -> None:
    """What the page does (upload, then the button's event), without a browser."""
    base, uploads = served["base"], served["uploads"]
    pdf = build_pdf(budget_pages(year=2021))
    name = "示例县测试局2021年部门预算.pdf"
    r = httpx.post(f"{base}/gradio_api/upload", headers={"X-Admin-Token": TOKEN},
                   files={"files": (name, pdf, "application/pdf")}, timeout=30)
    assert r.status_code == 200, r.text
    (path,) = r.json()
    r = _join(base, TOKEN, path, session="pageupload1")
    assert r.status_code == 200, r.text
    out = _event_output(base, "pageupload1")
    assert out["success"], out
    assert "已导入" in json.dumps(out, ensure_ascii=False), out
    assert name in {d["document"] for d in httpx.get(f"{base}/api/documents").json()}
    assert not Path(path).exists(), "the uploaded file is removed once it has been read"
    assert not [p for p in _files(uploads) if p.suffix == ".pdf"], _files(uploads)
    assert httpx.delete(f"{base}/api/documents/{name}", headers={"X-Admin-Token": TOKEN}, timeout=60).status_code == 200


# --------------------------------------------------------------------------- uploads and body limits


def _raw(port: int, head: bytes, chunks: Iterator[bytes], read_timeout: float = 10.0) -> tuple[bytes, int]:
    """Send a request head, then body chunks until the server answers; (answer, bytes of body sent)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as s:
        s.sendall(head)
        for chunk in chunks:
            readable, _, _ = select.select([s], [], [], 0)
            if readable:
                break
            try:
                s.sendall(chunk)
            except OSError:  # the server closed the connection after answering
                break
            sent += len(chunk)
        s.settimeout(read_timeout)
        answer = b""
        try:
            while b"\r\n\r\n" not in answer or len(answer) < 64:
                got = s.recv(65536)
                if not got:
                    break
                answer += got
        except (TimeoutError, OSError):
            pass
    return answer, sent


def _chunked(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    piece = b" " * size
    frame = f"{size:x}\r\n".encode() + piece + b"\r\n"
    for _ in range(total // size):
        yield frame


def _rss_kb(port: int) -> int:
    """The server's resident memory, found by the --port on its command line."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in cmd and str(port).encode() in cmd:
            status = Path(f"/proc/{pid}/status").read_text()
            return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    raise AssertionError("server process not found")


def test_chunked_oversized_body_is_413_early_and_memory_stays_flat(served) -> None:
    base, port = served["base"], served["port"]
    rss = _rss_kb(port)
    head = (b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    answer, sent = _raw(port, head, _chunked(200 * 1024 * 1024))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 64 * 1024 * 1024, f"the server read {sent} bytes before refusing"
    head = (b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 209715200\r\n\r\n")
    answer, sent = _raw(port, head, iter([b" " * 65536] * 3200))
    assert answer.startswith(b"HTTP/1.1 413") and sent < 64 * 1024 * 1024, answer[:200]  # refused before reading
    assert _rss_kb(port) - rss < 60 * 1024, "memory grew while refusing the body"
    _asks_fine(base)


def test_anonymous_upload_keeps_nothing_and_reads_nothing(served) -> None:
    base, port, uploads = served["base"], served["port"], served["uploads"]
    before = _files(uploads)
    pdf = build_pdf(budget_pages())
    for headers in ({}, {"X-Admin-Token": "guess"}, {"X-Admin-Token": TOKEN.upper()}, {"X-Admin-Token": ""}):
        r = httpx.post(f"{base}/gradio_api/upload", headers=headers, files={"files": ("a.pdf", pdf)})
        assert r.status_code == 403 and "口令" in _error_line(r), r.text
    boundary = "b0undary"
    head = (f"POST /gradio_api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n").encode()
    answer, sent = _raw(port, head, _chunked(300 * 1024 * 1024))
    assert answer.startswith(b"HTTP/1.1 403"), answer[:200]
    assert sent < 64 * 1024 * 1024
    assert _files(uploads) == before, "no anonymous upload is kept"
    big = httpx.post(f"{base}/gradio_api/upload", headers={"X-Admin-Token": TOKEN},
                     files={"files": ("big.pdf", b"%PDF-1.4\n" + bytes(3 * 1024 * 1024))})
    assert big.status_code == 413, big.text  # over BUDGETQA_MAX_UPLOAD_MB, even with the token
    assert not [p for p in _files(uploads) if p.name == "big.pdf"]


# --------------------------------------------------------------------------- malformed fields

MALFORMED = [
    {"question": QUESTION, "year": "²"},
    {"question": QUESTION, "year": "9" * 5000},
    {"question": QUESTION, "year": "２０２５"},
    {"question": QUESTION, "year": 2025.5},
    {"question": QUESTION, "year": True},
    {"question": QUESTION, "year": [2025]},
    {"question": QUESTION, "department": ["洛阳市西工区人民政府办公室"]},
    {"question": QUESTION, "department": {"name": "x"}},
    {"question": QUESTION, "department": 5},
    {"question": QUESTION, "kind": ["预算"]},
    {"question": QUESTION, "history": 5},
    {"question": QUESTION, "history": "previous"},
    {"question": QUESTION, "history": {"role": "user"}},
    {"question": QUESTION, "history": [{"role": "user", "content": 5}]},
    {"question": QUESTION, "history": [{"role": "assistant", "content": "", "answer": "text"}]},
    {"question": ["车辆维护"]},
    {"question": {"q": 1}},
    {"question": 12345},
]
RAW_MALFORMED = [
    b'{"question": "\\ud800"}',
    b'{"question": "x", "department": "\\udfff"}',
    b'{"question": "x", "history": [{"role": "user", "content": "\\ud83d"}]}',
    b'{"\\ud800": 1, "question": "x"}',
    b'{"question": "\xff\xfe"}',
    b'{"question": "x", "year": ' + b"9" * 5000 + b"}",
    b"[" * 50_000 + b"]" * 50_000,
    b"null",
    b'"question"',
    b"",
]


@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_field_is_400_with_one_line(served, body: dict) -> None:
    r = httpx.post(f"{served['base']}/api/ask", json=body, timeout=30)
    assert r.status_code == 400, r.text
    message = _error_line(r)
    _no_server_path(message, served["home"])


@pytest.mark.parametrize("body", RAW_MALFORMED, ids=range(len(RAW_MALFORMED)))
def test_malformed_json_is_400_with_one_line(served, body: bytes) -> None:
    r = httpx.post(f"{served['base']}/api/ask", content=body, headers={"Content-Type": "application/json"},
                   timeout=30)
    assert r.status_code == 400, r.text
    _no_server_path(_error_line(r), served["home"])


def test_well_formed_fields_still_answer(served) -> None:
    base = served["base"]
    for body in ({"question": QUESTION, "year": 2025}, {"question": QUESTION, "year": "2025", "department": None},
                 {"question": QUESTION, "history": None, "kind": ""}, {"question": QUESTION, "history": ["junk"]}):
        r = httpx.post(f"{base}/api/ask", json=body, timeout=30)
        assert r.status_code == 200 and r.json()["value"] == 4.6, (body, r.text)


# --------------------------------------------------------------------------- routes and headers


def test_development_and_unused_gradio_routes_are_off(served) -> None:
    base = served["base"]
    for path in ("/gradio_api/dev/reload", "/gradio_api/vibe-code", "/gradio_api/vibe-edit", "/monitoring",
                 "/gradio_api/run/on_upload", "/gradio_api/call/on_upload", "/gradio_api/api/on_upload",
                 "/gradio_api/proxy=http://127.0.0.1:1/x", "/gradio_api/file=http://127.0.0.1:1/x",
                 "/gradio_api/profiling/traces", "/gradio_api/mcp/sse", "/login", "/gradio_api/openapi.json"):
        for method in ("GET", "POST"):
            t0 = time.monotonic()
            r = httpx.request(method, f"{base}{path}", timeout=5)
            assert r.status_code == 404 and time.monotonic() - t0 < 3, (method, path, r.status_code)
    assert httpx.get(f"{base}/config").status_code == 200


def test_every_response_carries_the_security_headers(served) -> None:
    base = served["base"]
    page = httpx.get(f"{base}/", headers={"Accept-Encoding": "gzip, br"})
    for r in (page, httpx.get(f"{base}/api/documents"), httpx.get(f"{base}/nowhere"),
              httpx.post(f"{base}/api/ask", json={"question": ""}), httpx.get(f"{base}/config")):
        h = r.headers
        assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY", (r.url, h)
        assert h["referrer-policy"] == "no-referrer"
        csp = h["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    nonce = re.search(r"'nonce-([^']+)'", page.headers["content-security-policy"]).group(1)  # type: ignore[union-attr]
    scripts = re.findall(r"<script\b[^>]*>", page.text)
    assert scripts and all(f'nonce="{nonce}"' in s for s in scripts), scripts
    assert "X-Admin-Token" in page.text and "bq-token" in page.text  # the page sends the token with uploads
    other = httpx.get(f"{base}/").headers["content-security-policy"]
    assert other != page.headers["content-security-policy"], "a fresh nonce per response"


def test_range_responses_do_not_echo_request_headers(served) -> None:
    base = served["base"]
    r = httpx.post(f"{base}/gradio_api/upload", headers={"X-Admin-Token": TOKEN},
                   files={"files": ("range.pdf", b"%PDF-1.4\n" + b"0" * 1000, "application/pdf")})
    assert r.status_code == 200, r.text
    (path,) = r.json()
    secret = "session=s3cr3t-cookie-value"
    got = httpx.get(f"{base}/gradio_api/file={path}", headers={"Range": "bytes=0-3", "Cookie": secret,
                                                               "X-Admin-Token": TOKEN, "X-Probe": "echo-me"})
    assert got.status_code == 206 and got.content == b"%PDF", got.status_code
    raw = "\n".join(f"{k}: {v}" for k, v in got.headers.items())
    for leaked in ("s3cr3t", TOKEN, "echo-me", "cookie", "x-admin-token", "host:"):
        assert leaked not in raw.lower() and leaked not in raw, raw
    Path(path).unlink(missing_ok=True)


# --------------------------------------------------------------------------- the earlier guarantees, here too


def test_page_image_traversal_and_unknown_documents_stay_404(served) -> None:
    base = served["base"]
    for doc in ("../facts.sqlite3", "/etc/passwd", "..%2F..%2Fetc%2Fpasswd", SAMPLE.name + "/../../x"):
        r = httpx.get(f"{base}/api/page-image", params={"document": doc, "page": 1, "bbox": "1,2,3,4"})
        assert r.status_code == 404, r.text
        _no_server_path(_error_line(r), served["home"])
    for params in ({"document": SAMPLE.name, "page": "x", "bbox": "1,2,3,4"},
                   {"document": SAMPLE.name, "page": 1, "bbox": "nan,1,2,3"},
                   {"document": SAMPLE.name, "page": 10**30, "bbox": "1,2,3,4"}):
        r = httpx.get(f"{base}/api/page-image", params=params)
        assert r.status_code in (400, 404), r.text
        _error_line(r)
