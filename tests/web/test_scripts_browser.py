"""A supervisor writes a script, the guard flags a sentence as it is typed, the supervisor fixes
it and submits; a compliance officer (another user, another browser context) approves it."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from huikuan.dialogue import versions
from huikuan.security.users import Role
from huikuan.web.app import create_app
from tests.conftest import TestDatabase
from tests.web.browser import chromium, screenshot, served
from tests.web.login import PASSWORD, add_user
from tests.web.test_scripts import CLEAN

THREAT = "如果你今天不还钱，我们就去你单位找你。"


def logged_in(browser: Browser, base: str, username: str, path: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(base + path)  # not logged in: the log-in page, which brings us back
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(base + path)
    return page


def test_a_script_is_flagged_fixed_submitted_and_approved_by_another_user(db: TestDatabase) -> None:
    writer = add_user(db, Role.SUPERVISOR, "writer")
    officer = add_user(db, Role.COMPLIANCE_OFFICER, "officer")
    with served(create_app(db.engine)) as base, chromium() as browser:
        page = logged_in(browser, base, writer, "/scripts/new")
        status = page.locator("#lint-status")
        editor = page.locator("#script-text")
        editor.fill(CLEAN)
        expect(status).to_have_attribute("data-state", "clean")
        expect(page.locator("#preview tbody tr").first).to_be_visible()
        # Typed at the end of the script, key by key: a node that threatens the debtor.
        editor.focus()
        page.keyboard.press("Control+End")
        editor.press_sequentially(f"  warn:\n    say: {THREAT}\n")
        expect(status).to_have_attribute("data-state", "flagged")
        finding = page.locator("#findings li", has_text="warn say#1")
        expect(finding).to_contain_text("CN.CONTENT")
        expect(finding).to_contain_text("威胁曝光")
        expect(page.locator("#submit-button")).to_be_disabled()
        screenshot(page, "script-flagged")
        # Fixed: the node is gone, the findings clear.
        editor.fill(CLEAN)
        expect(status).to_have_attribute("data-state", "clean")
        expect(page.locator("#findings li")).to_have_count(0)
        expect(page.locator("#submit-button")).to_be_enabled()
        page.click("#submit-button")
        page.wait_for_url(re.compile(r"/scripts/\d+$"))
        expect(page.locator("#version-status")).to_have_attribute("data-status", "submitted")
        version_path = page.url.removeprefix(base)
        assert not page.locator("#approve-button").count()  # a supervisor does not decide

        review = logged_in(browser, base, officer, version_path)
        expect(review.locator("#version-status")).to_have_attribute("data-status", "submitted")
        review.click("#approve-button")  # no reason yet: refused on the page, nothing sent
        expect(review.locator("#message")).to_contain_text("至少5个字")
        review.fill("#decision-reason", "内容合规，同意上线")
        review.click("#approve-button")
        expect(review.locator("#version-status")).to_have_attribute("data-status", "approved")
        expect(review.locator("#version-status")).to_have_text("已审批")
        expect(review.locator("dl.facts")).to_contain_text("officer")
        screenshot(review, "script-approved")
    with db.session() as s:
        version_id = int(version_path.rsplit("/", 1)[1])
        info = versions.get_version(s, version_id)
        assert info.status == "approved"
        assert info.content == CLEAN
