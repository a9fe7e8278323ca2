"""Human–AI blending on a simulated day: 20 agents, predictive vs predictive + robot overflow vs
progressive dialing, in one run; prints one JSON line.

Each mode is its own campaign with its own agents on one SQLite database (or
`--database-url`), on its own VirtualClock from 09:00 Beijing time for `--hours`. The dialer is
simulated (answer rate drifting over the day, ring and handle times drawn from the field's
ranges); everything about people goes through the real desk service: agents log in
(`log_in`), every answered call that finds a free agent becomes a `request_transfer` that the
service assigns to the longest-idle agent, the agent's waiting thread receives the screen pop
through `wait_for_pop` (the same path the desk's long-poll endpoint uses), accepts, ends the
call and wraps up. Occupancy comes from the service's state log. The pop latency is wall time
from `request_transfer` to the pop in the agent thread's hands (the commit in between).
"""

from __future__ import annotations

import argparse
import heapq
import json
import math
import os
import queue
import random
import secrets
import statistics
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from huikuan.clock import VirtualClock
from huikuan.db import make_engine, session_scope
from huikuan.db.migrate import upgrade
from huikuan.desk import service
from huikuan.desk.models import Transfer
from huikuan.desk.occupancy import ZERO
from huikuan.desk.schemas import AgentState, PlanEntry, PromiseEntry, TransferReason, WrapCode
from huikuan.dialer.models import Campaign
from huikuan.dialer.pacing import (
    AbandonRecord,
    LiveRate,
    PacingInput,
    PacingMode,
    PacingPolicy,
    RingOutcomes,
    free_chance,
    lines_to_dial,
)
from huikuan.errors import InvalidInput
from huikuan.outcomes.models import CallAttempt, Turn
from huikuan.portfolio.models import Account, Batch, Contact, Creditor, Debtor
from huikuan.security import audit, crypto
from huikuan.security.users import Role, create_user

START = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
# A call answered with no agent free is abandoned only if no agent picks it up within 2 s of the
# greeting (47 CFR 64.1200(a)(7)(i)); the robot's greeting plays meanwhile.
HOLD = timedelta(seconds=2)
PASSWORD = "bench-agent-password"  # noqa: S105  # synthetic agents of a throw-away database
WRAP_CODES = [
    WrapCode.PROMISE_TO_PAY,
    WrapCode.REFUSED,
    WrapCode.CALLBACK,
    WrapCode.HARDSHIP_PLAN,
    WrapCode.PAID,
]


@dataclass(frozen=True)
class Mode:
    name: str
    pacing: PacingMode
    policy: PacingPolicy


MODES = (
    Mode("predictive", PacingMode.PREDICTIVE, PacingPolicy()),
    Mode("predictive_robot_overflow", PacingMode.PREDICTIVE, PacingPolicy(robot_overflow=True)),
    Mode("progressive", PacingMode.PROGRESSIVE, PacingPolicy()),
)


def true_answer_rate(elapsed: float) -> float:
    """The simulated population's answer rate, drifting over a working day (the dialer must
    follow it): lower mid-morning, higher towards the lunch break and the evening."""
    return 0.28 + 0.08 * math.sin(2 * math.pi * elapsed / (8 * 3600))


@dataclass
class AgentDesk:
    """One agent's waiting screen: a thread that waits for pops like the desk's long-poll."""

    agent_id: int
    engine: Engine
    delivered: queue.Queue[tuple[int, int, float]]
    stop: threading.Event
    accepted: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            pop = service.wait_for_pop(self.engine, self.agent_id, timeout=1.0)
            if pop is None:
                continue
            self.delivered.put((self.agent_id, pop.transfer_id, time.perf_counter()))
            self.accepted.wait()  # the main loop accepts it; then wait for the next one
            self.accepted.clear()


@dataclass
class ModeResult:
    transfers: int = 0
    answered: int = 0
    abandoned: int = 0
    overflow_to_robots: int = 0
    dials: int = 0
    pop_ms: list[float] = field(default_factory=list)


