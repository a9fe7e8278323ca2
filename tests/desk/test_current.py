"""The desk restores itself from `service.current` in every state; accept only while ringing;
promises and plans at wrap-up stay within the treatment's bounds; the queue and callbacks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.desk import service
from huikuan.desk.schemas import DeskPhase, PlanEntry, PromiseEntry, TransferReason
from huikuan.errors import Conflict, InvalidInput
from huikuan.outcomes.models import CallAttempt, InstallmentPlan, Promise
from huikuan.security.users import get_user
from tests.desk.helpers import PASSWORD, T0, desk_user, robot_call


def _agent(session: Session, username: str = "agent-now") -> tuple[int, int]:
    user_id = desk_user(session, username)
    view, _token = service.log_in(session, username, PASSWORD, T0)
    return view.agent_id, user_id


def _ring(session: Session, at_minutes: int = 1) -> tuple[int, int]:
    call = robot_call(session)
    transfer = service.request_transfer(
        session,
        attempt_id=call.attempt_id,
        reason=TransferReason.ASKED_FOR_PERSON,
        at=T0 + timedelta(minutes=at_minutes),
    )
    return transfer.id, call.attempt_id


def _phase(session: Session, agent_id: int, user_id: int) -> str:
    return service.current(session, agent_id, get_user(session, user_id)).phase


def test_current_shows_every_state_of_the_transfer(session: Session) -> None:
    agent_id, user_id = _agent(session)
    now = service.current(session, agent_id, get_user(session, user_id))
    assert (now.phase, now.transfer, now.pop) == (DeskPhase.AVAILABLE, None, None)
    transfer_id, _attempt = _ring(session)
    ringing = service.current(session, agent_id, get_user(session, user_id))
    assert ringing.phase == DeskPhase.RINGING  # a pop is offered: not "on call" yet
    assert ringing.pop is not None
    assert ringing.pop.transfer_id == transfer_id
    assert ringing.callback_window is not None
    assert ringing.callback_window.zones == ["Asia/Shanghai"]
    service.accept(session, agent_id, transfer_id, T0 + timedelta(minutes=2))
    assert _phase(session, agent_id, user_id) == DeskPhase.ON_CALL
    service.end_call(session, agent_id, transfer_id, T0 + timedelta(minutes=5))
    wrapping = service.current(session, agent_id, get_user(session, user_id))
    assert wrapping.phase == DeskPhase.WRAP_UP  # after a reload: the pop and the wrap-up form
    assert wrapping.pop is not None
    assert wrapping.transfer is not None
    assert wrapping.transfer.status == "accepted"
    with pytest.raises(Conflict, match="must wrap up first"):
        service.change_state(session, agent_id, "break", T0 + timedelta(minutes=6))
    service.wrap_up(session, agent_id, transfer_id, "refused", T0 + timedelta(minutes=7))
    assert _phase(session, agent_id, user_id) == DeskPhase.AVAILABLE
    service.change_state(session, agent_id, "break", T0 + timedelta(minutes=8))
    assert _phase(session, agent_id, user_id) == DeskPhase.BREAK


def test_a_call_the_robot_already_ended_cannot_be_accepted_only_wrapped_up(session: Session) -> None:
    agent_id, user_id = _agent(session)
    transfer_id, attempt_id = _ring(session)
    attempt = session.get(CallAttempt, attempt_id)
    assert attempt is not None
    attempt.ended_at = T0 + timedelta(minutes=2)  # the robot recorded the end of the call
    session.flush()
    assert _phase(session, agent_id, user_id) == DeskPhase.CALL_ENDED
    with pytest.raises(Conflict, match="already ended"):
        service.accept(session, agent_id, transfer_id, T0 + timedelta(minutes=3))
    done = service.wrap_up(
        session,
        agent_id,
        transfer_id,
        "callback",
        T0 + timedelta(minutes=4),
        callback_at=T0 + timedelta(days=1),
    )
    assert done.status == "wrapped"
    assert _phase(session, agent_id, user_id) == DeskPhase.AVAILABLE


def test_wrap_up_takes_a_promise_within_the_outstanding(session: Session) -> None:
    agent_id, _user = _agent(session)
    transfer_id, attempt_id = _ring(session)
    at = T0 + timedelta(minutes=5)
    with pytest.raises(InvalidInput, match="needs an amount"):
        service.wrap_up(session, agent_id, transfer_id, "promise_to_pay", at)
    too_much = PromiseEntry(amount=10**11, due_date=date(2026, 3, 10))
    with pytest.raises(InvalidInput, match="at most the outstanding"):
        service.wrap_up(session, agent_id, transfer_id, "promise_to_pay", at, promise=too_much)
    past = PromiseEntry(amount=20_000, due_date=date(2026, 3, 1))
    with pytest.raises(InvalidInput, match="past"):
        service.wrap_up(session, agent_id, transfer_id, "promise_to_pay", at, promise=past)
    good = PromiseEntry(amount=20_000, due_date=date(2026, 3, 10))
    service.wrap_up(session, agent_id, transfer_id, "promise_to_pay", at, promise=good, zone="Asia/Shanghai")
    taken = session.scalars(select(Promise).where(Promise.attempt_id == attempt_id, Promise.amount == 20_000))
    assert [p.due_date for p in taken] == [date(2026, 3, 10)]


def test_a_plan_outside_the_bounds_is_refused_with_the_bound_shown(session: Session) -> None:
    agent_id, _user = _agent(session)
    transfer_id, attempt_id = _ring(session)
    at = T0 + timedelta(minutes=5)
    first_due = date(2026, 3, 15)

    def wrap(plan: PlanEntry) -> object:
        return service.wrap_up(session, agent_id, transfer_id, "hardship_plan", at, plan=plan)

    with pytest.raises(InvalidInput, match="2 to 6 terms"):
        wrap(PlanEntry(terms=12, first_due=first_due))
    with pytest.raises(InvalidInput, match="at most 0%"):
        wrap(PlanEntry(terms=3, first_due=first_due, waiver_pct=10))
    with pytest.raises(InvalidInput, match="needs the plan"):
        service.wrap_up(session, agent_id, transfer_id, "hardship_plan", at)
    wrap(PlanEntry(terms=4, first_due=first_due))
    plans = session.scalars(
        select(InstallmentPlan).where(InstallmentPlan.attempt_id == attempt_id, InstallmentPlan.terms == 4)
    ).all()
    assert len(plans) == 1
    assert plans[0].first_due == first_due
    assert plans[0].waiver == 0


def test_a_plan_whose_first_payment_is_under_the_minimum_is_refused() -> None:
    from huikuan.strategy import PlanBounds

    bounds = PlanBounds(max_terms=6, min_first_payment=10_000)
    problem = service.plan_problem(30_000, bounds, PlanEntry(terms=6, first_due=date(2026, 3, 15)))
    assert problem is not None
    assert "first payment is under 100.00" in problem
    assert service.plan_problem(30_000, bounds, PlanEntry(terms=3, first_due=date(2026, 3, 15))) is None


def test_the_queue_lists_waiting_transfers_and_this_agents_or_the_floors_callbacks(session: Session) -> None:
    agent_id, _user = _agent(session)
    other_id, _other_user = _agent(session, "agent-other")
    ringing, _a = _ring(session)  # the longest-idle agent takes it
    queued, _b = _ring(session, at_minutes=2)  # the other one takes this one
    waiting, _c = _ring(session, at_minutes=3)  # nobody is free: it waits
    queue = service.queue(session, agent_id, T0)
    assert [t.transfer_id for t in queue.transfers] == [waiting]
    # A callback booked by this agent, one by the other agent, one a robot booked for the floor.
    service.wrap_up(
        session, agent_id, ringing, "callback", T0 + timedelta(minutes=9), callback_at=T0 + timedelta(days=1)
    )
    service.wrap_up(
        session, other_id, queued, "callback", T0 + timedelta(minutes=9), callback_at=T0 + timedelta(days=2)
    )
    floor = robot_call(session)
    robot_booked = session.get(CallAttempt, floor.attempt_id)
    assert robot_booked is not None
    robot_booked.callback_at = T0 + timedelta(hours=5)
    session.flush()
    callbacks = service.queue(session, agent_id, T0 + timedelta(minutes=10)).callbacks
    assert [(c.attempt_id, c.mine) for c in callbacks] == [(floor.attempt_id, False), (_a, True)]
