"""The append-only audit log: a keyed chain, anchored by signed checkpoints outside the database.

Each event has a dense sequence number (1, 2, 3, …) and a chain value: HMAC-SHA256, under the
audit key (security/audit_key.py, never in the database), over the previous event's chain
value and this event's canonical content. Editing, deleting or reordering an event breaks the
chain from there on, and whoever can write the database but lacks the key cannot recompute it.
What a chain cannot show by itself, its newest events (or all of them) deleted, the signed
checkpoints do (security/checkpoints.py): one is written whenever the chain passes a multiple
of `audit_checkpoint_every` events, at the end of every command, and on demand; `verify` holds
the log against each of them. Events after the last checkpoint are covered by the chain alone:
deleting those is undetectable until the next checkpoint would have named them.

Appenders serialise on one lock (a transaction-scoped advisory lock on PostgreSQL; SQLite has a
single writer) so the chain never forks; UPDATE and DELETE are refused by triggers
(db/append_only.py). Details hold ids only, never personal data.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session

from huikuan.errors import HuikuanError
from huikuan.security import checkpoints
from huikuan.security.audit_key import AuditKey, AuditKeyError
from huikuan.security.checkpoints import BadCheckpoint, Checkpoint
from huikuan.security.models import AuditEvent

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 0x48554B41  # "HUKA"
_PENDING = "huikuan.audit.pending"  # session.info: (first seq, last seq) appended, not yet committed
_WROTE = "huikuan.audit.wrote"  # session.info: the open transaction has written something

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditSetup:
    """The process's audit key and where this process anchors each database's checkpoints."""

    key: AuditKey
    checkpoint_dir: Path | None = None  # audit-<db id>.checkpoints in here
    checkpoint_file: Path | None = None  # or exactly this file
    every: int = 100

    def checkpoint_path(self, url: str) -> Path | None:
        if self.checkpoint_file is not None:
            return self.checkpoint_file
        if self.checkpoint_dir is None:
            return None
        return self.checkpoint_dir / f"audit-{checkpoints.database_id(url)}.checkpoints"


_lock = threading.Lock()
_setup: AuditSetup | None = None
_unanchored: dict[str, Engine] = {}  # databases with events committed since their last checkpoint


def configure(setup: AuditSetup) -> None:
    """Install the process-wide audit key (at start-up, from settings: runtime.py)."""
    global _setup
    with _lock:
        _setup = setup
        _unanchored.clear()  # a new start: databases of an earlier configuration are not ours


def throwaway_setup() -> AuditSetup:
    """A random key and no checkpoints: for a benchmark's throwaway database."""
    return AuditSetup(key=AuditKey(secrets.token_bytes(32)))


def current() -> AuditSetup:
    if _setup is None:
        raise AuditKeyError("no audit key configured: start through huikuan.runtime.open_database")
    return _setup


def _canonical(event: AuditEvent) -> bytes:
    # The instant in UTC: the database gives it back in UTC whatever zone it came in.
    body = [
        event.seq,
        event.prev_hash,
        event.at.astimezone(UTC).isoformat(),
        event.actor,
        event.action,
        event.entity,
        event.entity_id,
        event.details,
        event.key_id,
    ]
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def chain_value(key: AuditKey, event: AuditEvent) -> str:
    """The HMAC that links `event` to the one before it (its `prev_hash`)."""
    return key.mac(_canonical(event))


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
    key = current().key
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK_KEY})
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
    event = AuditEvent(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        details=dict(details or {}),
        key_id=key.key_id,
        prev_hash=prev_hash,
    )
    event.hash = chain_value(key, event)
    session.add(event)
    session.flush()
    first, _ = session.info.get(_PENDING, (seq, seq))
    session.info[_PENDING] = (first, seq)
    return event


def append_alone(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Append and commit in a transaction of its own: for events (a failed log-in) whose caller
    is about to roll back, which must not take the event with it.

    If `session` has already written in its transaction, the event joins that transaction
    instead: a second writer would wait on the first's locks (SQLite's one writer, the audit
    lock on PostgreSQL) until the caller, which is waiting for us, ends — forever."""
    bind = session.get_bind()
    if (
        session.info.get(_WROTE)
        or session.new
        or session.dirty
        or session.deleted
        or not isinstance(bind, Engine)
    ):
        append(
            session, at=at, actor=actor, action=action, entity=entity, entity_id=entity_id, details=details
        )
        return
    with Session(bind) as own:
        append(own, at=at, actor=actor, action=action, entity=entity, entity_id=entity_id, details=details)
        own.commit()


def _wrote(session: Session, *_: Any) -> None:
    session.info[_WROTE] = True


def _maybe_wrote(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


event.listen(Session, "after_flush", _wrote)
event.listen(Session, "do_orm_execute", _maybe_wrote)


# --- checkpoints: written after a commit, never for events that could still roll back ---------


def _after_commit(session: Session) -> None:
    session.info.pop(_WROTE, None)
    pending = session.info.pop(_PENDING, None)
    if pending is None or _setup is None:
        return
    bind = session.get_bind()
    if not isinstance(bind, Engine):  # a session inside someone else's transaction: not final yet
        return
    url = bind.url.render_as_string(hide_password=False)
    _unanchored[url] = bind
    first, last = pending
    every = max(_setup.every, 1)
    if (first - 1) // every != last // every:  # the chain passed a multiple of `every`
        _anchor_quietly(bind)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_WROTE, None)


event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_rollback", _after_rollback)


def _anchor_quietly(engine: Engine) -> None:
    # The commit has happened; a checkpoint that cannot be written must not look like a failed
    # commit to the caller. It is logged, and the next flush tries again.
    try:
        write_checkpoint(engine)
    except (OSError, SQLAlchemyError, HuikuanError) as exc:
        log.error("audit checkpoint not written: %s", type(exc).__name__)


def write_checkpoint(engine: Engine) -> Checkpoint | None:
    """Sign the committed head of `engine`'s audit log and append it to its checkpoint file."""
    setup = current()
    url = engine.url.render_as_string(hide_password=False)
    with engine.connect() as conn:
        head = conn.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).first()
    if head is None:
        return None
    cp = Checkpoint(
        db=checkpoints.database_id(url),
        seq=head[0],
        at=datetime.now(UTC),
        chain=head[1][:32],
        key_id=setup.key.key_id,
    ).signed(setup.key)
    path = setup.checkpoint_path(url)
    if path is not None:
        checkpoints.append(path, cp)
    _unanchored.pop(url, None)
    return cp


