"""The activity feed hears what another connection records, and lets go when nobody listens."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import create_engine

from huikuan.analytics.live import ActivityFeed
from huikuan.db import session_scope
from huikuan.outcomes import service as outcomes
from huikuan.portfolio.models import Account
from tests.conftest import TestDatabase
from tests.outcomes.seed import T0, seed_history

GUARD_SECONDS = 30  # only so a broken feed fails instead of hanging the run


def test_the_feed_hears_an_attempt_from_another_engine(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_history(s)
        s.commit()
    worker = create_engine(db.url)
    feed = ActivityFeed(db.engine, poll_seconds=0.1)

    def record() -> None:
        with session_scope(worker) as s:
            account = s.query(Account).one()
            outcomes.start_attempt(
                s,
                account_id=account.id,
                debtor_id=seeded.debtor_id,
                contact_id=account.debtor.contacts[0].id,
                started_at=T0 + timedelta(hours=3),
                campaign_id=seeded.campaign_id,
            )

    async def scenario() -> tuple[int, int, bool]:
        async with feed.subscribe() as subscription:
            # On PostgreSQL the listener announces itself once LISTEN holds: wait for that first,
            # so the notice below cannot be sent before anybody listens.
            if db.backend == "postgres":
                await asyncio.wait_for(subscription.changed(), GUARD_SECONDS)
            assert feed.running
            before = feed.version
            await asyncio.to_thread(record)
            await asyncio.wait_for(subscription.changed(), GUARD_SECONDS)
            after = feed.version
        return before, after, not feed.running  # the feed let go

    before, after, stopped = asyncio.run(scenario())
    worker.dispose()
    assert after > before
    assert stopped
