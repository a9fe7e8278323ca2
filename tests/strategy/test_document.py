"""The strategy as a document: the shipped one, what makes one invalid, and escalation."""

from __future__ import annotations

import itertools

import pytest

from huikuan.errors import InvalidInput
from huikuan.strategy.document import DEFAULT_PATH, Case, parse_strategy, shipped_strategy
from huikuan.strategy.treatment import Treatment, treatment_for

BUCKETS = ["M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+"]
SEGMENTS = [None, "forgetful", "hardship", "unwilling", "disputing", "abusive", "unreachable"]
SHIPPED = DEFAULT_PATH.read_text(encoding="utf-8")


def _expected(bucket: str, segment: str | None) -> str:
    """The policy the shipped file states, written out independently of it."""
    if segment == "disputing":
        return "dispute_intake"
    if segment == "hardship":
        return "hardship_installment"
    if segment == "unwilling":
        return "friendly_reminder" if bucket in ("M0", "M1") else "unwilling_notice"
    if segment == "abusive":
        return "human_handoff"
    if bucket in ("M4", "M5", "M6", "M6+"):
        return "human_handoff"
    return "friendly_reminder"


def test_the_shipped_strategy_says_what_the_policy_says_for_every_bucket_and_segment() -> None:
    strategy = shipped_strategy()
    for bucket, segment in itertools.product(BUCKETS, SEGMENTS):
        assert strategy.decide(Case(bucket, segment)).treatment == _expected(bucket, segment)
        assert treatment_for(bucket, segment) == Treatment(_expected(bucket, segment))


def test_escalation_hands_a_case_to_a_person_after_broken_promises_or_at_the_checkpoint() -> None:
    strategy = shipped_strategy()
    assert (
        strategy.decide(Case("M1", "forgetful", promises_broken=1, days_worked=5)).treatment
        == "friendly_reminder"
    )
    two_broken = strategy.decide(Case("M1", "forgetful", promises_broken=2))
    assert (two_broken.treatment, two_broken.reason) == ("human_handoff", "escalation: 2 broken promises")
    day_six = strategy.decide(Case("M1", "forgetful", days_worked=6))
    assert day_six.treatment == "human_handoff"
    assert "day 6" in day_six.reason


def test_the_bounds_come_from_the_treatment_in_fen() -> None:
    bounds = shipped_strategy().bounds("hardship_installment")
    assert (bounds.max_terms, bounds.max_waiver_pct, bounds.min_first_payment) == (6, 0, 10_000)
    assert shipped_strategy().script("dispute_intake") == "dispute"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('- {segment: "*", buckets: "*", treatment: friendly_reminder}', ""), "last rule must catch"),
        (
            (
                "buckets: [M0, M1], treatment: friendly_reminder}",
                "buckets: [M9], treatment: friendly_reminder}",
            ),
            "rules",
        ),
        (("  dispute_intake:\n    script: dispute", "  dispute_intakes:\n    script: dispute"), "treatments"),
        (
            (
                'max_terms: 6, max_waiver_pct: 0, min_first_payment: "100.00"}',
                'max_terms: 60, max_waiver_pct: 0, min_first_payment: "100.00"}',
            ),
            "max_terms",
        ),
        (("name: default", "name: default\nsurprise: 1"), "surprise"),
        (('min_first_payment: "100.00"', 'min_first_payment: "1.001"'), "two decimals"),
    ],
)
def test_a_strategy_that_cannot_be_followed_is_refused_with_its_place(
    change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in SHIPPED
    with pytest.raises(InvalidInput) as refused:
        parse_strategy(SHIPPED.replace(old, new, 1))
    assert message in refused.value.message


def test_broken_yaml_names_its_line() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_strategy("name: x\nrules: [\n  - : :\n")
    assert "line" in refused.value.message


def test_escalation_needs_the_human_treatment_defined() -> None:
    text = SHIPPED.split("treatments:")[0].replace("treatment: human_handoff", "treatment: dispute_intake")
    plan = '{max_terms: 6, max_waiver_pct: 0, min_first_payment: "1"}'
    text += "treatments:\n"
    for treatment, script in [
        ("friendly_reminder", "reminder"),
        ("hardship_installment", "hardship"),
        ("unwilling_notice", "unwilling"),
        ("dispute_intake", "dispute"),
    ]:
        text += f"  {treatment}: {{script: {script}, plan: {plan}}}\n"
    with pytest.raises(InvalidInput) as refused:
        parse_strategy(text)
    assert "human_handoff" in refused.value.message
