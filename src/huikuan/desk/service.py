"""The desk's service API: agents log in and change state, robots transfer debtors to them,
agents see the screen pop, accept, wrap up and book callbacks.

Every function takes a Session and the instant `at` (from the caller's Clock, so a virtual clock
drives simulations) and never commits: the caller owns the transaction. Transfers are assigned
to the longest-idle available agent, or queued for the next agent who becomes available.
Audit details and errors carry ids only, never names or numbers.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from huikuan.compliance import calling_window
from huikuan.compliance.packs.common import in_window, next_in_window
from huikuan.db import session_scope
from huikuan.desk import notify, repository
from huikuan.desk.models import Agent, Transfer
from huikuan.desk.occupancy import ZERO, Occupancy, occupancy
from huikuan.desk.pop import build_pop
from huikuan.desk.schemas import (
    CHOSEN_STATES,
    STATE_LABELS,
    AgentState,
    AgentView,
    CallbackView,
    CallbackWindowView,
    DeskNow,
    DeskPhase,
    DeskQueue,
    HandOffResult,
    PlanEntry,
    PromiseEntry,
    QueuedView,
    ScreenPop,
    TransferReason,
    TransferStatus,
    TransferView,
    WrapCode,
)
from huikuan.errors import Conflict, InvalidInput, NotFound, PermissionDenied, one_of
from huikuan.outcomes import repository as outcomes_repository
from huikuan.security import audit, auth
from huikuan.security.models import User
from huikuan.security.permissions import Permission, allowed
from huikuan.security.users import Role, get_user
from huikuan.strategy import PlanBounds, plan_bounds_for, propose_plan, treatment_for
from huikuan.telephony.sip.uri import SipUriError, parse_uri

TOKEN_LIFETIME = timedelta(hours=12)
# Roles that may look at any transfer's pop (to supervise), not only their own.
SUPERVISING_ROLES = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value, Role.COMPLIANCE_OFFICER.value})


def _actor(agent: Agent) -> str:
    return f"user:{agent.user_id}"


def _view(agent: Agent) -> AgentView:
    state = AgentState(agent.state)
    return AgentView(
        agent_id=agent.id,
        user_id=agent.user_id,
        state=state.value,
        state_label=STATE_LABELS[state],
        state_since=agent.state_since,
        campaign_id=agent.campaign_id,
        phone_uri=agent.phone_uri,
    )


def transfer_view(transfer: Transfer) -> TransferView:
    return TransferView(
        transfer_id=transfer.id,
        attempt_id=transfer.attempt_id,
        status=transfer.status,
        reason=transfer.reason,
        agent_id=transfer.agent_id,
        requested_at=transfer.requested_at,
        assigned_at=transfer.assigned_at,
        wrap_code=transfer.wrap_code,
        callback_at=transfer.callback_at,
        handoff=transfer.handoff,
    )


def _agent(session: Session, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise NotFound(f"坐席 {agent_id} 不存在 / agent {agent_id} not found")
    session.refresh(agent)  # its state may have been changed by an UPDATE in this session
    return agent


def _transfer(session: Session, transfer_id: int) -> Transfer:
    transfer = session.get(Transfer, transfer_id)
    if transfer is None:
        raise NotFound(f"转接 {transfer_id} 不存在 / transfer {transfer_id} not found")
    session.refresh(transfer)
    return transfer


# Agents


def enroll_agent(session: Session, user: User, at: datetime, campaign_id: int | None = None) -> Agent:
    """The desk agent of `user` (created on first use); only agents and supervisors sit at the desk."""
    if not (user.active and allowed(user.role, Permission.DESK)):
        raise PermissionDenied(f"用户 {user.id} 不是坐席 / user {user.id} is not an agent")
    if campaign_id is not None and not repository.campaign_exists(session, campaign_id):
        raise NotFound(f"没有活动 / no campaign {campaign_id}")
    agent = repository.agent_by_user(session, user.id)
    if agent is None:
        agent = repository.insert_agent(session, user.id, campaign_id, at)
    elif campaign_id is not None and agent.campaign_id != campaign_id:
        agent.campaign_id = campaign_id
        session.flush()
    return agent


def set_phone(session: Session, agent_id: int, phone_uri: str | None, at: datetime, actor: str) -> AgentView:
    """Where this agent's live transfers ring: a `sip:` URI of their phone or softphone (None: none)."""
    agent = _agent(session, agent_id)
    if phone_uri is not None:
        try:
            uri = parse_uri(phone_uri.strip())
        except SipUriError as e:
            raise InvalidInput(f"坐席电话不是SIP地址 / the agent's phone is not a SIP URI ({e})") from None
        if uri.scheme != "sip":
            raise InvalidInput("坐席电话须为 sip: 地址 / the agent's phone must be a sip: URI")
        phone_uri = str(uri)
    agent.phone_uri = phone_uri
    session.flush()
    audit.append(
        session,
        at=at,
        actor=actor,
        action="desk.agent.phone",
        entity="desk_agent",
        entity_id=agent.id,
        details={"phone_uri": phone_uri},
    )
    return _view(agent)