def flush_checkpoints() -> None:
    """A checkpoint for every database this process added events to since its last one (at the
    end of a command, a worker or the server)."""
    for engine in list(_unanchored.values()):
        _anchor_quietly(engine)


# --- verification ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    events: int  # events read before the first problem (all of them when intact)
    first_broken_id: int | None = None  # the first bad event's id (None: intact, or it is gone)
    first_broken_seq: int | None = None  # the first bad position in the chain
    problem: str | None = None  # what is wrong there, one line (English)
    checkpoints: int = 0  # valid checkpoints the log was held against
    anchored_seq: int = 0  # the newest of them: events after it rely on the chain alone

    @property
    def intact(self) -> bool:
        return self.problem is None


def newest_key_id(session: Session) -> str | None:
    """The key id of the newest event; None for an empty log (start-up checks, one index read)."""
    return session.scalars(select(AuditEvent.key_id).order_by(AuditEvent.seq.desc()).limit(1)).first()


def load_checkpoints(
    lines: Iterable[tuple[str, str]], keys: dict[str, AuditKey], db: str
) -> tuple[list[Checkpoint], str | None]:
    """Parse (source, text) lines into this database's checkpoints; the first bad line, if any."""
    found: list[Checkpoint] = []
    for source, line in lines:
        try:
            cp = checkpoints.parse(line, keys)
        except BadCheckpoint as exc:
            return found, f"{source}: {exc}"
        if cp.db == db:
            found.append(cp)
        elif source == "--checkpoint":
            return found, f"{source}: this checkpoint belongs to another database (db={cp.db})"
    return found, None


def verify(
    session: Session, keys: dict[str, AuditKey] | None = None, anchors: Iterable[Checkpoint] = ()
) -> Verification:
    """Walk the chain from the first event, then hold it against each checkpoint; report the
    first thing wrong: an event edited, missing, moved, or the log shorter than a checkpoint."""
    ring = keys if keys is not None else {current().key.key_id: current().key}
    by_seq: dict[int, list[Checkpoint]] = {}
    for cp in anchors:
        by_seq.setdefault(cp.seq, []).append(cp)
    top = max(by_seq, default=0)
    count = len([cp for cps in by_seq.values() for cp in cps])

    def broken(ev: AuditEvent | None, seq: int, problem: str) -> Verification:
        ident = None if ev is None else ev.id
        return Verification(seq - 1, ident, seq, problem, count, top)

    prev_hash, expected = GENESIS, 1
    stmt = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000)
    events = session.scalars(stmt)
    try:  # a server-side cursor on PostgreSQL: close it even when we stop early
        for ev in events:
            if ev.seq != expected:
                return broken(ev, expected, f"event seq {expected} is missing (deleted) before event {ev.id}")
            if ev.prev_hash != prev_hash:
                return broken(ev, expected, "does not follow the event before it (moved, or one deleted)")
            key = ring.get(ev.key_id)
            if key is None:
                return broken(ev, expected, f"chained under unknown audit key {ev.key_id}")
            if ev.hash != chain_value(key, ev):
                return broken(ev, expected, "content does not match its chain value (edited or forged)")
            for cp in by_seq.get(expected, ()):
                if not cp.matches(ev.hash):
                    when = f"{cp.at:%Y-%m-%d %H:%M:%SZ}"
                    return broken(ev, expected, f"differs from the checkpoint of {when} (log rewritten)")
            prev_hash, expected = ev.hash, expected + 1
    finally:
        events.close()
    held = expected - 1
    if top > held:
        cp = by_seq[top][0]
        return broken(
            None,
            held + 1,
            f"the log ends at seq {held} but the checkpoint of {cp.at:%Y-%m-%d %H:%M:%SZ} saw {top} "
            f"events: events {held + 1}-{top} were deleted",
        )
    return Verification(held, checkpoints=count, anchored_seq=top)
