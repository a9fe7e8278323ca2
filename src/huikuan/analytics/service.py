"""KPIs for a campaign or the whole database."""

from __future__ import annotations

from sqlalchemy.orm import Session

from huikuan.analytics import repository
from huikuan.analytics.schemas import Kpis


def compute_kpis(session: Session, campaign_id: int | None = None) -> Kpis:
    """The headline KPIs of one campaign (or all campaigns when `campaign_id` is None)."""
    attempts, connects, rpc, transfers, abusive = repository.attempt_counts(session, campaign_id)
    promises, amount = repository.promise_totals(session, campaign_id)
    return Kpis(
        attempts=attempts,
        connects=connects,
        right_party_contacts=rpc,
        promises=promises,
        amount_promised=amount,
        transfers_requested=transfers,
        abusive_hangups=abusive,
        # Decisions are per debtor, not per campaign: a denial stops every campaign alike.
        denied_by_rule=repository.denials_by_rule(session),
        dispositions=repository.dispositions(session, campaign_id),
    )
