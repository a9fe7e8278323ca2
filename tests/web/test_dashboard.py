"""The dashboard page, its JSON API and its live stream (another connection records a call)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import create_engine

from huikuan.clock import VirtualClock
from huikuan.db import session_scope
from huikuan.outcomes import service as outcomes
from huikuan.portfolio.models import Account
from huikuan.security.users import Role
from huikuan.web.app import create_app
from tests.conftest import TestDatabase
from tests.outcomes.seed import NAME, PHONE, T0, seed_history
from tests.web.browser import served
from tests.web.i18n_check import untranslated
from tests.web.login import PASSWORD, add_user, console

NOON = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 12:00 on the floor (Asia/Shanghai)


def test_the_page_shows_the_day_in_both_languages(db: TestDatabase) -> None:
    with db.session() as s:
        seed_history(s)
        s.commit()
    client = console(db, clock=VirtualClock(NOON))
    page = client.get("/")
    assert page.status_code == 200
    assert "拨打次数" in page.text
    assert "联系时段" in page.text  # the CN.TIME rule's title, not only its id
    assert "¥1,200.50" in page.text
    assert NAME not in page.text
    assert PHONE not in page.text
    assert untranslated(page.text, "zh_CN") == []
    client.cookies.set("huikuan_lang", "en")
    english = client.get("/")
    assert "Contact window" in english.text
    assert "Attempts" in english.text
    assert untranslated(english.text, "en") == []


def test_the_page_reads_its_own_form_and_names_what_it_cannot_read(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_history(s)
        s.commit()
    client = console(db, clock=VirtualClock(NOON))
    everything = client.get("/", params={"campaign_id": "", "day": ""})  # "all", "today"
    assert everything.status_code == 200
    assert 'data-figure="attempts" data-format="number">4<' in everything.text
    one = client.get("/", params={"campaign_id": str(seeded.other_campaign_id), "day": "2026-03-02"})
    assert 'data-figure="attempts" data-format="number">1<' in one.text
    bad = client.get("/", params={"campaign_id": "x", "day": "2026-13-01"})
    assert bad.status_code == 200
    assert "请从列表中选择外呼任务。" in bad.text
    assert "日期格式应为" in bad.text
    assert 'data-figure="attempts" data-format="number">4<' in bad.text  # today, all campaigns
    client.cookies.set("huikuan_lang", "en")
    english = client.get("/", params={"day": "someday"})
    assert "The day must be a date such as 2026-03-02." in english.text
    assert untranslated(english.text, "en") == []


def test_the_api_gives_the_figures_per_day_and_campaign(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_history(s)
        s.commit()
    client = console(db, clock=VirtualClock(NOON))
    today = client.get("/api/dashboard").json()
    assert today["day"] == "2026-03-02"
    assert today["attempts"] == 4
    assert today["attempts_by_hour"][9] == 1
    assert today["denials"][0] == {
        "rule": "CN.TIME",
        "title_zh": "联系时段",
        "title_en": "Contact window",
        "count": 2,
    }
    other = client.get("/api/dashboard", params={"campaign_id": seeded.other_campaign_id}).json()
    assert other["attempts"] == 1
    assert client.get("/api/dashboard", params={"day": "2026-03-03"}).json()["attempts"] == 0
    assert client.get("/api/dashboard", params={"day": "yesterday"}).status_code == 422
    assert (
        client.get("/api/dashboard", params={"campaign_id": 0}).status_code == 404
    )  # no such id (hardening)
    assert client.get("/api/kpis").json()["attempts"] == 4


def test_an_agent_is_not_shown_the_dashboard(db: TestDatabase) -> None:
    client = console(db, Role.AGENT)
    assert client.get("/api/dashboard").status_code == 403
    assert client.get("/api/dashboard/stream").status_code == 403


def test_a_stream_asked_for_once_sends_the_figures_and_ends(db: TestDatabase) -> None:
    with db.session() as s:
        seed_history(s)
        s.commit()
    client = console(db, clock=VirtualClock(NOON))
    res = client.get("/api/dashboard/stream", params={"once": "true"})
    assert res.status_code == 200
    assert "event: dashboard" in res.text
    assert '"attempts":4' in res.text


def _events(response: requests.Response) -> Iterator[dict[str, object]]:
    """The `dashboard` events of a server-sent stream, decoded."""
    name = None
    for line in response.iter_lines(decode_unicode=True):
        if line.startswith("event:"):
            name = line.partition(":")[2].strip()
        elif line.startswith("data:") and name == "dashboard":
            yield json.loads(line.partition(":")[2])


def test_the_stream_pushes_a_call_recorded_by_another_connection(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_history(s)
        s.commit()
    name = add_user(db, Role.SUPERVISOR, "stream-supervisor")
    # The recording side has an engine of its own, as a worker process would.
    worker_engine = create_engine(db.url)
    with served(create_app(db.engine, clock=VirtualClock(NOON))) as base, requests.Session() as http:
        logged_in = http.post(
            base + "/login", data={"username": name, "password": PASSWORD, "next": "/healthz"}, timeout=30
        )
        assert logged_in.status_code == 200
        with http.get(base + "/api/dashboard/stream", stream=True, timeout=30) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            events = _events(response)
            first = next(events)
            assert (first["attempts"], first["calls_live"]) == (4, 0)
            with session_scope(worker_engine) as s:
                account = s.query(Account).one()
                outcomes.start_attempt(
                    s,
                    account_id=account.id,
                    debtor_id=seeded.debtor_id,
                    contact_id=account.debtor.contacts[0].id,
                    started_at=T0 + timedelta(hours=2, minutes=30),
                    campaign_id=seeded.campaign_id,
                )
            pushed = next(events)
            assert (pushed["attempts"], pushed["calls_live"]) == (5, 1)
    worker_engine.dispose()
