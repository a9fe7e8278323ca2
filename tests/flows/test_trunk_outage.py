"""A trunk outage through `flows.place_call`: the attempt is kept, the debtor's caps are not used.

The trunk is a closed UDP port on loopback, so the INVITE comes back as ICMP port-unreachable;
the attempt is recorded as failed with outcome `trunk_failed` and cause `trunk:transport`, and
the ledger entry is not counted: the number still has its full day of dials (CN: 6).
"""

from __future__ import annotations

import asyncio
import socket
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from huikuan import compliance
from huikuan.clock import VirtualClock
from huikuan.compliance.models import LedgerEntry
from huikuan.flows import CallResult, CallStage, CallWork, place_call
from huikuan.outcomes.models import CallAttempt
from huikuan.telephony.sip import SipCarrier, Trunk
from huikuan.types import AttemptStatus, CallOutcome
from tests import factories

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)
DIALS_PER_NUMBER = 6  # CN.DIALS_PER_NUMBER


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_trunk_outage_is_recorded_and_leaves_the_debtors_dials_untouched(session: Session) -> None:
    batch = factories.creditor_and_batch(session)
    debtor = factories.debtor(session)
    account = factories.account(session, debtor, batch, as_of=DAY)
    contact = factories.contact(session, debtor)
    session.commit()
    work = CallWork(
        account_id=account.id,
        contact=contact,
        number="13800000000",
        debtor_name="张三",
        platform="EasyLoan",
        amount_fen=account.overdue,
        due_date=account.due_date,
        today=DAY,
    )
    clock = VirtualClock(datetime(2026, 3, 10, 10, tzinfo=SH))

    async def outage(calls: int) -> list[CallResult]:
        carrier = SipCarrier([Trunk.parse(f"sip:127.0.0.1:{closed_port()}")])
        try:
            return [
                await place_call(session, work, carrier, clock, "R01", ring_timeout=30) for _ in range(calls)
            ]
        finally:
            await carrier.close()

    results = asyncio.run(outage(DIALS_PER_NUMBER + 2))  # more than a day's dials
    for result in results:
        assert result.decision.allowed
        assert result.outcome == CallOutcome.TRUNK_FAILED
        assert result.failed_at == CallStage.TRUNK
        attempt = session.get(CallAttempt, result.attempt_id)
        assert attempt is not None
        assert attempt.status == AttemptStatus.FAILED
        assert attempt.outcome == CallOutcome.TRUNK_FAILED
        assert attempt.failure_cause == "trunk:transport"  # ICMP unreachable, not a timer
        entry = session.get(LedgerEntry, result.decision.ledger_entry_id)
        assert entry is not None
        assert entry.outcome == CallOutcome.TRUNK_FAILED

    # The trunk is back: the number still has every dial of the day.
    at = clock.now() + timedelta(minutes=5)
    allowed = []
    for k in range(DIALS_PER_NUMBER + 1):
        decision = compliance.reserve(session, contact, at + timedelta(minutes=k))
        if decision.allowed:
            assert decision.ledger_entry_id is not None
            compliance.record_outcome(session, decision.ledger_entry_id, CallOutcome.NO_ANSWER, False)
        allowed.append(decision.allowed)
        session.commit()
    assert allowed == [True] * DIALS_PER_NUMBER + [False]
