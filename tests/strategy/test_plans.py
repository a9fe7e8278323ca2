from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huikuan.strategy import PlanBounds, Treatment, propose_plan, script_for, treatment_for
from huikuan.strategy.plans import schedule


def test_more_terms_than_allowed_get_the_maximum_allowed() -> None:
    plan = propose_plan(600_000, PlanBounds(max_terms=6, min_first_payment=10_000), 24)
    assert plan is not None
    assert plan.terms == 6
    assert plan.payments == (100_000,) * 6


def test_the_first_payment_takes_the_remainder_and_the_sum_is_exact() -> None:
    plan = propose_plan(100_001, PlanBounds(max_terms=3, min_first_payment=0), 3)
    assert plan is not None
    assert plan.payments == (33_335, 33_333, 33_333)
    assert plan.total == 100_001


def test_terms_shrink_until_the_first_payment_reaches_the_minimum() -> None:
    plan = propose_plan(50_000, PlanBounds(max_terms=12, min_first_payment=20_000), 12)
    assert plan is not None
    assert plan.terms == 2
    assert plan.first_payment >= 20_000


def test_no_plan_when_none_fits() -> None:
    assert propose_plan(15_000, PlanBounds(max_terms=6, min_first_payment=20_000), 6) is None
    assert propose_plan(0, PlanBounds(), 3) is None
    assert propose_plan(500_000, PlanBounds(max_terms=1), 3) is None


def test_a_waiver_never_exceeds_the_bound() -> None:
    plan = propose_plan(
        100_000, PlanBounds(max_terms=2, max_waiver_pct=10, min_first_payment=0), 2, waiver_pct=50
    )
    assert plan is not None
    assert plan.waiver == 10_000
    assert plan.total == 90_000


@pytest.mark.parametrize("bad", [{"max_terms": 0}, {"max_waiver_pct": 101}, {"min_first_payment": -1}])
def test_bounds_are_validated(bad: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="must"):
        PlanBounds(**bad)


@given(
    outstanding=st.integers(min_value=1, max_value=10**9),
    max_terms=st.integers(min_value=1, max_value=36),
    max_waiver=st.integers(min_value=0, max_value=100),
    min_first=st.integers(min_value=0, max_value=10**7),
    wanted=st.integers(min_value=-5, max_value=100),
    waiver=st.integers(min_value=0, max_value=100),
)
def test_a_proposed_plan_is_always_inside_its_bounds(
    outstanding: int, max_terms: int, max_waiver: int, min_first: int, wanted: int, waiver: int
) -> None:
    bounds = PlanBounds(max_terms=max_terms, max_waiver_pct=max_waiver, min_first_payment=min_first)
    plan = propose_plan(outstanding, bounds, wanted, waiver_pct=waiver)
    if plan is not None:
        assert plan.within(bounds)
        assert plan.terms <= max(wanted, 2)
        assert all(p > 0 for p in plan.payments)


@pytest.mark.parametrize(
    ("bucket", "segment", "treatment"),
    [
        ("M0", None, Treatment.FRIENDLY_REMINDER),
        ("M1", "forgetful", Treatment.FRIENDLY_REMINDER),
        ("M1", "unwilling", Treatment.FRIENDLY_REMINDER),
        ("M3", "unwilling", Treatment.UNWILLING_NOTICE),
        ("M2", "hardship", Treatment.HARDSHIP_INSTALLMENT),
        ("M0", "disputing", Treatment.DISPUTE_INTAKE),
        ("M6+", None, Treatment.HUMAN_HANDOFF),
        ("M2", None, Treatment.FRIENDLY_REMINDER),
    ],
)
def test_treatment_table(bucket: str, segment: str | None, treatment: Treatment) -> None:
    assert treatment_for(bucket, segment) == treatment


def test_a_third_party_always_gets_the_third_party_script() -> None:
    for treatment in Treatment:
        assert script_for(treatment, third_party=True) == "third_party"
    assert script_for(Treatment.HARDSHIP_INSTALLMENT) == "hardship"


def test_a_schedule_falls_monthly_and_keeps_to_the_months_last_day() -> None:
    days = [day for day, _ in schedule(date(2027, 1, 31), 100, 90, 4)]
    assert days == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]


@given(
    outstanding=st.integers(min_value=2, max_value=10**9),
    terms=st.integers(min_value=2, max_value=36),
    first_due=st.dates(min_value=date(2024, 1, 1), max_value=date(2040, 12, 31)),
)
def test_a_schedule_sums_to_the_plan_to_the_fen_and_never_goes_backwards(
    outstanding: int, terms: int, first_due: date
) -> None:
    plan = propose_plan(outstanding, PlanBounds(max_terms=36, min_first_payment=0), terms)
    if plan is None:
        return
    due = schedule(first_due, plan.first_payment, plan.installment, plan.terms)
    assert sum(amount for _, amount in due) == plan.total == outstanding - plan.waiver
    assert [d for d, _ in due] == sorted({d for d, _ in due})  # one per month, strictly later
    assert all(27 <= (later - earlier).days <= 31 for (earlier, _), (later, _) in pairwise(due))
