"""95% confidence intervals for the experiment report.

- a proportion: Wilson's score interval (good coverage at small n and near 0 or 1, where the
  Wald interval is not);
- a difference of two independent proportions: Newcombe's hybrid score interval (method 10 of
  Newcombe 1998), built from the two Wilson intervals;
- a ratio of sums (amount paid / amount owed over the accounts of an arm) and the difference of
  two such ratios: the percentile bootstrap over accounts, with a fixed seed so a report is
  reproducible. Payments are zero-inflated and skewed, so a normal approximation to the ratio
  would be poor for the arm sizes of a month's experiment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20261204


@dataclass(frozen=True, slots=True)
class Interval:
    estimate: float
    low: float
    high: float


def wilson(successes: int, n: int, z: float = Z95) -> Interval | None:
    """Wilson's score interval for successes / n; None when n is 0."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half))


def newcombe_difference(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> Interval | None:
    """p1 − p2 with Newcombe's hybrid score interval; None when either n is 0."""
    a, b = wilson(x1, n1, z), wilson(x2, n2, z)
    if a is None or b is None:
        return None
    d = a.estimate - b.estimate
    low = d - math.sqrt((a.estimate - a.low) ** 2 + (b.high - b.estimate) ** 2)
    high = d + math.sqrt((a.high - a.estimate) ** 2 + (b.estimate - b.low) ** 2)
    return Interval(d, low, high)


def _ratio_resamples(paid: Sequence[int], owed: Sequence[int], rng: np.random.Generator) -> np.ndarray:
    p, o = np.asarray(paid, dtype=float), np.asarray(owed, dtype=float)
    ratios = np.zeros(BOOTSTRAP_RESAMPLES)
    step = max(1, 2_000_000 // len(p))  # resamples per batch: a bounded index matrix in memory
    for first in range(0, BOOTSTRAP_RESAMPLES, step):
        count = min(step, BOOTSTRAP_RESAMPLES - first)
        picks = rng.integers(0, len(p), size=(count, len(p)))
        totals = o[picks].sum(axis=1)
        paid_totals = p[picks].sum(axis=1)
        ratios[first : first + count] = np.divide(paid_totals, totals, out=np.zeros(count), where=totals > 0)
    return ratios


def _ratio(paid: Sequence[int], owed: Sequence[int]) -> float:
    return sum(paid) / sum(owed)


def ratio_interval(paid: Sequence[int], owed: Sequence[int], seed: int = BOOTSTRAP_SEED) -> Interval | None:
    """sum(paid) / sum(owed) with a percentile bootstrap interval over the accounts; None when
    nothing was owed."""
    if not sum(owed):
        return None
    draws = _ratio_resamples(paid, owed, np.random.default_rng(seed))
    low, high = np.percentile(draws, [2.5, 97.5])
    return Interval(_ratio(paid, owed), float(low), float(high))


def ratio_difference(
    paid1: Sequence[int],
    owed1: Sequence[int],
    paid2: Sequence[int],
    owed2: Sequence[int],
    seed: int = BOOTSTRAP_SEED,
) -> Interval | None:
    """ratio1 − ratio2, the two groups resampled independently (percentile bootstrap)."""
    if not sum(owed1) or not sum(owed2):
        return None
    rng = np.random.default_rng(seed)
    draws = _ratio_resamples(paid1, owed1, rng) - _ratio_resamples(paid2, owed2, rng)
    low, high = np.percentile(draws, [2.5, 97.5])
    return Interval(_ratio(paid1, owed1) - _ratio(paid2, owed2), float(low), float(high))
