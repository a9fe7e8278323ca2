"""The audit log proves itself: every kind of tampering is found, and named at its first event."""

from __future__ import annotations

import re
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable

from huikuan.db.all_models import Base
from huikuan.db.append_only import drop_statements
from huikuan.security import audit, checkpoints
from huikuan.security.audit import GENESIS, AuditSetup, append, verify, write_checkpoint
from huikuan.security.audit_key import AuditKey
from huikuan.security.models import AuditEvent
from tests.conftest import TEST_AUDIT_KEY, TestDatabase
from tests.invoke import huikuan

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def _log(db: TestDatabase, n: int = 3, start: int = 0) -> list[int]:
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
            for i in range(start, start + n)
        ]
        s.commit()
    return ids


def _as_attacker(db: TestDatabase, *statements: Executable) -> None:
    """Someone with write (and DDL) rights on the database, but not the audit key."""
    with db.engine.begin() as conn:
        for ddl in drop_statements(conn.dialect.name, "audit_event"):
            conn.execute(text(ddl))
        for statement in statements:
            conn.execute(statement)


def _set(event_id: int, **values: object) -> Executable:
    return update(AuditEvent).where(AuditEvent.id == event_id).values(**values)


def _verify(db: TestDatabase, *anchors: checkpoints.Checkpoint) -> audit.Verification:
    with db.session() as s:
        return verify(s, anchors=anchors)


def test_chain_links_each_event_to_the_previous_under_the_key(db: TestDatabase) -> None:
    _log(db)
    with db.session() as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        assert [e.seq for e in events] == [1, 2, 3]
        assert events[0].prev_hash == GENESIS
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
        assert {e.key_id for e in events} == {AuditKey(TEST_AUDIT_KEY).key_id}
        result = verify(s)
    assert result.intact
    assert result.events == 3


def test_an_edited_event_is_named(db: TestDatabase) -> None:
    ids = _log(db)
    _as_attacker(db, _set(ids[1], entity_id="999"))
    result = _verify(db)
    assert (result.first_broken_id, result.first_broken_seq) == (ids[1], 2)
    assert result.problem is not None
    assert "edited" in result.problem


def test_a_deleted_event_is_named_by_its_missing_seq(db: TestDatabase) -> None:
    ids = _log(db)
    _as_attacker(db, delete(AuditEvent).where(AuditEvent.id == ids[1]))
    result = _verify(db)
    assert (result.first_broken_id, result.first_broken_seq) == (ids[2], 2)
    assert result.problem == f"event seq 2 is missing (deleted) before event {ids[2]}"


def test_reordered_events_are_found(db: TestDatabase) -> None:
    ids = _log(db)
    _as_attacker(
        db,
        _set(ids[0], seq=100),
        _set(ids[1], seq=1),
        _set(ids[0], seq=2),
    )
    result = _verify(db)
    assert (result.first_broken_id, result.first_broken_seq) == (ids[1], 1)
    assert result.problem is not None
    assert "does not follow" in result.problem


def test_an_edit_with_the_chain_recomputed_without_the_key_is_found(db: TestDatabase) -> None:
    ids = _log(db, 4)
    forger = AuditKey(bytes(32))  # the attacker's own key: the real one is not in the database
    with db.session() as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        rows = []
        prev = events[0].hash
        for ev in events[1:]:
            forged = AuditEvent(
                seq=ev.seq,
                at=ev.at,
                actor=ev.actor,
                action=ev.action,
                entity=ev.entity,
                entity_id="999" if ev.id == ids[1] else ev.entity_id,
                details=ev.details,
                key_id=ev.key_id,  # claims the real key
                prev_hash=prev,
            )
            prev = audit.chain_value(forger, forged)
            rows.append((ev.id, forged.entity_id, forged.prev_hash, prev))
    _as_attacker(
        db,
        *(_set(i, entity_id=eid, prev_hash=ph, hash=h) for i, eid, ph, h in rows),
    )
    with db.session() as s:  # the forgery is self-consistent: every link matches the one before
        chain = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        assert [e.prev_hash for e in chain[1:]] == [e.hash for e in chain[:-1]]
    result = _verify(db)
    assert result.first_broken_id == ids[1]
    assert result.problem is not None
    assert "edited or forged" in result.problem


