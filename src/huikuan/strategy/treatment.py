"""The treatments, and the shipped strategy's answers for callers without a database session
(the chat console, tests). The rules are data (`strategy/data/default.yaml`, validated by
`strategy/document.py`), read top to bottom, first match wins. Segments come from profiling
(`profiling.service.ProfileRead.strategy_segment`): None when the profile says "unknown" or
"new", and a segment without a rule of its own ("unreachable") falls to the bucket's rule.
"""

from __future__ import annotations

from enum import StrEnum

from huikuan.strategy.document import Case, shipped_strategy
from huikuan.strategy.plans import PlanBounds


class Treatment(StrEnum):
    FRIENDLY_REMINDER = "friendly_reminder"
    HARDSHIP_INSTALLMENT = "hardship_installment"
    UNWILLING_NOTICE = "unwilling_notice"
    DISPUTE_INTAKE = "dispute_intake"
    HUMAN_HANDOFF = "human_handoff"


# How the screen pop words a bucket (the strategy's own rules name their buckets themselves).
EARLY_BUCKETS = frozenset({"M0", "M1"})
LATE_BUCKETS = frozenset({"M4", "M5", "M6", "M6+"})

# The script (by name, one YAML per language in dialogue/scripts) each treatment runs under the
# shipped strategy; a campaign checks that every script it may run is approved.
SCRIPT_FOR: dict[Treatment, str] = {t: shipped_strategy().script(t.value) for t in Treatment}
THIRD_PARTY_SCRIPT = "third_party"  # whatever the treatment, a third party hears only this one
VOICEMAIL_SCRIPT = "voicemail"


def treatment_for(bucket: str, segment: str | None = None) -> Treatment:
    """The shipped strategy's treatment for an account in `bucket` whose debtor is in `segment`
    (None: unknown), before any escalation; the call path asks the active strategy instead
    (`strategy.versions.active_strategy`)."""
    return Treatment(shipped_strategy().decide(Case(bucket, segment)).treatment)


def plan_bounds_for(treatment: Treatment) -> PlanBounds:
    """What installment plan the robot may offer under `treatment` in the shipped strategy."""
    return shipped_strategy().bounds(treatment.value)


def script_for(treatment: Treatment, *, third_party: bool = False) -> str:
    """The script name a call runs: the treatment's, or the third-party message for anyone else."""
    return THIRD_PARTY_SCRIPT if third_party else SCRIPT_FOR[treatment]
