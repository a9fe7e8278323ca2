from __future__ import annotations

from datetime import UTC, datetime

from huikuan.clock import VirtualClock
from tests.conftest import TestDatabase
from tests.outcomes.seed import NAME, seed_history
from tests.web.login import console

SEEDED_DAY_NOON = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)


def test_console_home_is_the_dashboard_in_chinese_and_english(db: TestDatabase) -> None:
    with db.session() as s:
        seed_history(s)
        s.commit()
    client = console(db, clock=VirtualClock(SEEDED_DAY_NOON))
    page = client.get("/")
    assert page.status_code == 200
    assert "拨打次数" in page.text
    assert "Attempts" not in page.text
    assert 'data-figure="amount_promised" data-format="money">¥1,200.50<' in page.text
    assert NAME not in page.text
    client.cookies.set("huikuan_lang", "en")
    english = client.get("/")
    assert "Attempts" in english.text
    assert "拨打次数" not in english.text


def test_api_kpis_per_campaign(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_history(s)
        s.commit()
    client = console(db)
    assert client.get("/api/kpis").json()["attempts"] == 4
    assert client.get("/api/kpis", params={"campaign_id": seeded.other_campaign_id}).json()["attempts"] == 1
    bad = client.get("/api/kpis", params={"campaign_id": "x"})
    assert bad.status_code == 422
