"""The compliance area: rule settings per jurisdiction, the decisions log and the stops queue.

Routes translate HTTP to `huikuan.compliance` calls (the same functions the CLI uses:
`set_rule_settings`, `clear_stop`); refusals come back as the domain wrote them, in the
visitor's half on pages and whole on the API.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy.orm import Session

from huikuan.compliance.decisions_log import DecisionFilter, DecisionRow, decisions, rule_titles
from huikuan.compliance.packs import regulation_pack
from huikuan.compliance.packs.operator import settings_path
from huikuan.compliance.rule_settings import parse_assignment, set_rule_settings, show
from huikuan.compliance.service import (
    STOP_REASON_MAX,
    STOP_REASON_MIN,
    StopView,
    clear_stop,
    get_stop,
    list_stops,
)
from huikuan.dialer.membership import campaign_debtor_ids
from huikuan.errors import HuikuanError, InvalidInput
from huikuan.security.models import User
from huikuan.security.permissions import Permission, allowed
from huikuan.web import compliance_labels  # noqa: F401 - registers the area's labels
from huikuan.web.auth import Requires
from huikuan.web.deps import SessionDep, clock_of
from huikuan.web.hardening import MAX_ROW_ID, OptionalRowIdQuery, RowId
from huikuan.web.i18n import lang_of
from huikuan.web.pages import pick, render, timezone_of

router = APIRouter()
SettingsUser = Annotated[User, Depends(Requires(Permission.RULE_SETTINGS))]
Officer = Annotated[User, Depends(Requires(Permission.CLEAR_STOPS))]
JURISDICTIONS = ("CN", "US")
Short = Annotated[str, StringConstraints(min_length=1, max_length=64)]


# --- models ----------------------------------------------------------------------------------


class SettingOut(BaseModel):
    jurisdiction: str
    pack_id: str
    rule_id: str
    title_zh: str
    title_en: str
    name: str
    regulation: Any = Field(description="the value the regulation sets (the legal default)")
    effective: Any = Field(description="the value in force")


class SettingsOut(BaseModel):
    configured: bool = Field(description="HUIKUAN_RULE_SETTINGS is set: settings may be changed")
    settings: list[SettingOut]


# A setting's value: a switch, a cap or rate (finite: NaN compares as neither tighter nor looser),
# or a clock time "HH:MM".
SettingValue = (
    bool
    | int
    | Annotated[float, Field(allow_inf_nan=False)]
    | Annotated[str, StringConstraints(max_length=16)]
)


class SettingsIn(BaseModel):
    jurisdiction: Literal["CN", "US"]
    changes: dict[Short, dict[Short, SettingValue]] = Field(
        min_length=1, description='rule id → setting → value, e.g. {"CN.TIME": {"start": "09:00"}}'
    )
    reason: str | None = Field(default=None, max_length=500, description="loosening: the officer's reason")


class StopOut(BaseModel):
    id: int
    debtor_id: int
    kind: str
    status: str
    opened_at: datetime
    age_hours: float
    attempt_id: int | None
    cleared_at: datetime | None
    cleared_by: int | None


class ClearIn(BaseModel):
    reason: str = Field(
        min_length=STOP_REASON_MIN, max_length=STOP_REASON_MAX, description="why it is lifted"
    )


class DecisionOut(BaseModel):
    id: int
    at: datetime
    debtor_id: int
    contact_id: int | None
    jurisdiction: str
    channel: str
    allowed: bool
    rule: str | None
    rule_title_zh: str | None
    rule_title_en: str | None
    next_allowed_at: datetime | None


def _decision_out(row: DecisionRow, title: tuple[str | None, str | None]) -> DecisionOut:
    """A decision as the API gives it: the domain's row and its rule's title (zh, en)."""
    return DecisionOut(**asdict(row), rule_title_zh=title[0], rule_title_en=title[1])


class DecisionsOut(BaseModel):
    decisions: list[DecisionOut]
    total: int
    page: int
    pages: int


# --- rule settings ---------------------------------------------------------------------------


def _settings() -> list[SettingOut]:
    out: list[SettingOut] = []
    for j in JURISDICTIONS:
        pack = regulation_pack(j)
        for v in show(j):
            spec = pack.spec(v.rule_id)
            out.append(
                SettingOut(
                    jurisdiction=j,
                    pack_id=pack.id,
                    rule_id=v.rule_id,
                    title_zh=spec.title_zh,
                    title_en=spec.title_en,
                    name=v.name,
                    regulation=v.regulation,
                    effective=v.effective,
                )
            )
    return out


def _configured() -> bool:
    return settings_path() is not None


def _change(
    session: Session, request: Request, user: User, jurisdiction: str, changes: Any, reason: str | None
) -> None:
    """The CLI's `compliance settings set`: checked, audited, committed, then written."""
    change = set_rule_settings(
        session, jurisdiction, changes, actor_id=user.id, at=clock_of(request).now(), reason=reason
    )
    session.commit()  # the audit record first: no setting takes effect without it
    change.write()