def seed_accounts(engine: Engine, n: int) -> list[tuple[int, int, int]]:
    """A small synthetic book: (account, debtor, contact) ids the transferred calls belong to."""
    rows = []
    with session_scope(engine) as s:
        creditor = Creditor(code="bench", name="Bench creditor")
        s.add(creditor)
        s.flush()
        batch = Batch(creditor_id=creditor.id, name="bench", created_at=START)
        s.add(batch)
        s.flush()
        for i in range(n):
            number = f"+86139{i:08d}"
            debtor = Debtor(
                name=f"债务人{i}",
                identity_key=crypto.cipher().blind_index(f"bench-{i}", "identity"),
                jurisdiction="CN",
                timezone="Asia/Shanghai",
            )
            s.add(debtor)
            s.flush()
            contact = Contact(
                debtor_id=debtor.id,
                number=number,
                number_key=crypto.cipher().blind_index(number, "phone"),
                relation="self",
            )
            account = Account(
                creditor_id=creditor.id,
                batch_id=batch.id,
                debtor_id=debtor.id,
                loan_ref=f"B{i}",
                principal=800_000,
                outstanding=600_000,
                overdue=200_000 + 1000 * i,
                due_date=date(2026, 1, 20),
                days_past_due=49,
                as_of=date(2026, 3, 10),
                bucket=("M1", "M2", "M5")[i % 3],
            )
            s.add_all([contact, account])
            s.flush()
            rows.append((account.id, debtor.id, contact.id))
    return rows


def robot_attempt(s: Session, book: tuple[int, int, int], campaign_id: int, at: datetime) -> int:
    """The robot's side of a call that goes to a person: the attempt and its transcript so far."""
    account_id, debtor_id, contact_id = book
    attempt = CallAttempt(
        campaign_id=campaign_id,
        account_id=account_id,
        debtor_id=debtor_id,
        contact_id=contact_id,
        status="completed",
        started_at=at - timedelta(seconds=40),
        outcome="answered",
        conversation=True,
        robot_id="R-blend",
    )
    s.add(attempt)
    s.flush()
    s.add_all(
        [
            Turn(attempt_id=attempt.id, seq=1, speaker="robot", text="您好，这里是回款提醒。", at=at),
            Turn(attempt_id=attempt.id, seq=2, speaker="debtor", text="我要找人工", intent="human", at=at),
        ]
    )
    return attempt.id


