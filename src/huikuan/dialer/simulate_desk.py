"""Simulated desk agents for a virtual day: N people who work the desk's queue of robot
hand-offs (debtors who asked for a person, plans that need approval, and the accounts the
strategy hands to a person: M4+ and escalations) after the robots' day, through the desk's own
service API, so the ledger, compliance caps, promises and the KPIs "AI vs human" count them.

The robot's line is closed when the simulated agent takes a hand-off (the robot day runs first),
so the agent wraps the hand-off up and calls the debtor back: the call is reserved with
compliance like any call (a person speaking: no AI-voice consent needed), written as an attempt,
and, when answered, routed to the same agent as a live call (`human_segment` transfer of the
desk's own callback campaign) that the agent accepts, ends and wraps up with the promise. The
debtor's reply is `sim.agents.agent_call` (an explicit assumption, documented there); promises
are kept or broken by the same overnight payments as the robot's.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from huikuan import compliance
from huikuan.db import make_sessionmaker
from huikuan.desk import service as desk
from huikuan.desk.schemas import AgentState, PromiseEntry, TransferReason, WrapCode
from huikuan.dialer import campaigns as campaign_service
from huikuan.dialer.campaigns import CampaignCreate
from huikuan.errors import NotFound
from huikuan.outcomes import service as outcomes
from huikuan.outcomes.service import AttemptCompletion
from huikuan.portfolio import service as portfolio_service
from huikuan.security.users import Role, create_user, find_user, get_user
from huikuan.sim import repository as sim_repository
from huikuan.sim.agents import NO_ANSWER_SECONDS, PROMISE_DAYS, WRAP_SECONDS, AgentCallEnd, agent_call
from huikuan.types import CallOutcome, Channel, ContactStatus, Disposition, Relation

AGENT_USER = "sim-agent-{}"
DENIED_SECONDS = 30  # the agent reads the denial and moves on

_ENDS: dict[AgentCallEnd, tuple[Disposition, WrapCode]] = {
    AgentCallEnd.PROMISE: (Disposition.PTP, WrapCode.PROMISE_TO_PAY),
    AgentCallEnd.REFUSED: (Disposition.REFUSED, WrapCode.REFUSED),
    AgentCallEnd.DISPUTE: (Disposition.DISPUTE, WrapCode.DISPUTE),
    AgentCallEnd.WRONG_PARTY: (Disposition.THIRD_PARTY, WrapCode.WRONG_PARTY),
}


@dataclass(frozen=True)
class DeskDay:
    robot_campaign_id: int  # whose hand-offs the agents take
    # Routes the agents' own answered calls to them (a draft campaign robots never dial); the
    # calls themselves are attempts of the robot campaign, so its KPIs show AI vs human.
    callback_campaign_id: int
    day: date
    agents: int
    seed: int = 7
    tz: str = "Asia/Shanghai"
    start: time = time(9)
    end: time = time(20)


@dataclass
class DeskDayStats:
    hand_offs: int = 0  # robot hand-offs the agents took off the queue
    duplicates: int = 0  # hand-offs of an account already called back that day (wrapped, no call)
    calls: int = 0  # calls the agents placed (compliance allowed)
    denials: Counter[str] = field(default_factory=Counter)  # rule → calls compliance refused
    answered: int = 0
    promises: int = 0
    left_queued: int = 0  # hand-offs still waiting at the end of the agents' day


def sim_agents(session: Session, count: int, at: datetime) -> list[int]:
    """The desk agent ids of `count` simulated agents (users `sim-agent-N`, created if missing)."""
    ids = []
    for n in range(1, count + 1):
        name = AGENT_USER.format(n)
        try:
            user = find_user(session, name)
        except NotFound:
            user = create_user(
                session,
                name,
                f"模拟坐席 {n} / simulated agent {n}",
                secrets.token_urlsafe(16),
                Role.AGENT,
                actor="system",
                at=at,
            )
        ids.append(desk.enroll_agent(session, user, at).id)
    return ids


def run_desk_day(engine: Engine, spec: DeskDay) -> DeskDayStats:
    """The agents' day: each takes the oldest hand-off when free (never before it was asked
    for), calls the debtor back and wraps up; one transaction per hand-off."""
    zone = ZoneInfo(spec.tz)
    opening = datetime.combine(spec.day, spec.start, tzinfo=zone)
    closing = datetime.combine(spec.day, spec.end, tzinfo=zone)
    stats = DeskDayStats()
    sessions = make_sessionmaker(engine)
    with sessions() as s:
        agents = sim_agents(s, spec.agents, opening)
        users = {a: desk.agent_view(s, a).user_id for a in agents}
        for a in agents:
            _serve(s, users[a], spec.robot_campaign_id, opening)
            desk.change_state(s, a, AgentState.BREAK, opening)
        s.commit()
    free_at = dict.fromkeys(agents, opening)
    called: set[int] = set()
    while agents:
        with sessions() as s:
            waiting = desk.queue(s, agents[0], closing).transfers
            agent = min(agents, key=lambda a: (free_at[a], a))
            if not waiting:
                break
            at = max(free_at[agent], waiting[0].requested_at)
            if at >= closing:
                stats.left_queued = len(waiting)
                break
            desk.change_state(s, agent, AgentState.AVAILABLE, at)  # takes the oldest hand-off
            pop = desk.pending_pop(s, agent)
            if pop is None:  # cannot happen: the queue was not empty
                desk.change_state(s, agent, AgentState.BREAK, at)
                s.commit()
                break
            stats.hand_offs += 1
            again = pop.account.account_id in called
            stats.duplicates += again
            desk.wrap_up(
                s,
                agent,
                pop.transfer_id,
                WrapCode.DROPPED,
                at,
                note="sim: already called back today" if again else "sim: the agent calls back",
                then=AgentState.BREAK,
                zone=spec.tz,
            )
            if not again:
                called.add(pop.account.account_id)
                at = _call_back(
                    s, spec, agent, users[agent], pop.attempt_id, pop.account.outstanding, at, stats
                )
            free_at[agent] = at
            s.commit()
    with sessions() as s:
        for a in agents:
            desk.change_state(s, a, AgentState.OFFLINE, max(free_at[a], closing))
        s.commit()
    return stats


def _serve(session: Session, user_id: int, campaign_id: int, at: datetime) -> None:
    """Point the agent at one campaign's transfers (enroll_agent switches it)."""
    desk.enroll_agent(session, get_user(session, user_id), at, campaign_id)


