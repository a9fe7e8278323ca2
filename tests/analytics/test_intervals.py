"""The report's 95% intervals against values computed by hand or published."""

from __future__ import annotations

import math
import random

import pytest

from huikuan.analytics.intervals import newcombe_difference, ratio_difference, ratio_interval, wilson


def test_wilson_matches_the_hand_computed_interval() -> None:
    # 50/100: centre 0.5, half-width z/(1+z²/n)·sqrt(p(1-p)/n + z²/4n²) = 0.0961685 (z = 1.959964).
    i = wilson(50, 100)
    assert i is not None
    assert i.estimate == 0.5
    assert i.low == pytest.approx(0.4038315, abs=1e-6)
    assert i.high == pytest.approx(0.5961685, abs=1e-6)
    # 0/10: the lower bound is 0 and the upper z²/(n+z²) = 0.2775328.
    zero = wilson(0, 10)
    assert zero is not None
    assert zero.low == 0
    assert zero.high == pytest.approx(0.2775328, abs=1e-6)
    assert wilson(0, 0) is None


def test_newcombe_difference_matches_the_published_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, method 10: 56/70 − 48/80 = 0.2, (0.0524, 0.3339).
    d = newcombe_difference(56, 70, 48, 80)
    assert d is not None
    assert d.estimate == pytest.approx(0.2)
    assert d.low == pytest.approx(0.0524, abs=5e-5)
    assert d.high == pytest.approx(0.3339, abs=5e-5)
    assert newcombe_difference(1, 0, 1, 2) is None


def test_the_bootstrap_ratio_interval_agrees_with_the_normal_one_where_that_is_good() -> None:
    rng = random.Random(1)
    owed = [1000] * 400
    paid = [1000 if rng.random() < 0.3 else 0 for _ in owed]
    p = sum(paid) / sum(owed)
    half = 1.959964 * math.sqrt(p * (1 - p) / len(owed))  # equal amounts: a proportion
    i = ratio_interval(paid, owed)
    assert i is not None
    assert i.estimate == pytest.approx(p)
    assert i.low == pytest.approx(p - half, abs=0.01)
    assert i.high == pytest.approx(p + half, abs=0.01)
    assert ratio_interval(paid, owed) == i  # a fixed seed: the same report twice


def test_the_ratio_difference_and_the_degenerate_cases() -> None:
    same = ratio_interval([250, 500], [1000, 2000])  # every account recovered 25%
    assert same is not None
    assert (same.low, same.estimate, same.high) == pytest.approx((0.25, 0.25, 0.25))
    d = ratio_difference([500, 500], [1000, 1000], [250, 250], [1000, 1000])
    assert d is not None
    assert (d.low, d.estimate, d.high) == pytest.approx((0.25, 0.25, 0.25))
    assert ratio_interval([0], [0]) is None  # nothing owed: no recovery rate
    assert ratio_difference([1], [1], [0], [0]) is None
