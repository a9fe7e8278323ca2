from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.desk import service
from huikuan.desk.models import AgentStateChange
from huikuan.desk.schemas import AgentState, TransferReason, TransferStatus, WrapCode
from huikuan.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from huikuan.outcomes.models import CallAttempt
from huikuan.security import audit
from huikuan.security.models import AuditEvent
from huikuan.security.users import Role, get_user
from tests.conftest import RuleSettings, TestDatabase
from tests.desk.helpers import DEBTOR_NAME, PASSWORD, PHONE, T0, desk_user, robot_call


def _login(session: Session, username: str, at=T0) -> int:
    desk_user(session, username)
    view, _token = service.log_in(session, username, PASSWORD, at)
    return view.agent_id


def test_transfer_goes_to_longest_idle_agent(session: Session) -> None:
    first = _login(session, "agent-a", T0)
    second = _login(session, "agent-b", T0 + timedelta(minutes=1))
    call = robot_call(session)
    assert service.agent_available(session)
    transfer = service.request_transfer(
        session,
        attempt_id=call.attempt_id,
        reason=TransferReason.ASKED_FOR_PERSON,
        at=T0 + timedelta(minutes=5),
    )
    assert transfer.status == TransferStatus.ASSIGNED
    assert transfer.agent_id == first
    assert service.agent_view(session, first).state == AgentState.ON_CALL
    assert service.agent_view(session, second).state == AgentState.AVAILABLE
    assert session.get(CallAttempt, call.attempt_id).transfer_requested  # type: ignore[union-attr]


def test_transfer_waits_in_queue_until_an_agent_is_free(session: Session) -> None:
    desk_user(session, "agent-q")
    call = robot_call(session)
    assert not service.agent_available(session)
    transfer = service.request_transfer(session, attempt_id=call.attempt_id, reason="human_segment", at=T0)
    assert transfer.status == TransferStatus.QUEUED
    assert transfer.agent_id is None
    view, _ = service.log_in(session, "agent-q", PASSWORD, T0 + timedelta(seconds=30))
    assert view.state == AgentState.ON_CALL
    pop = service.pending_pop(session, view.agent_id)
    assert pop is not None
    assert pop.transfer_id == transfer.id


def test_campaign_agents_take_only_their_campaign(session: Session) -> None:
    from tests import factories

    batch = factories.creditor_and_batch(session)
    mine, other = factories.campaign(session, batch), factories.campaign(session, batch)
    desk_user(session, "agent-c")
    service.log_in(session, "agent-c", PASSWORD, T0, campaign_id=mine.id)
    assert service.agent_available(session, mine.id)
    assert not service.agent_available(session, other.id)
    call = robot_call(session)
    t = service.request_transfer(
        session, attempt_id=call.attempt_id, reason="human_segment", at=T0, campaign_id=other.id
    )
    assert t.status == TransferStatus.QUEUED


def test_screen_pop_masks_for_role_and_explains_segment(session: Session) -> None:
    agent_id = _login(session, "agent-p")
    call = robot_call(session, bucket="M5")
    transfer = service.request_transfer(
        session, attempt_id=call.attempt_id, reason="plan_needs_approval", at=T0, segment="hardship"
    )
    agent_user = get_user(session, service.agent_view(session, agent_id).user_id)
    pop = service.screen_pop(session, transfer.id, agent_user)
    assert pop.debtor.name == DEBTOR_NAME  # the agent addresses the debtor
    assert pop.debtor.phones == ["+86139****4321"]
    assert pop.debtor.national_id is not None
    assert "19900101" not in pop.debtor.national_id
    assert pop.account.bucket == "M5"
    assert pop.account.overdue == 350_000
    assert pop.segment.treatment == "hardship_installment"
    assert "经济困难" in pop.segment.explanation_zh
    assert "hardship" in pop.segment.explanation_en
    assert [t.text for t in pop.transcript] == ["您好，这里是安心借。", "我要找人工"]
    assert pop.promises[0].amount == 50_000
    assert pop.plans[0].terms == 3
    assert pop.plan_bounds.max_terms == 6
    assert sum(pop.plan_bounds.example_terms) == pop.account.outstanding

    supervisor = get_user(session, desk_user(session, "sup-1", Role.SUPERVISOR))
    watched = service.screen_pop(session, transfer.id, supervisor)
    assert watched.debtor.name != DEBTOR_NAME
    assert watched.debtor.name.startswith(DEBTOR_NAME[0])
    stranger = get_user(session, desk_user(session, "agent-x"))
    with pytest.raises(PermissionDenied):
        service.screen_pop(session, transfer.id, stranger)


