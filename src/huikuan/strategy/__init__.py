"""Strategy: the treatment per bucket × segment and the installment plans the robot may offer."""

from huikuan.strategy.plans import Plan, PlanBounds, propose_plan
from huikuan.strategy.treatment import (
    SCRIPT_FOR,
    THIRD_PARTY_SCRIPT,
    VOICEMAIL_SCRIPT,
    Treatment,
    plan_bounds_for,
    script_for,
    treatment_for,
)

__all__ = [
    "SCRIPT_FOR",
    "THIRD_PARTY_SCRIPT",
    "VOICEMAIL_SCRIPT",
    "Plan",
    "PlanBounds",
    "Treatment",
    "plan_bounds_for",
    "propose_plan",
    "script_for",
    "treatment_for",
]
