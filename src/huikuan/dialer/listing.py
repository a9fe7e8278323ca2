"""Campaigns as other views name them: id → name, for filters and report tables."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.dialer.models import Campaign


def campaign_names(session: Session) -> dict[int, str]:
    """Every campaign's name by id, newest first."""
    stmt = select(Campaign.id, Campaign.name).order_by(Campaign.id.desc())
    return {int(cid): str(name) for cid, name in session.execute(stmt)}
