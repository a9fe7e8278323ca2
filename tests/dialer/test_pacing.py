from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from huikuan.dialer.agent_pacing import abandon_headroom
from huikuan.dialer.pacing import (
    AbandonRecord,
    LiveRate,
    PacingInput,
    PacingMode,
    PacingPolicy,
    RingOutcomes,
    abandon_target,
    agents_expected,
    expected_excess_ratio,
    free_chance,
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
    assert abandon_target(policy, 0.027) < abandon_target(policy, 0.025)
    assert abandon_target(policy, 0.02) == abandon_target(policy, 0.0)
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


def test_ring_outcomes_give_live_answer_rate_and_answer_times() -> None:
    rings = RingOutcomes(prior=0.3, size=10)
    assert rings.answer_rate == 0.3
    assert rings.answer_seconds(0.1, default=6.0) == 6.0
    for seconds in (14.0, 6.0, 10.0):
        rings.observe(seconds, answered=True)
    for seconds in (4.0, 35.0, 40.0, 45.0):  # a busy signal, then no-answers
        rings.observe(seconds, answered=False)
    assert rings.answer_rate == pytest.approx(3 / 7)
    assert rings.answer_seconds(0.0, default=0.0) == 6.0
    assert rings.answer_seconds(0.5, default=0.0) == 10.0
    for _ in range(10):
        rings.observe(40.0, answered=False)
    assert rings.answer_rate == 0.0  # the oldest outcomes have left the window
    assert rings.answer_seconds(0.5, default=7.0) == 7.0


def test_free_chance_uses_how_long_the_agent_has_been_busy() -> None:
    handles = sorted(float(x) for x in range(100, 300, 10))  # 100..290 s
    assert free_chance(0.0, 12.0, handles) == 0.0  # nobody finishes in 12 s
    early, late = free_chance(150.0, 30.0, handles), free_chance(250.0, 30.0, handles)
    assert 0 < early < late
    assert free_chance(400.0, 5.0, handles) == 1.0
    assert free_chance(10.0, 5.0, []) == 0.0


def test_known_soon_free_agents_raise_the_dial_count() -> None:
    assert agents_expected(_inp(agents_soon_free=4.0)) == 9.0
    assert agents_expected(_inp(agents_soon_free=99.0)) == 20.0
    assert predictive_lines(_inp(agents_soon_free=4.0)) > predictive_lines(_inp(agents_soon_free=0.0))


def test_the_abandon_record_bounds_predictive_lines_whatever_the_estimates() -> None:
    free = {"agents_free": 3, "agents_busy": 15, "calls_in_flight": 0, "answer_rate": 0.3}
    unbounded = predictive_lines(_inp(**free))
    assert unbounded > 3 + 1  # the estimates alone dial ahead of the free agents
    # A young campaign (no room on its record) dials only what free agents can surely take;
    # with room for h more abandons, at most h lines beyond the free agents.
    for room in range(unbounded - 3):
        assert predictive_lines(_inp(**free, abandon_headroom=room)) == 3 + room
    assert predictive_lines(_inp(**free, abandon_headroom=0)) == progressive_lines(_inp(**free))
    # Robot overflow never abandons, so the record does not bound it.
    overflow = PacingPolicy(robot_overflow=True)
    assert predictive_lines(_inp(**free, abandon_headroom=0), overflow) > 3


@pytest.mark.parametrize(
    ("answered", "abandoned", "room"),
    [(0, 0, 0), (33, 0, 0), (34, 0, 1), (100, 2, 1), (100, 3, 0), (100, 5, 0), (1000, 10, 20)],
)
def test_abandon_headroom_keeps_the_ratio_within_three_percent(
    answered: int, abandoned: int, room: int
) -> None:
    assert abandon_headroom(0.03, answered, abandoned) == room
    if answered:
        assert (abandoned + room) / answered <= 0.03 or room == 0
