"""The KPI API (指标接口): GET /api/kpis/report, the KPIs of a period by dimension and the
fairness view, the same figures `huikuan report` writes (docs/reports.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request

from huikuan.analytics import service
from huikuan.analytics.kpi_defs import DIMENSION_KEYS
from huikuan.analytics.kpi_report import KpiReport, build
from huikuan.desk.report import agents_by_attempt
from huikuan.security.models import User
from huikuan.security.permissions import Permission
from huikuan.web.auth import Requires
from huikuan.web.deps import SessionDep, clock_of
from huikuan.web.pages import timezone_of
from huikuan.web.reports_routes import DEFAULT_DAYS, DayQuery

router = APIRouter()
Viewer = Annotated[User, Depends(Requires(Permission.VIEW_REPORTS))]
ByQuery = Annotated[
    str | None,
    Query(
        max_length=200, description=f"comma-separated dimensions, default all: {', '.join(DIMENSION_KEYS)}"
    ),
]


@router.get("/api/kpis/report", response_model=KpiReport)
def kpi_report(
    request: Request,
    _user: Viewer,
    session: SessionDep,
    since: DayQuery = None,
    until: DayQuery = None,
    by: ByQuery = None,
) -> KpiReport:
    """KPIs of attempts started on local days since..until (both included; default the last 14),
    in total and by each dimension asked for, with the fairness view."""
    zone = timezone_of(request)
    last = until or clock_of(request).now().astimezone(ZoneInfo(zone)).date()
    first = since or last - timedelta(days=DEFAULT_DAYS - 1)
    start, end = service.day_range(first, last, zone)
    dims = tuple(d.strip() for d in by.split(",") if d.strip()) if by else DIMENSION_KEYS
    return build(
        session, start, end, zone, last, agents=agents_by_attempt(session, start, end), dimensions=dims
    )