@router.get("/api/compliance/settings", response_model=SettingsOut)
def api_settings(_user: SettingsUser) -> SettingsOut:
    """Each settable parameter of CN-NIFA-2025 and US-REG-F: the regulation's value and the one in force."""
    return SettingsOut(configured=_configured(), settings=_settings())


@router.post("/api/compliance/settings", response_model=SettingsOut)
def api_set_settings(
    body: SettingsIn, request: Request, user: SettingsUser, session: SessionDep
) -> SettingsOut:
    """Tighten settings; loosening below the regulation needs a compliance officer and a reason (audited)."""
    _change(session, request, user, body.jurisdiction, body.changes, body.reason)
    return SettingsOut(configured=_configured(), settings=_settings())


def _settings_page(
    request: Request,
    user: User,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "compliance/settings.html",
        {
            "settings": _settings(),
            "configured": _configured(),
            "form": form or {},
            "error": error,
            "saved": request.query_params.get("saved") == "1",
        },
        user=user,
        status_code=status,
    )


@router.get("/compliance", response_class=HTMLResponse, include_in_schema=False)
def settings_page(request: Request, user: SettingsUser) -> HTMLResponse:
    return _settings_page(request, user)


@router.post(
    "/compliance/settings", response_class=HTMLResponse, include_in_schema=False, response_model=None
)
def settings_submit(
    request: Request,
    user: SettingsUser,
    session: SessionDep,
    setting: Annotated[str, Form(max_length=80)] = "",
    value: Annotated[str, Form(max_length=32)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> HTMLResponse | RedirectResponse:
    form = {"setting": setting, "value": value, "reason": reason}
    try:
        jurisdiction, _, assignment = setting.partition(":")
        if jurisdiction not in JURISDICTIONS:
            raise InvalidInput("请选择一项设置 / choose a setting")
        rule_id, name, parsed = parse_assignment(f"{assignment}={value}")
        _change(session, request, user, jurisdiction, {rule_id: {name: parsed}}, reason or None)
    except HuikuanError as exc:
        session.rollback()
        return _settings_page(request, user, form=form, error=pick_for(request, exc), status=exc.status_code)
    return RedirectResponse("/compliance?saved=1", status_code=303)


def pick_for(request: Request, exc: HuikuanError) -> str:
    return pick(lang_of(request), exc.message)


# --- stops -----------------------------------------------------------------------------------


def _stop_out(s: StopView, now: datetime) -> StopOut:
    return StopOut(
        id=s.id,
        debtor_id=s.debtor_id,
        kind=s.kind.value,
        status=s.status,
        opened_at=s.opened_at,
        age_hours=round((now - s.opened_at).total_seconds() / 3600, 1),
        attempt_id=s.attempt_id,
        cleared_at=s.cleared_at,
        cleared_by=s.cleared_by,
    )


def _stops(session: Session, now: datetime) -> list[StopOut]:
    return [_stop_out(s, now) for s in list_stops(session, open_only=True)]


@router.get("/api/compliance/stops", response_model=list[StopOut])
def api_stops(request: Request, _user: SettingsUser, session: SessionDep) -> list[StopOut]:
    """Open contact stops (complaints, disputes, cease requests, deceased holds), oldest first."""
    return _stops(session, clock_of(request).now())


@router.post("/api/compliance/stops/{stop_id}/clear", response_model=StopOut)
def api_clear_stop(
    stop_id: RowId, body: ClearIn, request: Request, user: Officer, session: SessionDep
) -> StopOut:
    """Lift a stop as a compliance officer, with a reason (5–500 characters); audited."""
    now = clock_of(request).now()
    clear_stop(session, stop_id, officer_id=user.id, reason=body.reason, at=now)
    return _stop_out(get_stop(session, stop_id), now)


def _stops_page(
    request: Request,
    user: User,
    session: Session,
    *,
    typed: dict[int, str] | None = None,
    error: str | None = None,
    error_stop: int | None = None,
    status: int = 200,
) -> HTMLResponse:
    cleared = request.query_params.get("cleared")
    return render(
        request,
        "compliance/stops.html",
        {
            "stops": _stops(session, clock_of(request).now()),
            "may_clear": allowed(user.role, Permission.CLEAR_STOPS),
            "typed": typed or {},
            "error": error,
            "error_stop": error_stop,
            "cleared": int(cleared) if cleared and cleared.isdigit() and len(cleared) < 10 else None,
            "reason_min": STOP_REASON_MIN,
            "reason_max": STOP_REASON_MAX,
        },
        user=user,
        status_code=status,
    )


@router.get("/compliance/stops", response_class=HTMLResponse, include_in_schema=False)
def stops_page(request: Request, user: SettingsUser, session: SessionDep) -> HTMLResponse:
    return _stops_page(request, user, session)


@router.post(
    "/compliance/stops/{stop_id}/clear",
    response_class=HTMLResponse,
    include_in_schema=False,
    response_model=None,
)
def stops_clear(
    stop_id: RowId,
    request: Request,
    user: Officer,
    session: SessionDep,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse | RedirectResponse:
    try:
        clear_stop(session, stop_id, officer_id=user.id, reason=reason, at=clock_of(request).now())
    except HuikuanError as exc:
        session.rollback()
        return _stops_page(
            request,
            user,
            session,
            typed={stop_id: reason},
            error=pick_for(request, exc),
            error_stop=stop_id,
            status=exc.status_code,
        )
    return RedirectResponse(f"/compliance/stops?cleared={stop_id}", status_code=303)


# --- decisions -------------------------------------------------------------------------------


def _day_bounds(zone: str, since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """A date range in the floor's time zone, `until` included."""
    tz = ZoneInfo(zone)
    start = None if since is None else datetime.combine(since, time(0), tz)
    end = None if until is None else datetime.combine(until + timedelta(days=1), time(0), tz)
    return start, end


def _decisions(
    session: Session,
    zone: str,
    *,
    outcome: str | None,
    rule: str | None,
    campaign_id: int | None,
    debtor_id: int | None,
    since: date | None,
    until: date | None,
    page: int,
) -> DecisionsOut:
    start, end = _day_bounds(zone, since, until)
    f = DecisionFilter(
        allowed=None if not outcome else outcome == "allowed",
        rule=rule or None,
        debtor_id=debtor_id,
        since=start,
        until=end,
        debtors=None if campaign_id is None else campaign_debtor_ids(campaign_id),
    )
    found = decisions(session, f, page)
    titles = rule_titles()
    return DecisionsOut(
        decisions=[_decision_out(d, titles.get(d.rule or "", (None, None))) for d in found.rows],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


Outcome = Annotated[Literal["allowed", "denied"] | None, Query()]
RuleQuery = Annotated[str | None, Query(max_length=32)]
PageQuery = Annotated[int, Query(ge=1, le=1_000_000)]
DateQuery = Annotated[date | None, Query()]


@router.get("/api/compliance/decisions", response_model=DecisionsOut)
def api_decisions(
    request: Request,
    _user: SettingsUser,
    session: SessionDep,
    outcome: Outcome = None,
    rule: RuleQuery = None,
    campaign_id: OptionalRowIdQuery = None,
    debtor_id: OptionalRowIdQuery = None,
    date_from: DateQuery = None,
    date_to: DateQuery = None,
    page: PageQuery = 1,
) -> DecisionsOut:
    """Every compliance decision, allowed or denied, newest first; dates in the floor's time zone."""
    return _decisions(
        session,
        timezone_of(request),
        outcome=outcome,
        rule=rule,
        campaign_id=campaign_id,
        debtor_id=debtor_id,
        since=date_from,
        until=date_to,
        page=page,
    )


def _id_or_none(text: str, errors: list[str]) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= MAX_ROW_ID:
        errors.append(text)
        return None
    return int(text)


def _date_or_none(text: str, errors: list[str]) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(text)
        return None


@router.get("/compliance/decisions", response_class=HTMLResponse, include_in_schema=False)
def decisions_page(
    request: Request,
    user: SettingsUser,
    session: SessionDep,
    outcome: Annotated[str, Query(max_length=16)] = "",
    rule: Annotated[str, Query(max_length=32)] = "",
    campaign_id: Annotated[str, Query(max_length=16)] = "",
    debtor_id: Annotated[str, Query(max_length=16)] = "",
    date_from: Annotated[str, Query(max_length=16)] = "",
    date_to: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[str, Query(max_length=8)] = "1",
) -> HTMLResponse:
    bad: list[str] = []
    found = _decisions(
        session,
        timezone_of(request),
        outcome=outcome if outcome in ("allowed", "denied") else None,
        rule=rule or None,
        campaign_id=_id_or_none(campaign_id, bad),
        debtor_id=_id_or_none(debtor_id, bad),
        since=_date_or_none(date_from, bad),
        until=_date_or_none(date_to, bad),
        page=int(page) if page.isdigit() else 1,
    )
    form = {
        "outcome": outcome,
        "rule": rule,
        "campaign_id": campaign_id,
        "debtor_id": debtor_id,
        "date_from": date_from,
        "date_to": date_to,
    }
    return render(
        request,
        "compliance/decisions.html",
        {
            "found": found,
            "form": form,
            "rules": sorted(rule_titles().items()),
            "bad": bad,
            "query": {k: v for k, v in form.items() if v},
        },
        user=user,
        status_code=422 if bad else 200,
    )