def log_in(
    session: Session,
    username: str,
    password: str,
    at: datetime,
    *,
    campaign_id: int | None = None,
    state: AgentState = AgentState.AVAILABLE,
) -> tuple[AgentView, str]:
    """Check the password, put the agent in `state`; returns the agent and a bearer token."""
    # Throttled and audited like every log-in (security/auth.py); refused with 401.
    user = auth.log_in(session, username, password, at, channel="desk")
    agent = _agent(session, enroll_agent(session, user, at, campaign_id).id)
    token = secrets.token_urlsafe(32)
    repository.insert_token(session, auth.secret_hash(token), agent.id, at, at + TOKEN_LIFETIME)
    audit.append(
        session, at=at, actor=_actor(agent), action="desk.log_in", entity="desk_agent", entity_id=agent.id
    )
    if agent.state in (AgentState.ON_CALL.value, AgentState.WRAP_UP.value):
        return _view(agent), token  # logged in again mid-call (a reloaded page): keep the call
    view = change_state(session, agent.id, state, at)
    return view, token


def agent_for_token(session: Session, token: str, at: datetime) -> Agent:
    """The agent a bearer token belongs to; LogInRefused (401) when unknown, revoked or expired."""
    row = repository.token(session, auth.secret_hash(token))
    if row is None or row.revoked or row.expires_at <= at:
        raise auth.LogInRefused("未登录或登录已过期 / not logged in, or the log-in expired")
    return _agent(session, row.agent_id)


def log_out(session: Session, agent_id: int, at: datetime) -> AgentView:
    """Go offline and end every token of this agent."""
    view = change_state(session, agent_id, AgentState.OFFLINE, at)
    repository.revoke_tokens(session, agent_id)
    agent = _agent(session, agent_id)
    audit.append(
        session, at=at, actor=_actor(agent), action="desk.log_out", entity="desk_agent", entity_id=agent_id
    )
    return view


def change_state(session: Session, agent_id: int, state: AgentState | str, at: datetime) -> AgentView:
    """The agent chooses available, break or offline; becoming available takes the oldest
    queued transfer at once. On a call or in wrap-up, only the wrap-up ends those states."""
    wanted = one_of(AgentState, state, "状态", "state", allowed=CHOSEN_STATES)
    if wanted not in CHOSEN_STATES:
        raise InvalidInput("通话中与话后处理状态由转接决定 / on_call and wrap_up follow transfers")
    agent = _agent(session, agent_id)
    current = AgentState(agent.state)
    if current in (AgentState.ON_CALL, AgentState.WRAP_UP):
        raise Conflict(
            f"坐席 {agent_id} 正在处理转接，请先完成话后处理 / agent {agent_id} must wrap up first"
        )
    if current != wanted:
        repository.set_state(session, agent_id, wanted, at)
    if wanted == AgentState.AVAILABLE:
        _take_queued(session, agent, at)
    return _view(_agent(session, agent_id))


def agent_view(session: Session, agent_id: int) -> AgentView:
    return _view(_agent(session, agent_id))


def list_agents(session: Session) -> list[AgentView]:
    return [_view(a) for a in repository.all_agents(session)]


def agent_available(session: Session, campaign_id: int | None = None) -> bool:
    """Whether an agent serving `campaign_id` (None: any) is free to take a transfer now."""
    return bool(repository.idle_agents(session, campaign_id, limit=1))


