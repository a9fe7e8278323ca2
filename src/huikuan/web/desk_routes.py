"""The agent desk's JSON API and page: log in, change state, wait for the screen pop, accept,
wrap up. The routes only translate HTTP to `huikuan.desk.service` calls; the instant of every
action comes from the app's Clock."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from huikuan.db import session_scope
from huikuan.desk import service
from huikuan.desk.schemas import (
    REASON_LABELS,
    STATE_LABELS,
    WRAP_LABELS,
    AgentState,
    AgentView,
    ScreenPop,
    TransferView,
    WrapCode,
)
from huikuan.security.auth import LogInRefused
from huikuan.security.users import get_user
from huikuan.web.deps import SessionDep, clock_of
from huikuan.web.hardening import MAX_ROW_ID, RowId
from huikuan.web.pages import render

MAX_WAIT_SECONDS = 30.0

router = APIRouter()


def _agent_id(request: Request, authorization: Annotated[str | None, Header()] = None) -> int:
    """The agent of the bearer token (checked in a short transaction of its own)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise LogInRefused("需要登录 / log in first (Authorization: Bearer <token>)")
    with session_scope(request.app.state.engine) as session:
        return service.agent_for_token(session, token.strip(), clock_of(request).now()).id


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
    note: str | None = Field(default=None, max_length=2000)
    then: AgentState = AgentState.AVAILABLE


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
    `wait` seconds. Waiting holds neither a thread nor a database connection."""
    pop = await service.wait_for_pop_async(request.app.state.engine, agent_id, wait)
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
    return service.wrap_up(
        session,
        agent_id,
        transfer_id,
        body.code,
        clock_of(request).now(),
        callback_at=body.callback_at,
        note=body.note,
        then=body.then,
    )


@router.get("/api/desk/codes")
def desk_codes() -> dict[str, list[Label]]:
    """The fixed bilingual lists: wrap-up codes, agent states, transfer reasons."""
    return {
        "wrap_codes": [Label(code=c.value, label=WRAP_LABELS[c]) for c in WrapCode],
        "states": [Label(code=s.value, label=STATE_LABELS[s]) for s in AgentState],
        "reasons": [Label(code=r.value, label=label) for r, label in REASON_LABELS.items()],
    }


@router.get("/desk", response_class=HTMLResponse)
def desk_page(request: Request) -> HTMLResponse:
    """The agent desk page (坐席工作台)."""
    return render(request, "desk.html", {"wrap_codes": [(c.value, WRAP_LABELS[c]) for c in WrapCode]})
