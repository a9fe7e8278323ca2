"""The dashboard (`/`): the floor's day at a glance, kept live by server-sent events.

The figures come from `huikuan.analytics.dashboard` (robot lines from the dialer); the stream
recomputes them when `huikuan.analytics.live` hears that something was recorded, in this process
or another, and pushes them only when they changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from sse_starlette import EventSourceResponse

from huikuan.analytics.dashboard import dashboard, floor_day
from huikuan.analytics.dashboard_schemas import Dashboard
from huikuan.analytics.live import ActivityFeed
from huikuan.db import session_scope
from huikuan.dialer import floor
from huikuan.security.models import User
from huikuan.security.permissions import Permission
from huikuan.web.auth import Requires
from huikuan.web.deps import SessionDep, clock_of
from huikuan.web.hardening import MAX_ROW_ID, OptionalRowIdQuery
from huikuan.web.i18n import N_, lang_of, translate
from huikuan.web.pages import render, timezone_of

router = APIRouter()
Reports = Annotated[User, Depends(Requires(Permission.VIEW_REPORTS))]
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
DayQuery = Annotated[
    date | None, Query(ge=FIRST_DAY, le=LAST_DAY, description="the floor's day (default: today)")
]
# A burst of recorded calls costs each open stream at most one recomputation per this many seconds.
PUSH_INTERVAL_SECONDS = 0.5
PING_SECONDS = 15
# A stream ends after this long and the browser's EventSource reconnects: the log-in and the
# role are checked again, so a logged-out or demoted user stops receiving figures.
STREAM_SECONDS = 300


def figures(request: Request, session: Session, day: date | None, campaign_id: int | None) -> Dashboard:
    """The dashboard of `day` (today on the floor when None), for one campaign or all."""
    zone = timezone_of(request)
    return dashboard(
        session,
        day or floor_day(clock_of(request).now(), zone),
        zone,
        campaign_id=campaign_id,
        robots_live=floor.running_robot_lines(session, campaign_id),
    )


def activity_feed(app: FastAPI) -> ActivityFeed:
    """The app's one feed, shared by every open stream."""
    feed: ActivityFeed | None = getattr(app.state, "activity_feed", None)
    if feed is None:
        feed = app.state.activity_feed = ActivityFeed(app.state.engine)
    return feed


def page_filters(campaign: str | None, day: str | None) -> tuple[int | None, date | None, list[str]]:
    """The page's filters as its form sends them (an empty field means "all" or "today"); what
    cannot be read is left out and named in an error (English message ids)."""
    errors: list[str] = []
    campaign_id = None
    if campaign and campaign.strip():
        text = campaign.strip()
        if text.isdigit() and 1 <= int(text) <= MAX_ROW_ID:
            campaign_id = int(text)
        else:
            errors.append(N_("Choose a campaign from the list."))
    chosen = None
    if day and day.strip():
        try:
            chosen = date.fromisoformat(day.strip())
        except ValueError:
            errors.append(N_("The day must be a date such as 2026-03-02."))
        else:
            if not FIRST_DAY <= chosen <= LAST_DAY:
                chosen = None
                errors.append(N_("The day must be a date such as 2026-03-02."))
    return campaign_id, chosen, errors


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def dashboard_page(
    request: Request,
    user: Reports,
    session: SessionDep,
    campaign_id: Annotated[str | None, Query(max_length=40)] = None,
    day: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    campaign, chosen, errors = page_filters(campaign_id, day)
    data = figures(request, session, chosen, campaign)
    lang = lang_of(request)
    context: dict[str, Any] = {
        "d": data,
        "campaigns": floor.campaign_names(session),
        "chosen_day": chosen,
        "typed_day": day or "",
        "errors": [translate(lang, e) for e in errors],
        # Read by dashboard.js; "<" escaped so no value can close the script element.
        "payload": data.model_dump_json().replace("<", "\\u003c"),
    }
    return render(request, "dashboard/home.html", context, user=user)


@router.get("/api/dashboard", response_model=Dashboard)
def api_dashboard(
    request: Request,
    _user: Reports,
    session: SessionDep,
    campaign_id: OptionalRowIdQuery = None,
    day: DayQuery = None,
) -> Dashboard:
    """The dashboard's figures for the floor's day (today by default), for one campaign or all
    (view_reports)."""
    return figures(request, session, day, campaign_id)


# Left out of the OpenAPI document: an endless event stream is no JSON operation to fuzz.
@router.get("/api/dashboard/stream", response_class=EventSourceResponse, include_in_schema=False)
async def dashboard_stream(
    request: Request,
    _user: Reports,
    campaign_id: OptionalRowIdQuery = None,
    day: DayQuery = None,
    once: bool = False,
) -> EventSourceResponse:
    """Server-sent `dashboard` events: the figures now, then again whenever they change
    (view_reports). Ends when the client goes away, or after the first event with `once`."""
    feed = activity_feed(request.app)

    def look() -> str:
        # A fresh short transaction per look: nothing is held while the stream waits.
        with session_scope(request.app.state.engine) as session:
            return figures(request, session, day, campaign_id).model_dump_json()

    async def events() -> AsyncIterator[dict[str, str]]:
        ends = asyncio.get_running_loop().time() + STREAM_SECONDS
        async with feed.subscribe() as subscription:
            sent = None
            while True:
                payload = await run_in_threadpool(look)
                if payload != sent:
                    yield {"event": "dashboard", "data": payload}
                    sent = payload
                remaining = ends - asyncio.get_running_loop().time()
                if once or remaining <= 0:
                    return
                try:
                    await asyncio.wait_for(subscription.changed(), remaining)
                except TimeoutError:
                    return
                await asyncio.sleep(PUSH_INTERVAL_SECONDS)

    return EventSourceResponse(events(), ping=PING_SECONDS)
