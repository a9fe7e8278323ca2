"""Start-up shared by the CLI, the web app and workers: keys, engine, schema."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from huikuan.config import Settings
from huikuan.db import make_engine
from huikuan.db.migrate import upgrade
from huikuan.security import audit, audit_key, crypto


def open_database(settings: Settings, *, migrate: bool = True) -> Engine:
    """Configure field encryption, connect, bring the schema to the latest migration, and
    configure the audit key (refused when missing or wrong for a log that holds events)."""
    crypto.configure(crypto.load_or_create_key(_secret(settings), settings.data_dir))
    engine = make_engine(settings.resolved_database_url())
    if migrate:
        upgrade(engine)
    configure_audit(settings, engine)
    return engine


def configure_audit(settings: Settings, engine: Engine) -> None:
    """The audit key for this database's log: never a new key for a log that has events, never
    a key other than the one the newest event was chained under."""
    with Session(engine) as session:
        newest_key_id = audit.newest_key_id(session)
    key = audit_key.load_key(settings, log_has_events=newest_key_id is not None)
    if newest_key_id is not None and newest_key_id != key.key_id:
        raise audit_key.AuditKeyError(
            f"审计密钥不符 / wrong audit key: the audit log is chained under key {newest_key_id}, "
            f"the configured key is {key.key_id}"
        )
    audit.configure(
        audit.AuditSetup(
            key=key,
            checkpoint_dir=audit_key.audit_dir(settings),
            checkpoint_file=settings.audit_checkpoint_file,
            every=settings.audit_checkpoint_every,
        )
    )


def _secret(settings: Settings) -> str | None:
    return settings.data_key.get_secret_value() if settings.data_key else None
