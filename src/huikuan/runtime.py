"""Start-up shared by the CLI, the web app and workers: keys, engine, schema."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

import huikuan.db.all_models  # noqa: F401  # every table, so the key check sees every encrypted column
from huikuan.config import Settings
from huikuan.db import make_engine
from huikuan.db.migrate import upgrade
from huikuan.security import audit, audit_key, crypto, keys


def open_database(settings: Settings, *, migrate: bool = True) -> Engine:
    """Check the data key against the database, connect, migrate, install field encryption,
    configure the audit key.

    The data key is checked before the schema is touched: a wrong, missing or corrupt key stops
    start-up with one line and nothing written (`security.keys`); so does a missing or wrong
    audit key for a log that holds events (`security.audit_key`).
    """
    engine = make_engine(settings.resolved_database_url())
    source = keys.KeySource.from_settings(settings)
    try:
        field_cipher = keys.unlock(engine, source)
        if migrate:
            upgrade(engine)
        if field_cipher is None:
            field_cipher = keys.initialise(engine, source, datetime.now(UTC))
        configure_audit(settings, engine)
    except BaseException:
        engine.dispose()
        raise
    crypto.install(field_cipher)
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
