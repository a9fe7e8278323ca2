"""The database side of data keys: recognise the configured keys at start-up before anything
is written, register a new database's first key, and count the values each key still seals.

The database keeps, per key, its id and check value (`DataKey`), never the key. At start-up:

- a key given in `HUIKUAN_DATA_KEY` that the database does not know, or whose check value
  differs, is refused (`WrongDataKey`): nothing is written under it;
- the active key must be given or found in the key folder by its id (`MissingDataKey`): a
  database that has a key never gets a new one in its place;
- a database with no registered key gets one only while it holds no encrypted value.

Callers import every package's models first (`huikuan.runtime` does), so `encrypted_columns`
sees every table.
"""

from __future__ import annotations

import hmac
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    LargeBinary,
    Table,
    func,
    inspect,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session

from huikuan.config import Settings
from huikuan.db import Base, session_scope
from huikuan.security import keyfiles
from huikuan.security.crypto import (
    DataKeyError,
    EncryptedText,
    FieldCipher,
    check_value,
    derive_index_key,
    key_id,
)
from huikuan.security.models import DataKey

ACTIVE, RETIRING, RETIRED = "active", "retiring", "retired"
_INDEX_KEY_CONTEXT = b"huikuan index key"


class WrongDataKey(DataKeyError):
    pass


class MissingDataKey(DataKeyError):
    pass


@dataclass(frozen=True)
class KeySource:
    """Where this process finds data keys: `HUIKUAN_DATA_KEY` first, then the key folder."""

    key_dir: Path
    given: list[bytes] = field(default_factory=list)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeySource:
        given = keyfiles.parse_keys(settings.data_key.get_secret_value()) if settings.data_key else []
        return cls(settings.key_dir or keyfiles.default_key_dir(), given)

    def find(self, kid: str) -> bytes | None:
        for key in self.given:
            if key_id(key) == kid:
                return key
        return keyfiles.find_key(self.key_dir, kid)


@dataclass(frozen=True, slots=True)
class EncryptedColumn:
    table: Table
    pk: Column[int]
    column: Column[bytes]

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column.name}"

    @property
    def raw(self) -> ColumnElement[bytes]:
        """The stored bytes, not decrypted (`EncryptedText` is bypassed)."""
        return type_coerce(self.column, LargeBinary)


def encrypted_columns() -> list[EncryptedColumn]:
    """Every `EncryptedText` column of the loaded models, with its table's primary key."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText):
                (pk,) = table.primary_key.columns
                found.append(EncryptedColumn(table, pk, column))
    return found


def _database_key_ids(rows: list[DataKey]) -> str:
    return ", ".join(r.id for r in rows if r.state == ACTIVE) or "none"


def registered(engine: Engine) -> list[DataKey] | None:
    """The keys the database knows (read only), or None when it has no key table yet."""
    tables = inspect(engine)
    if not tables.has_table(DataKey.__tablename__):
        if tables.has_table("alembic_version"):
            raise DataKeyError(
                "数据库早于密钥标识 / this database was made before key ids: "
                "re-create it (huikuan demo --fresh) or migrate it"
            )
        return None
    with Session(engine) as session:
        rows = list(session.scalars(select(DataKey)))
        session.expunge_all()
    return rows


def unlock(engine: Engine, source: KeySource) -> FieldCipher | None:
    """The cipher for an initialised database, checked before any write; None for a new one."""
    rows = registered(engine)
    return cipher_for(rows, source) if rows else None


def cipher_for(rows: list[DataKey], source: KeySource) -> FieldCipher:
    """A cipher over the registered keys this process holds; refuses wrong and missing keys."""
    by_id = {r.id: r for r in rows}
    active = [r for r in rows if r.state == ACTIVE]
    if len(active) != 1:
        raise DataKeyError(f"数据密钥表异常 / the data_key table has {len(active)} active keys, not one")
    (current,) = active
    for key in source.given:
        row = by_id.get(key_id(key))
        if row is None or not hmac.compare_digest(row.check_value, check_value(key)):
            raise WrongDataKey(
                f"数据密钥与数据库不符 / the data key does not match this database "
                f"(key id {key_id(key)}; the database's key id is {current.id}); nothing was written"
            )
    held: dict[str, bytes] = {}
    for row in rows:
        found = source.find(row.id)
        if found is None:
            continue
        if not hmac.compare_digest(row.check_value, check_value(found)):
            raise WrongDataKey(
                f"数据密钥与数据库不符 / key file {row.id}.key does not match this database's key {row.id}"
            )
        held[row.id] = found
    if current.id not in held:
        raise MissingDataKey(
            f"数据密钥缺失 / the data key of this database is missing (key id {current.id}): "
            f"set HUIKUAN_DATA_KEY or put {current.id}.key in {source.key_dir}; "
            "a database that has a key never gets a new one"
        )
    active_key = held.pop(current.id)
    return FieldCipher(
        active_key,
        index_key=_open_index_key(current, active_key),
        others=list(held.values()),
        resolve=source.find,
    )


def _open_index_key(row: DataKey, key: bytes) -> bytes:
    if row.index_key is None:
        raise DataKeyError(f"数据密钥表异常 / the active key {row.id} holds no index key")
    try:
        return FieldCipher(key).decrypt_bytes(bytes(row.index_key), _INDEX_KEY_CONTEXT)
    except InvalidTag:
        raise DataKeyError(f"数据密钥表异常 / the index key under key {row.id} was altered") from None


def register(session: Session, key: bytes, *, index_key: bytes, at: datetime) -> DataKey:
    """Record `key` as the active key, with the database's index key sealed under it."""
    sealed = FieldCipher(key).encrypt_bytes(index_key, _INDEX_KEY_CONTEXT)
    row = DataKey(id=key_id(key), check_value=check_value(key), state=ACTIVE, created_at=at, index_key=sealed)
    session.add(row)
    session.flush()
    return row


