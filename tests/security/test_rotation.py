"""`huikuan keys rotate`: every value moves to the new key, in batches, resumable, beside writers."""

from __future__ import annotations

import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from huikuan.db import make_engine
from huikuan.portfolio.models import Contact, Debtor
from huikuan.security import crypto, rotation
from huikuan.security.crypto import key_id
from huikuan.security.keys import KeySource, encrypted_columns, values_per_key
from huikuan.security.models import AuditEvent, DataKey
from huikuan.security.users import Role
from huikuan.types import Relation
from tests import factories
from tests.conftest import TEST_KEY, TestDatabase, postgres_only
from tests.operators import operator_env
from tests.security.keyhelpers import dispose_opened, huikuan, open_db, settings

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
OLD = key_id(TEST_KEY)
NAMES = ["王芳", "李雷", "韩梅梅", "张伟", "刘洋", "陈静"]
Values = dict[tuple[str, int], str]


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    yield
    dispose_opened()


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def portfolio(db: TestDatabase) -> TestDatabase:
    """Six debtors, each with their own number and a third party's (name and number)."""
    with db.session() as session:
        for name in NAMES:
            debtor = factories.debtor(session, name=name)
            factories.contact(session, debtor)
            factories.contact(session, debtor, relation=Relation.FAMILY)
        session.commit()
    return db


def plain_values(db: TestDatabase) -> Values:
    """Every encrypted value, decrypted, by column and row."""
    with db.session() as session:
        return {
            (enc.name, pk): value
            for enc in encrypted_columns()
            for pk, value in session.execute(select(enc.pk, enc.column).where(enc.column.is_not(None)))
        }


def blind_indexes(db: TestDatabase) -> list[tuple[str, str]]:
    with db.session() as session:
        return sorted(session.execute(select(Contact.number_key, Contact.number))) + sorted(
            (k, str(i)) for i, k in session.execute(select(Debtor.id, Debtor.identity_key))
        )


def per_key(db: TestDatabase) -> dict[str, int]:
    with db.session() as session:
        return dict(values_per_key(session))


def states(db: TestDatabase) -> dict[str, str]:
    with db.session() as session:
        return {k.id: k.state for k in session.scalars(select(DataKey))}


def test_an_interrupted_rotation_resumes_and_retires_the_old_key(
    portfolio: TestDatabase, key_dir: Path
) -> None:
    before, indexes = plain_values(portfolio), blind_indexes(portfolio)
    total = len(before)
    assert total == len(NAMES) * 4  # debtor name, own number, third party's name and number
    source = KeySource(key_dir, [TEST_KEY])
    engine = open_db(settings(portfolio, key_dir, TEST_KEY))

    first = rotation.rotate(engine, crypto.cipher(), source, NOW, batch_size=2, max_batches=1)
    new = first.key_id
    assert (first.resealed, first.batches, first.remaining, first.finished) == (2, 1, total - 2, False)
    assert per_key(portfolio) == {new: 2, OLD: total - 2}
    assert states(portfolio) == {OLD: "retiring", new: "active"}
    assert stat.S_IMODE((key_dir / f"{new}.key").stat().st_mode) == 0o600

    # A process started now seals under the new key (from its file) and reads under both.
    engine = open_db(settings(portfolio, key_dir, TEST_KEY))
    assert crypto.cipher().active_key_id == new
    assert plain_values(portfolio) == before

    second = rotation.rotate(engine, crypto.cipher(), source, NOW, batch_size=2)
    assert second.resumed
    assert second.finished
    assert (second.key_id, second.retired, second.resealed) == (new, [OLD], total - 2)
    assert per_key(portfolio) == {new: total}
    assert states(portfolio) == {OLD: "retired", new: "active"}
    assert plain_values(portfolio) == before
    # The blind indexes (and the exports' number_key) do not change with the key.
    assert blind_indexes(portfolio) == indexes
    assert crypto.cipher().blind_index("+8613900000000", "phone") == crypto.FieldCipher(TEST_KEY).blind_index(
        "+8613900000000", "phone"
    )
    with portfolio.session() as session:
        assert session.get(DataKey, OLD).index_key is None  # type: ignore[union-attr]
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "data_key")).all()
    assert actions == ["data_key.rotation_started", "data_key.rotated"]

    # The new key alone (its file; the old key neither given nor on disk) opens everything.
    engine = open_db(settings(portfolio, key_dir))
    assert plain_values(portfolio) == before


