"""Whether a simulated debtor keeps a promise: the hidden persona decides, a seeded draw per
promise, so the same history always gives the same payments.

The odds are the simulation's assumptions, not findings: a forgetful debtor reminded mostly
pays; one in hardship often pays part; the unwilling and the disputing rarely pay. They exist so
a simulated month shows promises kept and broken and recovery differing by strategy; reports
on real data never read them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from huikuan.sim import repository
from huikuan.sim.personas import Persona

# (chance of paying at all, share of the promised amount paid when paying)
KEEPING: dict[Persona, tuple[float, float]] = {
    Persona.FORGETFUL: (0.85, 1.0),
    Persona.HARDSHIP: (0.60, 0.5),
    Persona.UNWILLING: (0.20, 1.0),
    Persona.DISPUTING: (0.10, 1.0),
    Persona.ABUSIVE: (0.15, 1.0),
    Persona.THIRD_PARTY_ANSWERS: (0.50, 1.0),
    Persona.UNREACHABLE: (0.40, 1.0),
}
FULL_SHARE_CHANCE = 0.5  # a debtor paying part sometimes pays all after all


@dataclass(frozen=True, slots=True)
class PromiseToSettle:
    promise_id: int
    account_id: int
    debtor_id: int
    amount: int
    due_date: date
    made_at: datetime


@dataclass(frozen=True, slots=True)
class SimPayment:
    account_id: int
    amount: int
    paid_at: datetime
    reference: str  # one per promise: paying twice is impossible


def payments_for(
    session: Session, promises: list[PromiseToSettle], *, seed: int, zone: str = "Asia/Shanghai"
) -> list[SimPayment]:
    """The payments simulated debtors make toward `promises` (debtors without a persona, the
    real ones, never pay here)."""
    personas = repository.personas_of(session, sorted({p.debtor_id for p in promises}))
    made: list[SimPayment] = []
    for promise in promises:
        found = personas.get(promise.debtor_id)
        if found is None:
            continue
        persona, debtor_seed = found
        rng = random.Random(f"{seed}:{debtor_seed}:{promise.promise_id}")
        chance, share = KEEPING.get(persona, (0.5, 1.0))
        if rng.random() >= chance:
            continue
        if share < 1.0 and rng.random() < FULL_SHARE_CHANCE:
            share = 1.0
        amount = max(1, round(promise.amount * share))
        made.append(
            SimPayment(
                promise.account_id, amount, _pay_day(rng, promise, zone), f"sim-promise-{promise.promise_id}"
            )
        )
    return made


def _pay_day(rng: random.Random, promise: PromiseToSettle, zone: str) -> datetime:
    """A moment between the promise and its due day (local business hours), rarely a day late."""
    tz = ZoneInfo(zone)
    first = promise.made_at.astimezone(tz).date()
    last = max(first, promise.due_date + timedelta(days=1 if rng.random() < 0.1 else 0))
    day = first + timedelta(days=rng.randint(0, (last - first).days))
    local = datetime.combine(day, time(rng.randint(9, 20), rng.randint(0, 59)), tzinfo=tz)
    return max(local.astimezone(UTC), promise.made_at + timedelta(minutes=5))
