"""The agent desk's JSON API and page: log in, change state, wait for the screen pop, accept,
wrap up. The routes only translate HTTP to `huikuan.desk.service` calls; the instant of every
action comes from the app's Clock.

Two ways in: a desk client (a softphone, the CLI) logs in with `/api/desk/login` and sends the
desk's bearer token; the console page sends its session cookie (and the CSRF token on changes)
as any console page does, for a user whose role has `desk`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from huikuan.db import session_scope
from huikuan.desk import service
from huikuan.desk.schemas import (
    REASON_LABELS,
    STATE_LABELS,
    WRAP_LABELS,
    AgentState,
    AgentView,
    DeskNow,
    DeskPhase,
    DeskQueue,
    PlanEntry,
    PromiseEntry,
    ScreenPop,
    TransferReason,
    TransferView,
    WrapCode,
)
from huikuan.security.models import User
from huikuan.security.permissions import Permission
from huikuan.security.users import get_user
from huikuan.web import labels
from huikuan.web.auth import Requires
from huikuan.web.deps import SessionDep, clock_of
from huikuan.web.hardening import MAX_ROW_ID, RowId
from huikuan.web.i18n import N_, lang_of, translate
from huikuan.web.pages import render, timezone_of

MAX_WAIT_SECONDS = 30.0
DISCONNECT_CHECK_SECONDS = 1.0

router = APIRouter()


labels.register(
    "desk_phase",
    {
        DeskPhase.OFFLINE: N_("Offline"),
        DeskPhase.AVAILABLE: N_("Available"),
        DeskPhase.BREAK: N_("On break"),
        DeskPhase.RINGING: N_("Ringing"),
        DeskPhase.ON_CALL: N_("On call"),
        DeskPhase.CALL_ENDED: N_("Call ended"),
        DeskPhase.WRAP_UP: N_("Wrap-up"),
    },
)

DeskUser = Annotated[User, Depends(Requires(Permission.DESK))]


def _token_agent(request: Request, token: str) -> int:
    with session_scope(request.app.state.engine) as session:
        return service.agent_for_token(session, token, clock_of(request).now()).id


def _console_agent(request: Request, user: User) -> int:
    with session_scope(request.app.state.engine) as session:
        return service.enroll_agent(session, user, clock_of(request).now()).id


async def _agent_id(request: Request) -> int:
    """The agent asking: by the desk's bearer token, else by the console session of a user
    with `desk` (whose CSRF token `Requires` checks on changes). Each look is a short
    transaction of its own, off the event loop."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return await run_in_threadpool(_token_agent, request, token.strip())
    user = await Requires(Permission.DESK)(request)
    return await run_in_threadpool(_console_agent, request, user)


AgentDep = Annotated[int, Depends(_agent_id)]


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    campaign_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    state: AgentState = AgentState.AVAILABLE


class LoginOut(BaseModel):
    agent: AgentView
    token: str


class StateIn(BaseModel):
    state: str


class WrapUpIn(BaseModel):
    code: str
    callback_at: datetime | None = None
    # The console page sends the time the agent typed, in the floor's time zone, without a zone.
    callback_local: datetime | None = None
    note: str | None = Field(default=None, max_length=2000)
    then: AgentState = AgentState.AVAILABLE
    promise: PromiseEntry | None = None
    plan: PlanEntry | None = None


class Label(BaseModel):
    code: str
    label: str


@router.post("/api/desk/login", response_model=LoginOut)
def desk_login(body: LoginIn, request: Request, session: SessionDep) -> LoginOut:
    """Log an agent in to the desk (坐席登录); returns a bearer token."""
    agent, token = service.log_in(
        session,
        body.username,
        body.password,
        clock_of(request).now(),
        campaign_id=body.campaign_id,
        state=body.state,
    )
    return LoginOut(agent=agent, token=token)


@router.post("/api/desk/logout", response_model=AgentView)
def desk_logout(agent_id: AgentDep, request: Request, session: SessionDep) -> AgentView:
    return service.log_out(session, agent_id, clock_of(request).now())


@router.get("/api/desk/me", response_model=AgentView)
def desk_me(agent_id: AgentDep, session: SessionDep) -> AgentView:
    return service.agent_view(session, agent_id)


@router.get("/api/desk/current", response_model=DeskNow)
def desk_current(agent_id: AgentDep, session: SessionDep) -> DeskNow:
    """The agent's desk now, in any state: their transfer (ringing, on the call, ended, in
    wrap-up) with its pop, so a reloaded or reconnected page restores itself."""
    viewer = get_user(session, service.agent_view(session, agent_id).user_id)
    return service.current(session, agent_id, viewer)


@router.get("/api/desk/queue", response_model=DeskQueue)
def desk_queue(agent_id: AgentDep, request: Request, session: SessionDep) -> DeskQueue:
    """Transfers waiting for an agent, and the callbacks due that are this agent's or the floor's."""
    return service.queue(session, agent_id, clock_of(request).now())


@router.post("/api/desk/state", response_model=AgentView)
def desk_state(body: StateIn, agent_id: AgentDep, request: Request, session: SessionDep) -> AgentView:
    """Available, break or offline (空闲 / 休息 / 离线)."""
    return service.change_state(session, agent_id, body.state, clock_of(request).now())


