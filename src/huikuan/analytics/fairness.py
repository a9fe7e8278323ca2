"""The fairness view (公平性): treatments and outcomes by region, dialect and age band, flagging a
group whose rate differs from everyone else's. A group is flagged when all three hold:

- it and the rest each have at least `MIN_GROUP` in the rate's denominator;
- its rate differs from the overall rate by at least `THRESHOLD` (absolute, 10 points);
- a two-proportion z-test of the group against the rest gives p < `ALPHA` (0.01, two-sided).

A flag is a question for a person (is the data misjudging these debtors?), not a verdict."""

from __future__ import annotations

import math

from pydantic import BaseModel

from huikuan.analytics.kpis import FAIRNESS_KEYS, Facts, Tally, tallies

MIN_GROUP = 30
THRESHOLD = 0.10
ALPHA = 0.01

# (key, 中文, English, numerator field, denominator field) of each measure.
MEASURES: tuple[tuple[str, str, str, str, str], ...] = (
    ("connect_rate", "接通率", "Connect rate", "answered", "attempts"),
    ("ptp_rate", "承诺还款率", "PTP rate", "promises", "rpc"),
    ("escalation_share", "转人工占比", "Share escalated to human", "transfers", "answered"),
    ("hardship_share", "困难/分期方案占比", "Share offered hardship/installment", "hardship", "decided"),
)
DIMENSIONS = {
    "region": ("地区", "Region"),
    "dialect": ("方言", "Dialect"),
    "age_band": ("年龄段", "Age band"),
}


class FairnessCell(BaseModel):
    dimension: str
    group: str
    measure: str
    numerator: int
    denominator: int
    rate: float | None
    overall: float | None
    z: float | None
    p_value: float | None
    flagged: bool


class FairnessView(BaseModel):
    min_group: int = MIN_GROUP
    threshold: float = THRESHOLD
    alpha: float = ALPHA
    cells: list[FairnessCell]

    @property
    def flagged(self) -> list[FairnessCell]:
        return [c for c in self.cells if c.flagged]


def two_proportion(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float] | None:
    """(z, two-sided p) of the pooled two-proportion z-test; None when it is undefined."""
    if n1 == 0 or n2 == 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return None
    z = (x1 / n1 - x2 / n2) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def fairness(facts: Facts) -> FairnessView:
    total = tallies(facts, "all").get("all", Tally())
    cells: list[FairnessCell] = []
    for dim in FAIRNESS_KEYS:
        for group, t in sorted(tallies(facts, dim).items()):
            for key, _zh, _en, num_name, den_name in MEASURES:
                x, n = getattr(t, num_name), getattr(t, den_name)
                x_all, n_all = getattr(total, num_name), getattr(total, den_name)
                x = min(x, n)  # a rate of a share: never above the whole
                x_rest, n_rest = min(x_all, n_all) - x, n_all - n
                rate = x / n if n else None
                overall = min(x_all, n_all) / n_all if n_all else None
                test = two_proportion(x, n, x_rest, n_rest)
                flagged = (
                    test is not None
                    and rate is not None
                    and overall is not None
                    and n >= MIN_GROUP
                    and n_rest >= MIN_GROUP
                    and abs(rate - overall) >= THRESHOLD
                    and test[1] < ALPHA
                )
                cells.append(
                    FairnessCell(
                        dimension=dim,
                        group=group,
                        measure=key,
                        numerator=x,
                        denominator=n,
                        rate=rate,
                        overall=overall,
                        z=round(test[0], 4) if test else None,
                        p_value=test[1] if test else None,
                        flagged=flagged,
                    )
                )
    return FairnessView(cells=cells)