def test_a_worker_writing_under_the_old_key_during_rotation_loses_nothing(
    portfolio: TestDatabase, key_dir: Path
) -> None:
    engine = open_db(settings(portfolio, key_dir, TEST_KEY))
    rotating = crypto.cipher()
    # Started before the rotation: seals under the old key, finds the new one in the key folder.
    old_worker = crypto.FieldCipher(TEST_KEY, resolve=KeySource(key_dir).find)

    def meanwhile(batch: int) -> None:
        if batch != 1:
            return
        crypto.install(old_worker)
        try:
            with portfolio.session() as session:  # another session: rename everyone, add a debtor
                for debtor in session.scalars(select(Debtor)):
                    debtor.name = f"{debtor.name}（改）"
                factories.contact(session, factories.debtor(session, name="新来的"))
                session.commit()
        finally:
            crypto.install(rotating)

    report = rotation.rotate(
        engine, rotating, KeySource(key_dir, [TEST_KEY]), NOW, batch_size=3, after_batch=meanwhile
    )
    assert report.finished, report
    values = plain_values(portfolio)
    with portfolio.session() as session:
        names = sorted(session.scalars(select(Debtor.name)))
    assert names == sorted([f"{n}（改）" for n in NAMES] + ["新来的"])
    assert per_key(portfolio) == {report.key_id: len(values)}


def test_rotation_beside_a_writer_in_another_thread_loses_no_write(
    portfolio: TestDatabase, key_dir: Path
) -> None:
    """A worker started before the rotation keeps renaming debtors (under the old key) throughout."""
    engine = open_db(settings(portfolio, key_dir, TEST_KEY))
    source = KeySource(key_dir, [TEST_KEY])
    with portfolio.session() as session:
        ids = list(session.scalars(select(Debtor.id).order_by(Debtor.id)))
    old_worker = crypto.FieldCipher(TEST_KEY)
    written: dict[int, str] = {}

    def worker() -> None:
        own = make_engine(portfolio.url)
        try:
            for i in range(60):
                debtor_id, name = ids[i % len(ids)], f"改名{i}"
                with own.begin() as conn:
                    conn.execute(
                        text("UPDATE debtor SET name = :v WHERE id = :id"),
                        {"v": old_worker.encrypt(name), "id": debtor_id},
                    )
                written[debtor_id] = name
        finally:
            own.dispose()

    thread = threading.Thread(target=worker)
    thread.start()
    rotation.rotate(engine, crypto.cipher(), source, NOW, batch_size=2)
    thread.join()
    with portfolio.session() as session:
        assert dict(session.execute(select(Debtor.id, Debtor.name)).all()) == written
    # Once the worker is gone (restarted), one more run leaves every value under one key.
    last = rotation.rotate(engine, crypto.cipher(), source, NOW, batch_size=2)
    assert last.finished
    assert per_key(portfolio) == {last.key_id: len(NAMES) * 4}
    with portfolio.session() as session:
        assert dict(session.execute(select(Debtor.id, Debtor.name)).all()) == written


@postgres_only
def test_a_value_changed_between_read_and_rewrite_keeps_the_writers_bytes(
    db: TestDatabase, key_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compare and swap: the rotation never writes back a value a worker changed meanwhile."""
    with db.session() as session:
        for name in NAMES:
            factories.debtor(session, name=name)
        session.commit()
    engine = open_db(settings(db, key_dir, TEST_KEY))
    rotating = crypto.cipher()
    reseal = rotating.reseal
    raced: list[int] = []

    def racing_reseal(blob: bytes) -> bytes:
        if not raced:
            with db.engine.begin() as conn:  # another connection commits while the batch is open
                row = conn.execute(text("SELECT id FROM debtor WHERE name = :b"), {"b": blob}).scalar_one()
                sealed = crypto.FieldCipher(TEST_KEY).encrypt("抢先改名")
                conn.execute(text("UPDATE debtor SET name = :v WHERE id = :id"), {"v": sealed, "id": row})
            raced.append(row)
        return reseal(blob)

    monkeypatch.setattr(rotating, "reseal", racing_reseal)
    report = rotation.rotate(engine, rotating, KeySource(key_dir, [TEST_KEY]), NOW, batch_size=4)
    assert report.finished
    with Session(db.engine) as session:
        assert session.get(Debtor, raced[0]).name == "抢先改名"  # type: ignore[union-attr]
    assert per_key(db) == {report.key_id: len(NAMES)}


def test_keys_rotate_and_status_from_the_command_line(portfolio: TestDatabase, key_dir: Path) -> None:
    env = {**portfolio.env(), "HUIKUAN_KEY_DIR": str(key_dir)}
    refused = huikuan(["keys", "rotate"], env)
    assert refused.returncode == 2
    assert "--as" in refused.stderr  # nobody rotates keys without saying who they are
    env = {**operator_env(portfolio, Role.ADMIN), "HUIKUAN_KEY_DIR": str(key_dir)}
    done = huikuan(["keys", "rotate", "--batch-size", "5"], env)
    assert done.returncode == 0, done.stderr
    (new,) = [p.stem for p in key_dir.iterdir()]
    assert f"began rotation to key {new}: {len(NAMES) * 4} values re-encrypted" in done.stdout
    assert f"finished: retired key(s) {OLD}" in done.stdout

    shown = huikuan(["keys", "status"], env)
    assert shown.returncode == 0, shown.stderr
    lines = {line.split()[1]: line for line in shown.stdout.splitlines() if new in line or OLD in line}
    assert "active" in lines[new]
    assert f" {len(NAMES) * 4} " in lines[new]
    assert "retired" in lines[OLD]
    assert " 0 " in lines[OLD]