def run_mode(
    engine: Engine, mode: Mode, agents: int, hours: float, seed: int, book: list[tuple[int, int, int]]
) -> dict[str, object]:
    rng = random.Random(seed)
    clock = VirtualClock(START)
    end = START + timedelta(hours=hours)
    with session_scope(engine) as s:
        campaign = Campaign(name=f"blend-{mode.name}", jurisdiction="CN", robots=agents, created_at=START)
        s.add(campaign)
        s.flush()
        campaign_id = campaign.id
        usernames = [f"{mode.name}-{i:02d}" for i in range(agents)]
        for name in usernames:
            create_user(s, name, name, PASSWORD, Role.AGENT)
    state: dict[int, AgentState] = {}
    with session_scope(engine) as s:
        for name in usernames:
            view, _token = service.log_in(s, name, PASSWORD, clock.now(), campaign_id=campaign_id)
            state[view.agent_id] = AgentState.AVAILABLE

    delivered: queue.Queue[tuple[int, int, float]] = queue.Queue()
    stop = threading.Event()
    desks = {a: AgentDesk(a, engine, delivered, stop) for a in state}
    threads = [threading.Thread(target=d.run, daemon=True) for d in desks.values()]
    for t in threads:
        t.start()

    result = ModeResult()
    record = AbandonRecord()
    rings = RingOutcomes(prior=0.3)
    handle = LiveRate(180.0)
    events: list[tuple[datetime, int, str, int]] = []
    seq = 0
    ringing: dict[int, datetime] = {}  # line -> dialed at
    handles: deque[float] = deque(maxlen=200)  # talk + wrap-up of recent calls
    busy_since: dict[int, datetime] = {}  # agent -> took their current call at
    holding: dict[int, datetime] = {}  # answered calls waiting (at most HOLD) for an agent

    def schedule(at: datetime, kind: str, ref: int = 0) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (at, seq, kind, ref))

    def dial(now: datetime) -> None:
        result.dials += 1
        line = result.dials
        ringing[line] = now
        p = true_answer_rate((now - START).total_seconds())
        if rng.random() < p:
            schedule(now + timedelta(seconds=rng.uniform(6, 18)), "answer", line)
        elif rng.random() < 0.2:
            schedule(now + timedelta(seconds=rng.uniform(3, 8)), "fail", line)  # busy
        else:
            schedule(now + timedelta(seconds=rng.uniform(30, 45)), "fail", line)  # no answer

    def pace(now: datetime) -> None:
        if now >= end:
            return
        free = sum(1 for v in state.values() if v == AgentState.AVAILABLE)
        handles_seen = sorted(handles)
        # Count agents free before the early answers (a late-freed agent cannot take them).
        horizon = rings.answer_seconds(0.1, default=6.0) + HOLD.total_seconds()
        soon = sum(
            free_chance((now - since).total_seconds(), horizon, handles_seen) for since in busy_since.values()
        )
        inp = PacingInput(
            agents_free=free,
            agents_busy=len(state) - free,
            calls_in_flight=len(ringing) + len(holding),
            answer_rate=rings.answer_rate,
            mean_handle_seconds=handle.value,
            mean_answer_seconds=horizon,
            abandon_ratio=record.ratio(now.date()),
            agents_soon_free=soon,
        )
        for _ in range(lines_to_dial(mode.pacing, inp, mode.policy)):
            dial(now)

    def connect(now: datetime) -> None:
        """An answered call with a free agent: the real transfer path, timed to the pop."""
        attempt_book = book[result.transfers % len(book)]
        started = time.perf_counter()
        with session_scope(engine) as s:
            attempt_id = robot_attempt(s, attempt_book, campaign_id, now)
            transfer = service.request_transfer(
                s, attempt_id=attempt_id, reason=TransferReason.HUMAN_SEGMENT, at=now, campaign_id=campaign_id
            )
            transfer_id, agent_id = transfer.id, transfer.agent_id
        if agent_id is None:
            raise RuntimeError(f"transfer {transfer_id} found no agent although the dialer saw one free")
        got_agent, got_transfer, at_pop = delivered.get(timeout=30)
        if (got_agent, got_transfer) != (agent_id, transfer_id):
            raise RuntimeError(f"pop of transfer {got_transfer} reached agent {got_agent}, not {agent_id}")
        result.pop_ms.append((at_pop - started) * 1000)
        with session_scope(engine) as s:
            service.accept(s, agent_id, transfer_id, now)
        desks[agent_id].accepted.set()
        state[agent_id] = AgentState.ON_CALL
        result.transfers += 1
        record.record(now.date(), abandoned=False)
        talk = rng.lognormvariate(math.log(140), 0.45)
        wrap = rng.uniform(15, 45)
        handle.observe(talk + wrap)
        handles.append(talk + wrap)  # what the desk's state log shows once the wrap-up ends
        busy_since[agent_id] = now
        schedule(now + timedelta(seconds=talk), "hangup", transfer_id)
        schedule(now + timedelta(seconds=talk + wrap), "wrapped", transfer_id)

    pace(clock.now())
    while events:
        at, _seq, kind, ref = heapq.heappop(events)
        now = clock.advance_to(at)
        if kind == "fail":
            rings.observe((now - ringing.pop(ref)).total_seconds(), answered=False)
        elif kind == "answer":
            rings.observe((now - ringing.pop(ref)).total_seconds(), answered=True)
            result.answered += 1
            if any(v == AgentState.AVAILABLE for v in state.values()):
                connect(now)
            else:  # the debtor hears the greeting; an agent has HOLD to pick the call up
                holding[ref] = now
                schedule(now + HOLD, "hold_end", ref)
        elif kind == "hold_end":
            if holding.pop(ref, None) is not None:
                if mode.policy.robot_overflow:
                    result.overflow_to_robots += 1  # a robot takes the call instead of dropping it
                    record.record(now.date(), abandoned=False)
                else:
                    result.abandoned += 1
                    record.record(now.date(), abandoned=True)
        elif kind == "hangup":
            with session_scope(engine) as s:
                transfer = s.get_one(Transfer, ref)
                agent_id = transfer.agent_id or 0
                service.end_call(s, agent_id, ref, now)
            state[agent_id] = AgentState.WRAP_UP
        elif kind == "wrapped":
            with session_scope(engine) as s:
                transfer = s.get_one(Transfer, ref)
                agent_id = transfer.agent_id or 0
                code, callback = rng.choice(WRAP_CODES), None
                if code == WrapCode.CALLBACK:  # same time tomorrow, if the calling window allows
                    callback = now + timedelta(days=1)
                    if service.callback_problem(s, transfer.attempt_id, callback) is not None:
                        code, callback = WrapCode.PROMISE_TO_PAY, None
                # What the debtor agreed, as an agent would enter it (refused when out of bounds).
                soon = now.date() + timedelta(days=7)
                promise = PromiseEntry(amount=10_000, due_date=soon)
                plan = PlanEntry(terms=2, first_due=soon)
                try:
                    service.wrap_up(
                        s,
                        agent_id,
                        ref,
                        code,
                        now,
                        callback_at=callback,
                        promise=promise if code == WrapCode.PROMISE_TO_PAY else None,
                        plan=plan if code == WrapCode.HARDSHIP_PLAN else None,
                    )
                except InvalidInput:
                    service.wrap_up(s, agent_id, ref, WrapCode.REFUSED, now)
            state[agent_id] = AgentState.AVAILABLE
            del busy_since[agent_id]
            if holding:  # the oldest call on hold goes to the agent who just became free
                line = min(holding, key=holding.__getitem__)
                del holding[line]
                connect(now)
        pace(now)

    stop.set()
    for d in desks.values():
        d.accepted.set()
    for t in threads:
        t.join(timeout=10)
    with session_scope(engine) as s:
        occupancy = sum((service.agent_occupancy(s, a, START, end) for a in state), start=ZERO)
    pops = sorted(result.pop_ms)
    return {
        "occupancy": round(occupancy.ratio, 4),
        "abandon_rate": round(result.abandoned / result.answered, 4) if result.answered else 0.0,
        "transfers": result.transfers,
        "transfers_per_hour": round(result.transfers / hours, 1),
        "answered": result.answered,
        "abandoned": result.abandoned,
        "overflow_to_robots": result.overflow_to_robots,
        "dials": result.dials,
        "dials_per_transfer": round(result.dials / result.transfers, 2) if result.transfers else None,
        "pop_ms_p50": round(statistics.median(pops), 2) if pops else None,
        "pop_ms_p95": round(pops[int(0.95 * (len(pops) - 1))], 2) if pops else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--database-url", default=os.environ.get("HUIKUAN_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    crypto.configure(secrets.token_bytes(32))
    audit.configure(audit.throwaway_setup())  # a throwaway audit key, no checkpoints
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'blending.db'}"
        engine = make_engine(url)
        upgrade(engine)
        book = seed_accounts(engine, 200)
        started = time.perf_counter()
        modes = {m.name: run_mode(engine, m, args.agents, args.hours, args.seed, book) for m in MODES}
        wall = time.perf_counter() - started
        engine.dispose()
    all_pops = [v for m in modes.values() for v in (m["pop_ms_p50"], m["pop_ms_p95"]) if v is not None]
    print(
        json.dumps(
            {
                "bench": "blending",
                "agents": args.agents,
                "hours": args.hours,
                "database": url.split(":", 1)[0],
                "modes": modes,
                "pop_ms_p95_worst_mode": max(all_pops) if all_pops else None,
                "wall_seconds": round(wall, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
