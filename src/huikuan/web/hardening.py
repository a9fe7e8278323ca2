"""What every response and request of the web app goes through, whatever the route:

- security headers on every response (CSP without inline code, frame-ancestors none, nosniff,
  referrer policy, COOP; HSTS when served over TLS), computed once with the `secure` library;
  the API documentation pages get a CSP that also allows the inline start-up script Swagger UI
  and ReDoc need (their assets are served from the package by fastapi-offline, never a CDN);
- the Host header checked against the allowed hosts (DNS rebinding);
- request bodies bounded (413 above the limit, 411 without a length);
- validation errors that never echo what was sent (a 422 used to return the request body,
  password included), and ids outside their column's range answered 404, never 500.

The two ASGI middlewares are written here rather than taken from Starlette's BaseHTTPMiddleware,
which buffers responses and would hold the desk's long poll; each is a few lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated, Any

import secure
from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Every id column is an INTEGER: PostgreSQL's is 32-bit, so this is the largest id any row has.
MAX_ROW_ID = 2**31 - 1
MAX_BODY_BYTES = 1 << 20  # JSON API requests; uploads get their own limit where they are read
# A creditor's case file: a monthly assignment of ~100,000 accounts is 15–20 MB as CSV (less as
# XLSX). The importer holds the file and its parsed rows in memory, so the bound stays modest.
MAX_UPLOAD_BYTES = 20 << 20
# Routes that take a file: the larger limit, and no NUL check on the raw body (an XLSX is a zip
# full of NUL bytes; the importer refuses NUL in CSV text itself).
UPLOAD_PATHS = frozenset({"/api/imports"})
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
DOCS_PATHS = ("/docs", "/redoc", "/docs/oauth2-redirect")
DOCS_ASSETS = "/static-offline-docs"

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="a record id")]
OptionalRowIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)]
RANGE_ERRORS = frozenset({"greater_than_equal", "less_than_equal", "greater_than", "less_than"})


def _headers(csp: secure.ContentSecurityPolicy, *, tls: bool) -> list[tuple[bytes, bytes]]:
    policy = secure.Secure(
        csp=csp,
        hsts=secure.StrictTransportSecurity().max_age(31_536_000) if tls else None,
        referrer=secure.ReferrerPolicy().no_referrer(),
        xcto=secure.XContentTypeOptions().nosniff(),
        xfo=secure.XFrameOptions().deny(),
        coop=secure.CrossOriginOpenerPolicy().same_origin(),
        permissions=secure.PermissionsPolicy().geolocation().microphone().camera(),
    )
    return [(k.lower().encode(), v.encode()) for k, v in policy.headers.items()]


def _page_csp() -> secure.ContentSecurityPolicy:
    return (
        secure.ContentSecurityPolicy()
        .default_src("'self'")
        .script_src("'self'")
        .style_src("'self'")
        .img_src("'self'", "data:")
        .object_src("'none'")
        .base_uri("'none'")
        .form_action("'self'")
        .frame_ancestors("'none'")
    )


def _docs_csp() -> secure.ContentSecurityPolicy:
    # Swagger UI and ReDoc start with an inline script and inline styles; the pages show only
    # the OpenAPI document, never stored data, so allowing inline code there alone is safe.
    return (
        secure.ContentSecurityPolicy()
        .default_src("'self'")
        .script_src("'self'", "'unsafe-inline'")
        .style_src("'self'", "'unsafe-inline'")
        .img_src("'self'", "data:")
        .worker_src("'self'", "blob:")
        .object_src("'none'")
        .base_uri("'none'")
        .frame_ancestors("'none'")
    )


class SecurityHeaders:
    """Adds the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.plain = {tls: _headers(_page_csp(), tls=tls) for tls in (False, True)}
        self.docs = {tls: _headers(_docs_csp(), tls=tls) for tls in (False, True)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        tls = scope.get("scheme") == "https"
        extra = (self.docs if path in DOCS_PATHS else self.plain)[tls]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k for k, _ in extra}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + extra
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Refuses request bodies over `limit` bytes (413) and bodies of unknown length (411)."""

    def __init__(
        self, app: ASGIApp, limit: int = MAX_BODY_BYTES, upload_limit: int = MAX_UPLOAD_BYTES
    ) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if b"%00" in scope.get("query_string", b"") or "\x00" in scope.get("path", ""):
            await _refuse(send, 422, NUL_REFUSED)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        upload = scope.get("path", "") in UPLOAD_PATHS
        limit = self.upload_limit if upload else self.limit
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is None and headers.get(b"transfer-encoding"):
            await _refuse(send, 411, "需要 Content-Length / a request body needs a Content-Length")
            return
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                await _refuse(send, 400, "Content-Length 无效 / invalid Content-Length")
                return
            if size > limit:
                await _refuse(send, 413, f"请求过大 / request body over {limit} bytes")
                return
        body = await _read_body(receive, limit)
        if body is None:
            await _refuse(send, 413, f"请求过大 / request body over {limit} bytes")
            return
        if not upload and _has_nul(body):
            await _refuse(send, 422, NUL_REFUSED)
            return
        await self.app(scope, _replay(body), send)


NUL_REFUSED = "文本不能包含 NUL 字符 / text must not contain a NUL character"


def _has_nul(body: bytes) -> bool:
    # PostgreSQL text cannot hold NUL: refused at the door, for every field of every route, rather
    # than as a database error (the fuzz found it as a 500). JSON writes it as \u0000.
    return b"\x00" in body or b"\\u0000" in body or b"%00" in body


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None past `limit` bytes (a body sent without a length)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _refuse(send: Send, status: int, reason: str) -> None:
    response = JSONResponse(status_code=status, content={"error": reason})
    await send({"type": "http.response.start", "status": status, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


def _is_id(loc: Sequence[Any]) -> bool:
    name = str(loc[-1]) if loc else ""
    return name == "id" or name.endswith("_id")


def _quiet(errors: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The validation errors without the input that failed (it may be a password)."""
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in errors
    ]


async def validation_error(_request: Request, exc: Exception) -> JSONResponse:
    errors = list(exc.errors()) if isinstance(exc, RequestValidationError) else []
    if errors and all(e.get("type") in RANGE_ERRORS and _is_id(e.get("loc", ())) for e in errors):
        # An id no column can hold names no record: the same answer as an id that is free.
        return JSONResponse(status_code=404, content={"error": "没有该记录 / no such record"})
    return JSONResponse(
        status_code=422, content={"error": "请求无效 / invalid request", "detail": _quiet(errors)}
    )


def harden(app: FastAPI, allowed_hosts: Sequence[str]) -> None:
    """Install the checks above on `app` (the outermost middleware is added last)."""
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
