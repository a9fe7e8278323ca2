"""The desk in Chromium: an agent logs in to the console, a transfer pops, they accept and end
the call, the page is reloaded mid-wrap-up, and the wrap-up (a promise) still completes."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from huikuan.clock import VirtualClock
from huikuan.desk import service
from huikuan.desk.models import Transfer
from huikuan.outcomes.models import Promise
from huikuan.web.app import create_app
from tests.conftest import TestDatabase
from tests.desk.helpers import PASSWORD, PHONE, T0, desk_user, robot_call
from tests.web.browser import chromium, screenshot, served


def test_agent_gets_pop_reloads_mid_wrap_up_and_completes_in_chromium(db: TestDatabase) -> None:
    with db.session() as s:
        desk_user(s, "browser-agent")
        attempt_id = robot_call(s).attempt_id
        s.commit()
    with served(create_app(db.engine, VirtualClock(T0))) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(base + "/lang/en?next=/desk")  # to /login, then back to the desk
        page.fill("#username", "browser-agent")
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        expect(page.locator("#state")).to_have_attribute("data-state", "offline")
        page.click("#available-button")
        expect(page.locator("#state")).to_have_attribute("data-state", "available")
        with db.session() as s:
            transfer_id = service.request_transfer(
                s, attempt_id=attempt_id, reason="asked_for_person", at=T0
            ).id
            s.commit()
        expect(page.locator("#pop-panel")).to_be_visible(timeout=15_000)
        expect(page.locator("#state")).to_have_attribute("data-state", "ringing")
        expect(page.locator("#state")).to_have_text("Ringing")  # not "on call" while it rings
        expect(page.locator("#pop-reason")).to_have_text("Debtor asked for a person")
        expect(page.locator("#pop-transcript")).to_contain_text("我要找人工")
        expect(page.locator("#pop-phones")).to_have_text("+86139****4321")
        assert PHONE not in page.content()
        expect(page.locator("#wrap-form")).to_be_hidden()
        screenshot(page, "desk-pop")
        page.click("#accept-button")
        expect(page.locator("#state")).to_have_attribute("data-state", "on_call")
        expect(page.locator("#message")).to_have_class("notice ok")  # a success is green
        page.click("#end-button")
        expect(page.locator("#state")).to_have_attribute("data-state", "wrap_up")
        page.reload()
        # After the reload: the pop and the wrap-up form are back; a break is refused with why.
        expect(page.locator("#state")).to_have_attribute("data-state", "wrap_up")
        expect(page.locator("#wrap-form")).to_be_visible()
        expect(page.locator("#pop-transcript")).to_contain_text("我要找人工")
        expect(page.locator("#accept-button")).to_be_hidden()
        page.click("#break-button")
        expect(page.locator("#message")).to_have_class("notice error")
        expect(page.locator("#message")).to_contain_text("Finish the wrap-up first")
        screenshot(page, "desk-wrapup-after-reload")
        page.select_option("#wrap-code", "promise_to_pay")
        page.fill("#promise-amount", "300")
        page.fill("#promise-date", "2026-03-12")
        page.click("#wrap-button")
        expect(page.locator("#state")).to_have_attribute("data-state", "available")
        expect(page.locator("#message")).to_have_text("Wrap-up saved")
        expect(page.locator("#message")).to_have_class("notice ok")
        expect(page.locator("#pop-panel")).to_be_hidden()
        page.close()  # ends the long poll, so the server stops at once
    with db.session() as s:
        transfer = s.get(Transfer, transfer_id)
        assert transfer is not None
        assert (transfer.status, transfer.wrap_code) == ("wrapped", "promise_to_pay")
        promised = s.scalars(select(Promise.amount).where(Promise.attempt_id == attempt_id)).all()
        assert 30_000 in promised
