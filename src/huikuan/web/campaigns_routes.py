"""Campaigns (外呼任务): the list with progress, a new campaign from a form, one campaign's live
progress, outcomes and pacing, and start / pause / resume / stop; the same on the JSON API.

Creating reads the input through `dialer.campaign_input.campaign_spec`, the function
`huikuan campaign create` uses, so the console refuses exactly what the CLI refuses; every
change goes through `dialer.campaigns` and is audited there like the CLI's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, PlainSerializer, WithJsonSchema
from sqlalchemy.orm import Session

from huikuan.analytics.service import compute_kpis
from huikuan.dialer import campaigns as service
from huikuan.dialer.agent_pacing import PacingView, pacing_view
from huikuan.dialer.campaign_input import FIELDS, CampaignText, campaign_spec, whole_number
from huikuan.dialer.campaigns import (
    BatchNotFound,
    CampaignMode,
    CampaignStatus,
    FieldRefused,
    pack_window,
)
from huikuan.dialer.models import Campaign
from huikuan.errors import Conflict, HuikuanError, InvalidInput
from huikuan.security.models import User
from huikuan.security.permissions import Permission
from huikuan.web import labels
from huikuan.web.auth import Requires
from huikuan.web.deps import SessionDep, clock_of
from huikuan.web.hardening import MAX_ROW_ID, RowId
from huikuan.web.i18n import N_, lang_of, translate
from huikuan.web.pages import pick, render

router = APIRouter()
Runs = Annotated[User, Depends(Requires(Permission.RUN_CAMPAIGNS))]
ACTIONS = ("start", "pause", "resume", "stop")
POLL_SECONDS = 3  # the campaign page asks for fresh figures this often

labels.register(
    "campaign_status",
    {
        CampaignStatus.DRAFT: N_("Draft"),
        CampaignStatus.RUNNING: N_("Running"),
        CampaignStatus.PAUSED: N_("Paused"),
        CampaignStatus.STOPPED: N_("Stopped"),
        CampaignStatus.DONE: N_("Finished"),
    },
)
labels.register(
    "campaign_mode",
    {
        CampaignMode.ROBOT: N_("Robots only"),
        CampaignMode.PREDICTIVE: N_("Predictive (agents)"),
        CampaignMode.PROGRESSIVE: N_("Progressive (agents)"),
    },
)
labels.register(
    "campaign_action",
    {"start": N_("Start"), "pause": N_("Pause"), "resume": N_("Resume"), "stop": N_("Stop")},
)
labels.register(  # in "it cannot …"
    "campaign_verb",
    {
        "start": N_("be started"),
        "pause": N_("be paused"),
        "resume": N_("be resumed"),
        "stop": N_("be stopped"),
    },
)


# -- response models ------------------------------------------------------------------------------


class CampaignRow(BaseModel):
    id: int
    name: str
    status: str
    mode: str
    jurisdiction: str
    robots: int
    accounts_total: int  # debtors queued for the campaign
    accounts_done: int
    queued: int
    in_call: int  # leased by a worker
    attempts: int
    connects: int
    right_party_contacts: int
    promises: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class Pacing(BaseModel):
    """Agent campaigns: agents, answer rate and the 30-day abandon ratio against its cap."""

    mode: str
    robot_overflow: bool
    agents_free: int
    agents_busy: int
    answer_rate: float
    mean_handle_seconds: float
    answered_30d: int
    abandoned_30d: int
    abandon_ratio: float
    abandon_cap: float
    within_cap: bool


# A wall-clock time of the calling window as people write it ("08:00"), in JSON and in the
# OpenAPI document alike (JSON Schema's "time" format wants a UTC offset a window has not).
WallClock = Annotated[
    time,
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^\d{2}:\d{2}$", "examples": ["08:00"]}),
]


class CampaignDetail(CampaignRow):
    batch_id: int | None
    amd: bool  # answering-machine detection on its calls
    window_start: WallClock
    window_end: WallClock
    dispositions: dict[str, int]
    denials_by_rule: dict[str, int]
    done_reasons: dict[str, int]
    pacing: Pacing | None
    actions: list[str]  # the transitions its state allows now


Short = Annotated[str, Field(max_length=64)]


class CampaignIn(BaseModel):
    """A new campaign; read and checked exactly as `huikuan campaign create` reads its options."""

    name: str = Field(max_length=500)
    jurisdiction: str = Field(default="CN", max_length=8)
    mode: str = Field(default="robot", max_length=16)
    batch_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    creditor_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    buckets: list[Short] = Field(default_factory=list, max_length=20)
    segments: list[Short] = Field(default_factory=list, max_length=20)
    dpd_min: int | None = Field(default=None, ge=-(2**31), le=2**31 - 1)
    dpd_max: int | None = Field(default=None, ge=-(2**31), le=2**31 - 1)
    script_name: str | None = Field(default=None, max_length=200)
    lang: str = Field(default="zh-CN", max_length=200)
    voice: str | None = Field(default=None, max_length=200)
    robots: int = Field(default=1, ge=-(2**31), le=2**31 - 1)
    priority: int = Field(default=0, ge=-(2**31), le=2**31 - 1)
    window_start: str = Field(default="", max_length=16, description="HH:MM; empty: the rule pack's")
    window_end: str = Field(default="", max_length=16)
    caller_ids: list[Short] = Field(default_factory=list, max_length=50, description="NUMBER:DAILY_LIMIT")
    callback_number: str = Field(default="", max_length=200)
    contact_name: str = Field(default="", max_length=500)
    retry: dict[str, Any] = Field(default_factory=dict)
    robot_overflow: bool = True
    amd: bool = True  # answering-machine detection: a machine hears only the voicemail message


class Changed(BaseModel):
    campaign_id: int
    status: str
    queued: int | None = None  # start: tasks queued


# -- reading ------------------------------------------------------------------------------------


def _row(session: Session, campaign: Campaign) -> CampaignRow:
    p = service.progress(session, campaign.id, reasons_too=False)  # a list row shows no reasons
    tasks = p.tasks
    return CampaignRow(
        id=campaign.id,
        name=campaign.name,
        status=campaign.status,
        mode=campaign.mode,
        jurisdiction=campaign.jurisdiction,
        robots=campaign.robots,
        accounts_total=sum(tasks.values()),
        accounts_done=tasks.get("done", 0),
        queued=tasks.get("queued", 0),
        in_call=tasks.get("leased", 0),
        attempts=p.attempts,
        connects=p.connects,
        right_party_contacts=p.right_party_contacts,
        promises=p.promises,
        created_at=campaign.created_at,
        started_at=campaign.started_at,
        finished_at=campaign.finished_at,
    )


def _pacing(view: PacingView | None) -> Pacing | None:
    return None if view is None else Pacing.model_validate(view, from_attributes=True)


def _detail(session: Session, campaign_id: int, now: datetime) -> CampaignDetail:
    campaign = service.get_campaign(session, campaign_id)
    p = service.progress(session, campaign_id)
    return CampaignDetail(
        **_row(session, campaign).model_dump(),
        batch_id=campaign.batch_id,
        amd=campaign.amd,
        window_start=campaign.window_start,
        window_end=campaign.window_end,
        dispositions=compute_kpis(session, campaign_id).dispositions,
        denials_by_rule=p.denials_by_rule,
        done_reasons=p.done_reasons,
        pacing=_pacing(pacing_view(session, campaign, now)),
        actions=service.allowed_actions(campaign.status),
    )


# -- changing -----------------------------------------------------------------------------------


def _create(session: Session, text: CampaignText, user: User, now: datetime) -> int:
    campaign = service.create_campaign(session, campaign_spec(text), now=now, actor=f"user:{user.id}")
    return campaign.id


def _change(session: Session, campaign_id: int, action: str, user: User, now: datetime) -> Changed:
    """One transition, audited by the service as the CLI's are; a refused one raises Conflict."""
    actor = f"user:{user.id}"
    queued = None
    if action == "start":
        queued = service.start_campaign(session, campaign_id, now=now, actor=actor)
    elif action == "pause":
        service.pause_campaign(session, campaign_id, now=now, actor=actor)
    elif action == "resume":
        service.resume_campaign(session, campaign_id, now=now, actor=actor)
    else:
        service.stop_campaign(session, campaign_id, now=now, actor=actor)
    status = service.get_campaign(session, campaign_id).status
    return Changed(campaign_id=campaign_id, status=status, queued=queued)


