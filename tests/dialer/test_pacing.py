from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from huikuan.dialer.pacing import (
    AbandonRecord,
    LiveRate,
    PacingInput,
    PacingMode,
    PacingPolicy,
    abandon_target,
    agents_expected,
    expected_excess_ratio,
    lines_to_dial,
    predictive_lines,
    progressive_lines,
)


def _inp(**kw: float) -> PacingInput:
    base: dict[str, float] = {
        "agents_free": 5,
        "agents_busy": 15,
        "calls_in_flight": 0,
        "answer_rate": 0.3,
        "mean_handle_seconds": 180.0,
        "mean_answer_seconds": 12.0,
        "abandon_ratio": 0.0,
    }
    base.update(kw)
    return PacingInput(**base)  # type: ignore[arg-type]  # test values are ints where needed


def test_progressive_dials_one_line_per_free_agent() -> None:
    assert progressive_lines(_inp(agents_free=4, calls_in_flight=1)) == 3
    assert progressive_lines(_inp(agents_free=2, calls_in_flight=5)) == 0
    assert lines_to_dial(PacingMode.PROGRESSIVE, _inp(agents_free=7)) == 7


def test_predictive_overdials_by_answer_rate_but_keeps_expected_abandon_under_target() -> None:
    inp = _inp()
    n = predictive_lines(inp)
    assert n > inp.agents_free  # more than progressive: most calls are not answered
    policy = PacingPolicy()
    agents = agents_expected(inp)
    assert expected_excess_ratio(n, inp.answer_rate, agents) <= policy.abandon_cap * policy.safety
    assert expected_excess_ratio(n + 1, inp.answer_rate, agents) > policy.abandon_cap * policy.safety


def test_predictive_dials_fewer_when_answer_rate_rises() -> None:
    assert predictive_lines(_inp(answer_rate=0.6)) < predictive_lines(_inp(answer_rate=0.2))


def test_predictive_counts_calls_already_ringing() -> None:
    assert predictive_lines(_inp(calls_in_flight=10)) < predictive_lines(_inp())


def test_backs_off_to_progressive_as_ratio_reaches_cap() -> None:
    policy = PacingPolicy()
    assert abandon_target(policy, 0.0) == pytest.approx(0.024)
    assert abandon_target(policy, 0.02) < abandon_target(policy, 0.016)
    assert abandon_target(policy, 0.03) == 0.0
    low, near, over = (predictive_lines(_inp(abandon_ratio=r)) for r in (0.0, 0.027, 0.031))
    assert low > near >= over
    assert over == progressive_lines(_inp(abandon_ratio=0.031))


def test_robot_overflow_paces_on_overflow_target_even_past_abandon_cap() -> None:
    policy = PacingPolicy(robot_overflow=True, overflow_target=0.10)
    assert predictive_lines(_inp(abandon_ratio=0.05), policy) > progressive_lines(_inp())
    assert predictive_lines(_inp(), policy) >= predictive_lines(_inp())


def test_no_agents_no_dials_and_ceiling_holds() -> None:
    assert predictive_lines(_inp(agents_free=0, agents_busy=0)) == 0
    policy = PacingPolicy(max_lines_per_agent=2)
    assert predictive_lines(_inp(answer_rate=0.01), policy) <= 2 * 20


def test_expected_excess_ratio_matches_a_simulation() -> None:
    rng = random.Random(7)
    lines, p, agents = 30, 0.3, 8
    trials = 20_000
    excess = answered = 0
    for _ in range(trials):
        x = sum(rng.random() < p for _ in range(lines))
        answered += x
        excess += max(0, x - agents)
    assert expected_excess_ratio(lines, p, agents) == pytest.approx(excess / answered, rel=0.08)
    assert expected_excess_ratio(0, p, agents) == 0.0


def test_abandon_record_rolls_over_thirty_days() -> None:
    rec = AbandonRecord()
    day = date(2026, 3, 1)
    for _ in range(97):
        rec.record(day, abandoned=False)
    for _ in range(3):
        rec.record(day, abandoned=True)
    assert rec.ratio(day) == pytest.approx(0.03)
    assert rec.ratio(day + timedelta(days=29)) == pytest.approx(0.03)
    assert rec.ratio(day + timedelta(days=30)) == 0.0
    assert AbandonRecord().ratio(day) == 0.0


def test_live_rate_follows_observations() -> None:
    rate = LiveRate(0.3, weight=0.5)
    rate.observe(1.0)
    assert rate.value == pytest.approx(0.65)


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="fractions"):
        PacingPolicy(abandon_cap=1.5)
    with pytest.raises(ValueError, match="at least 1"):
        PacingPolicy(max_lines_per_agent=0)
