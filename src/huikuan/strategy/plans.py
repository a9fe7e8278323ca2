"""Installment plans inside the policy bounds the strategy gives the robot.

Hand-written because it is a few lines of integer arithmetic with rules of our own (the first
payment takes the remainder; never more terms or a larger waiver than allowed); a loan-schedule
library would bring interest models the robot must not improvise.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from huikuan.types import Fen


@dataclass(frozen=True, slots=True)
class PlanBounds:
    """What the robot may offer: at most `max_terms` payments, at most `max_waiver_pct` percent of
    the outstanding amount waived, and a first payment of at least `min_first_payment` fen."""

    max_terms: int = 6
    max_waiver_pct: int = 0
    min_first_payment: Fen = 10_000

    def __post_init__(self) -> None:
        if self.max_terms < 1:
            raise ValueError("max_terms must be at least 1")
        if not 0 <= self.max_waiver_pct <= 100:
            raise ValueError("max_waiver_pct must be within 0..100")
        if self.min_first_payment < 0:
            raise ValueError("min_first_payment must not be negative")


@dataclass(frozen=True, slots=True)
class Plan:
    """Equal monthly payments; the first takes the remainder so the sum is exact."""

    outstanding: Fen
    waiver: Fen
    payments: tuple[Fen, ...]

    @property
    def terms(self) -> int:
        return len(self.payments)

    @property
    def first_payment(self) -> Fen:
        return self.payments[0]

    @property
    def installment(self) -> Fen:
        """The regular payment after the first."""
        return self.payments[-1]

    @property
    def total(self) -> Fen:
        return sum(self.payments)

    def within(self, bounds: PlanBounds) -> bool:
        """True when the plan respects every bound (used by tests and by the engine as a check)."""
        return (
            2 <= self.terms <= bounds.max_terms
            and self.waiver * 100 <= self.outstanding * bounds.max_waiver_pct
            and self.first_payment >= bounds.min_first_payment
            and self.total + self.waiver == self.outstanding
        )


def propose_plan(
    outstanding_fen: Fen, bounds: PlanBounds, terms_wanted: int, *, waiver_pct: int = 0
) -> Plan | None:
    """The plan closest to `terms_wanted` payments inside `bounds`, or None when none fits.

    More terms than allowed get the maximum allowed, never more; the terms shrink until the first
    payment reaches the minimum; a plan has at least two payments (one is paying in full).
    """
    if outstanding_fen <= 0:
        return None
    pct = max(0, min(waiver_pct, bounds.max_waiver_pct))
    waiver = outstanding_fen * pct // 100
    payable = outstanding_fen - waiver
    for terms in range(min(max(terms_wanted, 2), bounds.max_terms), 1, -1):
        regular, remainder = divmod(payable, terms)
        first = regular + remainder
        if regular > 0 and first >= bounds.min_first_payment:
            return Plan(outstanding_fen, waiver, (first,) + (regular,) * (terms - 1))
    return None


def schedule(first_due: date, first_payment: Fen, installment: Fen, terms: int) -> list[tuple[date, Fen]]:
    """(due day, amount) of each payment: the first on `first_due`, then one a month on the same
    day of the month (the month's last day when it is shorter: 31 Jan → 28 Feb → 31 Mar)."""
    return [(_months_later(first_due, n), first_payment if n == 0 else installment) for n in range(terms)]


def _months_later(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
