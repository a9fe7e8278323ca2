"""schemathesis against the OpenAPI document: every operation, anonymous and with a token of each
role, with generated (valid and invalid) input; no answer may be a 5xx, and every success must
match the response schema the document gives for it.

The desk's routes get the desk's bearer token for the roles that may sit at the desk, every
other route the user's API token. The long poll is asked not to wait.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import response_schema_conformance

from huikuan.security import auth
from huikuan.security.models import User
from huikuan.security.permissions import Permission, allowed
from huikuan.security.users import Role
from huikuan.web.app import create_app
from tests.conftest import TestDatabase
from tests.outcomes.seed import seed_history
from tests.web.login import PASSWORD, add_user

EXAMPLES = 6  # per operation and role: enough to reach every validation branch, bounded in time


def _tokens(db: TestDatabase, role: Role | None) -> tuple[str | None, str | None]:
    """(API token, desk token) of a new user of `role`; None where there is none."""
    if role is None:
        return None, None
    username = add_user(db, role, f"fuzz-{role.value}")
    with db.session() as s:
        user = s.query(User).filter_by(username=username).one()
        _, api = auth.issue_token(s, user, "fuzz", datetime.now(UTC))
        s.commit()
    desk = None
    if allowed(role.value, Permission.DESK):
        from fastapi.testclient import TestClient

        client = TestClient(create_app(db.engine), base_url="http://127.0.0.1")
        res = client.post("/api/desk/login", json={"username": username, "password": PASSWORD})
        assert res.status_code == 200, res.text
        desk = res.json()["token"]
    return api, desk


@pytest.mark.parametrize(
    "role",
    [None, *(r for r in Role if r != Role.SYSTEM)],
    ids=lambda r: "anonymous" if r is None else r.value,
)
def test_no_operation_answers_5xx_or_breaks_its_schema(db: TestDatabase, role: Role | None) -> None:
    with db.session() as s:
        seed_history(s)
        s.commit()
    api_token, desk_token = _tokens(db, role)
    app = create_app(db.engine, allowed_hosts=["*"])
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    failures: list[str] = []
    statuses: dict[str, set[int]] = {}
    for operation in operations:
        token = desk_token if operation.path.startswith("/api/desk/") else api_token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        _fuzz(operation, headers, failures, statuses)()
    # The requests did reach the routes' work: the KPIs answered whoever may read them.
    kpis = statuses["/api/kpis"]
    if role is not None and allowed(role.value, Permission.VIEW_REPORTS):
        assert 200 in kpis
    else:
        assert kpis & {401, 403}
    assert failures == []


def _fuzz(
    operation: Any, headers: dict[str, str], failures: list[str], statuses: dict[str, set[int]]
) -> Callable[[], None]:
    """A Hypothesis test of one operation (a factory, so each closes over its own operation)."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases on every run: a failure in CI reproduces here
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), hostile=st.sampled_from(HOSTILE))
    def run(case: schemathesis.Case, hostile: str) -> None:
        if operation.path == "/api/desk/pop":
            case.query = {**(case.query or {}), "wait": 0}
        if isinstance(case.body, dict):
            # Injection strings in every text field: stored inert or refused, never a 5xx.
            case.body = {k: (hostile if isinstance(v, str) else v) for k, v in case.body.items()}
        response = case.call(headers=headers)
        statuses.setdefault(operation.path, set()).add(response.status_code)
        if response.status_code >= 500:
            failures.append(f"{operation.method.upper()} {operation.path}: {response.status_code}")
        elif 200 <= response.status_code < 300:
            # What the API answers is what its OpenAPI document says it answers.
            try:
                case.validate_response(response, checks=[response_schema_conformance])
            except (Exception, BaseExceptionGroup) as violation:  # schemathesis raises a group
                lines = [ln.strip() for ln in str(violation).splitlines()]
                first = "; ".join(sorted({ln[:120] for ln in lines if " is not " in ln or "required" in ln}))
                failures.append(f"{operation.method.upper()} {operation.path}: schema: {first}")

    return run  # type: ignore[no-any-return]


HOSTILE = [
    "x",
    "' OR 1=1; DROP TABLE debtor; --",
    '"><script>alert(1)</script>',
    "{{7*7}}${7*7}",
    "\u0000\ud7ff\ufeff",
    '=HYPERLINK("http://x","13800138000")',
    "a" * 5000,
]
