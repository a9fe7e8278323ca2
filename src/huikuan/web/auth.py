"""Who is asking, and may they: the console's log-in, sessions, CSRF and the permission check
every page and API route uses (`Requires(Permission.X)`; the matrix is security/permissions.py).

- A page request carries the session cookie (HttpOnly, SameSite=Strict, Secure over TLS, path
  /); an integration sends `Authorization: Bearer <API token>` (`huikuan user token`). The
  agent desk keeps its own bearer tokens (desk/), issued by its log-in.
- A state-changing request authenticated by the cookie must echo the session's CSRF token (the
  `X-CSRF-Token` header, or a `csrf_token` form field); a bearer request cannot be forged by
  another site, so it needs none. SameSite=Strict is the first wall, this the second.
- Anonymous: 401 on the API, a redirect to /login on pages; the wrong role: 403.
"""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool

from huikuan.db import session_scope
from huikuan.errors import HuikuanError, PermissionDenied
from huikuan.security import auth
from huikuan.security.models import User
from huikuan.security.permissions import Permission, allowed, require
from huikuan.web.deps import clock_of
from huikuan.web.pages import home_for, render, safe_path

SESSION_COOKIE = "huikuan_session"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
THROTTLE = auth.AddressThrottle()

router = APIRouter()


SQLITE_STALE_RETRIES = 5


class NotLoggedIn(HuikuanError):
    status_code = 401


class LogInPage(Exception):
    """A page asked for by someone not logged in: answered with a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def _authenticate(request: Request) -> tuple[User, str | None] | None:
    """The user and, for a cookie session, its CSRF token; None when anonymous.

    On SQLite, a transaction that read and then writes (the session's last-seen instant) is
    refused at once, busy timeout or not, when another request wrote in between (WAL's stale
    snapshot): the check then runs again in a fresh transaction, a few times at most."""
    for attempt in range(SQLITE_STALE_RETRIES):
        try:
            return _authenticate_once(request)
        except OperationalError as exc:
            stale = "database is locked" in str(exc.orig)
            if not stale or attempt == SQLITE_STALE_RETRIES - 1:
                raise
    return None  # unreachable: the last attempt returns or raises


def _authenticate_once(request: Request) -> tuple[User, str | None] | None:
    at = clock_of(request).now()
    scheme, _, secret = (request.headers.get("authorization") or "").partition(" ")
    with session_scope(request.app.state.engine) as session:
        if scheme.lower() == "bearer" and secret.strip():
            user = auth.user_for_token(session, secret.strip(), at)
            session.expunge(user)
            return user, None
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        try:
            user, row = auth.session_user(session, cookie, at)
        except auth.LogInRefused:
            return None
        csrf = row.csrf_token
        session.expunge(user)
        return user, csrf


def _check_csrf(request: Request, expected: str, form_token: str | None) -> None:
    sent = request.headers.get("x-csrf-token") or form_token or ""
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise PermissionDenied("CSRF 校验失败 / CSRF check failed: reload the page")


class Requires:
    """A dependency: the logged-in user holding `permission` (None: any logged-in user)."""

    def __init__(self, permission: Permission | None) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> User:
        found = await run_in_threadpool(_authenticate, request)  # database work off the loop
        if found is None:
            if _is_page(request):
                raise LogInPage(request.url.path)
            raise NotLoggedIn("需要登录 / log in first")
        user, csrf = found
        if csrf is not None and request.method in UNSAFE_METHODS:
            form_token = None
            if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
                form_token = str((await request.form()).get("csrf_token") or "")
            _check_csrf(request, csrf, form_token)
        if self.permission is not None:
            require(user, self.permission)
        request.state.csrf_token = csrf
        return user


def login_redirect(next_path: str) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(next_path)}", status_code=303)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", {"next": safe_path(next), "error": None})


@router.post("/login", response_class=HTMLResponse, include_in_schema=False)
def login_submit(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Check the password (throttled per user and per address); start a session."""
    address = request.client.host if request.client else "unknown"
    at = clock_of(request).now()
    if THROTTLE.blocked(address):
        return _login_again(request, next, auth.LOCKED, 429)
    with session_scope(request.app.state.engine) as session:
        try:
            user = auth.log_in(session, username, password, at, channel="console")
        except auth.LogInRefused as refused:
            THROTTLE.failed(address)
            return _login_again(request, next, refused.message, 401)
        started = auth.start_session(session, user, at)
        landing = safe_path(next)
        if landing == "/":
            landing = home_for(user)  # an agent has no dashboard: the desk
    response = RedirectResponse(landing, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        started.secret,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
        max_age=int(auth.SESSION_ABSOLUTE.total_seconds()),
    )
    return response


def _login_again(request: Request, next_path: str, error: str, status: int) -> HTMLResponse:
    return render(request, "login.html", {"next": safe_path(next_path), "error": error}, status_code=status)


class Me(BaseModel):
    user_id: int
    username: str
    role: str
    permissions: list[str]
    csrf_token: str | None  # for cookie sessions: send it as X-CSRF-Token on changes


@router.get("/api/me", response_model=Me)
def me(request: Request, user: Annotated[User, Depends(Requires(None))]) -> Me:
    """Who is logged in, what they may do, and the CSRF token of their console session."""
    return Me(
        user_id=user.id,
        username=user.username,
        role=user.role,
        permissions=[p.value for p in Permission if allowed(user.role, p)],
        csrf_token=getattr(request.state, "csrf_token", None),
    )


@router.post("/logout", include_in_schema=False)
def logout(request: Request, _user: Annotated[User, Depends(Requires(None))]) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        with session_scope(request.app.state.engine) as session:
            auth.end_session(session, cookie, clock_of(request).now())
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