def test_unknown_segment_is_explained_by_bucket(session: Session) -> None:
    _login(session, "agent-u")
    call = robot_call(session, bucket="M1")
    transfer = service.request_transfer(session, attempt_id=call.attempt_id, reason="asked_for_person", at=T0)
    pop = service.pending_pop(session, transfer.agent_id or 0)
    assert pop is not None
    assert pop.segment.segment is None
    assert "画像" in pop.segment.explanation_zh
    assert "bucket decides" in pop.segment.explanation_en


def test_accept_wrap_up_with_callback_is_recorded_and_audited(session: Session) -> None:
    agent_id = _login(session, "agent-w")
    call = robot_call(session)
    t = service.request_transfer(session, attempt_id=call.attempt_id, reason="asked_for_person", at=T0)
    service.accept(session, agent_id, t.id, T0 + timedelta(seconds=3))
    service.end_call(session, agent_id, t.id, T0 + timedelta(minutes=4))
    assert service.agent_view(session, agent_id).state == AgentState.WRAP_UP
    with pytest.raises(InvalidInput, match="calling window"):  # 23:00 Beijing time
        service.wrap_up(
            session,
            agent_id,
            t.id,
            WrapCode.CALLBACK,
            T0 + timedelta(minutes=5),
            callback_at=T0 + timedelta(hours=13),
        )
    with pytest.raises(InvalidInput, match="needs a time"):
        service.wrap_up(session, agent_id, t.id, "callback", T0 + timedelta(minutes=5))
    with pytest.raises(InvalidInput, match="unknown wrap-up code"):
        service.wrap_up(session, agent_id, t.id, "sold_the_car", T0 + timedelta(minutes=5))
    booked = T0 + timedelta(days=1)  # 10:00 Beijing next day
    done = service.wrap_up(session, agent_id, t.id, "callback", T0 + timedelta(minutes=5), callback_at=booked)
    assert done.status == TransferStatus.WRAPPED
    assert done.wrap_code == "callback"
    attempt = session.get(CallAttempt, call.attempt_id)
    assert attempt is not None
    assert attempt.callback_at == booked
    assert attempt.agent_id == str(agent_id)
    assert service.agent_view(session, agent_id).state == AgentState.AVAILABLE
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = [e.action for e in events]
    assert actions[-3:] == ["desk.transfer.request", "desk.transfer.accept", "desk.transfer.wrap_up"]
    assert all(DEBTOR_NAME not in str(e.details) and PHONE not in str(e.details) for e in events)
    assert audit.verify(session).intact


def test_state_rules_and_occupancy(session: Session) -> None:
    agent_id = _login(session, "agent-o")  # available at T0
    call = robot_call(session)
    with pytest.raises(InvalidInput):
        service.change_state(session, agent_id, "on_call", T0)
    with pytest.raises(InvalidInput):
        service.change_state(session, agent_id, "lunch", T0)
    t = service.request_transfer(
        session, attempt_id=call.attempt_id, reason="asked_for_person", at=T0 + timedelta(minutes=10)
    )
    with pytest.raises(Conflict):
        service.change_state(session, agent_id, "break", T0 + timedelta(minutes=11))
    service.accept(session, agent_id, t.id, T0 + timedelta(minutes=10))
    service.end_call(session, agent_id, t.id, T0 + timedelta(minutes=40))
    service.wrap_up(session, agent_id, t.id, "paid", T0 + timedelta(minutes=50), then=AgentState.BREAK)
    service.change_state(session, agent_id, "available", T0 + timedelta(minutes=70))
    service.log_out(session, agent_id, T0 + timedelta(minutes=80))
    log = session.scalars(select(AgentStateChange.state).where(AgentStateChange.agent_id == agent_id)).all()
    assert log == ["available", "on_call", "wrap_up", "break", "available", "offline"]
    occ = service.agent_occupancy(session, agent_id, T0, T0 + timedelta(hours=2))
    # logged in 80 min, 20 on break, 40 on call + wrap-up: 40 / 60
    assert occ.logged_in == timedelta(minutes=80)
    assert occ.on_break == timedelta(minutes=20)
    assert occ.ratio == pytest.approx(40 / 60)


