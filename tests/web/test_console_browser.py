from __future__ import annotations

from pathlib import Path

from huikuan.web.app import create_app
from tests.conftest import TestDatabase
from tests.outcomes.seed import NAME, seed_history
from tests.web.browser import chromium, served


def test_console_renders_kpis_in_chromium(db: TestDatabase, tmp_path: Path) -> None:
    with db.session() as s:
        seed_history(s)
        s.commit()
    with served(create_app(db.engine)) as base, chromium() as browser:
        page = browser.new_page()
        response = page.goto(base + "/")
        assert response is not None
        assert response.status == 200
        cells = page.locator("#kpis tbody tr").all_inner_texts()
        assert any("拨打次数" in row and "4" in row for row in cells)
        assert any("承诺金额" in row and "¥1,200.50" in row for row in cells)
        assert NAME not in page.content()
        page.screenshot(path=str(tmp_path / "console.png"), full_page=True)
        assert (tmp_path / "console.png").stat().st_size > 1000
