"""A first in-process day runner: robots as lines on one virtual clock, a discrete-event loop.

Events are processed in the order robots become free, so the shared `VirtualClock` only moves
forward; a call's duration is what the carrier reports in virtual seconds.
"""

from __future__ import annotations

import asyncio
import heapq
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from huikuan.clock import VirtualClock
from huikuan.db import make_sessionmaker
from huikuan.dialer.models import Campaign
from huikuan.dialer.queue import LineState, WorkItem, WorkQueue, load_work
from huikuan.dialogue.versions import running_script
from huikuan.errors import NotFound
from huikuan.flows import CallResult, CallWork, place_call
from huikuan.strategy import SCRIPT_FOR, THIRD_PARTY_SCRIPT, PlanBounds, Treatment, script_for, treatment_for
from huikuan.telephony.carrier import Carrier
from huikuan.types import CallOutcome, Disposition, Relation

DAY_START = time(8)
DAY_END = time(22)
WRAP_UP = timedelta(seconds=5)  # line reset between calls: BYE, media release, next INVITE
FINAL_DISPOSITIONS = frozenset(
    {
        Disposition.PTP,
        Disposition.PAID,
        Disposition.DISPUTE,
        Disposition.HARDSHIP,
        Disposition.INSTALLMENT,
        Disposition.REFUSED,
        Disposition.TRANSFERRED,
        Disposition.CEASE_REQUESTED,
        Disposition.COMPLAINT,
        Disposition.ABUSIVE_HANGUP,
    }
)
PER_CONTACT_DENIALS = frozenset({"CN.DIALS_PER_NUMBER", "CN.EMPLOYER", "CN.THIRD_PARTY"})
DEBTOR_DENIALS = frozenset({"CN.STOP", "CN.CONV_PER_DAY"})


@dataclass
class DayResult:
    campaign_id: int
    day: date
    robots: int
    attempts: int = 0
    attempts_per_robot: list[int] = field(default_factory=list)
    connects: int = 0
    right_party_contacts: int = 0
    promises: int = 0
    denials_by_rule: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    dispositions: dict[str, int] = field(default_factory=dict)
    busy_seconds_per_robot: list[float] = field(default_factory=list)


Progress = Callable[[int, datetime], None]  # (attempts so far, virtual now)


# The robot's installment offers in the simulated day: the strategy's default bounds.
PLAN_BOUNDS = PlanBounds()


def _scripts_needed() -> list[str]:
    return sorted({*SCRIPT_FOR.values(), THIRD_PARTY_SCRIPT})


def run_day(
    engine: Engine,
    *,
    campaign_id: int,
    day: date,
    robots: int,
    carrier: Carrier | Callable[[VirtualClock], Carrier],
    seed: int = 7,
    progress: Progress | None = None,
    tz: str = "Asia/Shanghai",
) -> DayResult:
    """Run one 08:00–22:00 collection day of `campaign_id` on a virtual clock; commit per attempt.

    `carrier` may be a factory taking the day's clock (the simulated carrier needs it to know
    the hour of each call).
    """
    return asyncio.run(_run_day(engine, campaign_id, day, robots, carrier, seed, progress, tz))