def agent_counts(session: Session, campaign_id: int) -> tuple[int, int]:
    """(free, busy) agents serving the campaign (its own and those serving every campaign)."""
    by_state = repository.agent_counts_by_state(
        session, campaign_id, [AgentState.AVAILABLE, AgentState.ON_CALL, AgentState.WRAP_UP]
    )
    free = by_state.get(AgentState.AVAILABLE.value, 0)
    return free, sum(by_state.values()) - free


def handle_seconds(session: Session, campaign_id: int, limit: int) -> list[float]:
    """Handle times (assignment to wrap-up) of the campaign's last `limit` wrapped-up transfers."""
    return [(w - a).total_seconds() for a, w in repository.recent_handles(session, campaign_id, limit)]


def agent_occupancy(session: Session, agent_id: int, start: datetime, end: datetime) -> Occupancy:
    """Occupancy of one agent over [start, end) from their state log."""
    log = repository.state_log(session, agent_id, end)
    return occupancy(((c.at, AgentState(c.state)) for c in log), start, end)


def desk_occupancy(session: Session, start: datetime, end: datetime) -> Occupancy:
    """Occupancy of every agent together over [start, end)."""
    total = ZERO
    for agent in repository.all_agents(session):
        total = total + agent_occupancy(session, agent.id, start, end)
    return total


# Transfers


def request_transfer(
    session: Session,
    *,
    attempt_id: int,
    reason: TransferReason | str,
    at: datetime,
    campaign_id: int | None = None,
    segment: str | None = None,
) -> Transfer:
    """Queue a transfer of the debtor on `attempt_id` and give it to the longest-idle available
    agent, if any (it waits in the queue otherwise). Robots call this; it never commits."""
    why = one_of(TransferReason, reason, "转接原因", "transfer reason")
    if repository.attempt(session, attempt_id) is None:
        raise NotFound(f"通话 {attempt_id} 不存在 / attempt {attempt_id} not found")
    transfer = repository.insert_transfer(
        session,
        {
            "attempt_id": attempt_id,
            "campaign_id": campaign_id,
            "reason": why.value,
            "segment": segment,
            "status": TransferStatus.QUEUED.value,
            "requested_at": at,
        },
    )
    outcomes_repository.update_attempt(session, attempt_id, {"transfer_requested": True})
    audit.append(
        session,
        at=at,
        actor="system",
        action="desk.transfer.request",
        entity="desk_transfer",
        entity_id=transfer.id,
        details={"attempt_id": attempt_id, "reason": why.value, "campaign_id": campaign_id},
    )
    for agent_id in repository.idle_agents(session, campaign_id):
        if repository.claim_agent(session, agent_id, at):
            _assign(session, transfer.id, agent_id, at)
            break
    session.refresh(transfer)
    return transfer


def transfer_of_attempt(session: Session, attempt_id: int) -> TransferView | None:
    """The desk transfer a call already has (a robot's live hand-off creates it during the call)."""
    transfer = repository.transfer_of_attempt(session, attempt_id)
    return None if transfer is None else transfer_view(transfer)


def phone_for(session: Session, transfer_id: int) -> str | None:
    """The SIP phone of the agent this transfer is assigned to; None if queued or no phone."""
    transfer = _transfer(session, transfer_id)
    if transfer.status != TransferStatus.ASSIGNED.value or transfer.agent_id is None:
        return None
    return _agent(session, transfer.agent_id).phone_uri


def phone_answered(session: Session, transfer_id: int, at: datetime) -> TransferView:
    """The agent's phone answered the robot's live hand-off: the agent has taken the call."""
    transfer = _transfer(session, transfer_id)
    accepted_at_desk = transfer.status == TransferStatus.ACCEPTED.value  # clicked while it rang
    if transfer.agent_id is None or not (
        accepted_at_desk or transfer.status == TransferStatus.ASSIGNED.value
    ):
        raise Conflict(
            f"转接 {transfer_id} 状态为 {transfer.status} / transfer {transfer_id} is {transfer.status}"
        )
    transfer.status = TransferStatus.ACCEPTED.value
    transfer.accepted_at = transfer.accepted_at if accepted_at_desk else at
    transfer.handoff = HandOffResult.TRANSFERRED.value
    session.flush()
    outcomes_repository.update_attempt(session, transfer.attempt_id, {"agent_id": str(transfer.agent_id)})
    audit.append(
        session,
        at=at,
        actor="system",
        action="desk.transfer.phone_answered",
        entity="desk_transfer",
        entity_id=transfer.id,
        details={"agent_id": transfer.agent_id},
    )
    return transfer_view(transfer)


