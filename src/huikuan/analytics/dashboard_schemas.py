"""The dashboard's figures as the JSON API, the page and its live stream carry them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

BUCKETS = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+")


class DenialCount(BaseModel):
    """How many contacts one compliance rule refused, with the rule's title from its pack."""

    rule: str
    title_zh: str
    title_en: str
    count: int


class BucketRecovery(BaseModel):
    """What was collected on the accounts of one delinquency bucket, against what was overdue."""

    bucket: str
    accounts: int
    overdue: int  # minor units, as assigned
    collected: int  # minor units, every payment to date
    rate: float  # collected / overdue


class Dashboard(BaseModel):
    """One floor day (in the floor's time zone), for one campaign or all."""

    day: date
    timezone: str
    campaign_id: int | None = None
    robots_live: int = 0  # robot lines of running campaigns
    calls_live: int = 0  # attempts reserved and not yet ended
    attempts: int = 0
    connects: int = 0
    right_party_contacts: int = 0
    promises: int = 0
    attempts_by_hour: list[int] = Field(default_factory=lambda: [0] * 24)  # local hours 0..23
    amount_promised: int = 0  # minor units, promises made this day
    payments: int = 0  # payments received this day
    amount_collected: int = 0  # minor units, payments received this day
    amount_kept: int = 0  # minor units, promises made this day and since kept
    recovery_by_bucket: list[BucketRecovery] = Field(default_factory=list)
    denials: list[DenialCount] = Field(default_factory=list)
    complaints_opened: int = 0  # complaints, disputes and cease requests opened this day
    complaints_open: int = 0  # still open now, whatever their day
    connect_rate: float = 0.0  # connects / attempts
    rpc_rate: float = 0.0  # right-party contacts / attempts
    ptp_rate: float = 0.0  # promises / right-party contacts

    @property
    def denied_total(self) -> int:
        return sum(d.count for d in self.denials)
