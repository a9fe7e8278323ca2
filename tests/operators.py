"""An operator for CLI tests: a user of a role and an API token in HUIKUAN_API_TOKEN, so state-
changing commands run as that user without a password prompt (security/operator.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from huikuan.security import auth
from huikuan.security.users import Role, create_user
from tests.conftest import TestDatabase


def operator_env(
    db: TestDatabase, role: Role = Role.SUPERVISOR, username: str | None = None
) -> dict[str, str]:
    """`db.env()` plus a fresh token of a new user with `role`."""
    name = username or f"cli-{role.value}"
    with db.session() as s:
        user = create_user(s, name, name, "operator-password-1", role)
        _, secret = auth.issue_token(s, user, "tests", datetime.now(UTC))
        s.commit()
    return {**db.env(), "HUIKUAN_API_TOKEN": secret}
