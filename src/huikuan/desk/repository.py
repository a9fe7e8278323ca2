"""All desk SQL: agents and their state log, transfers, tokens, and the rows a screen pop reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Result, column, func, or_, select, table, update
from sqlalchemy.orm import Session

from huikuan.desk.models import Agent, AgentStateChange, DeskToken, Transfer
from huikuan.desk.schemas import AgentState, TransferStatus
from huikuan.outcomes.models import CallAttempt, InstallmentPlan, Promise, Turn
from huikuan.portfolio.models import Account, Contact, Debtor


def _rowcount(result: Result[Any]) -> int:
    # An UPDATE's result is a CursorResult, which has rowcount; Session.execute is typed wider.
    return int(getattr(result, "rowcount", 0))


# The campaign table by name: the dialer owns its model and imports the desk, not the reverse.
_CAMPAIGN = table("campaign", column("id"))


def campaign_exists(session: Session, campaign_id: int) -> bool:
    return session.execute(select(_CAMPAIGN.c.id).where(_CAMPAIGN.c.id == campaign_id)).first() is not None


def agent_by_user(session: Session, user_id: int) -> Agent | None:
    return session.scalars(select(Agent).where(Agent.user_id == user_id)).first()


def insert_agent(session: Session, user_id: int, campaign_id: int | None, at: datetime) -> Agent:
    agent = Agent(user_id=user_id, campaign_id=campaign_id, state=AgentState.OFFLINE.value, state_since=at)
    session.add(agent)
    session.flush()
    return agent


def log_state(session: Session, agent_id: int, state: AgentState, at: datetime) -> None:
    session.add(AgentStateChange(agent_id=agent_id, state=state.value, at=at))
    session.flush()


def set_state(session: Session, agent_id: int, state: AgentState, at: datetime) -> None:
    session.execute(update(Agent).where(Agent.id == agent_id).values(state=state.value, state_since=at))
    log_state(session, agent_id, state, at)


def claim_agent(session: Session, agent_id: int, at: datetime) -> bool:
    """Move an available agent to on_call; False when someone else took them first.

    The WHERE re-checks the state under the row lock (PostgreSQL re-evaluates it after a
    concurrent update commits), so two robots can never hand two calls to one agent.
    """
    result = session.execute(
        update(Agent)
        .where(Agent.id == agent_id, Agent.state == AgentState.AVAILABLE.value)
        .values(state=AgentState.ON_CALL.value, state_since=at)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) != 1:
        return False
    log_state(session, agent_id, AgentState.ON_CALL, at)
    return True


def idle_agents(session: Session, campaign_id: int | None, limit: int = 8) -> Sequence[int]:
    """Available agents serving this campaign, longest idle first."""
    stmt = select(Agent.id).where(Agent.state == AgentState.AVAILABLE.value)
    if campaign_id is not None:
        stmt = stmt.where(or_(Agent.campaign_id.is_(None), Agent.campaign_id == campaign_id))
    return session.scalars(stmt.order_by(Agent.state_since, Agent.id).limit(limit)).all()


def insert_transfer(session: Session, values: dict[str, object]) -> Transfer:
    transfer = Transfer(**values)
    session.add(transfer)
    session.flush()
    return transfer


def claim_transfer(session: Session, transfer_id: int, agent_id: int, at: datetime) -> bool:
    """Give a queued transfer to an agent; False when another agent already took it."""
    result = session.execute(
        update(Transfer)
        .where(Transfer.id == transfer_id, Transfer.status == TransferStatus.QUEUED.value)
        .values(status=TransferStatus.ASSIGNED.value, agent_id=agent_id, assigned_at=at)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def transfer_of_attempt(session: Session, attempt_id: int) -> Transfer | None:
    stmt = select(Transfer).where(Transfer.attempt_id == attempt_id)
    return session.scalars(stmt.order_by(Transfer.id.desc()).limit(1)).first()


def queued_transfers(session: Session, campaign_id: int | None, limit: int = 8) -> Sequence[int]:
    """Queued transfers an agent of `campaign_id` (None: every campaign) may take, oldest first."""
    stmt = select(Transfer.id).where(Transfer.status == TransferStatus.QUEUED.value)
    if campaign_id is not None:
        stmt = stmt.where(Transfer.campaign_id == campaign_id)
    return session.scalars(stmt.order_by(Transfer.requested_at, Transfer.id).limit(limit)).all()


def pending_transfer(session: Session, agent_id: int) -> Transfer | None:
    """The transfer ringing at this agent's desk (assigned, not yet accepted)."""
    stmt = select(Transfer).where(
        Transfer.agent_id == agent_id, Transfer.status == TransferStatus.ASSIGNED.value
    )
    return session.scalars(stmt.order_by(Transfer.id).limit(1)).first()


def open_transfer(session: Session, agent_id: int) -> Transfer | None:
    """The transfer this agent holds in any open state (ringing, on the call, in wrap-up)."""
    open_states = [TransferStatus.ASSIGNED.value, TransferStatus.ACCEPTED.value]
    stmt = select(Transfer).where(Transfer.agent_id == agent_id, Transfer.status.in_(open_states))
    return session.scalars(stmt.order_by(Transfer.id.desc()).limit(1)).first()


