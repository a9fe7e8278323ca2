"""The fairness view flags a planted disparity and not a uniform one, nor a small group."""

from __future__ import annotations

import pytest

from huikuan.analytics.fairness import MIN_GROUP, fairness, two_proportion
from huikuan.analytics.kpis import Facts, Tally


def population(groups: dict[str, tuple[int, int]]) -> Facts:
    """Attempts per region: (attempts, answered); every answered call a right-party contact
    with a promise on half of them, and the same dialect and age band for everyone."""
    facts = Facts()
    for region, (n, answered) in groups.items():
        for i in range(n):
            spoke = i < answered
            t = Tally(attempts=1, answered=int(spoke), rpc=int(spoke), promises=int(spoke and i % 2 == 0))
            facts.attempts.append(({"region": region, "dialect": "cmn", "age_band": "25-34"}, t))
    return facts


def flagged(facts: Facts) -> set[tuple[str, str, str]]:
    return {(c.dimension, c.group, c.measure) for c in fairness(facts).flagged}


def test_a_planted_disparity_is_flagged() -> None:
    facts = population({"广东": (200, 160), "北京": (200, 80), "上海": (200, 120)})
    assert flagged(facts) == {("region", "广东", "connect_rate"), ("region", "北京", "connect_rate")}
    cell = next(c for c in fairness(facts).cells if c.group == "北京" and c.measure == "connect_rate")
    assert cell.rate == pytest.approx(0.4)
    assert cell.overall == pytest.approx(0.6)
    assert cell.p_value is not None
    assert cell.p_value < 0.01


def test_a_uniform_population_is_not_flagged() -> None:
    assert flagged(population({"广东": (200, 120), "北京": (200, 120), "上海": (200, 120)})) == set()


def test_a_group_below_the_minimum_size_is_not_flagged() -> None:
    facts = population({"西藏": (MIN_GROUP - 1, 0), "北京": (400, 240)})
    assert flagged(facts) == set()
    # the same gap with enough people is flagged
    assert ("region", "西藏", "connect_rate") in flagged(
        population({"西藏": (MIN_GROUP * 2, 0), "北京": (400, 240)})
    )


def test_a_small_gap_that_is_significant_is_not_flagged() -> None:
    # 5 points apart on 5,000 each: significant, but under the 10-point threshold
    assert flagged(population({"A": (5000, 3250), "B": (5000, 3000)})) == set()


def test_the_z_test_against_a_hand_computation() -> None:
    z, p = two_proportion(80, 100, 50, 100) or (0.0, 1.0)
    # pooled 0.65, se = sqrt(0.65·0.35·0.02) = 0.067454
    assert z == pytest.approx(0.3 / 0.0674537, rel=1e-4)
    assert p < 1e-5
    assert two_proportion(0, 0, 5, 10) is None
    assert two_proportion(0, 10, 0, 10) is None
