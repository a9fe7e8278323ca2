"""Shared fixtures: every test owns its database, on SQLite always and PostgreSQL when configured.

PostgreSQL runs when HUIKUAN_TEST_POSTGRES_URL is set (.ci/run sets it whenever a server answers
on 127.0.0.1:5432). Under CI=true a missing PostgreSQL is an error, never a silent skip.
Each PostgreSQL test gets a fresh schema, named in the URL's search_path, so subprocesses
(workers, the CLI) can connect to exactly the same data.
"""

from __future__ import annotations

import base64
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from huikuan.config import get_settings
from huikuan.db import make_engine, make_sessionmaker, session_scope
from huikuan.db.migrate import upgrade
from huikuan.security import crypto, keys

TEST_KEY = bytes(range(32))
POSTGRES_URL = os.environ.get("HUIKUAN_TEST_POSTGRES_URL", "")

if os.environ.get("CI") and not POSTGRES_URL:
    raise RuntimeError("CI run without HUIKUAN_TEST_POSTGRES_URL: PostgreSQL tests would not run")

BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]
# For what only PostgreSQL can do (several worker processes on one database): runs once, on
# PostgreSQL; a CI run without PostgreSQL already stops above, so this never hides a gap there.
postgres_only = pytest.mark.parametrize("db", ["postgres"] if POSTGRES_URL else [], indirect=True)


@dataclass
class TestDatabase:
    __test__ = False  # not a test class, despite the name

    backend: str
    url: str
    engine: Engine

    def session(self) -> Session:
        return make_sessionmaker(self.engine)()

    def env(self) -> dict[str, str]:
        """Environment for a subprocess (`huikuan …`) that must see this database."""
        return {
            **os.environ,
            "HUIKUAN_DATABASE_URL": self.url,
            "HUIKUAN_DATA_KEY": base64.b64encode(TEST_KEY).decode(),
        }


@pytest.fixture(autouse=True)
def _data_key() -> None:
    crypto.configure(TEST_KEY)


@pytest.fixture(autouse=True)
def _key_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Key files of this test's own (HUIKUAN_KEY_DIR): never the user's ~/.config/huikuan/keys."""
    monkeypatch.setenv("HUIKUAN_KEY_DIR", str(tmp_path_factory.mktemp("keys")))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def register_test_key(engine: Engine) -> None:
    """Record TEST_KEY as the database's data key, as start-up does for a new database."""
    with session_scope(engine) as session:
        keys.register(session, TEST_KEY, index_key=crypto.derive_index_key(TEST_KEY), at=datetime.now(UTC))


@pytest.fixture(autouse=True)
def _no_operator_rule_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The packs as the law reads them unless a test asks for settings (`rule_settings`)."""
    if "HUIKUAN_RULE_SETTINGS" not in os.environ:
        yield
        return
    monkeypatch.delenv("HUIKUAN_RULE_SETTINGS")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    register_test_key(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path, _sqlite_template: Path) -> Iterator[TestDatabase]:
    """A migrated, empty database of its own for one test."""
    if request.param == "sqlite":
        path = tmp_path / "huikuan.db"
        shutil.copy(_sqlite_template, path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        yield TestDatabase("sqlite", url, engine)
        engine.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{sep}options={quote(f'-csearch_path={schema}')}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        register_test_key(engine)
        yield TestDatabase("postgres", url, engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def session(db: TestDatabase) -> Iterator[Session]:
    with db.session() as s:
        yield s


RuleSettings = Callable[[dict[str, object]], Path]


@pytest.fixture
def rule_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RuleSettings]:
    """This test's own operator rule settings file (HUIKUAN_RULE_SETTINGS); call it to write it.

    `{"CN": {"settings": {"CN.TIME": {"start": "09:00", "end": "20:00"}}}}` tightens CN's window.
    """
    path = tmp_path / "rule-settings.yaml"
    monkeypatch.setenv("HUIKUAN_RULE_SETTINGS", str(path))
    get_settings.cache_clear()

    def write(data: dict[str, object]) -> Path:
        tmp = path.with_name("rule-settings.tmp")
        tmp.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        tmp.replace(path)  # a new file, as the setter writes it: pack_for sees the change at once
        return path

    yield write
    get_settings.cache_clear()  # monkeypatch restores the environment next