def test_bad_requests_are_refused(session: Session) -> None:
    agent_id = _login(session, "agent-b1")
    with pytest.raises(NotFound):
        service.request_transfer(session, attempt_id=999_999, reason="asked_for_person", at=T0)
    call = robot_call(session)
    with pytest.raises(InvalidInput):
        service.request_transfer(session, attempt_id=call.attempt_id, reason="bored", at=T0)
    with pytest.raises(PermissionDenied):
        service.log_in(session, "agent-b1", "wrong-password!", T0)
    officer = desk_user(session, "officer-1", Role.COMPLIANCE_OFFICER)
    with pytest.raises(PermissionDenied):
        service.enroll_agent(session, get_user(session, officer), T0)
    t = service.request_transfer(session, attempt_id=call.attempt_id, reason="asked_for_person", at=T0)
    service.accept(session, agent_id, t.id, T0)
    with pytest.raises(Conflict):
        service.accept(session, agent_id, t.id, T0)


def test_waiting_agent_gets_pop_when_transfer_commits(db: TestDatabase) -> None:
    with db.session() as s:
        agent_id = _login(s, "agent-wait")
        call = robot_call(s)
        s.commit()
    got: list[object] = []
    started = threading.Event()

    def agent_desk() -> None:
        started.set()
        got.append(service.wait_for_pop(db.engine, agent_id, timeout=20))

    waiter = threading.Thread(target=agent_desk)
    waiter.start()
    assert started.wait(5)
    with db.session() as s:
        t = service.request_transfer(s, attempt_id=call.attempt_id, reason="asked_for_person", at=T0)
        s.commit()
    waiter.join(timeout=25)
    assert not waiter.is_alive()
    assert got
    assert getattr(got[0], "transfer_id", None) == t.id
    assert service.wait_for_pop(db.engine, agent_id + 1000, timeout=0.01) is None


def test_logging_in_again_mid_call_keeps_the_call(session: Session) -> None:
    agent_id = _login(session, "agent-again")
    call = robot_call(session)
    service.request_transfer(session, attempt_id=call.attempt_id, reason="asked_for_person", at=T0)
    view, _token = service.log_in(session, "agent-again", PASSWORD, T0 + timedelta(seconds=20))
    assert view.agent_id == agent_id
    assert view.state == AgentState.ON_CALL
    assert service.pending_pop(session, agent_id) is not None


def test_async_waiter_is_woken_by_a_commit(db: TestDatabase) -> None:
    import asyncio

    with db.session() as s:
        agent_id = _login(s, "agent-async")
        call = robot_call(s)
        s.commit()

    def commit_transfer() -> int:
        with db.session() as s:
            t = service.request_transfer(s, attempt_id=call.attempt_id, reason="asked_for_person", at=T0)
            s.commit()
            return t.id

    async def scenario() -> tuple[object, int]:
        waiting = asyncio.create_task(service.wait_for_pop_async(db.engine, agent_id, timeout=20))
        await asyncio.sleep(0)  # usually registers the waiter first; either order must work
        transfer_id = await asyncio.to_thread(commit_transfer)
        return await asyncio.wait_for(waiting, timeout=25), transfer_id

    pop, transfer_id = asyncio.run(scenario())
    assert getattr(pop, "transfer_id", None) == transfer_id
    assert asyncio.run(service.wait_for_pop_async(db.engine, agent_id + 1000, timeout=0.01)) is None


