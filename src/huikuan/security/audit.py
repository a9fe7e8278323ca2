"""The append-only, hash-chained audit log.

Each event's hash covers its content and the previous event's hash, so editing, deleting or
reordering any event breaks every hash after it; `verify` walks the chain and names the first
broken event. Appenders serialise on one lock (a transaction-scoped advisory lock on
PostgreSQL; SQLite has a single writer) so the chain never forks. Details hold ids only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from huikuan.security.models import AuditEvent

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 0x48554B41  # "HUKA"


def _digest(
    prev_hash: str,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    details: Mapping[str, Any],
) -> str:
    # The instant is hashed in UTC: the database gives it back in UTC whatever zone it came in.
    body = json.dumps(
        [prev_hash, at.astimezone(UTC).isoformat(), actor, action, entity, entity_id, details],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add one event at the end of the chain (in the caller's transaction)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK_KEY})
    prev = session.scalars(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    prev_hash = prev or GENESIS
    ident = None if entity_id is None else str(entity_id)
    payload = dict(details or {})
    event = AuditEvent(
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=ident,
        details=payload,
        prev_hash=prev_hash,
        hash=_digest(prev_hash, at, actor, action, entity, ident, payload),
    )
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class Verification:
    events: int
    first_broken_id: int | None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def verify(session: Session) -> Verification:
    """Recompute the chain from the first event; report the first event that does not match."""
    prev_hash = GENESIS
    count = 0
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    events = session.scalars(stmt)
    try:  # a server-side cursor on PostgreSQL: close it even when we stop early
        for event in events:
            count += 1
            expected = _digest(
                prev_hash, event.at, event.actor, event.action, event.entity, event.entity_id, event.details
            )
            if event.prev_hash != prev_hash or event.hash != expected:
                return Verification(count, event.id)
            prev_hash = event.hash
    finally:
        events.close()
    return Verification(count, None)
