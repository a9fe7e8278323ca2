"""The champion/challenger comparison: per arm, and challenger − champion, with 95% intervals.

Unit: the account, from its assignment until the experiment stopped (or `until`).
- recovery: amount paid / amount owed at assignment, over the arm's accounts (each account's
  payments capped at what it owed), bootstrap interval (`intervals.ratio_interval`);
- PTP rate: accounts with at least one promise / accounts, Wilson;
- PTP kept rate: promises kept / promises settled (kept or broken), Wilson; promises of one
  account are counted as independent, which narrows this interval a little.
Cuts: everything; the bucket at assignment; the segment the account's last call was decided on
(else the one at assignment, else "unknown": a fresh portfolio has no segments on its first
day, profiling learns them from the calls); and the channel: `human` (a call reached a desk
agent), `robot` (called by robots only), `none` (not called: the holdout, or no number). The
bucket is fixed at assignment and compares like with like; the segment and the channel are
learned from or caused by the treatment, so their cuts describe more than they compare.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from huikuan.analytics import experiment_repository as repository
from huikuan.analytics.intervals import (
    Interval,
    newcombe_difference,
    ratio_difference,
    ratio_interval,
    wilson,
)
from huikuan.portfolio import service as portfolio_service
from huikuan.strategy import experiments
from huikuan.strategy.assignment import Arm, assignments
from huikuan.types import PromiseStatus

ARMS = (Arm.CHAMPION, Arm.CHALLENGER, Arm.HOLDOUT)


@dataclass(frozen=True, slots=True)
class AccountResult:
    account_id: int
    arm: Arm
    segment: str
    bucket: str
    channel: str  # human | robot | none
    owed: int
    paid: int
    promises: int
    kept: int
    settled: int  # kept or broken


@dataclass(frozen=True, slots=True)
class ArmFigures:
    accounts: int
    owed: int
    paid: int
    recovery: Interval | None
    with_ptp: int
    ptp_rate: Interval | None
    kept: int
    settled: int
    kept_rate: Interval | None


@dataclass(frozen=True, slots=True)
class Comparison:
    cut: str  # all | segment | bucket | channel
    value: str
    arms: dict[str, ArmFigures]
    recovery_difference: Interval | None  # challenger − champion
    ptp_difference: Interval | None
    kept_difference: Interval | None


@dataclass(frozen=True, slots=True)
class ExperimentReport:
    experiment: experiments.ExperimentInfo
    until: datetime
    rows: list[Comparison]


def figures(results: list[AccountResult]) -> ArmFigures:
    paid, owed = [r.paid for r in results], [r.owed for r in results]
    with_ptp = sum(1 for r in results if r.promises)
    kept, settled = sum(r.kept for r in results), sum(r.settled for r in results)
    return ArmFigures(
        accounts=len(results),
        owed=sum(owed),
        paid=sum(paid),
        recovery=ratio_interval(paid, owed),
        with_ptp=with_ptp,
        ptp_rate=wilson(with_ptp, len(results)),
        kept=kept,
        settled=settled,
        kept_rate=wilson(kept, settled),
    )


def compare(cut: str, value: str, results: list[AccountResult]) -> Comparison:
    """One row of the report: each arm's figures and challenger − champion."""
    by_arm = {arm: [r for r in results if r.arm == arm] for arm in ARMS}
    arms = {arm.value: figures(rows) for arm, rows in by_arm.items() if rows}
    a, b = by_arm[Arm.CHALLENGER], by_arm[Arm.CHAMPION]
    fa, fb = arms.get(Arm.CHALLENGER.value), arms.get(Arm.CHAMPION.value)
    if fa is None or fb is None:
        return Comparison(cut, value, arms, None, None, None)
    return Comparison(
        cut,
        value,
        arms,
        ratio_difference([r.paid for r in a], [r.owed for r in a], [r.paid for r in b], [r.owed for r in b]),
        newcombe_difference(fa.with_ptp, fa.accounts, fb.with_ptp, fb.accounts),
        newcombe_difference(fa.kept, fa.settled, fb.kept, fb.settled),
    )


def account_results(session: Session, experiment_id: int, until: datetime) -> list[AccountResult]:
    """Each assigned account's owed, paid, promises and channel from its assignment to `until`."""
    rows = assignments(session, experiment_id)
    payments = portfolio_service.payments_of(session, [r.account_id for r in rows])
    promises = repository.promises_since_assignment(session, experiment_id, until)
    calls = repository.calls_since_assignment(session, experiment_id, until)
    segments = repository.last_decided_segments(session, experiment_id, until)
    results = []
    for r in rows:
        paid = sum(amount for amount, at in payments.get(r.account_id, []) if r.assigned_at <= at < until)
        statuses = promises.get(r.account_id, [])
        kept = statuses.count(PromiseStatus.KEPT.value)
        called = r.account_id in calls
        results.append(
            AccountResult(
                account_id=r.account_id,
                arm=Arm(r.arm),
                segment=segments.get(r.account_id) or r.segment or "unknown",
                bucket=r.bucket,
                channel=("human" if calls[r.account_id] else "robot") if called else "none",
                owed=r.owed,
                paid=min(paid, r.owed),
                promises=len(statuses),
                kept=kept,
                settled=kept + statuses.count(PromiseStatus.BROKEN.value),
            )
        )
    return results


CUTS: dict[str, Callable[[AccountResult], str]] = {
    "segment": lambda r: r.segment,
    "bucket": lambda r: r.bucket,
    "channel": lambda r: r.channel,
}


def report(session: Session, experiment_id: int, *, now: datetime) -> ExperimentReport:
    """The comparison of an experiment's arms, overall and per segment, bucket and channel."""
    exp = experiments.get(session, experiment_id)
    until = exp.stopped_at or now
    results = account_results(session, experiment_id, until)
    rows = [compare("all", "all", results)]
    for cut, key in CUTS.items():
        groups: dict[str, list[AccountResult]] = defaultdict(list)
        for r in results:
            groups[key(r)].append(r)
        rows.extend(compare(cut, value, groups[value]) for value in sorted(groups))
    return ExperimentReport(exp, until, rows)
