"""What people did with the calls the robots handed over, for the AI-vs-human report: the
transfers asked for in a period, where they ended (taken, abandoned, still queued) and the
agents' wrap-up codes. Aggregates only, ids and codes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huikuan.desk.models import Transfer


class HumanOutcomes(BaseModel):
    transfers: int = 0  # transfers the robots asked for in the period
    by_status: dict[str, int] = Field(default_factory=dict)  # schemas.TransferStatus → count
    wrap_codes: dict[str, int] = Field(default_factory=dict)  # schemas.WrapCode → wrapped calls

    @property
    def wrapped(self) -> int:
        return sum(self.wrap_codes.values())


def human_outcomes(
    session: Session, since: datetime, until: datetime, campaign_id: int | None = None
) -> HumanOutcomes:
    """Transfers requested in [since, until) (of one campaign or all) and how agents closed them."""
    where = [Transfer.requested_at >= since, Transfer.requested_at < until]
    if campaign_id is not None:
        where.append(Transfer.campaign_id == campaign_id)
    statuses = {
        str(status): int(n)
        for status, n in session.execute(
            select(Transfer.status, func.count(Transfer.id)).where(*where).group_by(Transfer.status)
        )
    }
    codes = {
        str(code): int(n)
        for code, n in session.execute(
            select(Transfer.wrap_code, func.count(Transfer.id))
            .where(*where, Transfer.wrap_code.is_not(None))
            .group_by(Transfer.wrap_code)
        )
    }
    return HumanOutcomes(transfers=sum(statuses.values()), by_status=statuses, wrap_codes=codes)


def agents_by_attempt(session: Session, since: datetime, until: datetime) -> dict[int, tuple[str, int]]:
    """attempt id → ("agent:<desk agent id>", seconds the agent held the call: accepted to
    wrapped, 0 while open) for the calls an agent took, transfers asked for in [since, until).
    The KPI report's agent cut and its agent time (analytics cannot read the desk itself)."""
    stmt = select(Transfer.attempt_id, Transfer.agent_id, Transfer.accepted_at, Transfer.wrapped_at).where(
        Transfer.requested_at >= since,
        Transfer.requested_at < until,
        Transfer.agent_id.is_not(None),
        Transfer.accepted_at.is_not(None),
    )
    found: dict[int, tuple[str, int]] = {}
    for attempt_id, agent_id, accepted, wrapped in session.execute(stmt):
        held = (
            int((wrapped - accepted).total_seconds()) if wrapped is not None and accepted is not None else 0
        )
        found[int(attempt_id)] = (f"agent:{agent_id}", max(0, held))
    return found