def phone_unanswered(
    session: Session, transfer_id: int, at: datetime, *, rang_out: bool = True
) -> TransferView:
    """The live hand-off did not connect: the transfer goes back to the queue as a callback due
    now. When the agent's phone rang out or refused (`rang_out`), the agent is put on break (not
    offered the next call until they say they are back); otherwise (the debtor hung up while it
    rang) the agent is free again."""
    transfer = _transfer(session, transfer_id)
    agent_id = transfer.agent_id
    transfer.status = TransferStatus.QUEUED.value
    transfer.agent_id = None
    transfer.assigned_at = None
    transfer.callback_at = at
    transfer.handoff = HandOffResult.TRANSFER_FAILED.value
    session.flush()
    attempt = repository.attempt(session, transfer.attempt_id)
    if attempt is not None and attempt.callback_at is None:
        outcomes_repository.update_attempt(session, transfer.attempt_id, {"callback_at": at})
    if agent_id is not None:
        repository.set_state(session, agent_id, AgentState.BREAK if rang_out else AgentState.AVAILABLE, at)
    audit.append(
        session,
        at=at,
        actor="system",
        action="desk.transfer.phone_unanswered",
        entity="desk_transfer",
        entity_id=transfer.id,
        details={"agent_id": agent_id, "rang_out": rang_out},
    )
    return transfer_view(transfer)


def _assign(session: Session, transfer_id: int, agent_id: int, at: datetime) -> bool:
    if not repository.claim_transfer(session, transfer_id, agent_id, at):
        return False
    notify.announce_after_commit(session, agent_id)
    return True


def _take_queued(session: Session, agent: Agent, at: datetime) -> None:
    """A newly available agent takes the oldest queued transfer they serve, if there is one."""
    for transfer_id in repository.queued_transfers(session, agent.campaign_id):
        if not repository.claim_agent(session, agent.id, at):
            return  # someone else's transfer took this agent meanwhile
        if _assign(session, transfer_id, agent.id, at):
            return
        repository.set_state(session, agent.id, AgentState.AVAILABLE, at)  # lost the race: free again


def plan_bounds(session: Session, transfer: Transfer) -> PlanBounds:
    """The installment bounds of the treatment this debtor is under (the robot's own limits)."""
    attempt = repository.attempt(session, transfer.attempt_id)
    if attempt is None:
        return PlanBounds()
    _debtor, account, _contacts = repository.pop_rows(session, attempt)
    return plan_bounds_for(treatment_for(account.bucket, transfer.segment))


def call_ended(session: Session, transfer: Transfer) -> bool:
    """Whether the line this transfer came from is already closed: the robot hung up (or the
    debtor did) and recorded the call's end, so there is nobody left to accept. A call an agent
    campaign routes to a person when answered (`human_segment`) is the agent's live call: its
    record is written with its end, so the recorded end says nothing about the line."""
    if transfer.reason == TransferReason.HUMAN_SEGMENT.value:
        return False
    attempt = repository.attempt(session, transfer.attempt_id)
    return attempt is None or attempt.ended_at is not None


def current(session: Session, agent_id: int, viewer: User) -> DeskNow:
    """What the agent's desk shows now, in any state: the pop and the panel of the transfer they
    hold (ringing, on the call, ended, in wrap-up), so a reloaded page loses nothing."""
    agent = _agent(session, agent_id)
    transfer = repository.open_transfer(session, agent_id)
    if transfer is None:
        state = AgentState(agent.state)
        phase = DeskPhase(state.value) if state in CHOSEN_STATES else DeskPhase.WRAP_UP
        return DeskNow(agent=_view(agent), phase=phase.value, transfer=None, pop=None, callback_window=None)
    if transfer.status == TransferStatus.ASSIGNED.value:
        phase = DeskPhase.CALL_ENDED if call_ended(session, transfer) else DeskPhase.RINGING
    elif agent.state == AgentState.ON_CALL.value:
        phase = DeskPhase.ON_CALL
    else:
        phase = DeskPhase.WRAP_UP
    return DeskNow(
        agent=_view(agent),
        phase=phase.value,
        transfer=transfer_view(transfer),
        pop=build_pop(session, transfer, viewer, plan_bounds(session, transfer)),
        callback_window=callback_window(session, transfer.attempt_id),
    )


