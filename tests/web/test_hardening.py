"""The web app's guards that hold for every route: headers, Host check, body limit, quiet
validation errors, ids outside their column's range, and the refusal to serve plain HTTP off
loopback."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from huikuan.errors import InvalidInput
from huikuan.web.app import create_app
from huikuan.web.cli import check_exposure
from huikuan.web.hardening import MAX_BODY_BYTES, MAX_ROW_ID
from tests.conftest import TestDatabase
from tests.desk.helpers import PASSWORD, desk_user
from tests.web.login import console

LOCAL = "http://127.0.0.1"


def _client(db: TestDatabase) -> TestClient:
    return console(db)


def _token(db: TestDatabase, client: TestClient) -> dict[str, str]:
    with db.session() as s:
        desk_user(s, "hard-agent")
        s.commit()
    res = client.post("/api/desk/login", json={"username": "hard-agent", "password": PASSWORD})
    assert res.status_code == 200, res.text
    return {"Authorization": f"Bearer {res.json()['token']}"}


@pytest.mark.parametrize("path", ["/", "/desk", "/api/kpis", "/healthz"])
def test_every_response_carries_the_security_headers(db: TestDatabase, path: str) -> None:
    res = _client(db).get(path)
    assert res.status_code == 200
    csp = res.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp  # the pages carry no inline script or style
    assert res.headers["x-content-type-options"] == "nosniff"
    assert res.headers["referrer-policy"] == "no-referrer"
    assert res.headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in res.headers  # plain HTTP: HSTS would be a lie


def test_hsts_only_over_tls(db: TestDatabase) -> None:
    client = TestClient(create_app(db.engine), base_url="https://127.0.0.1")  # anonymous is enough
    assert "max-age=" in client.get("/healthz").headers["strict-transport-security"]


def test_pages_load_no_inline_code_and_their_assets_come_from_the_package(db: TestDatabase) -> None:
    client = _client(db)
    for path in ("/", "/desk"):
        html = client.get(path).text
        assert "<style>" not in html
        assert "<script>" not in html
        for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
            assert client.get(asset).status_code == 200, asset


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_are_served_without_a_cdn(db: TestDatabase, path: str) -> None:
    client = _client(db)
    page = client.get(path)
    assert page.status_code == 200
    urls = re.findall(r'(?:href|src)="([^"]+)"', page.text) + re.findall(r"url: '([^']+)'", page.text)
    assert urls, page.text[:300]
    assert not [u for u in urls if u.startswith(("http:", "https:", "//"))]
    for url in urls:
        if url.startswith("/static-offline-docs/"):
            assert client.get(url).status_code == 200, url
    assert client.get("/openapi.json").json()["info"]["title"].startswith("Huikuan")


def test_a_foreign_host_header_is_refused(db: TestDatabase) -> None:
    client = TestClient(create_app(db.engine), base_url="http://evil.example")
    assert client.get("/api/kpis").status_code == 400
    allowed = TestClient(
        create_app(db.engine, allowed_hosts=["console.example"]), base_url="http://console.example"
    )
    assert allowed.get("/healthz").status_code == 200


def test_a_validation_error_never_echoes_what_was_sent(db: TestDatabase) -> None:
    secret = "hunter2-very-secret"  # noqa: S105 - the value the answer must not echo
    res = _client(db).post("/api/desk/login", json={"username": "", "password": secret, "state": "nope"})
    assert res.status_code == 422
    assert secret not in res.text
    assert {tuple(d["loc"]) for d in res.json()["detail"]} >= {("body", "username"), ("body", "state")}


@pytest.mark.parametrize("value", [str(MAX_ROW_ID + 1), "9310752468946866176", "0", "-5"])
def test_ids_outside_their_columns_range_are_not_found(db: TestDatabase, value: str) -> None:
    client = _client(db)
    assert client.get("/api/kpis", params={"campaign_id": value}).status_code == 404
    auth = _token(db, client)
    for method, path in (
        ("GET", f"/api/desk/transfers/{value}/pop"),
        ("POST", f"/api/desk/transfers/{value}/accept"),
        ("POST", f"/api/desk/transfers/{value}/end"),
    ):
        assert client.request(method, path, headers=auth).status_code == 404, path
    wrap = client.post(f"/api/desk/transfers/{value}/wrap-up", headers=auth, json={"code": "ptp"})
    assert wrap.status_code == 404


def test_log_in_to_a_campaign_that_does_not_exist_is_not_found(db: TestDatabase) -> None:
    client = _client(db)
    with db.session() as s:
        desk_user(s, "lost-agent")
        s.commit()
    for campaign in (424242, MAX_ROW_ID + 1):
        res = client.post(
            "/api/desk/login", json={"username": "lost-agent", "password": PASSWORD, "campaign_id": campaign}
        )
        assert res.status_code == 404, res.text


def test_oversized_and_unsized_bodies_are_refused(db: TestDatabase) -> None:
    client = _client(db)
    big = b'{"username": "' + b"a" * (MAX_BODY_BYTES + 10) + b'"}'
    res = client.post("/api/desk/login", content=big, headers={"content-type": "application/json"})
    assert res.status_code == 413

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"username": "x", '
        yield b'"password": "y"}'

    unsized = client.post("/api/desk/login", content=chunks(), headers={"content-type": "application/json"})
    assert unsized.status_code == 411


@pytest.mark.parametrize(
    ("host", "tls", "insecure", "refused"),
    [
        ("127.0.0.1", False, False, False),
        ("::1", False, False, False),
        ("localhost", False, False, False),
        ("0.0.0.0", False, False, True),  # noqa: S104 - the address under test
        ("192.168.1.20", False, False, True),
        ("0.0.0.0", True, False, False),  # noqa: S104
        ("0.0.0.0", False, True, False),  # noqa: S104
    ],
)
def test_plain_http_off_loopback_needs_an_explicit_flag(
    host: str, tls: bool, insecure: bool, refused: bool
) -> None:
    if refused:
        with pytest.raises(InvalidInput, match="--tls-cert"):
            check_exposure(host, tls, insecure)
    else:
        check_exposure(host, tls, insecure)


@pytest.mark.parametrize(
    "cookie",
    ["huikuan_session=", "huikuan_session=" + "A" * 4000, "huikuan_session=%00%ff;;==", "huikuan_session"],
)
def test_malformed_session_cookies_are_anonymous(db: TestDatabase, cookie: str) -> None:
    client = TestClient(create_app(db.engine), base_url=LOCAL)
    api = client.get("/api/kpis", headers={"Cookie": cookie})
    assert api.status_code == 401
    page = client.get("/", headers={"Cookie": cookie}, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer ", "Bearer " + "x" * 5000, "Basic Zm9vOmJhcg==", "Bearer \u0000"]
)
def test_malformed_bearer_tokens_are_refused(db: TestDatabase, header: str) -> None:
    client = TestClient(create_app(db.engine), base_url=LOCAL)
    assert client.get("/api/kpis", headers={"Authorization": header}).status_code == 401


def test_the_log_in_throttle_holds_under_a_brute_force_loop(
    db: TestDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huikuan.security.users import Role
    from huikuan.web import auth as web_auth
    from tests.web.login import PASSWORD as RIGHT
    from tests.web.login import add_user

    monkeypatch.setattr(web_auth, "THROTTLE", type(web_auth.THROTTLE)())  # this test's own window
    user = add_user(db, Role.SUPERVISOR, "victim")
    client = TestClient(create_app(db.engine), base_url=LOCAL)
    statuses = [
        client.post(
            "/login", data={"username": user, "password": f"guess-{i:04d}"}, follow_redirects=False
        ).status_code
        for i in range(30)
    ]
    assert statuses[:5] == [401] * 5  # then the user is locked...
    assert 429 in statuses  # ...and the address blocked
    right = client.post("/login", data={"username": user, "password": RIGHT}, follow_redirects=False)
    assert right.status_code in (401, 429)  # even the right password waits out the lockout


def test_a_nul_character_anywhere_is_refused_not_a_database_error(db: TestDatabase) -> None:
    client = TestClient(create_app(db.engine), base_url=LOCAL)
    login = client.post("/api/desk/login", json={"username": "a\u0000b", "password": "x" * 12})
    assert login.status_code == 422
    assert "NUL" in login.json()["error"]
    form = client.post("/login", data={"username": "a\x00b", "password": "x"}, follow_redirects=False)
    assert form.status_code == 422
    assert client.get("/api/kpis?campaign_id=1%00").status_code == 422
