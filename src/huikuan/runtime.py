"""Start-up shared by the CLI, the web app and workers: key, engine, schema."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

import huikuan.db.all_models  # noqa: F401  # every table, so the key check sees every encrypted column
from huikuan.config import Settings
from huikuan.db import make_engine
from huikuan.db.migrate import upgrade
from huikuan.security import crypto, keys


def open_database(settings: Settings, *, migrate: bool = True) -> Engine:
    """Check the data key against the database, connect, migrate, install field encryption.

    The key is checked before the schema is touched: a wrong, missing or corrupt key stops
    start-up with one line and nothing written (`security.keys`).
    """
    engine = make_engine(settings.resolved_database_url())
    source = keys.KeySource.from_settings(settings)
    try:
        field_cipher = keys.unlock(engine, source)
        if migrate:
            upgrade(engine)
        if field_cipher is None:
            field_cipher = keys.initialise(engine, source, datetime.now(UTC))
    except BaseException:
        engine.dispose()
        raise
    crypto.install(field_cipher)
    return engine
