"""The web application: console pages for people, a JSON API (OpenAPI) for tools."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine

from huikuan.analytics.schemas import Kpis
from huikuan.analytics.service import compute_kpis
from huikuan.clock import Clock, SystemClock
from huikuan.errors import HuikuanError
from huikuan.security.models import User
from huikuan.security.permissions import Permission
from huikuan.web.audit_routes import router as audit_router
from huikuan.web.auth import LogInPage, Requires, login_redirect
from huikuan.web.auth import router as auth_router
from huikuan.web.campaigns_routes import router as campaigns_router
from huikuan.web.compliance_routes import router as compliance_router
from huikuan.web.dashboard_routes import router as dashboard_router
from huikuan.web.deps import SessionDep
from huikuan.web.desk_routes import router as desk_router
from huikuan.web.hardening import LOOPBACK_HOSTS, OptionalRowIdQuery, harden
from huikuan.web.imports_routes import router as imports_router
from huikuan.web.kpis_routes import router as kpis_router
from huikuan.web.pages import DEFAULT_TIMEZONE
from huikuan.web.pages import router as pages_router
from huikuan.web.people_routes import router as people_router
from huikuan.web.portfolio_routes import router as portfolio_router
from huikuan.web.reports_routes import router as reports_router
from huikuan.web.scripts_routes import router as scripts_router

STATIC = Path(__file__).parent / "static"


Reports = Annotated[User, Depends(Requires(Permission.VIEW_REPORTS))]


def create_app(
    engine: Engine,
    clock: Clock | None = None,
    *,
    allowed_hosts: Sequence[str] = LOOPBACK_HOSTS,
    timezone: str = DEFAULT_TIMEZONE,
) -> FastAPI:
    """Build the app around one engine (the caller opened and migrated the database); `clock`
    gives every recorded instant (a virtual one in simulations and tests); requests naming a
    Host outside `allowed_hosts` are refused (web/hardening.py); pages show instants in the
    floor's `timezone`."""
    app = FastAPIOffline(title="Huikuan 回款", version="0.1.0")
    harden(app, allowed_hosts)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.state.engine = engine
    app.state.clock = clock or SystemClock()
    app.state.timezone = timezone
    app.include_router(pages_router)
    app.include_router(auth_router)
    app.include_router(desk_router)
    app.include_router(people_router)
    app.include_router(scripts_router)
    app.include_router(dashboard_router)
    app.include_router(imports_router)
    app.include_router(reports_router)
    app.include_router(kpis_router)
    app.include_router(portfolio_router)
    app.include_router(compliance_router)
    app.include_router(audit_router)
    app.include_router(campaigns_router)

    @app.exception_handler(LogInPage)
    async def to_login(_request: Request, exc: LogInPage) -> RedirectResponse:
        return login_redirect(exc.next_path)

    @app.exception_handler(HuikuanError)
    async def domain_error(_request: Request, exc: HuikuanError) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content={"error": exc.message})

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/kpis", response_model=Kpis)
    def api_kpis(_user: Reports, session: SessionDep, campaign_id: OptionalRowIdQuery = None) -> Kpis:
        """Headline KPIs, for one campaign or all (view_reports)."""
        return compute_kpis(session, campaign_id)

    return app