def _refusal(request: Request, session: Session, campaign_id: int, action: str) -> str:
    """Why the page's button was refused, in the visitor's language."""
    lang = lang_of(request)
    status = service.get_campaign(session, campaign_id).status
    return translate(lang, N_("Refused: the campaign is %(status)s, so it cannot %(action)s.")) % {
        "status": labels.label(lang, "campaign_status", status),
        "action": labels.label(lang, "campaign_verb", action),
    }


def _field_of(exc: HuikuanError) -> str | None:
    if isinstance(exc, FieldRefused):
        return exc.field
    if isinstance(exc, BatchNotFound):
        return BatchNotFound.field
    return None


# -- JSON API -----------------------------------------------------------------------------------


@router.get("/api/campaigns", response_model=list[CampaignRow])
def api_campaigns(_user: Runs, session: SessionDep) -> list[CampaignRow]:
    """Every campaign with its progress, newest first (run_campaigns)."""
    return [_row(session, c) for c in service.list_campaigns(session)]


@router.post(
    "/api/campaigns",
    response_model=CampaignDetail,
    status_code=201,
    responses={
        422: {"description": "a field refused: {error, field}"},
        404: {"description": "no such batch"},
    },
)
def api_create(
    body: CampaignIn, request: Request, user: Runs, session: SessionDep
) -> Response | CampaignDetail:
    """Create a draft campaign (创建外呼任务), refused with the CLI's reasons."""
    now = clock_of(request).now()
    try:
        campaign_id = _create(session, CampaignText(**body.model_dump()), user, now)
    except (FieldRefused, BatchNotFound) as exc:
        session.rollback()
        return JSONResponse(
            status_code=exc.status_code, content={"error": exc.message, "field": _field_of(exc)}
        )
    return _detail(session, campaign_id, now)