def queued_rows(session: Session, campaign_id: int | None, limit: int = 20) -> Sequence[Transfer]:
    """Queued transfers an agent of `campaign_id` (None: every campaign) may take, oldest first."""
    stmt = select(Transfer).where(Transfer.status == TransferStatus.QUEUED.value)
    if campaign_id is not None:
        stmt = stmt.where(Transfer.campaign_id == campaign_id)
    return session.scalars(stmt.order_by(Transfer.requested_at, Transfer.id).limit(limit)).all()


def upcoming_callbacks(
    session: Session, agent_id: int, since: datetime, limit: int = 20
) -> list[tuple[int, int, datetime, bool]]:
    """(attempt, account, callback_at, booked by this agent) of the callbacks due from `since`
    that this agent works: their own, and those a robot booked for the floor."""
    booked_by = (
        select(Transfer.agent_id)
        .where(Transfer.attempt_id == CallAttempt.id, Transfer.callback_at.is_not(None))
        .order_by(Transfer.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(CallAttempt.id, CallAttempt.account_id, CallAttempt.callback_at, booked_by.label("agent"))
        .where(CallAttempt.callback_at >= since)
        .order_by(CallAttempt.callback_at, CallAttempt.id)
        .limit(limit * 4)
    ).all()
    mine_or_floor = [
        (a, acc, at, agent == agent_id) for a, acc, at, agent in rows if agent in (None, agent_id) and at
    ]
    return mine_or_floor[:limit]


def state_log(session: Session, agent_id: int, until: datetime) -> Sequence[AgentStateChange]:
    stmt = (
        select(AgentStateChange)
        .where(AgentStateChange.agent_id == agent_id, AgentStateChange.at < until)
        .order_by(AgentStateChange.at, AgentStateChange.id)
    )
    return session.scalars(stmt).all()


def all_agents(session: Session) -> Sequence[Agent]:
    return session.scalars(select(Agent).order_by(Agent.id)).all()


def insert_token(session: Session, token_hash: str, agent_id: int, at: datetime, expires: datetime) -> None:
    session.add(DeskToken(token_hash=token_hash, agent_id=agent_id, created_at=at, expires_at=expires))
    session.flush()


def token(session: Session, token_hash: str) -> DeskToken | None:
    return session.scalars(select(DeskToken).where(DeskToken.token_hash == token_hash)).first()


def revoke_tokens(session: Session, agent_id: int) -> None:
    session.execute(update(DeskToken).where(DeskToken.agent_id == agent_id).values(revoked=True))


# The rows a screen pop reads (other packages' tables, read only).


def attempt(session: Session, attempt_id: int) -> CallAttempt | None:
    return session.get(CallAttempt, attempt_id)


def pop_rows(session: Session, attempt_row: CallAttempt) -> tuple[Debtor, Account, Sequence[Contact]]:
    debtor = session.get(Debtor, attempt_row.debtor_id)
    account = session.get(Account, attempt_row.account_id)
    if debtor is None or account is None:  # foreign keys of the attempt: cannot happen
        raise LookupError(f"attempt {attempt_row.id} lost its debtor or account")
    contacts = session.scalars(
        select(Contact).where(Contact.debtor_id == debtor.id, Contact.relation == "self").order_by(Contact.id)
    ).all()
    return debtor, account, contacts


def turns(session: Session, attempt_id: int) -> Sequence[Turn]:
    return session.scalars(select(Turn).where(Turn.attempt_id == attempt_id).order_by(Turn.seq)).all()


def promises(session: Session, account_id: int) -> Sequence[Promise]:
    stmt = select(Promise).where(Promise.account_id == account_id).order_by(Promise.created_at.desc())
    return session.scalars(stmt.limit(20)).all()


def plans(session: Session, account_id: int) -> Sequence[InstallmentPlan]:
    stmt = (
        select(InstallmentPlan)
        .where(InstallmentPlan.account_id == account_id)
        .order_by(InstallmentPlan.created_at.desc())
    )
    return session.scalars(stmt.limit(20)).all()


def agent_counts_by_state(session: Session, campaign_id: int, states: Sequence[AgentState]) -> dict[str, int]:
    """state → agents in it serving the campaign (its own and those serving every campaign)."""
    rows = session.execute(
        select(Agent.state, func.count())
        .where(
            (Agent.campaign_id == campaign_id) | Agent.campaign_id.is_(None),
            Agent.state.in_(list(states)),
        )
        .group_by(Agent.state)
    ).all()
    return {state: int(n) for state, n in rows}


def recent_handles(session: Session, campaign_id: int, limit: int) -> list[tuple[datetime, datetime]]:
    """(assigned_at, wrapped_at) of the campaign's last wrapped-up transfers, newest first."""
    rows = session.execute(
        select(Transfer.assigned_at, Transfer.wrapped_at)
        .where(
            Transfer.campaign_id == campaign_id,
            Transfer.wrapped_at.is_not(None),
            Transfer.assigned_at.is_not(None),
        )
        .order_by(Transfer.wrapped_at.desc())
        .limit(limit)
    ).all()
    return [(a, w) for a, w in rows if a is not None and w is not None]
