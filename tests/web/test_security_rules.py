"""web.security and web.validation without a server: the route list, FileData paths, messages without
paths, the ask-request fields, and the middleware on a tiny ASGI app (limits while streaming, the
script nonce, Range headers, errors as one JSON line)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from budgetqa.errors import QuestionError, StoreError
from web.public_errors import public_message, scrub_paths
from web.security import Policy, SecurityMiddleware, route_allowed
from web.upload_folder import check_file_paths
from web.validation import parse_ask


@pytest.mark.parametrize("path", ["/", "/api/ask", "/api/page-image", "/config", "/assets/index.js", "/theme.css",
                                  "/gradio_api/queue/join", "/gradio_api/queue/data", "/gradio_api/upload",
                                  "/gradio_api/heartbeat/abc", "/gradio_api/file=/tmp/gradio/x/a.pdf"])
def test_routes_the_page_and_api_use_are_served(path: str) -> None:
    assert route_allowed(path)


@pytest.mark.parametrize("path", ["/gradio_api/dev/reload", "/gradio_api/vibe-edit", "/gradio_api/run/x",
                                  "/gradio_api/call/x", "/gradio_api/api/x", "/gradio_api/proxy=http://a/b",
                                  "/gradio_api/file=http://169.254.169.254/x", "/gradio_api/file/https://a/b",
                                  "/monitoring", "/login", "/logout", "/gradio_api/mcp/sse", "/gradio_api/runs"])
def test_development_and_fetching_routes_are_not(path: str) -> None:
    assert not route_allowed(path)


def test_file_paths_must_be_regular_files_inside_the_upload_folder(tmp_path: Path) -> None:
    root = tmp_path / "uploads"
    (root / "h").mkdir(parents=True)
    good = root / "h" / "a.pdf"
    good.write_bytes(b"%PDF-1.4")
    (root / "h" / "link.pdf").symlink_to("/etc/passwd")
    (tmp_path / "outside.pdf").write_bytes(b"%PDF")
    ok = {"data": ["tok", [{"path": str(good), "meta": {"_type": "gradio.FileData"}}]]}
    assert check_file_paths(ok, root, 100) is None
    assert check_file_paths({"data": ["no files", 1, None]}, root, 100) is None
    for bad in ["/dev/zero", "/etc/passwd", str(tmp_path / "outside.pdf"), str(root / "h" / "link.pdf"),
                str(root / "h" / ".." / ".." / "outside.pdf"), str(root / "h"), str(root / "missing.pdf"), "",
                "a\x00b", 5, None, ["/etc/passwd"]]:
        assert check_file_paths({"data": [[{"path": bad}]]}, root, 100), bad
    assert check_file_paths(ok, root, 3), "larger than the per-file limit"
    deep: object = {"path": "/etc/passwd"}
    for _ in range(10_000):  # no recursion limit to trip over
        deep = [deep]
    assert check_file_paths(deep, root, 100)


def test_messages_carry_no_server_path(tmp_path: Path) -> None:
    home = tmp_path / "home"
    e = StoreError(f"the store at {home} is locked by process 12")
    assert public_message(e, home) == "文档库正被另一个导入或删除任务占用，请稍后再试。"  # Chinese (issue 14)
    e = StoreError(f"{home}/chroma: an untranslated failure")
    assert public_message(e, home) == "服务器未能完成这个请求，原因已记入服务器日志；请稍后再试或联系管理员。"
    assert public_message(QuestionError(f"问题不能为空（{home}/x）。"), home) == "问题不能为空（$BUDGETQA_HOME/x）。"
    assert public_message(QuestionError("question 应为字符串，收到 int。")) == "question 应为字符串，收到 int。"
    assert "/" not in public_message(PermissionError(13, "Permission denied", str(home / "cache")), home)
    assert "/" not in public_message(OSError(28, "No space left on device"), home)
    assert scrub_paths("cannot open /usr/lib/x/y.so: bad") == "cannot open …: bad"
    assert scrub_paths("bbox 应为 x0,top,x1,bottom；行政运行/工资") == "bbox 应为 x0,top,x1,bottom；行政运行/工资"
    assert "vanished" not in public_message(RuntimeError("index file vanished\nsecond line"))  # for the log only


@pytest.mark.parametrize("body", [
    [1], "x", None, {"question": 1}, {"question": "q", "year": "²"}, {"question": "q", "year": "9" * 5000},
    {"question": "q", "year": 2025.0}, {"question": "q", "year": False}, {"question": "q", "department": []},
    {"question": "q", "department": "部" * 201}, {"question": "q", "history": 1},
    {"question": "q", "history": [{"role": 1}]}, {"question": "q", "history": [{}] * 201},
    {"question": "\ud800"}, {"question": "q", "history": [{"content": "\udc00"}]}, {"\ud800": "x"},
])
def test_bad_ask_fields_are_question_errors(body: object) -> None:
    with pytest.raises(QuestionError) as got:
        parse_ask(body)
    assert "\n" not in str(got.value)


def test_good_ask_fields_are_parsed() -> None:
    r = parse_ask({"question": "车辆维护", "year": " 2024 ", "department": " 某部门 ", "kind": "",
                   "history": [{"role": "user", "content": "上一个"}, "junk", 5]})
    assert (r.question, r.year, r.department, r.kind) == ("车辆维护", 2024, "某部门", None)
    assert r.history == [{"role": "user", "content": "上一个"}]
    assert parse_ask({"question": "q", "year": 2025, "history": None}).year == 2025


_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                     lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                     max_leaves=20)


@settings(max_examples=300, deadline=None, database=None)
@given(st.dictionaries(st.sampled_from(["question", "year", "department", "kind", "history", "x"]), _JSON))
def test_fuzz_ask_bodies_parse_or_give_a_question_error(body: dict) -> None:
    try:
        parse_ask(body)
    except QuestionError as exc:
        assert "\n" not in str(exc)


# --------------------------------------------------------------------------- the middleware on a tiny app


def _tiny_app() -> TestClient:
    async def echo(request: Request) -> Response:
        return JSONResponse({"size": len(await request.body())})

    async def page(_request: Request) -> Response:
        return HTMLResponse("<html><head><script>var a=1</script></head><body><script src='x.js'></script></body></html>")

    async def ranged(request: Request) -> Response:  # what Gradio's ranged file response does
        return Response(b"%PDF", status_code=206, headers={**request.headers, "content-range": "bytes 0-3/10"})

    async def broken(_request: Request) -> Response:
        raise RuntimeError("/srv/secret/path exploded")

    app = Starlette(routes=[Route("/api/ask", echo, methods=["POST"]), Route("/", page),
                            Route("/config", ranged), Route("/api/documents", broken, methods=["POST"])])
    policy = Policy(upload_limit=2000, file_limit=1000, token_problem=lambda t: None if t == "ok" else "口令不正确",
                    json_limit=1000)
    app.add_middleware(SecurityMiddleware, policy=policy)
    return TestClient(app, raise_server_exceptions=False)


def test_body_limits_hold_for_sized_and_chunked_bodies() -> None:
    client = _tiny_app()
    assert client.post("/api/ask", content=b"x" * 1000).json() == {"size": 1000}
    assert client.post("/api/ask", content=b"x" * 1001).status_code == 413
    chunks = (b"x" * 100 for _ in range(50))  # no Content-Length: counted while it streams
    r = client.post("/api/ask", content=chunks)
    assert r.status_code == 413 and "error" in r.json()


def test_the_page_gets_a_nonce_on_every_script_and_the_token_script() -> None:
    r = _tiny_app().get("/")
    csp = r.headers["content-security-policy"]
    nonce = csp.split("'nonce-", 1)[1].split("'", 1)[0]
    assert r.text.count(f'<script nonce="{nonce}"') == 3 and "X-Admin-Token" in r.text
    assert r.headers["content-length"] == str(len(r.content))


def test_range_responses_keep_only_their_own_headers() -> None:
    r = _tiny_app().get("/config", headers={"Cookie": "s=secret", "X-Admin-Token": "tok", "Range": "bytes=0-3"})
    assert r.status_code == 206 and r.headers["content-range"] == "bytes 0-3/10"
    assert "cookie" not in r.headers and "x-admin-token" not in r.headers and "range" not in r.headers
    assert r.headers["x-frame-options"] == "DENY"


def test_uploads_need_the_token_first_and_errors_are_one_json_line() -> None:
    client = _tiny_app()
    r = client.post("/api/documents", content=b"x" * 10)
    assert r.status_code == 403 and r.json() == {"error": "口令不正确"}
    r = client.post("/api/documents", content=b"x" * 10, headers={"X-Admin-Token": "ok"})
    assert r.status_code == 500 and r.json() == {"error": "服务器内部错误（详情已记入日志）。"}
    assert client.get("/gradio_api/dev/reload").status_code == 404


def test_private_upload_folder_is_removed_at_exit(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from web.upload_folder import private_upload_folder

    monkeypatch.delenv("GRADIO_TEMP_DIR", raising=False)
    with private_upload_folder() as folder:
        assert os.environ["GRADIO_TEMP_DIR"] == str(folder) and folder.is_dir()
        assert (folder.stat().st_mode & 0o777) == 0o700
        (folder / "x").write_bytes(b"upload")
    assert not folder.exists() and "GRADIO_TEMP_DIR" not in os.environ


def test_remove_uploaded_deletes_the_files_and_old_empty_leftovers(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from web.upload_folder import remove_uploaded

    root = tmp_path / "uploads"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(root))
    (root / "hash").mkdir(parents=True)
    up = root / "hash" / "a.pdf"
    up.write_bytes(b"%PDF")
    old_empty, new_empty, streaming = root / "tmpold", root / "tmpnew", root / "tmpbusy"
    for f in (old_empty, new_empty):
        f.write_bytes(b"")
    streaming.write_bytes(b"part of an upload")
    os.utime(old_empty, (1, 1))
    os.utime(streaming, (1, 1))
    outside = tmp_path / "keep.pdf"
    outside.write_bytes(b"%PDF")
    remove_uploaded([str(up), str(outside)])
    assert not up.exists() and not (root / "hash").exists() and outside.exists()
    assert not old_empty.exists() and new_empty.exists() and streaming.exists()