@router.get("/api/campaigns/{campaign_id}", response_model=CampaignDetail)
def api_campaign(campaign_id: RowId, request: Request, _user: Runs, session: SessionDep) -> CampaignDetail:
    """One campaign's live progress, outcomes and pacing (the page polls it)."""
    return _detail(session, campaign_id, clock_of(request).now())


def _api_action(action: str) -> Callable[..., Changed]:
    def change(campaign_id: RowId, request: Request, user: Runs, session: SessionDep) -> Changed:
        return _change(session, campaign_id, action, user, clock_of(request).now())

    change.__doc__ = f"{action.capitalize()} the campaign; 409 with the reason when its state forbids it."
    change.__name__ = f"api_{action}"
    return change


for _action in ACTIONS:
    router.add_api_route(
        f"/api/campaigns/{{campaign_id}}/{_action}",
        _api_action(_action),
        methods=["POST"],
        response_model=Changed,
        responses={409: {"description": "the campaign's state forbids it"}},
    )


# -- pages --------------------------------------------------------------------------------------


@router.get("/campaigns", response_class=HTMLResponse, include_in_schema=False)
def campaigns_page(request: Request, user: Runs, session: SessionDep) -> HTMLResponse:
    rows = [_row(session, c) for c in service.list_campaigns(session)]
    return render(request, "campaigns/list.html", {"rows": rows}, user=user)


