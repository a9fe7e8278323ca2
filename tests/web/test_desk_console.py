"""The desk page and its API on the console session: the cookie (and the CSRF token on changes)
lets an agent in; a reloaded page finds its transfer in any state; times in the floor's zone."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from huikuan.clock import VirtualClock
from huikuan.desk import service
from huikuan.outcomes.models import CallAttempt, Promise
from huikuan.security.users import Role
from huikuan.web.app import create_app
from tests.conftest import TestDatabase
from tests.desk.helpers import DEBTOR_NAME, PHONE, T0, robot_call
from tests.web.i18n_check import untranslated
from tests.web.login import LOCAL, add_user, log_in


def _agent_console(db: TestDatabase, role: Role = Role.AGENT) -> tuple[TestClient, dict[str, str], int]:
    with db.session() as s:
        attempt_id = robot_call(s).attempt_id
        s.commit()
    client = TestClient(create_app(db.engine, VirtualClock(T0)), base_url=LOCAL)
    log_in(client, add_user(db, role, f"desk-{role.value}"))
    csrf = {"X-CSRF-Token": client.get("/api/me").json()["csrf_token"]}
    return client, csrf, attempt_id


def _transfer(db: TestDatabase, attempt_id: int) -> int:
    with db.session() as s:
        t = service.request_transfer(s, attempt_id=attempt_id, reason="asked_for_person", at=T0)
        s.commit()
        return t.id


def test_the_console_session_drives_the_desk_and_needs_the_csrf_token(db: TestDatabase) -> None:
    client, csrf, _attempt = _agent_console(db)
    first = client.get("/api/desk/current")
    assert first.status_code == 200
    assert first.json()["phase"] == "offline"  # a console agent starts offline, then chooses
    assert client.post("/api/desk/state", json={"state": "available"}).status_code == 403  # no CSRF
    ready = client.post("/api/desk/state", json={"state": "available"}, headers=csrf)
    assert ready.status_code == 200
    assert client.get("/api/desk/current").json()["phase"] == "available"
    assert client.get("/api/desk/pop", params={"wait": 0}).status_code == 204
    assert client.get("/api/desk/queue").json() == {"transfers": [], "callbacks": []}


def test_a_role_without_the_desk_is_kept_out(db: TestDatabase) -> None:
    client, csrf, _attempt = _agent_console(db, Role.AUDITOR)
    assert client.get("/api/desk/current").status_code == 403
    assert client.post("/api/desk/state", json={"state": "available"}, headers=csrf).status_code == 403
    assert client.get("/desk").status_code == 403


def test_reloading_mid_wrap_up_restores_the_form_and_the_wrap_up_completes(db: TestDatabase) -> None:
    client, csrf, attempt_id = _agent_console(db)
    client.post("/api/desk/state", json={"state": "available"}, headers=csrf)
    transfer_id = _transfer(db, attempt_id)
    ringing = client.get("/api/desk/current").json()
    assert ringing["phase"] == "ringing"
    assert ringing["pop"]["debtor"]["phones"] == ["+86139****4321"]
    assert PHONE not in str(ringing)
    assert client.post(f"/api/desk/transfers/{transfer_id}/accept", headers=csrf).status_code == 200
    assert client.get("/api/desk/current").json()["phase"] == "on_call"
    assert client.post(f"/api/desk/transfers/{transfer_id}/end", headers=csrf).status_code == 200
    # The page is reloaded: everything comes back from /api/desk/current.
    assert client.get("/desk").status_code == 200
    after = client.get("/api/desk/current").json()
    assert after["phase"] == "wrap_up"
    assert after["transfer"]["transfer_id"] == transfer_id
    assert after["pop"]["transcript"][1]["text"] == "我要找人工"
    refused = client.post("/api/desk/state", json={"state": "break"}, headers=csrf)
    assert refused.status_code == 409
    assert "must wrap up first" in refused.json()["error"]
    assert client.post("/api/desk/logout", headers=csrf).status_code == 409
    late = client.post(
        f"/api/desk/transfers/{transfer_id}/wrap-up",
        json={"code": "callback", "callback_local": "2026-03-02T23:00"},  # 23:00 on the floor
        headers=csrf,
    )
    assert late.status_code == 422
    # The earliest allowed time is told in the floor's time (Beijing), not in UTC.
    assert "earliest 2026-03-03 08:00 (Asia/Shanghai)" in late.json()["error"]
    done = client.post(
        f"/api/desk/transfers/{transfer_id}/wrap-up",
        json={"code": "promise_to_pay", "promise": {"amount": 30_000, "due_date": "2026-03-12"}},
        headers=csrf,
    )
    assert done.status_code == 200, done.text
    assert client.get("/api/desk/current").json()["phase"] == "available"
    with db.session() as s:
        promised = s.scalars(select(Promise.amount).where(Promise.attempt_id == attempt_id)).all()
        assert 30_000 in promised


def test_a_callback_typed_in_floor_time_is_stored_as_that_instant(db: TestDatabase) -> None:
    client, csrf, attempt_id = _agent_console(db)
    client.post("/api/desk/state", json={"state": "available"}, headers=csrf)
    transfer_id = _transfer(db, attempt_id)
    booked = client.post(
        f"/api/desk/transfers/{transfer_id}/wrap-up",
        json={"code": "callback", "callback_local": "2026-03-03T10:30"},
        headers=csrf,
    )
    assert booked.status_code == 200, booked.text
    with db.session() as s:
        attempt = s.get(CallAttempt, attempt_id)
        assert attempt is not None
        assert attempt.callback_at == T0 + timedelta(days=1, minutes=30)  # 10:30 Beijing = 02:30 UTC
    callbacks = client.get("/api/desk/queue").json()["callbacks"]
    assert [(c["attempt_id"], c["mine"]) for c in callbacks] == [(attempt_id, True)]


def test_a_plan_beyond_the_bounds_is_refused_in_the_visitors_terms(db: TestDatabase) -> None:
    client, csrf, attempt_id = _agent_console(db)
    client.post("/api/desk/state", json={"state": "available"}, headers=csrf)
    transfer_id = _transfer(db, attempt_id)
    too_long = client.post(
        f"/api/desk/transfers/{transfer_id}/wrap-up",
        json={"code": "hardship_plan", "plan": {"terms": 24, "first_due": "2026-03-20"}},
        headers=csrf,
    )
    assert too_long.status_code == 422
    assert too_long.json()["error"] == "分期期数须为 2–6 期 / a plan has 2 to 6 terms"


def test_the_desk_page_is_in_one_language_with_a_transfer_on_it(db: TestDatabase) -> None:
    client, csrf, attempt_id = _agent_console(db)
    client.post("/api/desk/state", json={"state": "available"}, headers=csrf)
    _transfer(db, attempt_id)
    for lang in ("zh_CN", "en"):
        client.cookies.set("huikuan_lang", lang)
        page = client.get("/desk")
        assert page.status_code == 200
        assert untranslated(page.text, lang) == [], lang
        assert DEBTOR_NAME not in page.text  # the pop comes by the API, never in the page
        assert " / " not in page.text.split("<main>")[1].split("desk-words")[0]  # no "中文 / English"
    assert "Agent desk" in page.text
    assert "Ringing" in page.text  # the script's words, in the visitor's language


def test_a_call_ended_before_accepting_goes_straight_to_wrap_up(db: TestDatabase) -> None:
    client, csrf, attempt_id = _agent_console(db)
    client.post("/api/desk/state", json={"state": "available"}, headers=csrf)
    transfer_id = _transfer(db, attempt_id)
    with db.session() as s:
        attempt = s.get(CallAttempt, attempt_id)
        assert attempt is not None
        attempt.ended_at = T0 + timedelta(seconds=20)  # the debtor hung up while it rang
        s.commit()
    assert client.get("/api/desk/current").json()["phase"] == "call_ended"
    refused = client.post(f"/api/desk/transfers/{transfer_id}/accept", headers=csrf)
    assert refused.status_code == 409
    assert "already ended" in refused.json()["error"]
    done = client.post(f"/api/desk/transfers/{transfer_id}/wrap-up", json={"code": "dropped"}, headers=csrf)
    assert done.status_code == 200
    assert client.get("/api/desk/current").json()["phase"] == "available"
