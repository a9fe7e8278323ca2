"""N robot calls conversing at once on real SIP/RTP, with speech recognition on: how the event
loop that carries their audio holds up. Shared by the CI test and `bench/call_runtime.py`.

SIPp answers every call and echoes its RTP, so the robot hears speech at every turn (its own,
cut by barge-in) and runs VAD, ASR (in the speech pool), NLU and TTS for real; the far end hangs
up after `hold_ms`. While the calls talk, a probe measures the loop's lag (how late a 10 ms
timer fires) and each call's RTP sender records its send intervals. Every call goes through
`flows.place_call` with database work on `ThreadDb`, as in the worker.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from huikuan.clock import VirtualClock
from huikuan.db import make_sessionmaker
from huikuan.dialogue import load_script
from huikuan.dialogue.nlu import warm_up
from huikuan.flows import CallResult, CallWork, DbRunner, ThreadDb, place_call
from huikuan.outcomes.models import Turn
from huikuan.telephony.sip import SipCall, SipCarrier, Trunk
from huikuan.types import CallOutcome
from huikuan.voice.attach import warm_up_voice
from tests import factories
from tests.telephony.sip.sipp import Sipp

SCENARIO = str(Path(__file__).parent.parent / "telephony" / "sip" / "scenarios" / "uas_echo_hangup.xml")
DAY = date(2026, 3, 10)
ZONES = {"en-US": "America/New_York", "zh-CN": "Asia/Shanghai"}
PROBE_S = 0.01


@dataclass(frozen=True, slots=True)
class LoadFigures:
    calls: int
    answered: int
    completed: int
    debtor_turns: int
    loop_lag_ms_p50: float
    loop_lag_ms_p99: float
    loop_lag_ms_max: float
    rtp_jitter_ms_p99: float  # |send interval − 20 ms|
    rtp_interval_ms_p99: float
    rtp_packets: int

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (linear interpolation, as the other benches take it); 0 when empty."""
    return float(np.percentile(values, q)) if values else 0.0


class _KeepCalls(SipCarrier):
    """The SIP carrier, keeping every call it placed so their RTP stats can be read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.placed: list[SipCall] = []

    async def dial(self, number: str, caller_id: str, ring_timeout: float = 45.0) -> SipCall:
        call = await super().dial(number, caller_id, ring_timeout)
        self.placed.append(call)
        return call


def seed_debtors(session: Session, n: int, lang: str) -> list[CallWork]:
    """`n` debtors with one own number each, callable now (AI-voice consent for US ones)."""
    batch = factories.creditor_and_batch(session)
    work = []
    for i in range(n):
        d = factories.debtor(session, tz=ZONES[lang], name="Jane Roe" if lang == "en-US" else "王芳")
        if lang == "en-US":
            d.jurisdiction, d.ai_voice_consent, d.dialect = "US", True, "en"
        account = factories.account(session, d, batch, as_of=DAY)
        contact = factories.contact(session, d)
        work.append(
            CallWork(
                account_id=account.id,
                contact=contact,
                number=f"{1000 + i}",  # SIPp answers any number
                debtor_name=d.name,
                platform="EasyLoan" if lang == "en-US" else "安心借",
                amount_fen=account.overdue,
                due_date=account.due_date,
                today=DAY,
                timezone=ZONES[lang],
                dialect=d.dialect,
            )
        )
    session.commit()
    return work


async def _probe(stop: asyncio.Event, lags: list[float]) -> None:
    """How late a short timer fires: the time the loop was busy elsewhere (measurement only)."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        t0 = loop.time()
        await asyncio.sleep(PROBE_S)
        lags.append(loop.time() - t0 - PROBE_S)


async def run_calls(
    engine: Engine, work: list[CallWork], lang: str, hold_ms: int, db: DbRunner | None = None
) -> tuple[LoadFigures, list[CallResult]]:
    """Place every call at once against SIPp and measure while they converse."""
    far = Sipp(SCENARIO, calls=len(work), keys={"hangup_ms": str(hold_ms)}, echo=True, timeout=120)
    carrier = _KeepCalls([Trunk.parse(far.trunk)])
    runner = db or ThreadDb()
    sessions = make_sessionmaker(engine)
    script = load_script("reminder", lang)
    clock = VirtualClock(datetime(2026, 3, 10, 11, tzinfo=ZoneInfo(ZONES[lang])))
    lags: list[float] = []
    stop = asyncio.Event()

    async def one(w: CallWork) -> CallResult:
        with sessions() as s:
            result = await place_call(s, w, carrier, clock, "R01", script=script, ring_timeout=10, db=runner)
            return result

    warm_up(lang)  # as a worker does at start: no model loads inside a live call
    warm_up_voice(langs=(lang,))
    try:
        await carrier.start()
        probe = asyncio.create_task(_probe(stop, lags))
        results = list(await asyncio.gather(*(one(w) for w in work)))
        stop.set()
        await probe
    finally:
        await carrier.close()
        far.finish(30)
        far.kill()
        if db is None and isinstance(runner, ThreadDb):
            runner.close()
    intervals = [iv for call in carrier.placed for iv in call.rtp.stats.intervals]
    with sessions() as s:
        ids = [r.attempt_id for r in results if r.attempt_id is not None]
        debtor_turns = s.scalar(
            select(func.count()).select_from(Turn).where(Turn.attempt_id.in_(ids), Turn.speaker == "debtor")
        )
    jitter = [abs(iv - 0.02) for iv in intervals]
    figures = LoadFigures(
        calls=len(work),
        answered=sum(r.outcome == CallOutcome.ANSWERED for r in results),
        completed=sum(r.failed_at is None for r in results),
        debtor_turns=int(debtor_turns or 0),
        loop_lag_ms_p50=round(pct(lags, 50) * 1000, 2),
        loop_lag_ms_p99=round(pct(lags, 99) * 1000, 2),
        loop_lag_ms_max=round(max(lags, default=0.0) * 1000, 2),
        rtp_jitter_ms_p99=round(pct(jitter, 99) * 1000, 2),
        rtp_interval_ms_p99=round(pct(intervals, 99) * 1000, 2),
        rtp_packets=len(intervals),
    )
    return figures, results