@router.get("/api/desk/pop", response_model=ScreenPop, responses={204: {"description": "no transfer yet"}})
async def desk_pop(
    agent_id: AgentDep,
    request: Request,
    wait: Annotated[float, Query(ge=0, le=MAX_WAIT_SECONDS)] = 25.0,
) -> ScreenPop | Response:
    """Long poll: the screen pop as soon as a transfer is assigned to this agent, or 204 after
    `wait` seconds. Waiting holds neither a thread nor a database connection, and ends when the
    agent's page goes away (a closed tab must not keep a waiter until the timeout)."""
    waiting = asyncio.ensure_future(service.wait_for_pop_async(request.app.state.engine, agent_id, wait))
    while not waiting.done():
        await asyncio.wait({waiting}, timeout=DISCONNECT_CHECK_SECONDS)
        if not waiting.done() and await request.is_disconnected():
            waiting.cancel()
            return Response(status_code=204)
    pop = waiting.result()
    return pop if pop is not None else Response(status_code=204)


@router.get("/api/desk/transfers/{transfer_id}/pop", response_model=ScreenPop)
def desk_transfer_pop(transfer_id: RowId, agent_id: AgentDep, session: SessionDep) -> ScreenPop:
    viewer = get_user(session, service.agent_view(session, agent_id).user_id)
    return service.screen_pop(session, transfer_id, viewer)


@router.post("/api/desk/transfers/{transfer_id}/accept", response_model=TransferView)
def desk_accept(
    transfer_id: RowId, agent_id: AgentDep, request: Request, session: SessionDep
) -> TransferView:
    return service.accept(session, agent_id, transfer_id, clock_of(request).now())


@router.post("/api/desk/transfers/{transfer_id}/end", response_model=AgentView)
def desk_end(transfer_id: RowId, agent_id: AgentDep, request: Request, session: SessionDep) -> AgentView:
    """The conversation ended: wrap-up starts (话后处理)."""
    return service.end_call(session, agent_id, transfer_id, clock_of(request).now())


@router.post("/api/desk/transfers/{transfer_id}/wrap-up", response_model=TransferView)
def desk_wrap_up(
    transfer_id: RowId, body: WrapUpIn, agent_id: AgentDep, request: Request, session: SessionDep
) -> TransferView:
    zone = timezone_of(request)
    callback_at = body.callback_at
    if body.callback_local is not None:
        callback_at = body.callback_local.replace(tzinfo=body.callback_local.tzinfo or ZoneInfo(zone))
    return service.wrap_up(
        session,
        agent_id,
        transfer_id,
        body.code,
        clock_of(request).now(),
        callback_at=callback_at,
        note=body.note,
        then=body.then,
        promise=body.promise,
        plan=body.plan,
        zone=zone,
    )


@router.get("/api/desk/codes")
def desk_codes() -> dict[str, list[Label]]:
    """The fixed bilingual lists: wrap-up codes, agent states, transfer reasons."""
    return {
        "wrap_codes": [Label(code=c.value, label=WRAP_LABELS[c]) for c in WrapCode],
        "states": [Label(code=s.value, label=STATE_LABELS[s]) for s in AgentState],
        "reasons": [Label(code=r.value, label=label) for r, label in REASON_LABELS.items()],
    }


# Words the page's script shows (the message ids are the English text; see web/i18n.py).
_WORDS = {
    "saved": N_("Wrap-up saved"),
    "accepted": N_("Call accepted"),
    "ended": N_("The call has ended: record the wrap-up"),
    "ended_before": N_("The robot or the debtor ended this call before you accepted: record the wrap-up"),
    "finish_first": N_("Finish the wrap-up first"),
    "check_fields": N_("Please check the fields you entered"),
    "offline": N_("You are offline"),
    "no_transfers": N_("No transfers waiting"),
    "no_callbacks": N_("No callbacks due"),
    "mine": N_("Booked by you"),
    "floor": N_("For the floor"),
    "none": N_("None"),
    "lost": N_("Connection lost; reconnecting…"),
}


@router.get("/desk", response_class=HTMLResponse, include_in_schema=False)
def desk_page(request: Request, user: DeskUser) -> HTMLResponse:
    """The agent desk page (坐席工作台): state, queue, screen pop, accept, wrap-up."""
    lang = lang_of(request)

    def labels_of(kind: str, codes: list[str]) -> dict[str, str]:
        return {code: labels.label(lang, kind, code) for code in codes}

    words: dict[str, object] = {key: translate(lang, text) for key, text in _WORDS.items()}
    words["phase"] = labels_of("desk_phase", [p.value for p in DeskPhase])
    words["reason"] = labels_of("transfer_reason", [r.value for r in TransferReason])
    words["speaker"] = labels_of("speaker", ["robot", "debtor", "agent"])
    words["promise_status"] = labels_of("promise_status", ["pending", "kept", "broken", "cancelled"])
    return render(
        request,
        "desk/desk.html",
        {"wrap_codes": [c.value for c in WrapCode], "words": words, "lang_tag": lang.replace("_", "-")},
        user=user,
    )
