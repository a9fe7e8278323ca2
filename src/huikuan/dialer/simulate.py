"""A virtual collection day: the production worker loop on a `VirtualClock` with the simulated
carrier (used by `huikuan sim day`, `huikuan demo`, tests and bench/dialer_day.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import monotonic
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from huikuan.clock import AsyncClock, VirtualClock
from huikuan.db import make_sessionmaker
from huikuan.dialer import campaigns as campaign_service
from huikuan.dialer.paced import PacedCarrier
from huikuan.dialer.worker import OnTransfer, Worker, WorkerConfig, WorkerStats
from huikuan.outcomes import service as outcomes_service
from huikuan.outcomes.settle import Settled, settle_promises
from huikuan.portfolio import service as portfolio_service
from huikuan.profiling import service as profiling
from huikuan.sim.payments import PromiseToSettle, payments_for
from huikuan.telephony import SimulatedCarrier, Subscriber, load_directory

log = logging.getLogger(__name__)


@dataclass
class DayResult:
    """What a simulated day did (the demo and bench/sim_day.py print it)."""

    campaign_id: int
    day: date
    robots: int
    attempts: int
    attempts_per_robot: list[int]
    connects: int
    right_party_contacts: int
    promises: int
    denials_by_rule: dict[str, int]


@dataclass(frozen=True)
class VirtualDay:
    campaign_id: int
    day: date
    lines: int
    seed: int = 7
    tz: str = "Asia/Shanghai"
    start: time | None = None  # None: the campaign's window (inside the rule pack's)
    end: time | None = None


def run_virtual_day(
    engine: Engine,
    spec: VirtualDay,
    *,
    progress: Callable[[int, datetime], None] | None = None,
    worker_id: str | None = None,
    on_transfer: OnTransfer | None = None,
    agent_available: Callable[[], bool] | None = None,
) -> WorkerStats:
    """Start the campaign (if still a draft) at the day's opening and run one worker until the
    window closes; every attempt is committed as in production. At the day's end every open
    account's profile is refreshed, as the nightly `huikuan profile refresh` does in production,
    so the next day's treatments read today's calls."""
    zone = ZoneInfo(spec.tz)
    with make_sessionmaker(engine)() as s:
        campaign = campaign_service.get_campaign(s, spec.campaign_id)
        start = campaign.window_start if spec.start is None else spec.start
        end = campaign.window_end if spec.end is None else spec.end
        opening = datetime.combine(spec.day, start, tzinfo=zone)
        closing = datetime.combine(spec.day, end, tzinfo=zone)
        campaign_service.check_scripts(s, campaign)
        if campaign.status == campaign_service.CampaignStatus.DRAFT:
            campaign_service.start_campaign(s, spec.campaign_id, now=opening)
        directory = load_directory(s)
        s.commit()
    clock = VirtualClock(opening)
    carrier = PacedCarrier(SimulatedCarrier(directory, clock, seed=spec.seed), clock)
    config = WorkerConfig(
        lines=spec.lines,
        campaign_id=spec.campaign_id,
        until=closing,
        idle_poll=timedelta(minutes=5),
        # One worker owns the virtual day: nobody else can reclaim its leases, so a long lease
        # only spares heartbeats.
        lease=timedelta(minutes=15),
    )
    if worker_id is not None:
        config.worker_id = worker_id
    worker = Worker(
        engine,
        carrier,
        clock,
        config,
        progress=progress,
        on_transfer=on_transfer,
        agent_available=agent_available,
    )
    stats = asyncio.run(worker.run())
    with make_sessionmaker(engine)() as s:
        campaign_service.finish_if_done(s, spec.campaign_id, clock.now())
        s.commit()
        profiling.refresh(s, max(clock.now(), closing))
        s.commit()
    return stats


def simulate_day(
    engine: Engine,
    spec: VirtualDay,
    *,
    progress: Callable[[int, datetime], None] | None = None,
    on_transfer: OnTransfer | None = None,
) -> DayResult:
    """`run_virtual_day`, summed up with the campaign's progress (`on_transfer`: queue the
    robots' hand-offs on the desk, for simulated agents to work after the day)."""
    stats = run_virtual_day(engine, spec, progress=progress, on_transfer=on_transfer)
    with make_sessionmaker(engine)() as s:
        p = campaign_service.progress(s, spec.campaign_id)
    return DayResult(
        campaign_id=spec.campaign_id,
        day=spec.day,
        robots=spec.lines,
        attempts=p.attempts,
        attempts_per_robot=stats.attempts_per_line,
        connects=p.connects,
        right_party_contacts=p.right_party_contacts,
        promises=p.promises,
        denials_by_rule=p.denials_by_rule,
    )


