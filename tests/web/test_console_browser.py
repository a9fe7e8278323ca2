from __future__ import annotations

from pathlib import Path

from huikuan.security.users import Role
from huikuan.web.app import create_app
from tests.conftest import TestDatabase
from tests.outcomes.seed import NAME, seed_history
from tests.web.browser import chromium, served
from tests.web.login import PASSWORD, add_user


def test_console_renders_kpis_in_chromium(db: TestDatabase, tmp_path: Path) -> None:
    with db.session() as s:
        seed_history(s)
        s.commit()
    with served(create_app(db.engine)) as base, chromium() as browser:
        user = add_user(db, Role.SUPERVISOR)
        page = browser.new_page()
        page.goto(base + "/")  # not logged in: the log-in page, which brings us back
        page.fill("#username", user)
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        page.wait_for_selector("#kpis")
        assert page.url == base + "/"
        cells = page.locator("#kpis tbody tr").all_inner_texts()
        assert any("拨打次数" in row and "4" in row for row in cells)
        assert any("承诺金额" in row and "¥1,200.50" in row for row in cells)
        assert NAME not in page.content()
        page.screenshot(path=str(tmp_path / "console.png"), full_page=True)
        assert (tmp_path / "console.png").stat().st_size > 1000
