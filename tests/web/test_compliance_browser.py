"""A compliance officer in Chromium: clears a stop (refused without a reason, then with one),
then verifies the audit log."""

from __future__ import annotations

from playwright.sync_api import expect

from huikuan.security.users import Role
from huikuan.web.app import create_app
from tests.conftest import TestDatabase
from tests.web.browser import chromium, screenshot, served
from tests.web.compliance_seed import seed_compliance
from tests.web.login import PASSWORD, add_user


def test_officer_clears_a_stop_and_verifies_the_audit_log(db: TestDatabase) -> None:
    with db.session() as s:
        stop_id = seed_compliance(s).stop_id
        s.commit()
    officer = add_user(db, Role.COMPLIANCE_OFFICER, "browser-officer")
    with served(create_app(db.engine)) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base + "/lang/en?next=/compliance/stops")  # the log-in page, then back here
        page.fill("#username", officer)
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        row = page.locator(f"#stop-{stop_id}")
        expect(row).to_contain_text("Complaint")
        row.locator("button[type=submit]").click()
        expect(page.locator("#notice")).to_have_text("clearing a stop needs a reason")
        row = page.locator(f"#stop-{stop_id}")
        row.locator("input[name=reason]").fill("Complaint resolved; the debtor agreed to further contact")
        row.locator("button[type=submit]").click()
        expect(page.locator("#notice")).to_contain_text(f"Stop {stop_id} cleared")
        expect(page.locator(f"#stop-{stop_id}")).to_have_count(0)
        screenshot(page, "stop-cleared")

        page.click("nav.areas a[href='/audit']")
        expect(page.locator("#events")).to_contain_text("compliance.stop.clear")
        page.click("#verify-button")
        expect(page.locator("#verify-result")).to_contain_text("OK: the audit log is intact")
        screenshot(page, "audit-verified")

        page.click("nav.areas a[href='/compliance']")
        page.click("#lang-zh_CN")
        expect(page.locator("#settings")).to_contain_text("CN-NIFA-2025")
        expect(page.locator("#settings")).to_contain_text("联系时段")
        screenshot(page, "compliance-settings")
        page.goto(base + "/compliance/decisions?outcome=denied")
        expect(page.locator("#decisions")).to_contain_text("投诉、争议、停止联系请求")
        screenshot(page, "compliance-decisions")
