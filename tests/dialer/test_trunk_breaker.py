"""The worker's circuit breaker: a dead trunk pauses the lines until an OPTIONS probe is answered."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from huikuan.clock import VirtualClock
from huikuan.compliance.models import LedgerEntry
from huikuan.dialer import campaigns
from huikuan.dialer.paced import PacedCarrier
from huikuan.dialer.worker import Worker, WorkerConfig
from huikuan.outcomes.models import CallAttempt
from huikuan.telephony import SimulatedCarrier, load_directory
from huikuan.telephony.carrier import Call, DialResult
from huikuan.telephony.health import TrunkHealth
from huikuan.types import CallOutcome
from tests.conftest import TestDatabase
from tests.dialer.test_worker import DAY, SH, _setup

THRESHOLD, PROBES_TO_HEAL = 3, 3


class _TrunkFailedCall:
    result = DialResult(CallOutcome.TRUNK_FAILED, 0.0, 503, None, "sip:127.0.0.1:9", "trunk:transport")
    talk_seconds = 0.0
    remote_hung_up = False

    async def say(self, text: str) -> None:
        raise RuntimeError("no call")

    async def hear(self) -> str | None:
        raise RuntimeError("no call")

    async def hangup(self) -> None:
        return None


class _DeadTrunk:
    """A trunk that is down until the third probe; then the simulated network answers."""

    def __init__(self, inner: PacedCarrier) -> None:
        self.inner = inner
        self.dead = True
        self.dials_while_dead = 0
        self.probes = 0

    async def dial(self, number: str, caller_id: str, ring_timeout: float = 45.0) -> Call:
        if self.dead:
            self.dials_while_dead += 1
            return _TrunkFailedCall()
        return await self.inner.dial(number, caller_id, ring_timeout)

    async def probe(self) -> bool:
        await asyncio.sleep(0.05)  # a probe's round trip: lines that did not pause would dial meanwhile
        self.probes += 1
        self.dead = self.probes < PROBES_TO_HEAL
        return not self.dead


def test_a_dead_trunk_pauses_dialing_until_a_probe_answers(
    db: TestDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    campaign_id = _setup(db, accounts=10, seed=5, robots=1)
    opening = datetime.combine(DAY, time(8), tzinfo=SH)
    clock = VirtualClock(opening)
    with db.session() as s:
        campaigns.start_campaign(s, campaign_id, now=opening)
        directory = load_directory(s)
        s.commit()
    trunk = _DeadTrunk(PacedCarrier(SimulatedCarrier(directory, clock, seed=5), clock))
    health = TrunkHealth(threshold=THRESHOLD, first_probe=0.0, max_probe=0.0)  # probe at once
    config = WorkerConfig(lines=1, campaign_id=campaign_id, until=opening + timedelta(hours=2))
    worker = Worker(db.engine, trunk, clock, config, trunk_health=health, probe=trunk.probe)
    with caplog.at_level(logging.WARNING, logger="huikuan.dialer.worker"):
        stats = asyncio.run(worker.run())
    with db.session() as s:
        outcomes = Counter(s.scalars(select(CallAttempt.outcome)))
        ledger = Counter(s.scalars(select(LedgerEntry.outcome)))
    assert trunk.dials_while_dead == THRESHOLD  # no dial while the trunk was down
    assert trunk.probes == PROBES_TO_HEAL
    assert outcomes[CallOutcome.TRUNK_FAILED.value] == THRESHOLD
    assert ledger[CallOutcome.TRUNK_FAILED.value] == THRESHOLD
    assert stats.attempts > THRESHOLD  # dialing resumed once the probe was answered
    down = [r for r in caplog.records if "trunk down" in r.getMessage()]
    assert len(down) == 1  # one WARNING with the reason, not one per call
    assert "trunk:transport" in down[0].getMessage()
    assert sum("dialing resumes" in r.getMessage() for r in caplog.records) == 1
    assert health.up
