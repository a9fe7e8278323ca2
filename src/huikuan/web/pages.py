"""What every console page shares: the one template environment, the page frame (navigation
per role, language switch, who is logged in) and `render`.

Each area of the console (dashboard, portfolio, imports, campaigns, scripts, desk, compliance,
audit, reports) is a router module `web/<area>_routes.py` with templates under
`templates/<area>/`; `NAV` lists them in the order a floor reads them, each with the
permissions that show it (any one suffices; the route itself still checks its own).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from huikuan.security.models import User
from huikuan.security.permissions import Permission, allowed
from huikuan.web import labels
from huikuan.web.i18n import HTML_LANG, LANG_COOKIE, LANGS, N_, install, lang_of

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class NavItem:
    path: str
    title: str  # an English message id
    permissions: frozenset[Permission]


P = Permission
NAV: tuple[NavItem, ...] = (
    NavItem("/", N_("Dashboard"), frozenset({P.VIEW_REPORTS})),
    NavItem("/portfolio", N_("Accounts"), frozenset({P.VIEW_MASKED})),
    NavItem("/imports", N_("Imports"), frozenset({P.IMPORT})),
    NavItem("/campaigns", N_("Campaigns"), frozenset({P.RUN_CAMPAIGNS})),
    NavItem("/scripts", N_("Scripts"), frozenset({P.EDIT_SCRIPTS, P.APPROVE_SCRIPTS})),
    NavItem("/desk", N_("Agent desk"), frozenset({P.DESK})),
    NavItem("/compliance", N_("Compliance"), frozenset({P.RULE_SETTINGS, P.CLEAR_STOPS})),
    NavItem("/audit", N_("Audit log"), frozenset({P.VIEW_AUDIT})),
    NavItem("/reports", N_("Reports"), frozenset({P.VIEW_REPORTS})),
)


def nav_for(user: User) -> list[NavItem]:
    """The areas `user`'s role may open, in menu order."""
    return [item for item in NAV if any(allowed(user.role, p) for p in item.permissions)]


def home_for(user: User) -> str:
    """Where `user` lands after logging in: the first area the role may open."""
    items = nav_for(user)
    return items[0].path if items else "/login"


def pick(lang: str, message: str) -> str:
    """One language of a domain error written "中文 / English" (errors keep both for the API
    and the CLI; a page shows the visitor's half)."""
    zh, sep, en = message.partition(" / ")
    if not sep:
        return message
    return zh.strip() if lang == "zh_CN" else en.strip()


def timezone_of(request: Request) -> str:
    zone: str = getattr(request.app.state, "timezone", DEFAULT_TIMEZONE)
    return zone


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    user: User | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """A console page in the visitor's language, framed with the navigation of `user`'s role."""
    lang = lang_of(request)
    frame: dict[str, Any] = {
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "langs": LANGS,
        "user": user,
        "nav": nav_for(user) if user else [],
        "csrf_token": getattr(request.state, "csrf_token", None),
        "current_path": request.url.path,
        "timezone": timezone_of(request),
        "label": lambda kind, code: labels.label(lang, kind, code),
        "pick": lambda message: pick(lang, message),
    }
    frame.update(context or {})
    return TEMPLATES.TemplateResponse(request, template, frame, status_code=status_code)


install(TEMPLATES.env)

router = APIRouter(include_in_schema=False)


def safe_path(path: str | None) -> str:
    """Only a path of this site: never "//evil.example" or a full URL (an open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


@router.get("/lang/{code}")
def choose_language(code: str, request: Request, next: str | None = None) -> RedirectResponse:
    """Switch the console's language (a cookie for a year) and go back to the page."""
    response = RedirectResponse(safe_path(next), status_code=303)
    if code in LANGS:
        response.set_cookie(
            LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True, path="/"
        )
    return response