def test_a_truncated_tail_is_found_back_to_the_last_checkpoint(db: TestDatabase) -> None:
    _log(db, 3)
    cp = write_checkpoint(db.engine)
    assert cp is not None
    assert cp.seq == 3
    _log(db, 2, start=3)
    _as_attacker(db, delete(AuditEvent).where(AuditEvent.seq >= 3))
    result = _verify(db, cp)
    assert (result.first_broken_id, result.first_broken_seq) == (None, 3)
    assert result.problem is not None
    assert "events 3-3 were deleted" in result.problem


def test_events_after_the_last_checkpoint_are_covered_by_the_chain_only(db: TestDatabase) -> None:
    """The honest limit: deleting events no checkpoint has seen yet leaves a valid, shorter log."""
    _log(db, 3)
    cp = write_checkpoint(db.engine)
    assert cp is not None
    _log(db, 2, start=3)
    _as_attacker(db, delete(AuditEvent).where(AuditEvent.seq > 3))
    result = _verify(db, cp)
    assert result.intact
    assert (result.events, result.anchored_seq) == (3, 3)


def test_everything_deleted_is_found(db: TestDatabase) -> None:
    _log(db, 3)
    cp = write_checkpoint(db.engine)
    assert cp is not None
    _as_attacker(db, delete(AuditEvent))
    result = _verify(db, cp)
    assert result.first_broken_seq == 1
    assert result.problem is not None
    assert "ends at seq 0" in result.problem


def test_a_rewritten_log_differs_from_its_checkpoint(db: TestDatabase) -> None:
    """Even a rewrite under the real key (an insider holding it) cannot match an older checkpoint."""
    ids = _log(db, 2)
    cp = write_checkpoint(db.engine)
    assert cp is not None
    with db.session() as s:
        ev = s.get(AuditEvent, ids[1])
        assert ev is not None
        ev.details = {"rows": 12345}
        new_hash = audit.chain_value(AuditKey(TEST_AUDIT_KEY), ev)
        s.expunge_all()
    _as_attacker(db, _set(ids[1], details={"rows": 12345}, hash=new_hash))
    result = _verify(db, cp)
    assert result.first_broken_id == ids[1]
    assert result.problem is not None
    assert "differs from the checkpoint" in result.problem


def test_checkpoints_are_written_as_the_chain_passes_a_multiple_and_not_on_rollback(
    db: TestDatabase, tmp_path: Path
) -> None:
    path = tmp_path / "cps"
    audit.configure(AuditSetup(key=AuditKey(TEST_AUDIT_KEY), checkpoint_file=path, every=2))
    _log(db, 1)
    assert not path.exists()
    with db.session() as s:  # seq 2 rolled back: no checkpoint may name it
        append(s, at=T0, actor="system", action="t", entity="e")
        s.rollback()
    assert not path.exists()
    _log(db, 2)  # seq 2 and 3 in one commit: passes 2
    lines = [line for _, line in checkpoints.read(path)]
    assert len(lines) == 1
    keys = {AuditKey(TEST_AUDIT_KEY).key_id: AuditKey(TEST_AUDIT_KEY)}
    assert checkpoints.parse(lines[0], keys).seq == 3
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_triggers_refuse_update_and_delete(db: TestDatabase) -> None:
    ids = _log(db, 2)
    statements = [
        update(AuditEvent).where(AuditEvent.id == ids[0]).values(actor="user:2"),
        delete(AuditEvent).where(AuditEvent.id == ids[1]),
        delete(AuditEvent),
    ]
    for statement in statements:
        with db.session() as s, pytest.raises(DBAPIError, match="append-only"):
            s.execute(statement)
    if db.backend == "postgres":
        with db.session() as s, pytest.raises(DBAPIError, match="append-only: TRUNCATE refused"):
            s.execute(text("TRUNCATE audit_event"))
    assert _verify(db).events == 2


def test_a_database_without_the_triggers_differs_from_the_models(db: TestDatabase) -> None:
    _as_attacker(db)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    assert diff == [("create_append_only", "audit_event")]


# --- the command line -----------------------------------------------------------------------


