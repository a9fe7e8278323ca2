"""Who may run `huikuan call` in a test: a supervisor with an API token, and the far end's number
listed as a test number by an administrator (compliance/test_numbers.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from huikuan.compliance.test_numbers import add_test_number, canonical_number
from huikuan.security.users import Role, create_user
from tests.conftest import TestDatabase
from tests.operators import operator_env


def caller_env(db: TestDatabase, *listed: str) -> dict[str, str]:
    """The environment of a supervisor's `huikuan call`, with `listed` numbers on the test list."""
    env = operator_env(db, Role.SUPERVISOR, "caller")
    with db.session() as s:
        admin = create_user(s, "numbers-admin", "numbers admin", "admin-password-1", Role.ADMIN)
        for number in listed:
            add_test_number(s, canonical_number(number), "lab phone", by=admin.id, at=datetime.now(UTC))
        s.commit()
    return env
