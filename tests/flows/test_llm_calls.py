"""The LLM in real calls, against the local OpenAI-compatible stand-in server: the worker keeps
one transport for its lines, each call's engine gets a client on it, a step that waits on the LLM
runs off the event loop, a late LLM never stalls a call, and every exchange is stored with its
attempt."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.clock import VirtualClock
from huikuan.compliance.models import GuardEvent
from huikuan.dialer import campaigns
from huikuan.dialer.worker import Worker, WorkerConfig
from huikuan.dialogue import CallContext, DialogueEngine, Intent, load_script
from huikuan.dialogue.llm import LlmConfig, LlmTransport, Outcome
from huikuan.dialogue.models import LlmExchange
from huikuan.dialogue.nlu import Emotion, Entities, NluResult
from huikuan.flows import CallResult, Conversation, converse, place_call
from huikuan.outcomes.models import CallAttempt
from tests import factories
from tests.conftest import TestDatabase
from tests.dialogue.llm_server import LlmServer, Scripted
from tests.flows.fakes import ScriptedCall, ScriptedCarrier
from tests.flows.load import seed_debtors

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 10, 11, 0, tzinfo=NY)
OFFER = "We could do 36 monthly payments with nothing down."


def _place(session: Session, lines: list[str], transport: LlmTransport) -> tuple[CallResult, list[str]]:
    (work,) = seed_debtors(session, 1, "en-US")
    carrier = ScriptedCarrier(lines)
    result = asyncio.run(
        place_call(
            session,
            work,
            carrier,
            VirtualClock(NOW),
            "R01",
            script=load_script("reminder", "en-US"),
            llm=transport,
        )
    )
    session.commit()
    return result, carrier.calls[0].said


def test_an_llm_answer_outside_the_plan_bounds_is_never_said_and_every_exchange_is_stored(
    session: Session,
) -> None:
    with (
        LlmServer(default=Scripted(OFFER)) as server,
        LlmTransport(LlmConfig(server.base_url, "test-model", None, 5.0)) as transport,
    ):
        result, said = _place(
            session,
            ["yes this is me", "how can I pay", "what is this for exactly and why so much"],
            transport,
        )
    assert result.attempt_id is not None
    assert not any("36" in line for line in said), said
    rows = session.scalars(select(LlmExchange).where(LlmExchange.attempt_id == result.attempt_id)).all()
    assert rows, "the LLM was never asked"
    assert len(rows) == len(server.requests)
    assert any(r.purpose == "free_form" and r.outcome == Outcome.BLOCKED for r in rows)
    events = session.scalars(select(GuardEvent).where(GuardEvent.attempt_id == result.attempt_id)).all()
    assert any("offer_outside_bounds" in e.categories.split() for e in events)


def test_a_late_llm_never_stalls_the_call(session: Session) -> None:
    with (
        LlmServer(default=Scripted(OFFER, slow=True)) as server,
        LlmTransport(LlmConfig(server.base_url, "test-model", None, 0.3)) as transport,
    ):
        result, said = _place(
            session,
            ["yes this is me", "how can I pay", "what is this for exactly and why so much"],
            transport,
        )
    assert result.outcome == "answered"
    assert result.failed_at is None
    assert len(said) >= 3  # the script answered every turn
    rows = session.scalars(select(LlmExchange).where(LlmExchange.attempt_id == result.attempt_id)).all()
    assert rows
    assert all(r.outcome == Outcome.TIMEOUT for r in rows)
    assert all(r.latency_ms < 3_000 for r in rows)  # the deadline, not the server's hold


def test_the_event_loop_stays_free_while_a_step_waits_on_the_llm() -> None:
    """The LLM's answer is held until another task on the loop releases it: that task can only
    run, and the answer only arrive before the deadline, if the step is off the loop."""

    def unsure(text: str, lang: str, today: date) -> NluResult:
        return NluResult(Intent.OTHER, 0.1, Entities(), Emotion.NEUTRAL)

    with (
        LlmServer(default=Scripted('{"intent": "callback_later"}', slow=True)) as server,
        LlmTransport(LlmConfig(server.base_url, "test-model", None, 20.0)) as transport,
    ):
        llm = transport.client()
        ctx = CallContext(
            "王芳", "安心借", 350_000, date(2026, 2, 18), date(2026, 3, 10), now=NOW.astimezone(UTC)
        )
        engine = DialogueEngine(load_script("reminder", "zh-CN"), ctx, classify=unsure, responder=llm)

        async def both() -> None:
            async def release() -> None:
                server.release.set()

            await asyncio.gather(
                converse(ScriptedCall(["嗯哼"]), engine, Conversation(NOW), max_turns=2, off_loop=True),
                release(),
            )

        asyncio.run(both())
    assert [e.outcome for e in llm.exchanges][:1] == [Outcome.OK]
    assert llm.exchanges[0].latency_ms < 20_000


def test_a_worker_with_an_llm_keeps_one_transport_and_stores_exchanges_per_attempt(db: TestDatabase) -> None:
    with db.session() as s:
        batch = factories.portfolio(s, accounts=12, seed=5, as_of=date(2026, 3, 10))
        factories.approved_scripts(s)
        campaign_id = factories.campaign(s, batch, robots=2).id
        s.commit()
    opening = datetime.combine(date(2026, 3, 10), time(9), tzinfo=ZoneInfo("Asia/Shanghai"))
    clock = VirtualClock(opening)
    with db.session() as s:
        campaigns.start_campaign(s, campaign_id, now=opening)
        s.commit()
    # Every callee mumbles something the NLU is unsure of, so every call asks the LLM.
    carrier = ScriptedCarrier(["呃这个那个嘛"])
    config = WorkerConfig(lines=2, campaign_id=campaign_id, until=opening + timedelta(hours=1))
    with LlmServer() as server:  # answers every classification with "other": no label, the script goes on
        worker = Worker(db.engine, carrier, clock, config, llm=LlmConfig(server.base_url, "m", None, 5.0))
        stats = asyncio.run(worker.run())
    assert stats.attempts > 0
    assert stats.crashed_calls == 0
    with db.session() as s:
        rows = s.scalars(select(LlmExchange)).all()
        attempts = {a.id for a in s.scalars(select(CallAttempt))}
    assert len(rows) == len(server.requests)
    assert {r.attempt_id for r in rows} == attempts  # every call's engine had the LLM
    assert len(carrier.calls) == stats.attempts
    assert worker._llm is None  # closed when the worker stopped
