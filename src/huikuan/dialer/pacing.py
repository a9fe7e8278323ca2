"""Dial pacing for agent campaigns: how many lines to dial now.

Pure functions over what the dialer sees live (agents free and busy, calls already ringing,
answer rate, handle time) and the campaign's abandon record, so they are tested alone and a
virtual clock drives them in simulation.

- **Progressive**: one call per free agent (no call is ever answered without an agent).
- **Predictive**: dial more lines than free agents, because most calls are not answered, as
  many as keep the *expected* share of answered calls that find no agent under a target. The
  number answered out of N lines is Binomial(N, answer rate); the agents there to take them are
  the free ones plus the busy ones expected to finish within the time a call takes to answer
  (handle times taken as exponential). The target is the cap (3% of answered calls per campaign
  over a rolling 30 days, 47 CFR 64.1200(a)(7) and the US.ABANDON rule) times a safety factor,
  and it shrinks to zero, i.e. progressive, as the campaign's 30-day ratio nears the cap.
- **Robot overflow**: an answered call that finds no agent goes to a robot instead of being
  abandoned, so abandonment is zero; pacing then bounds the share of answered calls that overflow
  to robots instead (`overflow_target`).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

ABANDON_CAP = 0.03
ABANDON_PERIOD_DAYS = 30


class PacingMode(StrEnum):
    PROGRESSIVE = "progressive"
    PREDICTIVE = "predictive"


@dataclass(frozen=True, slots=True)
class PacingPolicy:
    abandon_cap: float = ABANDON_CAP
    safety: float = 0.8  # aim at this share of the cap while the 30-day ratio is low
    backoff_from: float = 0.8  # start backing off when the 30-day ratio reaches this share of the cap
    robot_overflow: bool = False
    overflow_target: float = 0.10  # with robot overflow: share of answered calls robots may take
    max_lines_per_agent: int = 6  # a hard ceiling whatever the estimates say

    def __post_init__(self) -> None:
        if not 0 < self.abandon_cap < 1 or not 0 < self.safety <= 1 or not 0 <= self.backoff_from < 1:
            raise ValueError("abandon_cap, safety and backoff_from must be fractions")
        if not 0 <= self.overflow_target < 1 or self.max_lines_per_agent < 1:
            raise ValueError("overflow_target must be a fraction and max_lines_per_agent at least 1")


@dataclass(frozen=True, slots=True)
class PacingInput:
    agents_free: int
    agents_busy: int  # on a call or in wrap-up
    calls_in_flight: int  # dialed, not yet answered nor failed
    answer_rate: float  # live share of dials answered
    mean_handle_seconds: float  # talk + wrap-up
    mean_answer_seconds: float  # from dial to answer, for answered calls
    abandon_ratio: float = 0.0  # the campaign's rolling 30-day ratio
    # Busy agents expected to be free by the time new calls answer (see `free_chance`); None:
    # estimated from the mean handle time as if handle times were exponential.
    agents_soon_free: float | None = None
    # Further abandoned calls the campaign's 30-day record can take within the cap; None: not
    # known (the pacer then relies on the ratio's back-off alone).
    abandon_headroom: int | None = None


def progressive_lines(inp: PacingInput) -> int:
    """One line per free agent, counting calls already ringing."""
    return max(0, inp.agents_free - inp.calls_in_flight)


def agents_expected(inp: PacingInput) -> float:
    """Free agents plus busy ones expected to be free by the time new calls answer."""
    if inp.agents_soon_free is not None:
        return inp.agents_free + min(inp.agents_soon_free, float(inp.agents_busy))
    if inp.mean_handle_seconds <= 0:
        return float(inp.agents_free + inp.agents_busy)
    soon = 1.0 - math.exp(-inp.mean_answer_seconds / inp.mean_handle_seconds)
    return inp.agents_free + inp.agents_busy * soon


def abandon_target(policy: PacingPolicy, abandon_ratio: float) -> float:
    """The share of answered calls new dials may expect to abandon, given the 30-day record."""
    cap = policy.abandon_cap
    start = cap * policy.backoff_from
    if abandon_ratio <= start:
        return cap * policy.safety
    if abandon_ratio >= cap:
        return 0.0
    return cap * policy.safety * (cap - abandon_ratio) / (cap - start)


def expected_excess_ratio(lines: int, answer_rate: float, agents: float) -> float:
    """E[max(0, X − agents)] / E[X] for X ~ Binomial(lines, answer_rate): the expected share of
    answered calls that find no agent."""
    if lines <= 0 or answer_rate <= 0:
        return 0.0
    p = min(answer_rate, 1.0)
    expected_answers = lines * p
    excess = 0.0
    for k, prob in _binomial_pmf(lines, p):
        if k > agents:
            excess += prob * (k - agents)
    return excess / expected_answers


def _binomial_pmf(n: int, p: float) -> Iterator[tuple[int, float]]:
    if p >= 1.0:
        yield n, 1.0
        return
    q = 1.0 - p
    # Logs avoid under- and overflow for a few hundred lines.
    log_p, log_q = math.log(p), math.log(q)
    for k in range(n + 1):
        log_c = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
        yield k, math.exp(log_c + k * log_p + (n - k) * log_q)


def predictive_lines(inp: PacingInput, policy: PacingPolicy = PacingPolicy()) -> int:
    """New lines to dial now so the expected share of answered calls finding no agent stays under
    the target (abandon target, or overflow target with robot overflow)."""
    if inp.agents_free + inp.agents_busy == 0:
        return 0
    target = policy.overflow_target if policy.robot_overflow else abandon_target(policy, inp.abandon_ratio)
    if target <= 0.0 or inp.answer_rate <= 0.0:
        return progressive_lines(inp)
    agents = agents_expected(inp)
    ceiling = policy.max_lines_per_agent * (inp.agents_free + inp.agents_busy)
    # Every call in flight counts at the plain answer rate, although one that has rung long is
    # unlikely to be answered: the pooled model below lets any agent free within the horizon take
    # any answer, which is optimistic about timing, and this over-count offsets it (measured by
    # bench/blending.py: discounting long-ringing calls by Bayes quadrupled the abandon rate).
    ringing = inp.calls_in_flight
    total = ringing
    while total < ceiling and expected_excess_ratio(total + 1, inp.answer_rate, agents) <= target:
        total += 1
    if not policy.robot_overflow and inp.abandon_headroom is not None:
        # A hard bound, whatever the estimates: if every call ringing were answered at once, the
        # ones beyond the free agents could all be abandoned, and the record must absorb them.
        # So a young campaign (few answered calls on record) dials progressively at first.
        total = min(total, max(ringing, inp.agents_free + inp.abandon_headroom))
    # Never fewer than progressive would dial: a free agent with no call ringing is pure waste.
    return max(total - ringing, progressive_lines(inp))


def free_chance(busy_seconds: float, horizon_seconds: float, recent_handles: Sequence[float]) -> float:
    """The chance that an agent busy for `busy_seconds` (on the call and its wrap-up) is free
    within `horizon_seconds`, from the sorted handle times of recent calls: P(T ≤ b + h | T > b)."""
    if not recent_handles:
        return 0.0
    n = len(recent_handles)
    still_busy = n - bisect_right(recent_handles, busy_seconds)
    if still_busy == 0:
        return 1.0  # longer than any recent call: about to end
    done_by_then = bisect_right(recent_handles, busy_seconds + horizon_seconds) - (n - still_busy)
    return done_by_then / still_busy


def lines_to_dial(mode: PacingMode, inp: PacingInput, policy: PacingPolicy = PacingPolicy()) -> int:
    """How many new lines the dialer should start now."""
    if mode == PacingMode.PROGRESSIVE:
        return progressive_lines(inp)
    return predictive_lines(inp, policy)


@dataclass
class AbandonRecord:
    """Answered and abandoned calls of one campaign per day, for the rolling 30-day ratio."""

    days: dict[date, tuple[int, int]] = field(default_factory=dict)  # day -> (answered, abandoned)
    period: timedelta = timedelta(days=ABANDON_PERIOD_DAYS)

    def record(self, day: date, *, abandoned: bool) -> None:
        answered, dropped = self.days.get(day, (0, 0))
        self.days[day] = (answered + 1, dropped + int(abandoned))

    def totals(self, today: date) -> tuple[int, int]:
        first = today - self.period + timedelta(days=1)
        inside = [v for d, v in self.days.items() if first <= d <= today]
        return sum(a for a, _ in inside), sum(b for _, b in inside)

    def ratio(self, today: date) -> float:
        """Abandoned over answered calls in the 30 days ending `today` (0 with no answers)."""
        answered, abandoned = self.totals(today)
        return abandoned / answered if answered else 0.0


@dataclass
class RingOutcomes:
    """The last `size` dials: whether each was answered and how long it rang first. Gives the
    live answer rate and how soon answered calls answer (the horizon for `free_chance`)."""

    prior: float = 0.3
    size: int = 300
    _order: deque[tuple[float, bool]] = field(default_factory=deque)
    _answered: list[float] = field(default_factory=list)  # sorted ring times of answered dials

    def observe(self, seconds: float, *, answered: bool) -> None:
        self._order.append((seconds, answered))
        if answered:
            insort(self._answered, seconds)
        if len(self._order) > self.size:
            old, was_answered = self._order.popleft()
            if was_answered:
                self._answered.pop(bisect_left(self._answered, old))

    @property
    def answer_rate(self) -> float:
        return len(self._answered) / len(self._order) if self._order else self.prior

    def answer_seconds(self, quantile: float, default: float) -> float:
        """How long answered calls rang, at this quantile (`default` before any was answered)."""
        if not self._answered:
            return default
        return self._answered[min(len(self._answered) - 1, int(quantile * len(self._answered)))]


@dataclass
class LiveRate:
    """An exponentially weighted live estimate (answer rate, handle time, time to answer)."""

    value: float
    weight: float = 0.05  # about the last 20 observations

    def observe(self, x: float) -> float:
        self.value += self.weight * (x - self.value)
        return self.value
