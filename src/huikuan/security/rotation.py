"""`huikuan keys rotate`: move every encrypted value to a new data key while the floor runs.

1. **Begin** (one transaction): the new key is written to the key folder (0600) and registered
   as active; the old one becomes `retiring`. Processes started from now on seal under the new
   key; running ones keep sealing under the old one, and open values under the new one by
   loading its file when they first meet its id (`FieldCipher` resolve).
2. **Re-encrypt** each encrypted column in batches of rows by primary key, one commit per
   batch. A row is rewritten only if it still holds the bytes read (compare and swap), so a
   worker's concurrent write is never overwritten; the sweep is repeated while values under
   an old key remain (a running worker may have written some behind the cursor).
3. **Finish**: when no value is left under a `retiring` key it becomes `retired` (its sealed
   copy of the index key is dropped) and the rotation is audited. Otherwise the rotation stays
   open and running `rotate` again resumes it; an interrupted run resumes the same way, since
   every batch already committed stays done.

Retired key files are kept, not deleted: recordings stay sealed under the key they were made
with (their digest is part of the record), and a process started before the rotation may still
write a value under the old key until it is restarted (`keys status` counts those).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, LargeBinary, Update, bindparam, func, select, update
from sqlalchemy.orm import Session

from huikuan.db import session_scope
from huikuan.errors import Conflict
from huikuan.security import audit, keyfiles
from huikuan.security.crypto import FieldCipher, key_id
from huikuan.security.keys import (
    ACTIVE,
    RETIRED,
    RETIRING,
    EncryptedColumn,
    KeySource,
    encrypted_columns,
    lock_keys,
    register,
    values_per_key,
)
from huikuan.security.models import DataKey

BATCH_SIZE = 500
SWEEPS = 3  # whole sweeps per run before leaving values a running worker keeps writing


@dataclass(frozen=True, slots=True)
class RotationReport:
    key_id: str  # the new (active) key
    retired: list[str]  # keys retired by this run (empty while values remain under them)
    resealed: int  # values re-encrypted by this run
    batches: int
    remaining: int  # values still under a retiring key
    resumed: bool  # this run continued a rotation begun earlier

    @property
    def finished(self) -> bool:
        return self.remaining == 0 and bool(self.retired)


def begin(
    engine: Engine, cipher: FieldCipher, source: KeySource, at: datetime, *, key: bytes | None, actor: str
) -> tuple[str, bool]:
    """Register a new active key (or find the rotation under way); (its id, resumed)."""
    with session_scope(engine) as session:
        lock_keys(session)
        rows = list(session.scalars(select(DataKey)))
        (current,) = [r for r in rows if r.state == ACTIVE]
        if any(r.state == RETIRING for r in rows):
            if key is not None and key_id(key) != current.id:
                raise Conflict(
                    f"密钥轮换进行中 / a rotation to key {current.id} is under way: finish it first"
                )
            return current.id, True
        if key is None:
            key, _ = keyfiles.new_key(source.key_dir)
        elif any(r.id == key_id(key) for r in rows):
            raise Conflict(f"密钥已登记 / key {key_id(key)} is already known to this database")
        else:
            keyfiles.write_key(source.key_dir, key)
        current.state = RETIRING
        session.flush()
        new = register(session, key, index_key=cipher.index_key, at=at)
        audit.append(
            session,
            at=at,
            actor=actor,
            action="data_key.rotation_started",
            entity="data_key",
            entity_id=new.id,
            details={"from": current.id, "to": new.id},
        )
    cipher.use(key)
    return key_id(key), False


def _reseal_statement(enc: EncryptedColumn) -> Update:
    raw = enc.raw
    return (
        update(enc.table)
        .where(enc.pk == bindparam("pk_"), raw == bindparam("old_", type_=LargeBinary))
        .values({enc.column.name: bindparam("new_", type_=LargeBinary)})
    )


def reseal(
    engine: Engine,
    cipher: FieldCipher,
    *,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    after_batch: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """One sweep of every encrypted column; (values resealed, batches committed)."""
    active = bytes.fromhex(cipher.active_key_id)
    resealed = batches = 0
    for enc in encrypted_columns():
        statement = _reseal_statement(enc)
        last: int | None = None
        while max_batches is None or batches < max_batches:
            query = (
                select(enc.pk, enc.raw)
                .where(
                    enc.column.is_not(None),
                    func.substr(enc.raw, 2, 4) != bindparam("kid", active, LargeBinary),
                )
                .order_by(enc.pk)
                .limit(batch_size)
            )
            if last is not None:
                query = query.where(enc.pk > last)
            with engine.begin() as conn:
                if conn.dialect.name == "sqlite":
                    lock_keys(conn)  # the write lock before reading (see lock_keys)
                rows = conn.execute(query).all()
                if not rows:
                    break
                conn.execute(
                    statement,
                    [{"pk_": pk, "old_": bytes(old), "new_": cipher.reseal(bytes(old))} for pk, old in rows],
                )
            resealed += len(rows)
            batches += 1
            last = rows[-1][0]
            if after_batch is not None:
                after_batch(batches)
    return resealed, batches


def remaining(session: Session) -> int:
    """Values still sealed under a key that is not the active one."""
    active = session.scalars(select(DataKey.id).where(DataKey.state == ACTIVE)).one()
    return sum(n for kid, n in values_per_key(session).items() if kid != active)


def finish(engine: Engine, at: datetime, *, actor: str, resealed: int) -> tuple[list[str], int]:
    """Retire the retiring keys if no value is left under them; (retired ids, values left)."""
    with session_scope(engine) as session:
        lock_keys(session)
        left = remaining(session)
        rows = list(session.scalars(select(DataKey).where(DataKey.state == RETIRING)))
        if left or not rows:
            return [], left
        active = session.scalars(select(DataKey.id).where(DataKey.state == ACTIVE)).one()
        for row in rows:
            row.state, row.retired_at, row.index_key = RETIRED, at, None
        audit.append(
            session,
            at=at,
            actor=actor,
            action="data_key.rotated",
            entity="data_key",
            entity_id=active,
            details={"retired": [r.id for r in rows], "resealed": resealed},
        )
        return [r.id for r in rows], 0


def _offset(after_batch: Callable[[int], None] | None, before: int) -> Callable[[int], None] | None:
    """`after_batch` counting on from the batches of earlier sweeps."""
    if after_batch is None:
        return None
    return lambda n: after_batch(before + n)


def rotate(
    engine: Engine,
    cipher: FieldCipher,
    source: KeySource,
    at: datetime,
    *,
    key: bytes | None = None,
    actor: str = "system",
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    after_batch: Callable[[int], None] | None = None,
) -> RotationReport:
    """Begin (or resume) a rotation, re-encrypt, and retire the old key when nothing is left."""
    new_id, resumed = begin(engine, cipher, source, at, key=key, actor=actor)
    resealed = batches = 0
    for _ in range(SWEEPS):
        budget = None if max_batches is None else max_batches - batches
        if budget == 0:
            break
        done, count = reseal(
            engine,
            cipher,
            batch_size=batch_size,
            max_batches=budget,
            after_batch=_offset(after_batch, batches),
        )
        resealed, batches = resealed + done, batches + count
        with Session(engine) as session:
            if not remaining(session):
                break
    if max_batches is not None and batches >= max_batches:  # stopped on request: resume later
        with Session(engine) as session:
            return RotationReport(new_id, [], resealed, batches, remaining(session), resumed)
    retired, left = finish(engine, at, actor=actor, resealed=resealed)
    return RotationReport(new_id, retired, resealed, batches, left, resumed)