def queue(session: Session, agent_id: int, at: datetime) -> DeskQueue:
    """The transfers waiting for an agent like this one, and the callbacks due from `at` that are
    theirs or the floor's."""
    agent = _agent(session, agent_id)
    return DeskQueue(
        transfers=[
            QueuedView(
                transfer_id=t.id, reason=t.reason, campaign_id=t.campaign_id, requested_at=t.requested_at
            )
            for t in repository.queued_rows(session, agent.campaign_id)
        ],
        callbacks=[
            CallbackView(attempt_id=a, account_id=acc, callback_at=when, mine=mine)
            for a, acc, when, mine in repository.upcoming_callbacks(session, agent_id, at)
        ],
    )


def pending_pop(session: Session, agent_id: int) -> ScreenPop | None:
    """The screen pop of the transfer ringing at this agent's desk, if any."""
    transfer = repository.pending_transfer(session, agent_id)
    if transfer is None:
        return None
    agent = _agent(session, agent_id)
    return build_pop(session, transfer, get_user(session, agent.user_id), plan_bounds(session, transfer))


def wait_for_pop(engine: Engine, agent_id: int, timeout: float) -> ScreenPop | None:
    """Block up to `timeout` wall seconds until a transfer rings at this agent's desk (each look
    is its own short read transaction, so waiting holds no database connection)."""

    def look() -> ScreenPop | None:
        with session_scope(engine) as session:
            return pending_pop(session, agent_id)

    return notify.wait_for(agent_id, look, timeout)


async def wait_for_pop_async(engine: Engine, agent_id: int, timeout: float) -> ScreenPop | None:
    """`wait_for_pop` for an event loop (the web long poll): each look runs in the thread pool,
    the wait between looks holds no thread, so many agents can wait at once."""

    def look() -> ScreenPop | None:
        with session_scope(engine) as session:
            return pending_pop(session, agent_id)

    async def look_off_loop() -> ScreenPop | None:
        return await asyncio.to_thread(look)

    return await notify.wait_for_async(agent_id, look_off_loop, timeout)


def screen_pop(session: Session, transfer_id: int, viewer: User) -> ScreenPop:
    """The pop of one transfer, masked for `viewer`: the assigned agent, or a supervisor."""
    transfer = _transfer(session, transfer_id)
    own = transfer.agent_id is not None and _agent(session, transfer.agent_id).user_id == viewer.id
    if not own and viewer.role not in SUPERVISING_ROLES:
        raise PermissionDenied(f"转接 {transfer_id} 不属于该坐席 / transfer {transfer_id} is not yours")
    return build_pop(session, transfer, viewer, plan_bounds(session, transfer))


def _own_transfer(session: Session, transfer_id: int, agent: Agent) -> Transfer:
    transfer = _transfer(session, transfer_id)
    if transfer.agent_id != agent.id:
        raise PermissionDenied(f"转接 {transfer_id} 不属于该坐席 / transfer {transfer_id} is not yours")
    return transfer


def accept(session: Session, agent_id: int, transfer_id: int, at: datetime) -> TransferView:
    """The agent takes the call ringing at their desk."""
    agent = _agent(session, agent_id)
    transfer = _own_transfer(session, transfer_id, agent)
    if transfer.status != TransferStatus.ASSIGNED.value:
        raise Conflict(
            f"转接 {transfer_id} 状态为 {transfer.status} / transfer {transfer_id} is {transfer.status}"
        )
    if call_ended(session, transfer):
        raise Conflict(
            f"通话 {transfer.attempt_id} 已结束，无法接听，请直接话后处理"
            f" / call {transfer.attempt_id} already ended: wrap it up instead"
        )
    transfer.status = TransferStatus.ACCEPTED.value
    transfer.accepted_at = at
    session.flush()
    outcomes_repository.update_attempt(session, transfer.attempt_id, {"agent_id": str(agent.id)})
    audit.append(
        session,
        at=at,
        actor=_actor(agent),
        action="desk.transfer.accept",
        entity="desk_transfer",
        entity_id=transfer.id,
        details={"attempt_id": transfer.attempt_id},
    )
    return transfer_view(transfer)


