"""Shared by the key tests: settings for a test database, row counts, the CLI as a user runs it."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine, func, select

from huikuan.config import Settings
from huikuan.db import Base
from huikuan.runtime import open_database
from tests.conftest import TestDatabase


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def settings(db: TestDatabase, key_dir: Path, key: bytes | None = None) -> Settings:
    return Settings(database_url=db.url, key_dir=key_dir, data_key=b64(key) if key is not None else None)


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table: what a refused start-up must leave exactly as it was."""
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
        }


def huikuan(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "huikuan", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


OPENED: list[Engine] = []


def open_db(config: Settings) -> Engine:
    """`open_database`, its engine disposed after the test even when the test fails."""
    engine = open_database(config)
    OPENED.append(engine)
    return engine


def dispose_opened() -> None:
    while OPENED:
        OPENED.pop().dispose()
