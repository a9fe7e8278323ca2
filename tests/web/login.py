"""A console client logged in with a given role (a user of that role is created)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from huikuan.security.users import Role, create_user
from huikuan.web.app import create_app
from tests.conftest import TestDatabase

LOCAL = "http://127.0.0.1"
PASSWORD = "console-password-1"  # noqa: S105 - a test user's


def add_user(db: TestDatabase, role: Role, username: str | None = None) -> str:
    name = username or f"web-{role.value}"
    with db.session() as s:
        create_user(s, name, name, PASSWORD, role)
        s.commit()
    return name


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    res = client.post("/login", data={"username": username, "password": password, "next": "/healthz"})
    assert res.status_code == 200, res.text  # followed the redirect to /healthz
    assert client.cookies.get("huikuan_session")


def console(db: TestDatabase, role: Role | None = Role.SUPERVISOR, **kwargs: object) -> TestClient:
    """A client of a fresh app; logged in as a new user of `role` (None: anonymous)."""
    client = TestClient(create_app(db.engine, **kwargs), base_url=LOCAL)  # type: ignore[arg-type]
    if role is not None:
        log_in(client, add_user(db, role))
    return client
