"""The audit log as officers and auditors read it: events newest first, filtered and paged,
and the verification `huikuan audit verify` runs (the chain held against the checkpoints)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huikuan.errors import HuikuanError
from huikuan.security import audit, checkpoints
from huikuan.security.models import AuditEvent

PAGE_SIZE = 50


class AuditLogBroken(HuikuanError):
    status_code = 409


@dataclass(frozen=True, slots=True)
class EventFilter:
    action: str | None = None
    actor: str | None = None
    entity: str | None = None
    entity_id: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EventPage:
    rows: list[EventRow]
    total: int
    page: int
    pages: int


def events(session: Session, f: EventFilter, page: int = 1, per_page: int = PAGE_SIZE) -> EventPage:
    """One page of audit events matching `f`, newest first (details hold ids only)."""
    conditions = []
    if f.action:
        conditions.append(AuditEvent.action == f.action)
    if f.actor:
        conditions.append(AuditEvent.actor == f.actor)
    if f.entity:
        conditions.append(AuditEvent.entity == f.entity)
    if f.entity_id:
        conditions.append(AuditEvent.entity_id == f.entity_id)
    if f.since is not None:
        conditions.append(AuditEvent.at >= f.since)
    if f.until is not None:
        conditions.append(AuditEvent.at < f.until)
    total = session.scalar(select(func.count(AuditEvent.id)).where(*conditions)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    found = session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.seq.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [
        EventRow(e.id, e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, dict(e.details or {}))
        for e in found
    ]
    return EventPage(rows=rows, total=total, page=page, pages=pages)


def actions(session: Session) -> list[str]:
    """The distinct actions in the log, for a filter's choices."""
    return sorted(session.scalars(select(AuditEvent.action).distinct()))


def verify_log(session: Session, extra_checkpoints: Iterable[str] = ()) -> audit.Verification:
    """Verify the log of `session`'s database against its checkpoint file (and any checkpoint
    lines kept elsewhere); a checkpoint line that does not parse is refused as a broken log."""
    setup = audit.current()
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    path = setup.checkpoint_path(url)
    lines = [(f"{path}:{n}", text) for n, text in checkpoints.read(path)] if path else []
    lines += [("--checkpoint", text) for text in extra_checkpoints]
    keys = {setup.key.key_id: setup.key}
    anchors, bad_line = audit.load_checkpoints(lines, keys, checkpoints.database_id(url))
    if bad_line is not None:
        raise AuditLogBroken(f"审计检查点无效 / bad audit checkpoint at {bad_line}")
    return audit.verify(session, keys, anchors)
