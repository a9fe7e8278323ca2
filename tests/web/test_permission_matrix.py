"""Every route of the web app × every role and anonymous, against the permission matrix.

ROUTES names what each route needs; a route the app has and this table lacks fails the test, so
a new route cannot ship without a decision about who may use it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.routing import BaseRoute

from huikuan.security.models import AuditEvent
from huikuan.security.permissions import Permission, allowed
from huikuan.security.users import Role
from huikuan.web.app import create_app
from tests.conftest import TestDatabase
from tests.outcomes.seed import NAME, PHONE, seed_history
from tests.web.login import LOCAL, PASSWORD, add_user, log_in

LOGGED_IN = "logged in"  # any role
PUBLIC = "public"  # no data behind it: health, the log-in page, docs
SCRIPTS = frozenset({Permission.EDIT_SCRIPTS, Permission.APPROVE_SCRIPTS})  # writers and reviewers
DESK_LOGIN = "desk log-in"  # the desk's own log-in, giving a bearer token to roles with `desk`


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    needs: Permission | frozenset[Permission] | str  # a set: any one of them lets in
    # How to call it: ids for the path's {parameters} (default: the seeded debtor, transfer 1),
    # a JSON body, and the statuses that mean "let in" for an allowed role (a change on seeded
    # data may rightly answer 404, 409 or 422; only 401, 403 and a log-in redirect mean "kept out").
    ids: dict[str, int] | None = None
    body: dict[str, object] | None = None
    let_in: frozenset[int] = frozenset({200})
    params: dict[str, str] | None = None  # query parameters (a stream asked for one event only)


ROUTES = [
    Route("GET", "/", Permission.VIEW_REPORTS),
    Route("GET", "/api/kpis", Permission.VIEW_REPORTS),
    Route("GET", "/api/dashboard", Permission.VIEW_REPORTS),
    Route("GET", "/api/dashboard/stream", Permission.VIEW_REPORTS, params={"once": "true"}),
    Route("GET", "/api/me", LOGGED_IN),
    Route("GET", "/api/debtors/{debtor_id}", Permission.VIEW_MASKED),
    Route("POST", "/api/debtors/{debtor_id}/reveal", Permission.VIEW_FULL),
    Route("GET", "/portfolio", Permission.VIEW_MASKED),
    Route("GET", "/api/accounts", Permission.VIEW_MASKED),
    Route("GET", "/portfolio/accounts/{account_id}", Permission.VIEW_MASKED, ids={"account_id": 1}),
    Route("GET", "/api/accounts/{account_id}", Permission.VIEW_MASKED, ids={"account_id": 1}),
    # The seeded history has no recording: a permitted role is let in and told there is none.
    Route(
        "GET",
        "/api/recordings/{recording_id}/audio",
        Permission.PLAY_RECORDINGS,
        ids={"recording_id": 1},
        let_in=frozenset({404}),
    ),
    Route("GET", "/campaigns", Permission.RUN_CAMPAIGNS),
    Route("GET", "/campaigns/new", Permission.RUN_CAMPAIGNS),
    Route("POST", "/campaigns/new", Permission.RUN_CAMPAIGNS, let_in=frozenset({422})),
    Route("GET", "/campaigns/{campaign_id}", Permission.RUN_CAMPAIGNS, ids={"campaign_id": 1}),
    *(
        Route(
            "POST",
            f"/campaigns/{{campaign_id}}/{a}",
            Permission.RUN_CAMPAIGNS,
            ids={"campaign_id": 1},
            let_in=frozenset({303, 409}),
        )
        for a in ("start", "pause", "resume", "stop")
    ),
    Route("GET", "/api/campaigns", Permission.RUN_CAMPAIGNS),
    Route("POST", "/api/campaigns", Permission.RUN_CAMPAIGNS, body={"name": ""}, let_in=frozenset({422})),
    Route("GET", "/api/campaigns/{campaign_id}", Permission.RUN_CAMPAIGNS, ids={"campaign_id": 1}),
    *(
        Route(
            "POST",
            f"/api/campaigns/{{campaign_id}}/{a}",
            Permission.RUN_CAMPAIGNS,
            ids={"campaign_id": 1},
            let_in=frozenset({200, 409}),
        )
        for a in ("start", "pause", "resume", "stop")
    ),
    Route("GET", "/healthz", PUBLIC),
    # The desk: the console session of a role with `desk`, or the desk's own bearer token.
    Route("GET", "/desk", Permission.DESK),
    Route("GET", "/api/desk/codes", PUBLIC),
    Route("POST", "/api/desk/login", DESK_LOGIN),
    Route("GET", "/api/desk/me", Permission.DESK),
    Route("GET", "/api/desk/current", Permission.DESK),
    Route("GET", "/api/desk/queue", Permission.DESK),
    Route("POST", "/api/desk/state", Permission.DESK),
    Route("GET", "/api/desk/pop", Permission.DESK, let_in=frozenset({200, 204})),
    Route("GET", "/api/desk/transfers/{transfer_id}/pop", Permission.DESK, let_in=frozenset({404})),
    Route("POST", "/api/desk/transfers/{transfer_id}/accept", Permission.DESK, let_in=frozenset({404, 409})),
    Route("POST", "/api/desk/transfers/{transfer_id}/end", Permission.DESK, let_in=frozenset({404, 409})),
    Route(
        "POST",
        "/api/desk/transfers/{transfer_id}/wrap-up",
        Permission.DESK,
        let_in=frozenset({404, 409, 422}),
    ),
    Route("POST", "/api/desk/logout", Permission.DESK),
    Route("GET", "/scripts", SCRIPTS),
    Route("GET", "/scripts/new", Permission.EDIT_SCRIPTS),
    Route("GET", "/scripts/{version_id}", SCRIPTS, ids={"version_id": 1}, let_in=frozenset({200, 404})),
    Route(
        "GET",
        "/scripts/{version_id}/edit",
        Permission.EDIT_SCRIPTS,
        ids={"version_id": 1},
        let_in=frozenset({200, 404}),
    ),
    Route("GET", "/api/scripts", SCRIPTS),
    Route("GET", "/api/scripts/{version_id}", SCRIPTS, ids={"version_id": 1}, let_in=frozenset({200, 404})),
    Route(
        "POST", "/api/scripts", Permission.EDIT_SCRIPTS, body={"content": "id: x\n"}, let_in=frozenset({422})
    ),
    Route("POST", "/api/scripts/lint", Permission.EDIT_SCRIPTS, body={"content": "id: x\n"}),
    Route(
        "POST",
        "/api/scripts/{version_id}/submit",
        Permission.EDIT_SCRIPTS,
        ids={"version_id": 1},
        let_in=frozenset({200, 404, 409}),
    ),
    *(
        Route(
            "POST",
            f"/api/scripts/{{version_id}}/{verb}",
            Permission.APPROVE_SCRIPTS,
            ids={"version_id": 1},
            body={"reason": "核对话术内容后的决定"},
            let_in=frozenset({200, 404, 409, 422}),
        )
        for verb in ("approve", "reject")
    ),
    Route("GET", "/imports", Permission.IMPORT),
    Route("GET", "/imports/{batch_id}", Permission.IMPORT, ids={"batch_id": 1}),
    # A JSON body is no multipart upload: a let-in role gets 422 (tests/web/test_imports.py uploads).
    Route("POST", "/api/imports", Permission.IMPORT, let_in=frozenset({422})),
    Route("GET", "/api/imports", Permission.IMPORT),
    Route("GET", "/api/imports/{batch_id}/errors", Permission.IMPORT, ids={"batch_id": 1}),
    Route("GET", "/reports", Permission.VIEW_REPORTS),
    Route("GET", "/api/reports", Permission.VIEW_REPORTS),
    Route("GET", "/api/reports/export", Permission.EXPORT),
    Route("GET", "/api/kpis/report", Permission.VIEW_REPORTS),
    Route("GET", "/compliance", Permission.RULE_SETTINGS),
    Route("POST", "/compliance/settings", Permission.RULE_SETTINGS, let_in=frozenset({400, 403, 422})),
    Route("GET", "/compliance/decisions", Permission.RULE_SETTINGS),
    Route("GET", "/compliance/stops", Permission.RULE_SETTINGS),
    Route(
        "POST",
        "/compliance/stops/{stop_id}/clear",
        Permission.CLEAR_STOPS,
        ids={"stop_id": 999},
        let_in=frozenset({404, 422}),
    ),
    Route("GET", "/api/compliance/settings", Permission.RULE_SETTINGS),
    Route(
        "POST",
        "/api/compliance/settings",
        Permission.RULE_SETTINGS,
        body={"jurisdiction": "CN", "changes": {"CN.TIME": {"start": "09:00"}}},
        let_in=frozenset({200, 400, 422}),
    ),
    Route("GET", "/api/compliance/decisions", Permission.RULE_SETTINGS),
    Route("GET", "/api/compliance/stops", Permission.RULE_SETTINGS),
    Route(
        "POST",
        "/api/compliance/stops/{stop_id}/clear",
        Permission.CLEAR_STOPS,
        ids={"stop_id": 999},
        body={"reason": "resolved with the debtor"},
        let_in=frozenset({404}),
    ),
    Route("GET", "/audit", Permission.VIEW_AUDIT),
    Route("POST", "/audit/verify", Permission.VIEW_AUDIT),
    Route("GET", "/api/audit/events", Permission.VIEW_AUDIT),
    Route("POST", "/api/audit/verify", Permission.VIEW_AUDIT),
]
ROLES = [r for r in Role if r != Role.SYSTEM]  # a system account cannot log in (tested in security)
# The frame's own doors, tested where they live (tests/web/test_auth*.py, test_i18n.py) and docs.
FRAME = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/lang/{code}"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
}


def _routes(routes: list[BaseRoute]) -> set[tuple[str, str]]:
    """(method, path) of every route, pages left out of the OpenAPI document included."""
    found: set[tuple[str, str]] = set()
    for route in routes:
        original = getattr(route, "original_router", None)  # an included router
        if original is not None:
            found |= _routes(original.routes)
        elif isinstance(route, APIRoute):
            found |= {(method, route.path) for method in route.methods if method != "HEAD"}
    return found


def test_the_table_knows_every_route(db: TestDatabase) -> None:
    app = create_app(db.engine)
    assert _routes(app.routes) - FRAME == {(r.method, r.path) for r in ROUTES}


def _request(client: TestClient, route: Route, headers: dict[str, str] | None = None, debtor: int = 1) -> int:
    path = route.path.replace("{transfer_id}", "1").replace("{debtor_id}", str(debtor))
    for name, value in (route.ids or {}).items():
        path = path.replace("{" + name + "}", str(value))
    body: dict[str, object] | None = route.body
    if route.path.endswith("/reveal"):
        body = {"reason": "客户来电核实身份 / the debtor called to verify"}
    elif route.path.endswith("/state"):
        body = {"state": "break"}
    elif route.path.endswith("/wrap-up"):
        body = {"code": "ptp"}
    params = {"wait": 0} if route.path == "/api/desk/pop" else route.params
    res = client.request(
        route.method, path, headers=headers, json=body, params=params, follow_redirects=False
    )
    return res.status_code


def _denied(status: int) -> bool:
    return status in (401, 403) or status == 303  # 303: a page sends the anonymous to /login


@pytest.mark.parametrize("role", [None, *ROLES], ids=lambda r: "anonymous" if r is None else r.value)
def test_every_route_for_every_role(db: TestDatabase, role: Role | None) -> None:
    with db.session() as s:
        debtor = seed_history(s).debtor_id
        s.commit()
    client = TestClient(create_app(db.engine), base_url=LOCAL)
    username = None
    csrf: dict[str, str] = {}
    if role is not None:
        username = add_user(db, role)
        log_in(client, username)
        csrf = {"X-CSRF-Token": client.get("/api/me").json()["csrf_token"]}
    for route in ROUTES:
        if route.needs == PUBLIC:
            assert _request(client, route) == 200, route
        elif route.needs == LOGGED_IN:
            assert _request(client, route) == (401 if role is None else 200), route
        elif route.needs == DESK_LOGIN:
            res = client.post(
                "/api/desk/login", json={"username": username or "nobody", "password": PASSWORD}
            )
            may = role is not None and allowed(role.value, Permission.DESK)
            assert res.status_code == (200 if may else 401 if role is None else 403), (route, res.text)
            desk_reads = [r for r in ROUTES if r.needs == Permission.DESK and r.method == "GET"]
            for read in (r for r in desk_reads if r.path.startswith("/api/") and "{" not in r.path):
                # The desk's own bearer token opens what the console session does; a wrong one nothing.
                if may:
                    token = {"Authorization": f"Bearer {res.json()['token']}"}
                    assert _request(client, read, token) in (200, 204), read
                assert _denied(_request(client, read, {"Authorization": "Bearer not-a-desk-token"})), read
        else:
            assert isinstance(route.needs, (Permission, frozenset))
            status = _request(client, route, csrf if route.method == "POST" else None, debtor)
            needs = route.needs if isinstance(route.needs, frozenset) else {route.needs}
            if role is None:
                assert status in (401, 303), route
            elif any(allowed(role.value, p) for p in needs):
                assert status in route.let_in, (route, status)
            else:
                assert status == 403, route


def test_a_reveal_needs_a_reason_and_the_csrf_token_and_is_audited(db: TestDatabase) -> None:
    with db.session() as s:
        debtor = seed_history(s).debtor_id
        s.commit()
    client = TestClient(create_app(db.engine), base_url=LOCAL)
    log_in(client, add_user(db, Role.COMPLIANCE_OFFICER))
    masked = client.get(f"/api/debtors/{debtor}").json()
    assert masked["masked"] is True
    assert NAME not in str(masked)
    assert PHONE not in str(masked)
    path = f"/api/debtors/{debtor}/reveal"
    no_csrf = client.post(path, json={"reason": "客户来电核实身份"})
    assert no_csrf.status_code == 403
    csrf = {"X-CSRF-Token": client.get("/api/me").json()["csrf_token"]}
    assert client.post(path, json={"reason": ""}, headers=csrf).status_code == 422
    full = client.post(path, json={"reason": "客户来电核实身份"}, headers=csrf)
    assert full.status_code == 200
    assert full.json()["name"] == NAME
    assert PHONE in [c["number"] for c in full.json()["contacts"]]
    with db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.reveal")).one()
        assert event.entity_id == str(debtor)
        assert event.details["reason"] == "客户来电核实身份"
        assert NAME not in str(event.details)