def test_cli_verify_says_intact_or_names_the_first_bad_event(db: TestDatabase) -> None:
    ids = _log(db)
    ok = huikuan(["audit", "verify"], env=db.env())
    assert ok.returncode == 0, ok.stderr
    assert "intact: 3 events" in ok.stdout
    assert "covered by the chain only" in ok.stdout  # no checkpoint yet: said, not hidden
    _as_attacker(db, _set(ids[0], actor="user:2"))
    bad = huikuan(["audit", "verify"], env=db.env())
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        f"error: 审计日志已被篡改 / audit log broken at event {ids[0]} (seq 1): "
        "content does not match its chain value (edited or forged)"
    ]


def test_cli_checkpoint_prints_a_signed_head_that_verify_holds_the_log_to(db: TestDatabase) -> None:
    _log(db, 3)
    printed = huikuan(["audit", "checkpoint"], env=db.env())
    assert printed.returncode == 0, printed.stderr
    line = printed.stdout.strip()
    assert re.fullmatch(
        r"HKA1 db=[0-9a-f]{8} seq=3 at=\S+Z chain=[0-9a-f]{32} kid=[0-9a-f]{16} sig=[0-9a-f]{32}", line
    )
    assert len(line) <= 150  # one line on paper
    ok = huikuan(["audit", "verify"], env=db.env())
    assert "matches 1 checkpoint(s), the newest at seq 3" in ok.stdout
    # The attacker also empties the checkpoint file; the supervisor's paper copy still tells.
    path = audit.current().checkpoint_path(db.url)
    assert path is not None
    assert path.exists()
    path.write_text("")
    _as_attacker(db, delete(AuditEvent).where(AuditEvent.seq == 3))
    fooled = huikuan(["audit", "verify"], env=db.env())
    assert fooled.returncode == 0
    assert "intact: 2 events" in fooled.stdout
    caught = huikuan(["audit", "verify", "--checkpoint", line], env=db.env())
    assert caught.returncode == 2
    assert "audit log broken at seq 3: the log ends at seq 2" in caught.stderr


def test_cli_refuses_a_forged_checkpoint_line(db: TestDatabase) -> None:
    _log(db, 3)
    line = huikuan(["audit", "checkpoint"], env=db.env()).stdout.strip()
    forged = line.replace("seq=3", "seq=2")
    bad = huikuan(["audit", "verify", "--checkpoint", forged], env=db.env())
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "error: 审计检查点无效 / bad audit checkpoint at --checkpoint: "
        "checkpoint signature does not match (forged or altered)"
    ]


def test_a_missing_key_for_a_log_with_events_is_one_line_never_a_new_key(
    db: TestDatabase, tmp_path: Path
) -> None:
    _log(db, 1)
    keydir = tmp_path / "keys"
    env = {**db.env(), "HUIKUAN_AUDIT_KEY": None, "HUIKUAN_AUDIT_DIR": str(keydir)}
    ran = huikuan(["audit", "verify"], env=env)
    assert ran.returncode == 2
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: 审计密钥缺失 / audit key missing: the audit log holds events")
    assert not (keydir / "audit.key").exists()


def test_a_new_log_gets_a_key_file_of_its_own(db: TestDatabase, tmp_path: Path) -> None:
    keydir = tmp_path / "keys"
    env = {**db.env(), "HUIKUAN_AUDIT_KEY": None, "HUIKUAN_AUDIT_DIR": str(keydir)}
    ran = huikuan(["audit", "verify"], env=env)
    assert ran.returncode == 0, ran.stderr
    key_file = keydir / "audit.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(bytes.fromhex(key_file.read_text().strip())) == 32


def test_a_wrong_key_is_refused_before_anything_is_chained(db: TestDatabase) -> None:
    _log(db, 1)
    ran = huikuan(["audit", "verify"], env={**db.env(), "HUIKUAN_AUDIT_KEY": bytes(32).hex()})
    assert ran.returncode == 2
    assert ran.stderr.startswith("error: 审计密钥不符 / wrong audit key")
    assert len(ran.stderr.strip().splitlines()) == 1
    bad = huikuan(["audit", "verify"], env={**db.env(), "HUIKUAN_AUDIT_KEY": "not-a-key"})
    assert bad.stderr.strip() == (
        "error: 审计密钥无效 / HUIKUAN_AUDIT_KEY is not an audit key: hex or base64 of 32 random bytes"
    )
