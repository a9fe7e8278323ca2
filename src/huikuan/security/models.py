"""Users, the data keys a database knows, and the append-only, hash-chained audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from huikuan.db import Base, UTCDateTime


class User(Base):
    # "user" is reserved in PostgreSQL.
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))  # supervisor|agent|compliance_officer|admin
    active: Mapped[bool] = mapped_column(default=True)


class DataKey(Base):
    """A data key this database's values are sealed under, known by its id and check value.

    Never the key itself (that is kept outside the database, `security.keyfiles`): the check
    value lets start-up refuse a wrong key before anything is written. `index_key` is the
    database's blind-index key sealed under this key, kept only on the active key's row.
    """

    __tablename__ = "data_key"

    id: Mapped[str] = mapped_column(String(8), primary_key=True)  # crypto.key_id
    check_value: Mapped[str] = mapped_column(String(64))  # crypto.check_value
    state: Mapped[str] = mapped_column(String(8))  # active | retiring | retired
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    index_key: Mapped[bytes | None] = mapped_column(LargeBinary)


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64))  # "user:3", "robot:R01", "system"
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
