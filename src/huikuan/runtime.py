"""Start-up shared by the CLI, the web app and workers: key, engine, schema."""

from __future__ import annotations

from sqlalchemy import Engine

from huikuan.config import Settings
from huikuan.db import make_engine
from huikuan.db.migrate import upgrade
from huikuan.security import crypto


def open_database(settings: Settings, *, migrate: bool = True) -> Engine:
    """Configure field encryption, connect, and bring the schema to the latest migration."""
    crypto.configure(crypto.load_or_create_key(_secret(settings), settings.data_dir))
    engine = make_engine(settings.resolved_database_url())
    if migrate:
        upgrade(engine)
    return engine


def _secret(settings: Settings) -> str | None:
    return settings.data_key.get_secret_value() if settings.data_key else None