def test_callbacks_an_agent_may_book_follow_the_operators_window(
    session: Session, rule_settings: RuleSettings
) -> None:
    rule_settings({"CN": {"settings": {"CN.TIME": {"start": "09:00", "end": "20:00"}}}})
    agent_id = _login(session, "agent-t")
    call = robot_call(session)
    t = service.request_transfer(session, attempt_id=call.attempt_id, reason="asked_for_person", at=T0)
    service.accept(session, agent_id, t.id, T0 + timedelta(seconds=3))
    service.end_call(session, agent_id, t.id, T0 + timedelta(minutes=4))
    wrapped = T0 + timedelta(minutes=5)
    late = T0 + timedelta(hours=10, minutes=30)  # 20:30 Beijing: inside the law's window, not the operator's
    with pytest.raises(InvalidInput, match="09:00–20:00") as refused:
        service.wrap_up(session, agent_id, t.id, WrapCode.CALLBACK, wrapped, callback_at=late)
    assert "earliest 2026-03-03T01:00:00+00:00" in str(refused.value)  # 09:00 Beijing next day
    ok = T0 + timedelta(hours=9)  # 19:00 Beijing
    done = service.wrap_up(session, agent_id, t.id, WrapCode.CALLBACK, wrapped, callback_at=ok)
    assert done.status == TransferStatus.WRAPPED
    attempt = session.get(CallAttempt, call.attempt_id)
    assert attempt is not None
    assert attempt.callback_at == ok


def test_a_live_hand_off_records_its_outcome_on_the_transfer(session: Session) -> None:
    agent = _login(session, "agent-phone")
    call = robot_call(session)
    t = service.request_transfer(session, attempt_id=call.attempt_id, reason="asked_for_person", at=T0)
    assert service.phone_for(session, t.id) is None  # an agent without a phone: the pop alone
    service.set_phone(session, agent, "sip:8001@127.0.0.1:5070", T0, actor="test")
    assert service.phone_for(session, t.id) == "sip:8001@127.0.0.1:5070"
    with pytest.raises(InvalidInput):
        service.set_phone(session, agent, "tel:+8613800000000", T0, actor="test")
    # The agent clicked "accept" while the phone rang, then the phone answered: one acceptance.
    service.accept(session, agent, t.id, T0 + timedelta(seconds=2))
    view = service.phone_answered(session, t.id, T0 + timedelta(seconds=3))
    assert view.status == TransferStatus.ACCEPTED
    assert view.handoff == "transferred"
    assert service.transfer_of_attempt(session, call.attempt_id) == view
    assert session.get(CallAttempt, call.attempt_id).agent_id == str(agent)  # type: ignore[union-attr]


@pytest.mark.parametrize(("rang_out", "state"), [(True, AgentState.BREAK), (False, AgentState.AVAILABLE)])
def test_a_hand_off_that_does_not_connect_goes_back_to_the_queue_as_a_callback(
    session: Session, rang_out: bool, state: AgentState
) -> None:
    agent = _login(session, "agent-rona")
    call = robot_call(session)
    t = service.request_transfer(session, attempt_id=call.attempt_id, reason="asked_for_person", at=T0)
    assert t.agent_id == agent
    at = T0 + timedelta(seconds=25)
    view = service.phone_unanswered(session, t.id, at, rang_out=rang_out)
    assert view.status == TransferStatus.QUEUED
    assert view.agent_id is None
    assert view.handoff == "transfer_failed"
    assert view.callback_at == at
    assert session.get(CallAttempt, call.attempt_id).callback_at == at  # type: ignore[union-attr]
    assert service.agent_view(session, agent).state == state
    assert service.phone_for(session, t.id) is None
    with pytest.raises(Conflict):
        service.phone_answered(session, t.id, at)  # a queued transfer was not answered by anyone
