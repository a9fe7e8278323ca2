"""Which debtors a campaign holds, as a query other layers can filter by (ids only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from huikuan.dialer.models import DialTask


def campaign_debtor_ids(campaign_id: int) -> Select[Any]:
    """The ids of the debtors queued in `campaign_id` (its dial tasks), as a subquery."""
    return select(DialTask.debtor_id).where(DialTask.campaign_id == campaign_id)