def end_call(session: Session, agent_id: int, transfer_id: int, at: datetime) -> AgentView:
    """The conversation ended: the agent moves to wrap-up."""
    agent = _agent(session, agent_id)
    transfer = _own_transfer(session, transfer_id, agent)
    if transfer.status != TransferStatus.ACCEPTED.value or agent.state != AgentState.ON_CALL.value:
        raise Conflict(f"转接 {transfer_id} 不在通话中 / transfer {transfer_id} is not on a call")
    repository.set_state(session, agent.id, AgentState.WRAP_UP, at)
    return _view(_agent(session, agent_id))


def callback_window(session: Session, attempt_id: int) -> CallbackWindowView | None:
    """The calling window a callback on this attempt must fall in, in the debtor's zones."""
    attempt = repository.attempt(session, attempt_id)
    if attempt is None:
        return None
    debtor, _account, _contacts = repository.pop_rows(session, attempt)
    window = calling_window(debtor.jurisdiction)  # the rule pack's, with the operator's settings
    zones = [debtor.timezone, *(z for z in debtor.other_timezones.split() if z != debtor.timezone)]
    return CallbackWindowView(start=f"{window.start:%H:%M}", end=f"{window.end:%H:%M}", zones=zones)


def callback_problem(
    session: Session, attempt_id: int, callback_at: datetime, zone: str | None = None
) -> str | None:
    """Why a callback at this instant is not allowed (bilingual), or None when it is.

    It must be in the future and inside the calling window of the debtor's rule pack in every
    candidate zone of the debtor (the same window `compliance.reserve` will check at dial time).
    The earliest allowed time is told in `zone` (the floor's), else as an ISO instant.
    """
    attempt = repository.attempt(session, attempt_id)
    if attempt is None:
        return f"通话 {attempt_id} 不存在 / attempt {attempt_id} not found"
    debtor, _account, _contacts = repository.pop_rows(session, attempt)
    window = calling_window(debtor.jurisdiction)
    start, end = window.start, window.end
    zones = [debtor.timezone, *(z for z in debtor.other_timezones.split() if z != debtor.timezone)]
    if in_window(callback_at, zones, start, end):
        return None
    nxt = next_in_window(callback_at, zones, start, end)
    hint_zh = hint_en = ""
    if nxt is not None:
        shown = f"{nxt.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})" if zone else nxt.isoformat()
        hint_zh, hint_en = f"（最早 {shown}）", f"; earliest {shown}"
    return (
        f"回电时间不在允许时段内（债务人当地 {start:%H:%M}–{end:%H:%M}）{hint_zh}"
        f" / callback outside the calling window ({start:%H:%M}–{end:%H:%M} debtor local time){hint_en}"
    )


def _fen(amount: int) -> str:
    return f"{amount / 100:,.2f}"


def plan_problem(outstanding: int, bounds: PlanBounds, entry: PlanEntry) -> str | None:
    """Why this plan is outside the treatment's bounds (bilingual, naming the bound), or None."""
    if not 2 <= entry.terms <= bounds.max_terms:
        return f"分期期数须为 2–{bounds.max_terms} 期 / a plan has 2 to {bounds.max_terms} terms"
    if entry.waiver_pct > bounds.max_waiver_pct:
        return f"减免不得超过 {bounds.max_waiver_pct}% / the waiver may be at most {bounds.max_waiver_pct}%"
    plan = propose_plan(outstanding, bounds, entry.terms, waiver_pct=entry.waiver_pct)
    if plan is None or plan.terms != entry.terms:
        least = _fen(bounds.min_first_payment)
        return (
            f"{entry.terms} 期时首期不足 {least} 元，请减少期数"
            f" / with {entry.terms} terms the first payment is under {least}: choose fewer terms"
        )
    return None


def promise_problem(outstanding: int, entry: PromiseEntry, today: date) -> str | None:
    """Why this promise cannot be taken (bilingual), or None."""
    if entry.amount > outstanding:
        most = _fen(outstanding)
        return f"承诺金额不得超过未还金额 {most} 元 / the promise may be at most the outstanding {most}"
    if entry.due_date < today:
        return "承诺还款日不能早于今天 / the promised date cannot be in the past"
    return None


