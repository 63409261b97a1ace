"""What stands between an anonymous request and the app: one ASGI middleware in front of the JSON API
and the mounted Gradio page.

Why a middleware and not Gradio's own settings: the page is mounted with `gr.mount_gradio_app` and
never launched, so Gradio skips its "files must come from the upload folder" rule, accepts uploads
from anyone and serves development routes. Everything here is decided before Gradio reads a byte:

- Routes: only the ones the page and the API use are served; Gradio's development, editing,
  monitoring, proxy and scripting routes answer 404 (`/gradio_api/dev/reload` among them).
- Body limits, counted while the body streams in, for sized and chunked bodies alike: 413 as soon
  as a body passes its route's limit; the rest is never read.
- Uploads (`/gradio_api/upload`, `POST /api/documents`) need the admin token in `X-Admin-Token`
  before any byte is read; without it nothing is spooled or kept. The page sends it from its token
  box (`page_script`).
- FileData: every JSON body of a Gradio event is read (within its limit) and every file object in
  it must name a regular file inside Gradio's upload folder; a request naming any other server path
  (`/dev/zero`, `/etc/passwd`, the fact database) is refused with 400 before Gradio opens it.
- Headers on every response: a Content-Security-Policy with a per-response nonce for the page's
  scripts, frame-ancestors/X-Frame-Options, nosniff, Referrer-Policy. Range (206) responses keep
  only their own headers: Gradio's copies the request's headers, cookies included, into them.
- Errors leave as one JSON line `{"error": ...}` with no server path in it (web.public_errors);
  tracebacks go to the log.

Which paths an event may name, the private upload folder of `serve` and removing uploads once read:
web.upload_folder. The fields of `POST /api/ask`: web.validation.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException

from budgetqa.errors import BudgetQAError
from web.public_errors import scrub_paths
from web.upload_folder import check_file_paths, upload_folder

log = logging.getLogger(__name__)

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]

MB = 1024 * 1024
JSON_LIMIT = 1 * MB  # a question with its history, a Gradio event: a few KB
FILES_PER_UPLOAD = 10  # one upload request may carry this many files of the per-file limit
_HTML_LIMIT = 4 * MB  # the page's HTML is ~60 KB; larger responses are passed on untouched

# --------------------------------------------------------------------------- which routes exist

# First path segment -> served. The JSON API and what the Gradio page itself loads.
_TOP = {"", "api", "config", "assets", "static", "svelte", "theme.css", "favicon.ico", "manifest.json",
        "robots.txt", "pwa_icon", "docs", "openapi.json"}  # docs: the API's Swagger UI and its schema
# Second segment under /gradio_api/ -> served: what the page's client calls. Not served: dev/reload,
# vibe-*, run/, call/, api/ (events are private to the page), proxy=, monitoring, profiling,
# run-history, mcp, custom components, process_recording, login/logout.
_GRADIO = {"queue", "heartbeat", "upload", "upload_progress", "file", "cancel", "reset", "info",
           "startup-events", "app_id", "login_check", "theme.css", "config"}
_UPLOAD_ROUTES = ("/gradio_api/upload", "/api/documents")  # the token is checked before the body is read
_EVENT_ROUTES = ("/gradio_api/queue/join", "/gradio_api/cancel", "/gradio_api/reset")


def route_allowed(path: str) -> bool:
    parts = path.split("/")
    top = parts[1] if len(parts) > 1 else ""
    if top == "gradio_api":
        second = parts[2] if len(parts) > 2 else ""
        if second.startswith("file=") or second == "file":  # a cached file, never a URL fetched for a client
            target = "/".join([second[len("file="):], *parts[3:]]).lstrip("/")
            return not re.match(r"(?i)^[a-z][a-z0-9+.-]*:", target)
        return second in _GRADIO
    return top in _TOP


# --------------------------------------------------------------------------- the page's script

_TOKEN_SCRIPT = """<script>
(function () {
  // Uploads need the admin token before the server reads the file: send the token box's value with them.
  var realFetch = window.fetch;
  window.fetch = function (input, init) {
    try {
      var url = new URL(typeof input === "string" ? input : (input && input.url) || "", location.href);
      if (url.origin === location.origin && /\\/gradio_api\\/upload$/.test(url.pathname)) {
        var box = document.querySelector("#%(field)s input");
        var headers = new Headers((init && init.headers) || (input && input.headers) || {});
        if (box && box.value) headers.set("X-Admin-Token", box.value.trim());
        init = Object.assign({}, init || {}, {headers: headers});
      }
    } catch (e) { /* not a URL we change */ }
    return realFetch.call(this, input, init);
  };
})();
</script>"""


def page_script(token_field: str) -> str:
    """The script the page gets in its <head>: it adds X-Admin-Token (from the element with id
    `token_field`) to Gradio's upload requests."""
    if not re.fullmatch(r"[A-Za-z][\w-]*", token_field):
        raise ValueError(f"token field id {token_field!r} must be a plain HTML id")
    return _TOKEN_SCRIPT % {"field": token_field}


