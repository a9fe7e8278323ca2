from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from huikuan.clock import VirtualClock
from huikuan.desk import service
from huikuan.outcomes.models import CallAttempt
from huikuan.security.models import AuditEvent
from huikuan.web.app import create_app
from tests.conftest import TestDatabase
from tests.desk.helpers import DEBTOR_NAME, PASSWORD, PHONE, T0, desk_user, robot_call


def _setup(db: TestDatabase) -> tuple[TestClient, VirtualClock, int]:
    with db.session() as s:
        desk_user(s, "web-agent")
        attempt_id = robot_call(s).attempt_id
        s.commit()
    clock = VirtualClock(T0)
    return TestClient(create_app(db.engine, clock), base_url="http://127.0.0.1"), clock, attempt_id


def _login(client: TestClient) -> dict[str, str]:
    res = client.post("/api/desk/login", json={"username": "web-agent", "password": PASSWORD})
    assert res.status_code == 200, res.text
    assert res.json()["agent"]["state"] == "available"
    return {"Authorization": f"Bearer {res.json()['token']}"}


def _transfer(db: TestDatabase, attempt_id: int) -> int:
    with db.session() as s:
        t = service.request_transfer(s, attempt_id=attempt_id, reason="asked_for_person", at=T0)
        s.commit()
        return t.id


def test_desk_flow_login_pop_accept_wrap_up(db: TestDatabase) -> None:
    client, clock, attempt_id = _setup(db)
    auth = _login(client)
    assert client.get("/api/desk/pop", params={"wait": 0}, headers=auth).status_code == 204
    transfer_id = _transfer(db, attempt_id)
    pop = client.get("/api/desk/pop", params={"wait": 0}, headers=auth)
    assert pop.status_code == 200
    body = pop.json()
    assert body["transfer_id"] == transfer_id
    assert body["debtor"]["phones"] == ["+86139****4321"]
    assert PHONE not in pop.text
    assert body["transcript"][1]["text"] == "我要找人工"
    assert client.get("/api/desk/me", headers=auth).json()["state"] == "on_call"
    clock.advance(timedelta(seconds=5))
    assert (
        client.post(f"/api/desk/transfers/{transfer_id}/accept", headers=auth).json()["status"] == "accepted"
    )
    clock.advance(timedelta(minutes=3))
    assert client.post(f"/api/desk/transfers/{transfer_id}/end", headers=auth).json()["state"] == "wrap_up"
    late = (T0 + timedelta(hours=13)).isoformat()  # 23:00 in Beijing
    bad = client.post(
        f"/api/desk/transfers/{transfer_id}/wrap-up",
        json={"code": "callback", "callback_at": late},
        headers=auth,
    )
    assert bad.status_code == 422
    assert "calling window" in bad.json()["error"]
    good_time = (T0 + timedelta(days=1)).isoformat()
    done = client.post(
        f"/api/desk/transfers/{transfer_id}/wrap-up",
        json={"code": "callback", "callback_at": good_time},
        headers=auth,
    )
    assert done.status_code == 200
    assert done.json()["wrap_code"] == "callback"
    assert client.get("/api/desk/me", headers=auth).json()["state"] == "available"
    with db.session() as s:
        attempt = s.get(CallAttempt, attempt_id)
        assert attempt is not None
        assert attempt.callback_at is not None
        details = s.scalars(select(AuditEvent.details)).all()
        assert all(DEBTOR_NAME not in str(d) for d in details)


def test_desk_refuses_bad_input_with_reasons(db: TestDatabase) -> None:
    client, _clock, attempt_id = _setup(db)
    assert client.get("/api/desk/me").status_code == 401
    assert client.get("/api/desk/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    wrong = client.post("/api/desk/login", json={"username": "web-agent", "password": "wrong-password"})
    assert wrong.status_code == 401  # refused log-in (throttled, audited)
    assert "wrong username or password" in wrong.json()["error"]
    auth = _login(client)
    bad_state = client.post("/api/desk/state", json={"state": "lunch"}, headers=auth)
    assert bad_state.status_code == 422
    assert "unknown state" in bad_state.json()["error"]
    assert client.get("/api/desk/pop", params={"wait": 99}, headers=auth).status_code == 422
    assert client.post("/api/desk/transfers/424242/accept", headers=auth).status_code == 404
    transfer_id = _transfer(db, attempt_id)
    code = client.post(f"/api/desk/transfers/{transfer_id}/wrap-up", json={"code": "nonsense"}, headers=auth)
    assert code.status_code == 422
    assert "unknown wrap-up code" in code.json()["error"]
    busy = client.post("/api/desk/state", json={"state": "break"}, headers=auth)
    assert busy.status_code == 409
    assert client.post("/api/desk/logout", headers=auth).status_code == 409  # still on a call
    codes = client.get("/api/desk/codes").json()
    assert any(c["label"].startswith("承诺还款") for c in codes["wrap_codes"])


def test_long_poll_returns_as_soon_as_transfer_is_assigned(db: TestDatabase) -> None:
    client, _clock, attempt_id = _setup(db)
    auth = _login(client)
    answers: list[Any] = []
    asked = threading.Event()

    def agent_waits() -> None:
        asked.set()
        answers.append(client.get("/api/desk/pop", params={"wait": 25}, headers=auth))

    waiter = threading.Thread(target=agent_waits)
    waiter.start()
    assert asked.wait(5)
    transfer_id = _transfer(db, attempt_id)
    waiter.join(timeout=30)
    assert not waiter.is_alive()
    assert answers[0].status_code == 200
    assert answers[0].json()["transfer_id"] == transfer_id


def test_desk_page_needs_the_console_log_in(db: TestDatabase) -> None:
    client, _clock, _attempt = _setup(db)
    anonymous = client.get("/desk", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")
