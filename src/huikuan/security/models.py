"""Users and the append-only, keyed-chain audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, String
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
    role: Mapped[str] = mapped_column(String(32))  # supervisor|agent|compliance_officer|admin
    active: Mapped[bool] = mapped_column(default=True)


class AuditEvent(Base):
    """One audit event; UPDATE and DELETE are refused by triggers (db/append_only.py)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 1, 2, 3, … with no gap: the chain's position, covered by the chain value, so a deleted or
    # moved event shows even where ids (a sequence that skips on rollback) would not.
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64))  # "user:3", "robot:R01", "system"
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    # Which audit key made `hash` (security/audit_key.py), so the key can be rotated.
    key_id: Mapped[str] = mapped_column(String(16))
    # The chain: `hash` is HMAC-SHA256 under the audit key over `prev_hash` (the previous
    # event's `hash`) and this event's content; hex, 64 characters.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


append_only(AuditEvent.__table__)  # type: ignore[arg-type]  # __table__ is a Table at runtime