async def _run_day(
    engine: Engine,
    campaign_id: int,
    day: date,
    robots: int,
    carrier_or_factory: Carrier | Callable[[VirtualClock], Carrier],
    seed: int,
    progress: Progress | None,
    tz: str,
) -> DayResult:
    zone = ZoneInfo(tz)
    start = datetime.combine(day, DAY_START, tzinfo=zone)
    end = datetime.combine(day, DAY_END, tzinfo=zone)
    clock = VirtualClock(start)
    carrier: Carrier = carrier_or_factory(clock) if callable(carrier_or_factory) else carrier_or_factory
    rng = random.Random(seed)  # noqa: S311 - retry jitter in a simulation
    result = DayResult(campaign_id=campaign_id, day=day, robots=robots)
    per_robot = [0] * robots
    busy = [0.0] * robots
    denials: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    dispositions: Counter[str] = Counter()
    with make_sessionmaker(engine)() as session:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(f"campaign {campaign_id} not found")
        # Only approved versions run; the strategy's treatment picks the script per account
        # (segments come with profiling, a later issue), and a third party hears only its own.
        scripts = {name: running_script(session, name, "zh-CN") for name in _scripts_needed()}
        campaign.script_version_id = scripts[SCRIPT_FOR[Treatment.FRIENDLY_REMINDER]].version_id
        campaign.status, campaign.started_at = "running", start
        queue = WorkQueue()
        for item in load_work(session, campaign.batch_id):
            queue.push(start, item)
        session.commit()
        free: list[tuple[datetime, int]] = [(start, r) for r in range(robots)]
        heapq.heapify(free)
        while free:
            free_at, r = heapq.heappop(free)
            due = queue.peek_due()
            if due is None or free_at >= end:
                continue
            top = queue.peek()
            earliest = top.earliest if top is not None and top.earliest is not None else due
            if due > free_at and earliest > free_at:
                # idle until the next item is due, or may be pulled forward to keep the line busy
                heapq.heappush(free, (min(due, earliest), r))
                continue
            _, item = queue.pop()
            line = item.pick()
            if line is None:
                item.done = True  # no number left to try today
                heapq.heappush(free, (free_at, r))
                continue
            clock.advance_to(free_at)
            local_today = free_at.astimezone(ZoneInfo(item.timezone)).date()
            work = CallWork(
                account_id=item.account_id,
                contact=line.contact,
                number=line.number,
                debtor_name=item.debtor_name,
                platform=item.platform,
                amount_fen=item.amount_fen,
                due_date=item.due_date,
                today=local_today,
                campaign_id=campaign_id,
                timezone=item.timezone,
                plan_bounds=PLAN_BOUNDS,
            )
            third_party = line.contact.relation != Relation.SELF
            running = scripts[script_for(treatment_for(item.bucket), third_party=third_party)]
            call = await place_call(
                session,
                work,
                carrier,
                clock,
                f"R{r + 1:02d}",
                script=running.script,
                script_version_id=running.version_id,
            )
            session.commit()
            if not call.decision.allowed:
                denials[call.decision.rule or "?"] += 1
                nxt = _after_denial(item, line, call, free_at)
                heapq.heappush(free, (free_at, r))
            else:
                per_robot[r] += 1
                result.attempts += 1
                busy[r] += call.seconds
                outcomes[str(call.outcome)] += 1
                dispositions[call.disposition.value] += 1
                result.connects += int(call.outcome == CallOutcome.ANSWERED)
                result.right_party_contacts += int(call.right_party)
                result.promises += int(call.disposition == Disposition.PTP)
                ended = free_at + timedelta(seconds=call.seconds)
                nxt = _after_attempt(item, line, call, ended, rng)
                heapq.heappush(free, (ended + WRAP_UP, r))
                if progress is not None:
                    progress(result.attempts, ended)
            if nxt is not None and nxt < end and not item.done:
                queue.push(nxt, item)
        campaign.status, campaign.finished_at = "done", end
        session.commit()
    result.attempts_per_robot = per_robot
    result.busy_seconds_per_robot = [round(b) for b in busy]
    result.denials_by_rule = dict(denials)
    result.outcomes = dict(outcomes)
    result.dispositions = dict(dispositions)
    return result


def _after_denial(item: WorkItem, line: LineState, call: CallResult, now: datetime) -> datetime | None:
    rule = call.decision.rule or ""
    if rule in DEBTOR_DENIALS:
        item.done = True
        return None
    if rule in PER_CONTACT_DENIALS:
        if line.relation == Relation.SELF or rule != "CN.THIRD_PARTY":
            line.blocked = True
        else:
            item.third_party_tried.add(line.contact.id)  # may be allowed after more failures
        return now
    return call.decision.next_allowed_at


def _after_attempt(
    item: WorkItem, line: LineState, call: CallResult, ended: datetime, rng: random.Random
) -> datetime | None:
    """Retry rules v1 per outcome."""
    item.attempts += 1
    line.dials_today += 1
    item.earliest = None
    own = line.relation == Relation.SELF
    outcome = call.outcome
    if outcome == CallOutcome.ANSWERED:
        if own:
            item.self_failures_in_row = 0
        if not own:
            item.third_party_tried.add(line.contact.id)
            return ended + timedelta(hours=2)
        if call.disposition in FINAL_DISPOSITIONS:
            item.done = True
            return None
        if call.disposition == Disposition.WRONG_NUMBER:
            line.blocked = True
            return ended + timedelta(minutes=1)
        if call.disposition in (Disposition.THIRD_PARTY, Disposition.CALLBACK):
            return ended + timedelta(hours=2)
        return ended + timedelta(hours=1)
    if own:
        item.self_failures_in_row += 1
    else:
        item.third_party_tried.add(line.contact.id)
    if outcome == CallOutcome.INVALID_NUMBER:
        line.blocked = True
        return ended + timedelta(seconds=5)
    if outcome == CallOutcome.BUSY:
        return ended + timedelta(minutes=10)
    if outcome == CallOutcome.POWERED_OFF:
        others = [
            ln for ln in item.lines if ln is not line and not ln.blocked and ln.relation == Relation.SELF
        ]
        return ended + (timedelta(minutes=1) if others else timedelta(minutes=rng.uniform(90, 150)))
    if outcome == CallOutcome.REJECTED:
        return ended + timedelta(minutes=rng.uniform(45, 90))
    # No answer, failed: again in 1-2 h; an idle robot may pull it forward, but never sooner
    # than an hour after the last ring, so an unanswered debtor is not dialled every few minutes.
    item.earliest = ended + timedelta(minutes=60)
    return ended + timedelta(minutes=rng.uniform(60, 120))
