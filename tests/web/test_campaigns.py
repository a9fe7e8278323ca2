"""Campaigns in the console: created with the CLI's own checks, moved through their states
(audited), refused clearly, shown with the service's own progress figures."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from huikuan.clock import VirtualClock
from huikuan.dialer import campaigns
from huikuan.dialer.campaign_input import CampaignText, campaign_spec
from huikuan.errors import HuikuanError
from huikuan.security.models import AuditEvent
from huikuan.security.users import Role
from tests.conftest import TestDatabase
from tests.outcomes.seed import seed_history
from tests.web.i18n_check import untranslated
from tests.web.login import console

T = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
BAD = [  # (API body, the field the refusal names)
    ({"name": ""}, "name"),
    ({"name": "x", "window_start": "07:30"}, "window_start"),
    ({"name": "x", "window_start": "seven"}, "window_start"),
    ({"name": "x", "robots": 0}, "robots"),
    ({"name": "x", "dpd_min": 30, "dpd_max": 5}, "dpd_max"),
    ({"name": "x", "caller_ids": ["+8610"]}, "caller_ids"),
    ({"name": "x", "retry": {"bogus": 1}}, "retry"),
    ({"name": "x", "mode": "turbo"}, "mode"),
    ({"name": "x", "jurisdiction": "XX"}, "jurisdiction"),
    ({"name": "x", "callback_number": "call me"}, "callback_number"),
    ({"name": "x\x07y"}, "name"),
    ({"name": "x", "lang": "zh-CN-extra-long"}, "lang"),
    ({"name": "x", "dpd_min": -1}, "dpd_min"),
    ({"name": "x", "caller_ids": ["+861012345:9999999999"]}, "caller_ids"),
]


def _csrf(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/api/me").json()["csrf_token"]}


def _cli_refusal(db: TestDatabase, body: dict[str, object]) -> str:
    """What `huikuan campaign create` says for the same input (it runs these two functions)."""
    with db.session() as s, pytest.raises(HuikuanError) as refused:
        campaigns.create_campaign(s, campaign_spec(CampaignText(**body)), now=T)  # type: ignore[arg-type]
    return refused.value.message


@pytest.mark.parametrize(("body", "field"), BAD, ids=[f for _, f in BAD])
def test_the_api_refuses_what_the_cli_refuses_naming_the_field(
    db: TestDatabase, body: dict[str, object], field: str
) -> None:
    client = console(db, Role.SUPERVISOR, clock=VirtualClock(T))
    res = client.post("/api/campaigns", json=body, headers=_csrf(client))
    assert res.status_code == 422, res.text
    assert res.json() == {"error": _cli_refusal(db, body), "field": field}
    assert client.get("/api/campaigns").json() == []


def test_the_form_shows_the_refusal_by_its_field_keeps_the_input_then_creates(db: TestDatabase) -> None:
    client = console(db, Role.SUPERVISOR, clock=VirtualClock(T))
    client.cookies.set("huikuan_lang", "en")
    form = {
        "csrf_token": _csrf(client)["X-CSRF-Token"],
        "name": "M1 早催",
        "robots": "3",
        "window_start": "07:30",
    }
    res = client.post("/campaigns/new", data=form)
    assert res.status_code == 422
    expected = _cli_refusal(db, {"name": "M1 早催", "robots": 3, "window_start": "07:30"}).split(" / ")[1]
    assert 'id="error-window_start"' in res.text
    assert expected.replace("'", "&#39;") in res.text
    assert 'value="M1 早催"' in res.text  # nothing typed is lost
    assert 'value="07:30"' in res.text
    res = client.post("/campaigns/new", data={**form, "window_start": "09:00"}, follow_redirects=False)
    assert res.status_code == 303
    created = client.get(res.headers["location"].replace("/campaigns/", "/api/campaigns/")).json()
    assert (created["name"], created["robots"], created["window_start"], created["status"]) == (
        "M1 早催",
        3,
        "09:00",
        "draft",
    )


def test_answering_machine_detection_is_a_campaign_option(db: TestDatabase) -> None:
    client = console(db, Role.SUPERVISOR, clock=VirtualClock(T))
    csrf = _csrf(client)
    default_on = client.post("/api/campaigns", json={"name": "on"}, headers=csrf).json()["id"]
    off = client.post("/api/campaigns", json={"name": "off", "amd": False}, headers=csrf).json()["id"]
    assert client.get(f"/api/campaigns/{default_on}").json()["amd"] is True
    assert client.get(f"/api/campaigns/{off}").json()["amd"] is False
    page = client.get("/campaigns/new")
    assert 'name="amd" id="f-amd" checked' in page.text  # the form proposes it on
    form = {"csrf_token": csrf["X-CSRF-Token"], "name": "form", "amd": "on"}
    res = client.post("/campaigns/new", data=form, follow_redirects=False)
    created = client.get(res.headers["location"].replace("/campaigns/", "/api/campaigns/")).json()
    assert created["amd"] is True
    del form["amd"]  # an unticked box is absent from the form
    res = client.post("/campaigns/new", data={**form, "name": "form2"}, follow_redirects=False)
    assert (
        client.get(res.headers["location"].replace("/campaigns/", "/api/campaigns/")).json()["amd"] is False
    )


def test_a_zh_page_shows_the_chinese_reason(db: TestDatabase) -> None:
    client = console(db, Role.SUPERVISOR, clock=VirtualClock(T))
    res = client.post(
        "/campaigns/new", data={"csrf_token": _csrf(client)["X-CSRF-Token"], "name": "x", "robots": "0"}
    )
    assert res.status_code == 422
    assert "机器人数至少为 1" in res.text
    assert "robots must be at least 1" not in res.text


def test_states_move_only_the_allowed_way_and_every_move_is_audited(db: TestDatabase) -> None:
    client = console(db, Role.SUPERVISOR, clock=VirtualClock(T))
    csrf = _csrf(client)
    campaign_id = client.post("/api/campaigns", json={"name": "flow"}, headers=csrf).json()["id"]
    api = f"/api/campaigns/{campaign_id}"
    assert client.post(f"{api}/resume", headers=csrf).status_code == 409  # a draft was never started
    assert client.post(f"{api}/start", headers=csrf).json()["status"] == "running"
    assert client.post(f"{api}/start", headers=csrf).status_code == 409
    assert client.post(f"{api}/pause", headers=csrf).json()["status"] == "paused"
    assert client.get(api).json()["actions"] == ["resume", "stop"]
    assert client.post(f"{api}/resume", headers=csrf).json()["status"] == "running"
    assert client.post(f"{api}/stop", headers=csrf).json()["status"] == "stopped"
    refused = client.post(f"{api}/resume", headers=csrf)
    assert refused.status_code == 409
    assert "stopped" in refused.json()["error"]
    page = client.post(f"/campaigns/{campaign_id}/resume", data={"csrf_token": csrf["X-CSRF-Token"]})
    assert page.status_code == 409
    assert "该外呼任务当前为「已停止」，不能恢复" in page.text
    with db.session() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.entity == "campaign").order_by(AuditEvent.id)
        ).all()
        assert [e.action for e in events] == [
            "campaign.create",
            "campaign.start",
            "campaign.pause",
            "campaign.resume",
            "campaign.stop",
        ]
        assert {e.actor for e in events} == {f"user:{client.get('/api/me').json()['user_id']}"}


def test_a_change_needs_the_csrf_token_and_the_permission(db: TestDatabase) -> None:
    supervisor = console(db, Role.SUPERVISOR, clock=VirtualClock(T))
    assert supervisor.post("/api/campaigns", json={"name": "x"}).status_code == 403  # no CSRF token
    agent = console(db, Role.AGENT)
    assert agent.get("/api/campaigns").status_code == 403
    assert agent.post("/api/campaigns", json={"name": "x"}, headers=_csrf(agent)).status_code == 403
    assert agent.get("/campaigns").status_code == 403


def test_progress_figures_are_the_services_on_seeded_data(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_history(s)
        s.commit()
        expected = campaigns.progress(s, seeded.campaign_id)
    client = console(db, Role.SUPERVISOR)
    detail = client.get(f"/api/campaigns/{seeded.campaign_id}").json()
    assert (detail["attempts"], detail["connects"], detail["promises"]) == (
        expected.attempts,
        expected.connects,
        expected.promises,
    )
    assert detail["attempts"] == 3
    assert detail["promises"] == 1
    assert detail["dispositions"].get("ptp") == 1
    rows = {r["id"]: r for r in client.get("/api/campaigns").json()}
    assert rows[seeded.campaign_id]["attempts"] == 3
    page = client.get(f"/campaigns/{seeded.campaign_id}")
    assert page.status_code == 200
    assert 'data-figure="attempts" id="fig-attempts">3<' in page.text
    assert "承诺还款" in page.text


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_campaign_pages_speak_one_language_with_data_present(db: TestDatabase, lang: str) -> None:
    with db.session() as s:
        seeded = seed_history(s)
        campaigns.get_campaign(s, seeded.campaign_id).mode = "predictive"  # the pacing panel shows
        s.commit()
    client = console(db, Role.SUPERVISOR, clock=VirtualClock(T))
    client.cookies.set("huikuan_lang", lang)
    csrf = _csrf(client)["X-CSRF-Token"]
    stopped = client.post("/api/campaigns", json={"name": "停催 batch"}, headers=_csrf(client)).json()["id"]
    client.post(f"/api/campaigns/{stopped}/stop", headers=_csrf(client))
    pages = {
        "list": client.get("/campaigns"),
        "detail": client.get(f"/campaigns/{seeded.campaign_id}"),
        "form": client.get("/campaigns/new"),
        "form error": client.post("/campaigns/new", data={"csrf_token": csrf, "name": "x", "dpd_min": "abc"}),
        "refusal": client.post(f"/campaigns/{stopped}/pause", data={"csrf_token": csrf}),
    }
    assert pages["detail"].text.count('id="pacing"') == 1
    assert 'id="error-dpd_min"' in pages["form error"].text
    assert 'id="action-error"' in pages["refusal"].text
    for name, page in pages.items():
        assert untranslated(page.text, lang) == [], name
