"""The audit area: the audit log newest first (ids only) and its integrity check, the same
verification as `huikuan audit verify` (the keyed chain held against the signed checkpoints)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from huikuan.errors import HuikuanError
from huikuan.security import audit_log
from huikuan.security.models import User
from huikuan.security.permissions import Permission
from huikuan.web.auth import Requires
from huikuan.web.deps import SessionDep
from huikuan.web.i18n import lang_of
from huikuan.web.pages import pick, render, timezone_of

router = APIRouter()
Auditor = Annotated[User, Depends(Requires(Permission.VIEW_AUDIT))]
Text = Annotated[str | None, Query(max_length=64)]


class EventOut(BaseModel):
    id: int
    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    details: dict[str, Any] = Field(description="ids and codes only, never personal data")


class EventsOut(BaseModel):
    events: list[EventOut]
    total: int
    page: int
    pages: int


class VerificationOut(BaseModel):
    intact: bool
    events: int = Field(description="events verified (before the first problem, if any)")
    checkpoints: int = Field(description="signed checkpoints the log was held against")
    anchored_seq: int = Field(description="the newest checkpoint's position in the chain")
    first_broken_id: int | None
    first_broken_seq: int | None
    problem: str | None


def _range(zone: str, since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    tz = ZoneInfo(zone)
    start = None if since is None else datetime.combine(since, time(0), tz)
    end = None if until is None else datetime.combine(until + timedelta(days=1), time(0), tz)
    return start, end


def _events(
    session: Session,
    zone: str,
    *,
    action: str | None,
    actor: str | None,
    entity: str | None,
    entity_id: str | None,
    since: date | None,
    until: date | None,
    page: int,
) -> EventsOut:
    start, end = _range(zone, since, until)
    f = audit_log.EventFilter(
        action=action or None,
        actor=actor or None,
        entity=entity or None,
        entity_id=entity_id or None,
        since=start,
        until=end,
    )
    found = audit_log.events(session, f, page)
    return EventsOut(
        events=[
            EventOut(
                id=e.id,
                seq=e.seq,
                at=e.at,
                actor=e.actor,
                action=e.action,
                entity=e.entity,
                entity_id=e.entity_id,
                details=e.details,
            )
            for e in found.rows
        ],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


def _verify(session: Session) -> VerificationOut:
    result = audit_log.verify_log(session)
    return VerificationOut(
        intact=result.intact,
        events=result.events,
        checkpoints=result.checkpoints,
        anchored_seq=result.anchored_seq,
        first_broken_id=result.first_broken_id,
        first_broken_seq=result.first_broken_seq,
        problem=result.problem,
    )


@router.get("/api/audit/events", response_model=EventsOut)
def api_events(
    request: Request,
    _user: Auditor,
    session: SessionDep,
    action: Text = None,
    actor: Text = None,
    entity: Text = None,
    entity_id: Text = None,
    date_from: Annotated[date | None, Query()] = None,
    date_to: Annotated[date | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> EventsOut:
    """The audit log, newest first; dates in the floor's time zone (view_audit)."""
    return _events(
        session,
        timezone_of(request),
        action=action,
        actor=actor,
        entity=entity,
        entity_id=entity_id,
        since=date_from,
        until=date_to,
        page=page,
    )


@router.post("/api/audit/verify", response_model=VerificationOut)
def api_verify(_user: Auditor, session: SessionDep) -> VerificationOut:
    """Verify the audit log's chain against its checkpoints, as `huikuan audit verify` does."""
    return _verify(session)


def _date(text: str, bad: list[str]) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        bad.append(text)
        return None


def _page(
    request: Request,
    user: User,
    session: Session,
    form: dict[str, str],
    page: str,
    verification: VerificationOut | None = None,
    error: str | None = None,
) -> HTMLResponse:
    bad: list[str] = []
    found = _events(
        session,
        timezone_of(request),
        action=form["action"],
        actor=form["actor"],
        entity=form["entity"],
        entity_id=form["entity_id"],
        since=_date(form["date_from"], bad),
        until=_date(form["date_to"], bad),
        page=int(page) if page.isdigit() and len(page) < 8 else 1,
    )
    return render(
        request,
        "audit/log.html",
        {
            "found": found,
            "form": form,
            "actions": audit_log.actions(session),
            "bad": bad,
            "query": {k: v for k, v in form.items() if v},
            "verification": verification,
            "verify_error": error,
        },
        user=user,
        status_code=422 if bad else 200,
    )


Field64 = Annotated[str, Query(max_length=64)]


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request,
    user: Auditor,
    session: SessionDep,
    action: Field64 = "",
    actor: Field64 = "",
    entity: Field64 = "",
    entity_id: Field64 = "",
    date_from: Field64 = "",
    date_to: Field64 = "",
    page: Field64 = "1",
) -> HTMLResponse:
    form = {
        "action": action,
        "actor": actor,
        "entity": entity,
        "entity_id": entity_id,
        "date_from": date_from,
        "date_to": date_to,
    }
    return _page(request, user, session, form, page)


@router.post("/audit/verify", response_class=HTMLResponse, include_in_schema=False)
def audit_verify_page(request: Request, user: Auditor, session: SessionDep) -> HTMLResponse:
    form = dict.fromkeys(("action", "actor", "entity", "entity_id", "date_from", "date_to"), "")
    try:
        verification, error = _verify(session), None
    except HuikuanError as exc:
        verification, error = None, pick(lang_of(request), exc.message)
    return _page(request, user, session, form, "1", verification, error)