def _form_page(
    request: Request, user: User, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    try:  # the hint under the window fields: the jurisdiction's pack, operator's settings applied
        start, end = pack_window(values.get("jurisdiction") or "CN")
    except InvalidInput:
        start, end = pack_window("CN")
    return render(
        request,
        "campaigns/new.html",
        {
            "values": values,
            "errors": errors,
            "modes": [m.value for m in CampaignMode],
            "pack_start": start,
            "pack_end": end,
        },
        user=user,
        status_code=status,
    )


@router.get("/campaigns/new", response_class=HTMLResponse, include_in_schema=False)
def new_campaign_page(request: Request, user: Runs) -> HTMLResponse:
    return _form_page(
        request, user, {"jurisdiction": "CN", "mode": "robot", "robots": "1", "priority": "0"}, {}
    )


def _lines(text: str) -> tuple[str, ...]:
    return tuple(part for line in text.splitlines() for part in line.split(",") if part.strip())


def _form_text(form: dict[str, str]) -> CampaignText:
    """The form's fields as the CLI's options (numbers read here, as typer reads them)."""
    return CampaignText(
        name=form.get("name", ""),
        jurisdiction=form.get("jurisdiction", "CN"),
        mode=form.get("mode", "robot"),
        batch_id=whole_number(form.get("batch_id", ""), "batch_id"),
        creditor_id=whole_number(form.get("creditor_id", ""), "creditor_id"),
        buckets=_lines(form.get("buckets", "")),
        dpd_min=whole_number(form.get("dpd_min", ""), "dpd_min"),
        dpd_max=whole_number(form.get("dpd_max", ""), "dpd_max"),
        script_name=form.get("script_name", "").strip() or None,
        lang=form.get("lang", "zh-CN") or "zh-CN",
        robots=_or(whole_number(form.get("robots", ""), "robots"), 1),
        priority=_or(whole_number(form.get("priority", ""), "priority"), 0),
        window_start=form.get("window_start", ""),
        window_end=form.get("window_end", ""),
        caller_ids=_lines(form.get("caller_ids", "")),
        callback_number=form.get("callback_number", ""),
        contact_name=form.get("contact_name", ""),
        retry=form.get("retry", ""),
        robot_overflow=form.get("robot_overflow") == "on",
        amd=form.get("amd") == "on",
    )


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


class CampaignForm(BaseModel):
    """The form's fields as typed (every one text; the check boxes are "on" or absent)."""

    name: str = Field(default="", max_length=500)
    jurisdiction: str = Field(default="CN", max_length=8)
    mode: str = Field(default="robot", max_length=16)
    batch_id: str = Field(default="", max_length=20)
    creditor_id: str = Field(default="", max_length=20)
    buckets: str = Field(default="", max_length=500)
    dpd_min: str = Field(default="", max_length=20)
    dpd_max: str = Field(default="", max_length=20)
    script_name: str = Field(default="", max_length=200)
    lang: str = Field(default="zh-CN", max_length=200)
    robots: str = Field(default="1", max_length=20)
    priority: str = Field(default="0", max_length=20)
    window_start: str = Field(default="", max_length=16)
    window_end: str = Field(default="", max_length=16)
    caller_ids: str = Field(default="", max_length=5000)
    callback_number: str = Field(default="", max_length=200)
    contact_name: str = Field(default="", max_length=500)
    retry: str = Field(default="", max_length=2000)
    robot_overflow: str = Field(default="", max_length=8)
    amd: str = Field(default="", max_length=8)
    csrf_token: str = Field(default="", max_length=200)


@router.post("/campaigns/new", response_class=HTMLResponse, include_in_schema=False)
def create_from_form(
    request: Request, form: Annotated[CampaignForm, Form()], user: Runs, session: SessionDep
) -> Response:
    """Create the draft and open it; a refused field is shown next to it, nothing typed is lost."""
    values = form.model_dump(exclude={"csrf_token"})
    try:
        campaign_id = _create(session, _form_text(values), user, clock_of(request).now())
    except (FieldRefused, BatchNotFound) as exc:
        session.rollback()
        field = _field_of(exc) or "name"
        errors = {field if field in FIELDS else "name": pick(lang_of(request), exc.message)}
        return _form_page(request, user, values, errors, status=422)
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)


def _campaign_page(
    request: Request,
    user: User,
    session: SessionDep,
    campaign_id: int,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    detail = _detail(session, campaign_id, clock_of(request).now())
    lang = lang_of(request)
    live_labels = {  # the page's script relabels a changed status and new dispositions
        "status_labels": {s.value: labels.label(lang, "campaign_status", s.value) for s in CampaignStatus},
        "disposition_labels": {
            code: labels.label(lang, "disposition", code) for code in labels.LABELS["disposition"]
        },
    }
    return render(
        request,
        "campaigns/detail.html",
        {"c": detail, "error": error, "poll_seconds": POLL_SECONDS, **live_labels},
        user=user,
        status_code=status,
    )


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse, include_in_schema=False)
def campaign_page(campaign_id: RowId, request: Request, user: Runs, session: SessionDep) -> HTMLResponse:
    return _campaign_page(request, user, session, campaign_id)


def _page_action(action: str) -> Callable[..., Response]:
    def change(campaign_id: RowId, request: Request, user: Runs, session: SessionDep) -> Response:
        try:
            _change(session, campaign_id, action, user, clock_of(request).now())
        except Conflict as exc:  # the state forbids it: 409, the page says why
            session.rollback()
            error = _refusal(request, session, campaign_id, action)
            return _campaign_page(request, user, session, campaign_id, error, exc.status_code)
        return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)

    change.__name__ = f"page_{action}"
    return change


for _action in ACTIONS:
    router.add_api_route(
        f"/campaigns/{{campaign_id}}/{_action}",
        _page_action(_action),
        methods=["POST"],
        include_in_schema=False,
        response_class=HTMLResponse,
    )