def content_security_policy(nonce: str) -> str:
    return "; ".join([
        "default-src 'self'",
        # no inline script runs without the nonce (an injected <img onerror> does not); 'unsafe-eval'
        # because Gradio 6's HTML component compiles its template with new Function
        f"script-src 'self' 'nonce-{nonce}' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",  # Svelte sets style attributes; Gradio injects theme CSS
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' data: blob:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


_STATIC_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
# what a 206/416 response may carry; Gradio's ranged file response copies every request header
_RANGE_HEADERS = {b"content-type", b"content-length", b"content-range", b"content-disposition", b"accept-ranges",
                  b"last-modified", b"etag", b"cache-control", b"date", b"server"}


# --------------------------------------------------------------------------- the middleware


@dataclass
class Policy:
    """The limits and the checks the middleware applies."""

    upload_limit: int  # bytes of one upload request (API or page)
    file_limit: int  # bytes of one uploaded file
    token_problem: Callable[[str | None], str | None]  # why a token is refused, None when it is the admin's
    home: Path | None = None
    token_field: str = "bq-token"
    json_limit: int = JSON_LIMIT

    def body_limit(self, method: str, path: str) -> int:
        if method == "POST" and path in _UPLOAD_ROUTES:
            return self.upload_limit
        return self.json_limit


class _TooLarge(Exception):
    pass


def _json(status: int, message: str, extra: list[tuple[bytes, bytes]] | None = None) -> tuple[Message, Message]:
    body = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode()),
               *(extra or [])]
    return ({"type": "http.response.start", "status": status, "headers": headers},
            {"type": "http.response.body", "body": body})


