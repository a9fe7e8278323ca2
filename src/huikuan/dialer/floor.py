"""What the floor's dashboard asks of the dialer: robot lines at work, campaigns to filter by."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huikuan.dialer.campaigns import CampaignStatus
from huikuan.dialer.models import Campaign


def running_robot_lines(session: Session, campaign_id: int | None = None) -> int:
    """Robot lines of the running campaigns (of one campaign when `campaign_id` is given)."""
    stmt = select(func.coalesce(func.sum(Campaign.robots), 0)).where(
        Campaign.status == CampaignStatus.RUNNING.value
    )
    if campaign_id is not None:
        stmt = stmt.where(Campaign.id == campaign_id)
    return int(session.execute(stmt).scalar_one())


def campaign_names(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every campaign, newest first."""
    rows = session.execute(select(Campaign.id, Campaign.name).order_by(Campaign.id.desc()))
    return [(int(i), str(n)) for i, n in rows]
