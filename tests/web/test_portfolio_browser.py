"""In Chromium: a compliance officer opens an account and its recording plays (decrypted by the
server, audited); an auditor opening the same page sees no player and the audio is refused."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from huikuan.security.models import AuditEvent, User
from huikuan.security.users import Role
from huikuan.web.app import create_app
from tests.conftest import TestDatabase
from tests.outcomes.seed import NAME, PHONE
from tests.web.browser import chromium, screenshot, served
from tests.web.login import PASSWORD, add_user
from tests.web.portfolio_seed import seed_floor


def log_in(page: Page, base: str, username: str, path: str) -> None:
    page.goto(base + path)  # not logged in: the log-in page, which brings us back
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(base + path)


def test_an_officer_plays_a_recording_and_an_auditor_cannot(db: TestDatabase, tmp_path: Path) -> None:
    with db.session() as s:
        floor = seed_floor(s, tmp_path)
        s.commit()
    officer = add_user(db, Role.COMPLIANCE_OFFICER, "officer-li")
    auditor = add_user(db, Role.AUDITOR, "auditor-zhao")
    app = create_app(db.engine)
    app.state.data_dir = tmp_path
    account = f"/portfolio/accounts/{floor.account_id}"
    with served(app) as base, chromium() as browser:
        page = browser.new_context().new_page()
        log_in(page, base, officer, "/portfolio")
        expect(page.locator("#accounts tbody tr")).to_have_count(5)
        screenshot(page, "portfolio-search")
        page.click(f'tr[data-account="{floor.account_id}"] a')
        page.wait_for_url(base + account)
        audio = page.locator(f"#recording-{floor.recording_id}")
        expect(audio).to_be_visible()
        audio.evaluate("a => { a.preload = 'auto'; a.load(); }")  # what pressing play starts
        expect(audio).to_have_attribute("data-ready", "yes", timeout=10_000)
        state = audio.evaluate("a => ({ready: a.readyState, duration: a.duration})")
        assert state["ready"] >= 2
        assert abs(state["duration"] - 1.0) < 0.05  # the seeded call is one second long
        assert NAME not in page.content()
        assert PHONE not in page.content()
        screenshot(page, "account-recording")
        # The reveal asks for a reason, then shows the debtor in full (audited by the API).
        page.fill("#reveal-reason", "债务人来电核实身份")
        page.click("#reveal-button")
        expect(page.locator("#debtor-name")).to_have_text(NAME)
        expect(page.locator('[data-contact][data-field="number"]').first).to_have_text(PHONE)

        other = browser.new_context().new_page()
        log_in(other, base, auditor, account)
        expect(other.locator(".no-player")).to_be_visible()
        assert other.locator("audio").count() == 0
        refused = other.request.get(f"{base}/api/recordings/{floor.recording_id}/audio")
        assert refused.status == 403
        screenshot(other, "account-no-player")
    with db.session() as s:
        plays = s.scalars(select(AuditEvent).where(AuditEvent.action == "recording.play")).all()
        officer_id = s.scalars(select(User.id).where(User.username == officer)).one()
    assert plays  # the browser may fetch the audio more than once: each fetch is recorded
    assert {(e.actor, e.entity_id) for e in plays} == {(f"user:{officer_id}", str(floor.recording_id))}
