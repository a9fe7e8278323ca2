from __future__ import annotations

from pathlib import Path

from huikuan.desk import service
from huikuan.desk.models import Transfer
from huikuan.web.app import create_app
from tests.conftest import TestDatabase
from tests.desk.helpers import PASSWORD, PHONE, T0, desk_user, robot_call
from tests.web.browser import chromium, served


def test_agent_logs_in_gets_pop_and_wraps_up_in_chromium(db: TestDatabase, tmp_path: Path) -> None:
    with db.session() as s:
        desk_user(s, "browser-agent")
        attempt_id = robot_call(s).attempt_id
        s.commit()
    with served(create_app(db.engine)) as base, chromium() as browser:
        page = browser.new_page()
        response = page.goto(base + "/desk")
        assert response is not None
        assert response.status == 200
        page.fill("#username", "browser-agent")
        page.fill("#password", "wrong-password")
        page.click("#login-button")
        # A locator, not wait_for_function: the page's CSP forbids the eval that would need.
        page.locator("#message", has_text="wrong username").wait_for()
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        page.wait_for_selector("#state[data-state='available']")
        with db.session() as s:
            transfer_id = service.request_transfer(
                s, attempt_id=attempt_id, reason="asked_for_person", at=T0
            ).id
            s.commit()
        page.wait_for_selector("#pop-panel:not([hidden])", timeout=15_000)
        page.wait_for_selector("#state[data-state='on_call']")
        assert "我要找人工" in page.inner_text("#pop-transcript")
        assert page.inner_text("#pop-phones") == "+86139****4321"
        assert PHONE not in page.content()
        page.screenshot(path=str(tmp_path / "desk-pop.png"), full_page=True)
        page.click("#accept-button")
        page.wait_for_selector("#end-button:not([hidden])")
        page.click("#end-button")
        page.wait_for_selector("#state[data-state='wrap_up']")
        page.select_option("#wrap-code", "promise_to_pay")
        page.click("#wrap-button")
        page.wait_for_selector("#state[data-state='available']")
        assert "Wrap-up saved" in page.inner_text("#message")
    with db.session() as s:
        transfer = s.get(Transfer, transfer_id)
        assert transfer is not None
        assert transfer.status == "wrapped"
        assert transfer.wrap_code == "promise_to_pay"
    assert (tmp_path / "desk-pop.png").stat().st_size > 1000
