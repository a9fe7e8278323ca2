from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from huikuan.security.audit import GENESIS, append, verify
from huikuan.security.models import AuditEvent
from tests.conftest import TestDatabase
from tests.invoke import huikuan

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def _log_three(db: TestDatabase) -> list[int]:
    with db.session() as s:
        ids = [
            append(
                s,
                at=T0 + timedelta(seconds=i),
                actor="user:1",
                action="portfolio.import",
                entity="batch",
                entity_id=i,
                details={"rows": i * 10},
            ).id
            for i in range(3)
        ]
        s.commit()
    return ids


def test_chain_links_each_event_to_the_previous(db: TestDatabase) -> None:
    _log_three(db)
    with db.session() as s:
        events = list(s.query(AuditEvent).order_by(AuditEvent.id))
        assert events[0].prev_hash == GENESIS
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        result = verify(s)
    assert result.intact
    assert result.events == 3


def test_an_edited_event_is_found(db: TestDatabase) -> None:
    ids = _log_three(db)
    with db.session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == ids[1]).values(details={"rows": 999}))
        s.commit()
        result = verify(s)
    assert result.first_broken_id == ids[1]


def test_a_deleted_event_breaks_the_next_one(db: TestDatabase) -> None:
    ids = _log_three(db)
    with db.session() as s:
        s.query(AuditEvent).filter(AuditEvent.id == ids[1]).delete()
        s.commit()
        assert verify(s).first_broken_id == ids[2]


def test_cli_verify_says_intact_or_exits_non_zero(db: TestDatabase) -> None:
    ids = _log_three(db)
    cmd = ["audit", "verify"]
    ok = huikuan(cmd, env=db.env())
    assert ok.returncode == 0, ok.stderr
    assert "intact: 3 events" in ok.stdout
    with db.session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == ids[0]).values(actor="user:2"))
        s.commit()
    bad = huikuan(cmd, env=db.env())
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        f"error: 审计日志已被篡改 / audit log broken at event {ids[0]} (checked 1 events)"
    ]