def lock_keys(db: Session | Connection) -> None:
    """Serialise key changes across processes: the first statement of the transaction.

    On SQLite it takes the database's write lock before anything is read, because a read
    snapshot that another writer's commit made stale cannot become a write (SQLITE_BUSY).
    """
    dialect = db.get_bind().dialect.name if isinstance(db, Session) else db.dialect.name
    if dialect == "postgresql":
        db.execute(text("LOCK TABLE data_key IN EXCLUSIVE MODE"))
    else:
        db.execute(text("UPDATE data_key SET state = state WHERE 1 = 0"))


def holds_encrypted_data(session: Session) -> bool:
    for enc in encrypted_columns():
        if session.execute(select(enc.pk).where(enc.column.is_not(None)).limit(1)).first():
            return True
    return False


def initialise(engine: Engine, source: KeySource, at: datetime) -> FieldCipher:
    """Register the first key of a new database: the given key, else a new key file."""
    if registered(engine) is None:
        raise DataKeyError("数据库尚未初始化 / the database has no schema yet: run huikuan db upgrade")
    with session_scope(engine) as session:
        lock_keys(session)
        rows = list(session.scalars(select(DataKey)))
        if not rows:
            if holds_encrypted_data(session):
                raise MissingDataKey(
                    "数据密钥缺失 / this database holds encrypted data but no registered key; "
                    "nothing was written"
                )
            key = source.given[0] if source.given else keyfiles.new_key(source.key_dir)[0]
            rows = [register(session, key, index_key=derive_index_key(key), at=at)]
            if not source.given:
                source = KeySource(source.key_dir, [key])
        session.expunge_all()
    return cipher_for(rows, source)


@dataclass(frozen=True, slots=True)
class KeyCount:
    key_id: str
    state: str  # active | retiring | retired | unknown (a value under a key the table lacks)
    created_at: datetime | None
    retired_at: datetime | None
    values: int


def values_per_key(session: Session) -> Counter[str]:
    """How many encrypted values each key id seals, over every encrypted column."""
    counts: Counter[str] = Counter()
    for enc in encrypted_columns():
        kid = func.substr(enc.raw, 2, 4)
        rows = session.execute(select(kid, func.count()).where(enc.column.is_not(None)).group_by(kid))
        for raw_id, count in rows:
            counts[bytes(raw_id).hex()] += int(count)
    return counts


def status(session: Session) -> list[KeyCount]:
    """Every registered key, newest first, with the values it still seals."""
    counts = values_per_key(session)
    rows = sorted(session.scalars(select(DataKey)), key=lambda r: r.created_at, reverse=True)
    out = [KeyCount(r.id, r.state, r.created_at, r.retired_at, counts.pop(r.id, 0)) for r in rows]
    out += [KeyCount(kid, "unknown", None, None, n) for kid, n in sorted(counts.items())]
    return out
