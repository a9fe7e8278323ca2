"""Which treatment a debtor gets: a small rule table over delinquency bucket × segment.

The table is data, read top to bottom, first match wins, so a compliance or strategy officer can
read it next to the policy it implements. Segments come from profiling (the account's last
profile, `profiling.service.ProfileRead.strategy_segment`): None when the profile says "unknown"
or "new", and a segment without a row of its own ("unreachable") falls back to the bucket's
default row like None does.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from huikuan.strategy.plans import PlanBounds


class Treatment(StrEnum):
    FRIENDLY_REMINDER = "friendly_reminder"
    HARDSHIP_INSTALLMENT = "hardship_installment"
    UNWILLING_NOTICE = "unwilling_notice"
    DISPUTE_INTAKE = "dispute_intake"
    HUMAN_HANDOFF = "human_handoff"


ANY = "*"
EARLY_BUCKETS = frozenset({"M0", "M1"})
LATE_BUCKETS = frozenset({"M4", "M5", "M6", "M6+"})


@dataclass(frozen=True, slots=True)
class Rule:
    buckets: frozenset[str] | str  # a set of bucket names, or ANY
    segment: str  # a profiling segment, or ANY
    treatment: Treatment

    def matches(self, bucket: str, segment: str | None) -> bool:
        bucket_ok = self.buckets == ANY or bucket in self.buckets
        return bucket_ok and (self.segment == ANY or self.segment == segment)


# First match wins. A dispute is always heard first; hardship is met with a plan whatever the
# bucket; an unwilling debtor hears the factual notice only once past the first month, and a late
# account with no known segment goes to a person rather than a robot.
RULES: tuple[Rule, ...] = (
    Rule(ANY, "disputing", Treatment.DISPUTE_INTAKE),
    Rule(ANY, "hardship", Treatment.HARDSHIP_INSTALLMENT),
    Rule(EARLY_BUCKETS, "unwilling", Treatment.FRIENDLY_REMINDER),
    Rule(ANY, "unwilling", Treatment.UNWILLING_NOTICE),
    Rule(ANY, "abusive", Treatment.HUMAN_HANDOFF),
    Rule(EARLY_BUCKETS, ANY, Treatment.FRIENDLY_REMINDER),
    Rule(LATE_BUCKETS, ANY, Treatment.HUMAN_HANDOFF),
    Rule(ANY, ANY, Treatment.FRIENDLY_REMINDER),
)

# The script (by name, one YAML per language in dialogue/scripts) each treatment runs.
SCRIPT_FOR: dict[Treatment, str] = {
    Treatment.FRIENDLY_REMINDER: "reminder",
    Treatment.HARDSHIP_INSTALLMENT: "hardship",
    Treatment.UNWILLING_NOTICE: "unwilling",
    Treatment.DISPUTE_INTAKE: "dispute",
    Treatment.HUMAN_HANDOFF: "handoff",
}
THIRD_PARTY_SCRIPT = "third_party"  # whatever the treatment, a third party hears only this one
VOICEMAIL_SCRIPT = "voicemail"


def treatment_for(bucket: str, segment: str | None = None) -> Treatment:
    """The treatment for an account in `bucket` whose debtor is in `segment` (None: unknown)."""
    for rule in RULES:
        if rule.matches(bucket, segment):
            return rule.treatment
    return Treatment.FRIENDLY_REMINDER  # unreachable: the last rule matches everything


# The installment bounds the robot may offer under each treatment. One policy for all today (six
# payments, no waiver, a first payment of at least 100 yuan/dollars); a table so a strategy officer
# can tighten one treatment without touching the call path, which asks `plan_bounds_for` only.
PLAN_BOUNDS_FOR: dict[Treatment, PlanBounds] = {treatment: PlanBounds() for treatment in Treatment}


def plan_bounds_for(treatment: Treatment) -> PlanBounds:
    """What installment plan the robot may offer a debtor under `treatment`."""
    return PLAN_BOUNDS_FOR[treatment]


def script_for(treatment: Treatment, *, third_party: bool = False) -> str:
    """The script name a call runs: the treatment's, or the third-party message for anyone else."""
    return THIRD_PARTY_SCRIPT if third_party else SCRIPT_FOR[treatment]
