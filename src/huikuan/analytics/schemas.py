"""KPI values as the console, the CLI and the API show them."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, computed_field


class Kpis(BaseModel):
    attempts: int = 0
    connects: int = 0  # the call was answered (by anyone)
    right_party_contacts: int = 0  # the debtor was reached and spoke
    promises: int = 0
    amount_promised: int = 0  # minor units
    transfers_requested: int = 0
    abusive_hangups: int = 0
    denied_by_rule: dict[str, int] = Field(default_factory=dict)
    dispositions: dict[str, int] = Field(default_factory=dict)

    @property
    def denied_total(self) -> int:
        return sum(self.denied_by_rule.values())

    @property
    def connect_rate(self) -> float:
        return self.connects / self.attempts if self.attempts else 0.0

    @property
    def rpc_rate(self) -> float:
        return self.right_party_contacts / self.attempts if self.attempts else 0.0


class Figures(BaseModel):
    """The counts a report row shows: calls, contacts, promises made and kept."""

    attempts: int = 0
    connects: int = 0
    right_party_contacts: int = 0
    promises: int = 0
    amount_promised: int = 0  # minor units
    kept: int = 0  # promises made in the period that are now kept
    amount_kept: int = 0  # minor units

    @computed_field  # type: ignore[prop-decorator]
    @property
    def connect_rate(self) -> float:
        return self.connects / self.attempts if self.attempts else 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rpc_rate(self) -> float:
        return self.right_party_contacts / self.attempts if self.attempts else 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ptp_rate(self) -> float:
        """Promises per right-party contact (the floor's PTP rate)."""
        return self.promises / self.right_party_contacts if self.right_party_contacts else 0.0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kept_rate(self) -> float:
        return self.kept / self.promises if self.promises else 0.0

    def plus(self, other: Figures) -> Figures:
        return Figures(**{name: getattr(self, name) + getattr(other, name) for name in COUNTS})


COUNTS = (
    "attempts",
    "connects",
    "right_party_contacts",
    "promises",
    "amount_promised",
    "kept",
    "amount_kept",
)


class DayFigures(Figures):
    day: date  # a day of the floor's time zone


class CampaignFigures(Figures):
    campaign_id: int | None  # None: attempts outside any campaign (manual, tests)


class Report(BaseModel):
    """The report of a period: totals, by day, by campaign, and how the robots closed calls."""

    since: datetime  # inclusive
    until: datetime  # exclusive
    timezone: str
    campaign_id: int | None = None
    totals: Figures
    by_day: list[DayFigures]
    by_campaign: list[CampaignFigures]
    robot_dispositions: dict[str, int] = Field(default_factory=dict)  # calls the robot closed itself
    robot_handled: int = 0
    transfers_requested: int = 0


class AttemptRow(BaseModel):
    """One attempt in the export: ids and codes, never a name, number or ID number."""

    attempt_id: int
    campaign_id: int | None
    account_id: int
    debtor_id: int
    contact_id: int
    started_at: datetime
    channel: str
    outcome: str | None
    conversation: bool
    talk_seconds: int
    disposition: str
    transfer_requested: bool
    robot_id: str | None
    agent_id: str | None
