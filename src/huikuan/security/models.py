"""Users, the data keys a database knows, and the append-only, keyed-chain audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from huikuan.db import Base, UTCDateTime
from huikuan.db.append_only import append_only


class User(Base):
    # "user" is reserved in PostgreSQL.
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))  # security.users.Role
    active: Mapped[bool] = mapped_column(default=True)
    # Log-in throttling (security/auth.py): failures in the current window, and the lockout.
    failed_logins: Mapped[int] = mapped_column(default=0)
    first_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


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
    """One audit event; UPDATE and DELETE are refused by triggers (db/append_only.py)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 1, 2, 3, … with no gap: the chain's position, covered by the chain value, so a deleted or
    # moved event shows even where ids (a sequence that skips on rollback) would not.
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # Indexed for the audit log's filters (web /audit): who did what to which record.
    actor: Mapped[str] = mapped_column(String(64), index=True)  # "user:3", "robot:R01", "system"
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity: Mapped[str] = mapped_column(String(64), index=True)
    entity_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    # Which audit key made `hash` (security/audit_key.py), so the key can be rotated.
    key_id: Mapped[str] = mapped_column(String(16))
    # The chain: `hash` is HMAC-SHA256 under the audit key over `prev_hash` (the previous
    # event's `hash`) and this event's content; hex, 64 characters.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class ApiToken(Base):
    """A bearer token for integrations: only its SHA-256 is kept, it acts with its user's role."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A console log-in: the cookie carries a random id, the table only its SHA-256."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))  # echoed by the page's forms
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


append_only(AuditEvent.__table__)  # type: ignore[arg-type]  # __table__ is a Table at runtime