def simulate_payments(session: Session, through: date, *, seed: int, zone: str = "Asia/Shanghai") -> Settled:
    """Close the loop of a simulation: simulated debtors pay (or not, as their hidden persona
    says) the promises due before `through`, and the promises are settled as of that day."""
    due = outcomes_service.pending_promises_due_before(session, through)
    debtors = portfolio_service.debtor_ids_of(session, [p.account_id for p in due])
    to_settle = [
        PromiseToSettle(p.promise_id, p.account_id, debtors[p.account_id], p.amount, p.due_date, p.made_at)
        for p in due
    ]
    for pay in payments_for(session, to_settle, seed=seed, zone=zone):
        portfolio_service.record_payment(
            session, pay.account_id, pay.amount, pay.paid_at, source="sim", reference=pay.reference
        )
    return settle_promises(session, through, [p.account_id for p in due], zone)


class RefreshingDirectory(Mapping[str, Subscriber]):
    """The simulated subscribers, read again when a number not yet known is dialled (a portfolio
    generated after a long-running worker started), at most once per `every` seconds; without it
    such numbers would be dialled as nonexistent and marked invalid."""

    def __init__(self, engine: Engine, every: float = 30.0) -> None:
        self.engine = engine
        self.every = every
        self._read_at = 0.0
        self._numbers: dict[str, Subscriber] = {}
        self._reload()

    def _reload(self) -> None:
        with make_sessionmaker(self.engine)() as s:
            self._numbers = load_directory(s)
        self._read_at = monotonic()

    def __getitem__(self, number: str) -> Subscriber:
        if number not in self._numbers and monotonic() - self._read_at >= self.every:
            self._reload()
        return self._numbers[number]

    def __iter__(self) -> Iterator[str]:
        return iter(self._numbers)

    def __len__(self) -> int:
        return len(self._numbers)


class BackgroundWorker:
    """A production worker loop on the simulated carrier, in a thread of its own: what
    `huikuan serve --simulated-worker N` (and `huikuan demo`) run so a campaign started from the
    console is dialled, and what the console's browser test watches. With `campaign_id` and
    `exit_when_done` it ends once that campaign is done; `stop()` ends it at any time (calls in
    progress finish)."""

    def __init__(
        self,
        engine: Engine,
        lines: int,
        clock: AsyncClock,
        *,
        campaign_id: int | None = None,
        exit_when_done: bool = False,
        seed: int = 7,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.config = WorkerConfig(
            lines=lines,
            campaign_id=campaign_id,
            exit_when_done=exit_when_done,
            idle_poll=timedelta(seconds=5),
        )
        self.seed = seed
        self.stats: WorkerStats | None = None
        self.error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._worker: Worker | None = None
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="simulated-worker", daemon=True)

    def start(self) -> BackgroundWorker:
        self.thread.start()
        self._ready.wait()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        if self._loop is not None and self._worker is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop ended by itself meanwhile
                self._loop.call_soon_threadsafe(self._worker.stop)
        self.thread.join(timeout)

    def _run(self) -> None:
        try:
            self.stats = asyncio.run(self._main())
        except BaseException as exc:  # reported to whoever joins the thread, never lost silently
            self.error = exc
            log.exception("simulated worker failed")
        finally:
            self._ready.set()

    async def _main(self) -> WorkerStats:
        self._loop = asyncio.get_running_loop()
        try:
            directory = RefreshingDirectory(self.engine)
            carrier = PacedCarrier(SimulatedCarrier(directory, self.clock, seed=self.seed), self.clock)
            self._worker = Worker(self.engine, carrier, self.clock, self.config)
        finally:
            self._ready.set()
        return await self._worker.run()