def _call_back(
    s: Session,
    spec: DeskDay,
    agent: int,
    user_id: int,
    robot_attempt_id: int,
    outstanding: int,
    at: datetime,
    stats: DeskDayStats,
) -> datetime:
    """The agent's call to the debtor of the hand-off; the instant the agent is free again."""
    facts = outcomes.attempt_facts(s, robot_attempt_id)
    if facts is None:
        return at
    contact = next(
        (
            c
            for c in portfolio_service.contacts_of(s, facts.debtor_id)
            if c.relation == Relation.SELF.value and c.status != ContactStatus.INVALID.value
        ),
        None,
    )
    if contact is None:
        return at
    decision = compliance.reserve(s, contact, at, Channel.VOICE, artificial_voice=False)
    if not decision.allowed or decision.ledger_entry_id is None:
        stats.denials[decision.rule or "?"] += 1
        return at + timedelta(seconds=DENIED_SECONDS)
    stats.calls += 1
    attempt_id = outcomes.start_attempt(
        s,
        account_id=facts.account_id,
        debtor_id=facts.debtor_id,
        contact_id=contact.id,
        started_at=at,
        campaign_id=spec.robot_campaign_id,  # the case's campaign: its KPIs split AI vs human
    )
    persona = sim_repository.personas_of(s, [facts.debtor_id]).get(facts.debtor_id)
    call = agent_call(
        persona[0] if persona else None,
        seed=spec.seed,
        debtor_seed=persona[1] if persona else 0,
        attempt_id=attempt_id,
    )
    if call.end == AgentCallEnd.NO_ANSWER:
        ended = at + timedelta(seconds=NO_ANSWER_SECONDS)
        completion = AttemptCompletion(ended, CallOutcome.NO_ANSWER, False, 0, Disposition.NONE)
        _close_attempt(s, facts, attempt_id, decision.ledger_entry_id, completion)
        return ended
    stats.answered += 1
    # Answered: a live call routed to this agent, the only one available, as an agent campaign does.
    _serve(s, user_id, spec.callback_campaign_id, at)
    desk.change_state(s, agent, AgentState.AVAILABLE, at)
    transfer = desk.request_transfer(
        s,
        attempt_id=attempt_id,
        reason=TransferReason.HUMAN_SEGMENT,
        at=at,
        campaign_id=spec.callback_campaign_id,
    )
    if transfer.agent_id != agent:  # cannot happen: every other simulated agent is on a break
        raise RuntimeError(f"transfer {transfer.id} went to agent {transfer.agent_id}, not {agent}")
    desk.accept(s, agent, transfer.id, at)
    ended = at + timedelta(seconds=call.talk_seconds)
    disposition, code = _ENDS[call.end]
    completion = AttemptCompletion(ended, CallOutcome.ANSWERED, True, call.talk_seconds, disposition)
    _close_attempt(s, facts, attempt_id, decision.ledger_entry_id, completion)
    desk.end_call(s, agent, transfer.id, ended)
    promise = None
    if call.end == AgentCallEnd.PROMISE and outstanding > 0:
        local = ended.astimezone(ZoneInfo(spec.tz)).date()
        amount = max(1, round(outstanding * call.promise_share))
        promise = PromiseEntry(amount=amount, due_date=local + timedelta(days=PROMISE_DAYS))
        stats.promises += 1
    wrapped = ended + timedelta(seconds=WRAP_SECONDS)
    desk.wrap_up(
        s,
        agent,
        transfer.id,
        code if promise is not None or code != WrapCode.PROMISE_TO_PAY else WrapCode.REFUSED,
        wrapped,
        promise=promise,
        then=AgentState.BREAK,
        zone=spec.tz,
    )
    _serve(s, user_id, spec.robot_campaign_id, wrapped)
    return wrapped


def _close_attempt(
    s: Session,
    facts: outcomes.AttemptFacts,
    attempt_id: int,
    ledger_entry_id: int,
    completion: AttemptCompletion,
) -> None:
    """The agent's attempt ends: the attempt row and the reserved contact's ledger outcome."""
    outcomes.complete_attempt(
        s, attempt_id, account_id=facts.account_id, debtor_id=facts.debtor_id, completion=completion
    )
    compliance.record_outcome(
        s, ledger_entry_id, completion.outcome, completion.conversation, attempt_id=attempt_id
    )


def callback_campaign(session: Session, batch_id: int, now: datetime) -> int:
    """The campaign the simulated agents' own calls belong to: a draft robots never dial."""
    return campaign_service.create_campaign(
        session, CampaignCreate(name="人工回呼 / desk call-backs (simulated)", batch_id=batch_id), now=now
    ).id
