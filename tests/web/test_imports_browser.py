"""In Chromium: a supervisor uploads a case file with one bad row, sees the counts and the row
error, downloads the error file; the reports page draws its charts."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from huikuan.clock import VirtualClock
from huikuan.security.users import Role
from huikuan.sim.portfolio import generate_rows, to_csv
from huikuan.web.app import create_app
from tests.conftest import TestDatabase
from tests.outcomes.seed import NAME, seed_history
from tests.web.browser import chromium, screenshot, served
from tests.web.login import PASSWORD, add_user
from tests.web.test_imports import AS_OF, NOW
from tests.web.test_reports import NOW as REPORT_NOW


def log_in(page: Page, base: str, path: str, user: str) -> None:
    page.goto(base + path)  # not logged in: the log-in page, which brings us back
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login-button")


def test_a_supervisor_uploads_a_file_and_downloads_its_errors(db: TestDatabase, tmp_path: Path) -> None:
    rows = [r.cells for r in generate_rows(4, 3, AS_OF)]
    rows[1]["phone"] = "12345"  # row 3 of the file
    bad_name = rows[1]["name"]
    user = add_user(db, Role.SUPERVISOR)
    with served(create_app(db.engine, clock=VirtualClock(NOW))) as base, chromium() as browser:
        page = browser.new_page()
        log_in(page, base, "/imports", user)
        page.wait_for_selector("#import-form")
        page.fill("#creditor", "acme")
        page.fill("#batch", "2026-03 委案")
        page.set_input_files(
            "#file", files=[{"name": "cases.csv", "mimeType": "text/csv", "buffer": to_csv(rows).encode()}]
        )
        page.click("#import-button")
        page.wait_for_url(re.compile(r"/imports/\d+$"))
        expect(page.locator("#rows-imported")).to_have_text("3")
        expect(page.locator("#rows-rejected")).to_have_text("1")
        error_row = page.locator("#row-errors tbody tr")
        expect(error_row).to_have_count(1)
        expect(error_row).to_contain_text("手机号")
        expect(error_row).to_contain_text("电话号码无效")
        assert bad_name not in page.content()
        screenshot(page, "import-errors")
        with page.expect_download() as info:
            page.click("#errors-csv")
        saved = tmp_path / "errors.csv"
        info.value.save_as(saved)
        table = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
        assert table == [
            ["row/行号", "column/列", "reason/原因"],
            ["3", "phone/手机号", "电话号码无效 / invalid phone number"],
        ]
        page.goto(base + "/imports")
        expect(page.locator("#batches tbody tr")).to_have_count(1)
        expect(page.locator("#batches tbody tr")).to_contain_text("2026-03 委案")


def test_a_refused_upload_says_why_and_keeps_what_was_typed(db: TestDatabase) -> None:
    user = add_user(db, Role.SUPERVISOR)
    with served(create_app(db.engine, clock=VirtualClock(NOW))) as base, chromium() as browser:
        page = browser.new_page()
        log_in(page, base, "/imports", user)
        page.click("#lang-en")
        page.wait_for_selector("#import-form")
        page.fill("#batch", "march")
        page.set_input_files(
            "#file", files=[{"name": "photo.png", "mimeType": "image/png", "buffer": b"\x89PNG"}]
        )
        page.click("#import-button")
        expect(page.locator("#import-notice")).to_have_text("Only CSV or XLSX files can be imported.")
        expect(page.locator("#batch")).to_have_value("march")


def test_the_reports_page_draws_its_charts(db: TestDatabase) -> None:
    with db.session() as s:
        seed_history(s)
        s.commit()
    user = add_user(db, Role.SUPERVISOR)
    with served(create_app(db.engine, clock=VirtualClock(REPORT_NOW))) as base, chromium() as browser:
        page = browser.new_page()
        log_in(page, base, "/reports?since=2026-03-01&until=2026-03-04", user)
        page.wait_for_selector("#totals")
        expect(page.locator("#total-attempts")).to_have_text("4")
        for chart in ("chart-days", "chart-promises", "chart-campaigns", "chart-handlers"):
            expect(page.locator(f"#{chart}")).to_have_attribute("data-drawn", "1")
        expect(page.locator("#by-day tbody tr")).to_have_count(1)
        assert NAME not in page.content()
        screenshot(page, "reports")
