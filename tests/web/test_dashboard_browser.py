"""A supervisor watches the dashboard while calls are recorded: the numbers move, no reload."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import create_engine

from huikuan.clock import VirtualClock
from huikuan.db import session_scope
from huikuan.outcomes import service as outcomes
from huikuan.outcomes.service import AttemptCompletion, PromiseIn
from huikuan.portfolio.models import Account
from huikuan.security.users import Role
from huikuan.types import CallOutcome, Disposition
from huikuan.web.app import create_app
from tests.conftest import TestDatabase
from tests.outcomes.seed import T0, seed_history
from tests.web.browser import chromium, screenshot, served
from tests.web.login import PASSWORD, add_user

NOON = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 12:00 on the floor


def test_the_dashboard_moves_while_calls_are_recorded(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_history(s)
        s.commit()
    name = add_user(db, Role.SUPERVISOR, "floor-supervisor")
    worker = create_engine(db.url)  # the calls are recorded as a worker process would
    with served(create_app(db.engine, clock=VirtualClock(NOON))) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base + "/")
        page.fill("#username", name)
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        attempts = page.locator('[data-figure="attempts"]')
        expect(attempts).to_have_text("4")
        expect(page.locator("#live-state")).to_have_attribute("data-state", "live")
        expect(page.locator('#denials tr[data-rule="CN.TIME"] .rule-title')).to_have_text("联系时段")
        expect(page.locator("#hourly-chart")).to_be_visible()
        page.evaluate("window.__notReloaded = true")  # gone if the page reloads

        # A call starts: the live count moves.
        with session_scope(worker) as s:
            account = s.query(Account).one()
            contact_id = account.debtor.contacts[0].id
            at = T0 + timedelta(hours=2, minutes=30)
            first = outcomes.start_attempt(
                s,
                account_id=account.id,
                debtor_id=seeded.debtor_id,
                contact_id=contact_id,
                started_at=at,
                campaign_id=seeded.campaign_id,
            )
        expect(page.locator('[data-figure="calls_live"]')).to_have_text("1")
        expect(attempts).to_have_text("5")

        # It ends with a promise, and two more calls go unanswered.
        with session_scope(worker) as s:
            outcomes.complete_attempt(
                s,
                first,
                account_id=account.id,
                debtor_id=seeded.debtor_id,
                completion=AttemptCompletion(
                    ended_at=at + timedelta(seconds=80),
                    outcome=CallOutcome.ANSWERED,
                    conversation=True,
                    talk_seconds=75,
                    disposition=Disposition.PTP,
                ),
                promise=PromiseIn(50_000, date(2026, 3, 9)),
            )
            for minutes in (40, 50):
                other = outcomes.start_attempt(
                    s,
                    account_id=account.id,
                    debtor_id=seeded.debtor_id,
                    contact_id=contact_id,
                    started_at=T0 + timedelta(hours=2, minutes=minutes),
                    campaign_id=seeded.campaign_id,
                )
                outcomes.complete_attempt(
                    s,
                    other,
                    account_id=account.id,
                    debtor_id=seeded.debtor_id,
                    completion=AttemptCompletion(
                        ended_at=T0 + timedelta(hours=2, minutes=minutes, seconds=30),
                        outcome=CallOutcome.NO_ANSWER,
                        conversation=False,
                        talk_seconds=0,
                        disposition=Disposition.NONE,
                    ),
                )
        expect(attempts).to_have_text("7")
        expect(page.locator('[data-figure="calls_live"]')).to_have_text("0")
        expect(page.locator('[data-figure="promises"]')).to_have_text("2")
        expect(page.locator('[data-figure="amount_promised"]')).to_have_text("¥1,700.50")
        assert page.evaluate("window.__notReloaded === true")
        screenshot(page, "dashboard-live")

        # One campaign: choosing it in the filter shows its figures only.
        page.select_option("#campaign-filter", str(seeded.other_campaign_id))
        page.wait_for_url(f"**campaign_id={seeded.other_campaign_id}**")
        expect(attempts).to_have_text("1")
    worker.dispose()
