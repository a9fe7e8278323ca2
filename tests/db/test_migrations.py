from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from huikuan.db.all_models import Base
from huikuan.portfolio.models import Creditor, Debtor
from tests.conftest import TestDatabase


def test_migrations_produce_exactly_the_models_schema(db: TestDatabase) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    assert diff == []


def test_personal_data_is_encrypted_at_rest(db: TestDatabase) -> None:
    with db.session() as s:
        s.add(Creditor(code="c1", name="Creditor"))
        s.add(
            Debtor(
                name="张三",
                national_id="110101199003077777",
                identity_key="k1",
                jurisdiction="CN",
                timezone="Asia/Shanghai",
            )
        )
        s.commit()
        raw = s.execute(text("SELECT name, national_id FROM debtor")).one()
        assert "张三".encode() not in bytes(raw[0])
        assert b"110101199003077777" not in bytes(raw[1])
        s.expunge_all()
        assert s.scalars(select(Debtor.name)).one() == "张三"


def test_timestamps_round_trip_as_aware_utc(db: TestDatabase) -> None:
    from huikuan.security.models import AuditEvent

    beijing = timezone(timedelta(hours=8))
    at = datetime(2026, 3, 1, 9, 30, tzinfo=beijing)
    with db.session() as s:
        s.add(
            AuditEvent(
                seq=1,
                at=at,
                actor="system",
                action="t",
                entity="e",
                details={},
                key_id="k",
                prev_hash="0",
                hash="1",
            )
        )
        s.commit()
        s.expunge_all()
        stored = s.scalars(select(AuditEvent.at)).one()
    assert stored == at
    assert stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)
    assert stored.hour == 1
    assert stored.tzinfo == UTC


def test_naive_datetimes_are_refused(db: TestDatabase) -> None:
    from huikuan.security.models import AuditEvent

    with db.session() as s:
        s.add(
            AuditEvent(
                at=datetime(2026, 1, 1),
                actor="s",
                action="t",
                entity="e",
                details={},
                seq=2,
                key_id="k",
                prev_hash="0",
                hash="2",
            )
        )
        with pytest.raises(Exception, match="naive datetime"):
            s.commit()
