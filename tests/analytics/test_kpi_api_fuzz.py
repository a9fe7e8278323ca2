"""schemathesis on the KPI API alone (the full fuzz in tests/web/test_api_fuzz.py covers every
route): generated input never gives a 5xx, and every success matches the OpenAPI schema."""

from __future__ import annotations

import schemathesis

from huikuan.security.users import Role
from huikuan.web.app import create_app
from tests.analytics.kpi_seed import seed_kpis
from tests.conftest import TestDatabase
from tests.web.test_api_fuzz import _fuzz, _tokens


def test_the_kpi_api_answers_no_5xx_and_keeps_its_schema(db: TestDatabase) -> None:
    with db.session() as s:
        seed_kpis(s)
        s.commit()
    api_token, _desk = _tokens(db, Role.AUDITOR)
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(db.engine, allowed_hosts=["*"]))
    operations = [r.ok() for r in schema.get_all_operations() if r.ok().path == "/api/kpis/report"]
    assert len(operations) == 1
    failures: list[str] = []
    statuses: dict[str, set[int]] = {}
    _fuzz(operations[0], {"Authorization": f"Bearer {api_token}"}, failures, statuses)()
    assert failures == []
    assert 200 in statuses["/api/kpis/report"]