def wrap_up(
    session: Session,
    agent_id: int,
    transfer_id: int,
    code: WrapCode | str,
    at: datetime,
    *,
    callback_at: datetime | None = None,
    note: str | None = None,
    then: AgentState = AgentState.AVAILABLE,
    promise: PromiseEntry | None = None,
    plan: PlanEntry | None = None,
    zone: str | None = None,
) -> TransferView:
    """Record the wrap-up code, the callback the agent booked, the promise or plan the debtor
    agreed (a plan only within the treatment's bounds); the agent moves to `then`."""
    wrap = one_of(WrapCode, code, "话后代码", "wrap-up code")
    if then not in CHOSEN_STATES:
        raise InvalidInput("话后只能转为空闲、休息或离线 / after wrap-up: available, break or offline")
    agent = _agent(session, agent_id)
    transfer = _own_transfer(session, transfer_id, agent)
    if transfer.status not in (TransferStatus.ASSIGNED.value, TransferStatus.ACCEPTED.value):
        raise Conflict(
            f"转接 {transfer_id} 状态为 {transfer.status} / transfer {transfer_id} is {transfer.status}"
        )
    if wrap == WrapCode.CALLBACK and callback_at is None:
        raise InvalidInput("约定回电须给出时间 / a callback needs a time")
    if callback_at is not None:
        if callback_at.tzinfo is None:
            raise InvalidInput("回电时间须带时区 / the callback time needs a time zone")
        if callback_at <= at:
            raise InvalidInput("回电时间须在将来 / the callback must be in the future")
        problem = callback_problem(session, transfer.attempt_id, callback_at, zone)
        if problem is not None:
            raise InvalidInput(problem)
    if wrap == WrapCode.PROMISE_TO_PAY and promise is None:
        raise InvalidInput("承诺还款须填写金额和日期 / a promise to pay needs an amount and a date")
    if wrap == WrapCode.HARDSHIP_PLAN and plan is None:
        raise InvalidInput("困难分期须填写分期方案 / a hardship plan needs the plan")
    attempt = repository.attempt(session, transfer.attempt_id)
    if attempt is None:
        raise NotFound(f"通话 {transfer.attempt_id} 不存在 / attempt {transfer.attempt_id} not found")
    _debtor, account, _contacts = repository.pop_rows(session, attempt)
    today = at.astimezone(ZoneInfo(zone)).date() if zone else at.date()
    if promise is not None:
        problem = promise_problem(account.outstanding, promise, today)
        if problem is not None:
            raise InvalidInput(problem)
    agreed = None
    if plan is not None:
        bounds = plan_bounds(session, transfer)
        problem = plan_problem(account.outstanding, bounds, plan)
        if problem is None and plan.first_due < today:
            problem = "首期还款日不能早于今天 / the first due date cannot be in the past"
        if problem is not None:
            raise InvalidInput(problem)
        agreed = propose_plan(account.outstanding, bounds, plan.terms, waiver_pct=plan.waiver_pct)
    if promise is not None:
        outcomes_repository.insert_promise(
            session,
            account_id=account.id,
            attempt_id=attempt.id,
            amount=promise.amount,
            due_date=promise.due_date,
            at=at,
        )
    if plan is not None and agreed is not None:
        outcomes_repository.insert_plan(
            session,
            account_id=account.id,
            attempt_id=attempt.id,
            terms=agreed.terms,
            amount_per_term=agreed.payments[-1],
            waiver=agreed.waiver,
            first_due=plan.first_due,
            at=at,
        )
    transfer.status = TransferStatus.WRAPPED.value
    transfer.wrap_code = wrap.value
    transfer.wrapped_at = at
    transfer.callback_at = callback_at
    transfer.note = note.strip()[:2000] if note else None
    session.flush()
    if callback_at is not None:  # the dialer dials a booked callback at its time
        outcomes_repository.update_attempt(session, transfer.attempt_id, {"callback_at": callback_at})
    audit.append(
        session,
        at=at,
        actor=_actor(agent),
        action="desk.transfer.wrap_up",
        entity="desk_transfer",
        entity_id=transfer.id,
        details={
            "attempt_id": transfer.attempt_id,
            "code": wrap.value,
            "callback_at": callback_at.isoformat() if callback_at else None,
            "promise": promise is not None,
            "plan_terms": plan.terms if plan is not None else None,
        },
    )
    if agent.state == AgentState.ON_CALL.value:  # wrapped without a separate end_call
        repository.set_state(session, agent.id, AgentState.WRAP_UP, at)
    repository.set_state(session, agent.id, then, at)
    if then == AgentState.AVAILABLE:
        _take_queued(session, _agent(session, agent_id), at)
    return transfer_view(transfer)