class SecurityMiddleware:
    """Pure ASGI (no buffering of bodies it does not have to read); see the module docstring."""

    def __init__(self, app: ASGIApp, policy: Policy):
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # neither the page nor the API uses one
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        method: str = scope.get("method", "GET")
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        send = self._with_headers(send, scope)

        async def refuse(status: int, message: str) -> None:
            log.info("refused %s %s: %d %s", method, path[:200], status, message)
            start, body = _json(status, message, [(b"connection", b"close")] if status == 413 else None)
            await send(start)
            await send(body)

        if not route_allowed(path):
            await refuse(404, "没有这个地址。")
            return
        limit = self.policy.body_limit(method, path)
        size = headers.get(b"content-length")
        if size is not None:
            if not size.isdigit():
                await refuse(400, "Content-Length 请求头无效。")
                return
            if int(size) > limit:
                await refuse(413, f"请求过大（{int(size)} 字节，上限 {limit} 字节）。")
                return
        if method == "POST" and path in _UPLOAD_ROUTES:
            token = headers.get(b"x-admin-token")
            problem = self.policy.token_problem(token.decode("utf-8", "replace") if token is not None else None)
            if problem:
                hint = "请先在“管理口令”框中输入口令，再选择文件。" if path.startswith("/gradio_api/") else ""
                await refuse(403, problem + hint)
                return

        received = 0
        too_large = False

        async def limited() -> Message:
            nonlocal received, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message: Message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _TooLarge
            return message

        inner_receive: Receive = limited
        if method == "POST" and path in _EVENT_ROUTES:
            try:
                body = await _read_all(limited)
            except _TooLarge:
                await refuse(413, f"请求过大（上限 {limit} 字节）。")
                return
            problem = self._check_event(body)
            if problem:
                await refuse(400, problem)
                return
            inner_receive = _replay(body, receive)

        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            if too_large and not started:
                return  # the app's own answer to a cut-off body; ours (413) follows
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        if method == "GET" and path == "/":
            # the page's HTML gets a nonce in every script tag: let it arrive uncompressed
            scope = {**scope, "headers": [(k, v) for k, v in scope.get("headers", [])
                                          if k.lower() != b"accept-encoding"]}
        try:
            await self.app(scope, inner_receive, watched_send)
        except _TooLarge:
            pass
        except Exception:
            if not too_large:
                if started:
                    raise
                log.exception("unhandled error for %s %s", method, path[:200])
                start, body_msg = _json(500, "服务器内部错误（详情已记入日志）。")
                await send(start)
                await send(body_msg)
                return
        if too_large and not started:
            await refuse(413, f"请求过大（上限 {limit} 字节）。")

    def _check_event(self, body: bytes) -> str | None:
        if not body.strip():
            return None
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return "请求体不是有效的 JSON。"
        return check_file_paths(data, upload_folder(), self.policy.file_limit)

    def _with_headers(self, send: Send, scope: Scope) -> Send:
        nonce = secrets.token_urlsafe(16)
        script = page_script(self.policy.token_field)
        state: dict[str, Any] = {"html": None}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = int(message["status"])
                hdrs = [(k.lower(), v) for k, v in message.get("headers", [])]
                if status in (206, 416):
                    hdrs = [(k, v) for k, v in hdrs if k in _RANGE_HEADERS]
                hdrs = [(k, v) for k, v in hdrs if k not in {h for h, _ in _STATIC_HEADERS}
                        and k != b"content-security-policy"]
                hdrs += _STATIC_HEADERS + [(b"content-security-policy", content_security_policy(nonce).encode())]
                ctype = dict(hdrs).get(b"content-type", b"")
                encoded = dict(hdrs).get(b"content-encoding", b"identity") != b"identity"
                if ctype.startswith(b"text/html") and not encoded and scope.get("method") == "GET":
                    state["html"] = {"start": {**message, "headers": hdrs}, "chunks": [], "size": 0}
                    return
                await send({**message, "headers": hdrs})
                return
            page = state["html"]
            if page is None or message["type"] != "http.response.body":
                await send(message)
                return
            page["chunks"].append(message.get("body", b""))
            page["size"] += len(page["chunks"][-1])
            if message.get("more_body") and page["size"] <= _HTML_LIMIT:
                return
            html = b"".join(page["chunks"])
            if page["size"] <= _HTML_LIMIT:
                html = _add_nonce(html, nonce, script)
            start = page["start"]
            hdrs = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            if not message.get("more_body"):
                hdrs.append((b"content-length", str(len(html)).encode()))
            state["html"] = None
            await send({**start, "headers": hdrs})
            await send({"type": "http.response.body", "body": html, "more_body": bool(message.get("more_body"))})

        return sending


def _add_nonce(html: bytes, nonce: str, script: str) -> bytes:
    tagged = re.sub(rb"<script(?=[\s>])", b'<script nonce="' + nonce.encode() + b'"', html)
    extra = script.replace("<script>", f'<script nonce="{nonce}">').encode("utf-8")
    head_end = tagged.find(b"</head>")
    if head_end < 0:
        return tagged
    return tagged[:head_end] + extra + tagged[head_end:]


async def _read_all(receive: Receive) -> bytes:
    parts = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # waits for the client's disconnect, as after any body

    return replay


def install(app: Any, settings: Any, check_admin: Callable[[Any, str | None], None]) -> Policy:
    """Put the middleware in front of `app` (FastAPI) for `settings` (budgetqa Settings).
    `check_admin(settings, token)` raises unless the token is the admin token."""

    def token_problem(token: str | None) -> str | None:
        try:
            check_admin(settings, token)
        except BudgetQAError as exc:
            log.info("admin token refused", exc_info=True)
            return str(exc)
        return None

    policy = Policy(upload_limit=settings.max_upload_mb * FILES_PER_UPLOAD * MB + MB,
                    file_limit=settings.max_upload_mb * MB, token_problem=token_problem, home=settings.home)
    app.add_middleware(SecurityMiddleware, policy=policy)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    return policy


async def _http_error(_request: Any, exc: Any) -> Any:
    """FastAPI's own refusals (a body it cannot parse, an unknown route) in the API's shape."""
    from fastapi.responses import JSONResponse

    return JSONResponse({"error": scrub_paths(" ".join(str(exc.detail).split()))[:300]}, status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))
