"""KPI values as the console, the CLI and the API show them."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
