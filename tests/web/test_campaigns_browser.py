"""A supervisor creates a campaign from the form (one field wrong first), starts it, and watches a
simulated worker's calls move the figures on the campaign page without reloading."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from huikuan.clock import VirtualClock
from huikuan.dialer.simulate import BackgroundWorker
from huikuan.security.users import Role
from huikuan.web.app import create_app
from tests import factories
from tests.conftest import TestDatabase
from tests.web.browser import chromium, screenshot, served
from tests.web.login import PASSWORD, add_user

DAY = date(2026, 3, 10)
T = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_supervisor_creates_starts_and_watches_a_campaign(db: TestDatabase) -> None:
    with db.session() as s:
        batch_id = factories.portfolio(s, accounts=12, seed=5, as_of=DAY).id
        factories.approved_scripts(s)
        s.commit()
    name = add_user(db, Role.SUPERVISOR, "floor-lead")
    with served(create_app(db.engine, VirtualClock(T))) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base + "/login?next=/campaigns/new")
        page.fill("#username", name)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.fill("#f-name", "三月 M1 提醒")
        page.fill("#f-batch_id", str(batch_id))
        page.fill("#f-robots", "3")
        page.fill("#f-window_start", "07:00")  # before the CN pack's 08:00
        page.click("#create-campaign")
        expect(page.locator("#error-window_start")).to_contain_text("超出规则包允许的", timeout=10_000)
        expect(page.locator("#f-name")).to_have_value("三月 M1 提醒")  # nothing typed is lost
        page.fill("#f-window_start", "09:00")
        page.click("#create-campaign")
        expect(page.locator("#status")).to_have_text("草稿", timeout=10_000)
        page.click("#start-button")
        expect(page.locator("#status")).to_have_text("进行中", timeout=10_000)
        expect(page.locator("#fig-attempts")).to_have_text("0")
        campaign_id = int(page.locator("#campaign").get_attribute("data-campaign") or 0)
        worker = BackgroundWorker(
            db.engine, 3, VirtualClock(T), campaign_id=campaign_id, exit_when_done=True
        ).start()
        try:
            # The page polls: the worker's calls show up with no reload.
            expect(page.locator("#fig-attempts")).not_to_have_text("0", timeout=20_000)
        finally:
            worker.stop()
        assert worker.error is None
        assert worker.stats is not None
        assert worker.stats.attempts > 0
        assert page.locator("#dispositions tbody tr").count() >= 1
        screenshot(page, "campaign-live")
