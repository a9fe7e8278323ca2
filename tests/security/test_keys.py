"""Start-up recognises the data key: a wrong, missing or corrupt key stops it, nothing written."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text

from huikuan.config import Settings
from huikuan.portfolio.models import Contact, Debtor
from huikuan.security import crypto, keyfiles
from huikuan.security.crypto import DataKeyError, key_id
from huikuan.security.keys import MissingDataKey, WrongDataKey
from huikuan.security.models import DataKey
from tests import factories
from tests.conftest import TEST_KEY, TestDatabase
from tests.security.keyhelpers import b64, dispose_opened, huikuan, open_db, row_counts, settings

WRONG_KEY = bytes(range(1, 33))


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    yield
    dispose_opened()


@pytest.fixture
def key_dir(tmp_path: Path) -> Path:
    """An empty key folder of its own (the SQLite test database lives in tmp_path)."""
    return tmp_path / "keys"


@pytest.fixture
def with_debtors(db: TestDatabase) -> TestDatabase:
    with db.session() as session:
        batch = factories.creditor_and_batch(session)
        for name in ("王芳", "李雷", "韩梅梅"):
            debtor = factories.debtor(session, name=name)
            factories.account(session, debtor, batch, as_of=date(2026, 3, 10))
            factories.contact(session, debtor)
        session.commit()
    return db


def test_a_wrong_key_is_refused_before_anything_is_written(with_debtors: TestDatabase, key_dir: Path) -> None:
    before = row_counts(with_debtors.engine)
    with pytest.raises(WrongDataKey, match=f"数据密钥与数据库不符 .*key id {key_id(WRONG_KEY)}"):
        open_db(settings(with_debtors, key_dir, WRONG_KEY))
    assert row_counts(with_debtors.engine) == before
    assert not key_dir.exists()  # and no key file made for it

    open_db(settings(with_debtors, key_dir, TEST_KEY))
    with with_debtors.session() as session:
        assert sorted(session.scalars(select(Debtor.name))) == sorted(["王芳", "李雷", "韩梅梅"])


def test_the_cli_refuses_a_wrong_key_in_one_line_and_writes_nothing(
    with_debtors: TestDatabase, key_dir: Path
) -> None:
    before = row_counts(with_debtors.engine)
    env = {**with_debtors.env(), "HUIKUAN_DATA_KEY": b64(WRONG_KEY), "HUIKUAN_KEY_DIR": str(key_dir)}
    done = huikuan(["sim", "portfolio", "--accounts", "5", "--seed", "1", "--as-of", "2026-03-10"], env)
    assert done.returncode == 2
    assert done.stderr.startswith("error: 数据密钥与数据库不符 / the data key does not match this database")
    assert len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr
    assert row_counts(with_debtors.engine) == before

    right = huikuan(["keys", "status"], {**env, "HUIKUAN_DATA_KEY": b64(TEST_KEY)})
    assert right.returncode == 0, right.stderr
    assert key_id(TEST_KEY) in right.stdout


def test_a_missing_key_for_a_database_with_data_is_an_error_not_a_new_key(
    with_debtors: TestDatabase, key_dir: Path
) -> None:
    before = row_counts(with_debtors.engine)
    with pytest.raises(MissingDataKey, match=f"数据密钥缺失 .*key id {key_id(TEST_KEY)}"):
        open_db(settings(with_debtors, key_dir))
    assert not key_dir.exists()
    assert row_counts(with_debtors.engine) == before


def test_the_key_is_found_in_the_key_folder_by_its_id(with_debtors: TestDatabase, key_dir: Path) -> None:
    path = keyfiles.write_key(key_dir, TEST_KEY)
    assert path.name == f"{key_id(TEST_KEY)}.key"
    open_db(settings(with_debtors, key_dir))
    with with_debtors.session() as session:
        assert len(session.scalars(select(Contact.number)).all()) == 3


def test_encrypted_data_without_a_registered_key_is_refused(
    with_debtors: TestDatabase, key_dir: Path
) -> None:
    with with_debtors.session() as session:
        session.execute(delete(DataKey))
        session.commit()
    before = row_counts(with_debtors.engine)
    with pytest.raises(MissingDataKey, match="holds encrypted data but no registered key"):
        open_db(settings(with_debtors, key_dir, TEST_KEY))
    assert row_counts(with_debtors.engine) == before


def test_a_corrupt_key_file_is_one_line(with_debtors: TestDatabase, key_dir: Path) -> None:
    path = keyfiles.write_key(key_dir, TEST_KEY)
    path.write_text("not a key at all\n")
    env = {**with_debtors.env(), "HUIKUAN_KEY_DIR": str(key_dir)}
    env.pop("HUIKUAN_DATA_KEY")
    done = huikuan(["keys", "status"], env)
    assert done.returncode == 2
    assert done.stderr == f"error: 数据密钥已损坏 / key file {path} is not a data key (base64 of 32 bytes)\n"


def test_a_key_file_others_can_read_is_refused(with_debtors: TestDatabase, key_dir: Path) -> None:
    path = keyfiles.write_key(key_dir, TEST_KEY)
    path.chmod(0o640)
    with pytest.raises(DataKeyError, match=r"open to other users .*mode 0640.*chmod 600"):
        open_db(settings(with_debtors, key_dir))


def test_a_key_file_named_for_another_key_is_corrupt(tmp_path: Path) -> None:
    other = tmp_path / f"{key_id(WRONG_KEY)}.key"
    other.write_text(b64(TEST_KEY))
    other.chmod(0o600)
    with pytest.raises(DataKeyError, match=f"holds key id {key_id(TEST_KEY)}"):
        keyfiles.read_key_file(other)


def test_a_new_database_gets_a_0600_key_file_outside_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUIKUAN_KEY_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    data_dir = tmp_path / "data"
    open_db(Settings(data_dir=data_dir, database_url=""))
    key_dir = tmp_path / "config" / "huikuan" / "keys"
    (path,) = key_dir.iterdir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    assert not any(p.suffix == ".key" for p in data_dir.rglob("*"))
    kid = crypto.cipher().active_key_id
    assert path.name == f"{kid}.key"

    # The same key again at the next start: a database that has a key never gets another.
    open_db(Settings(data_dir=data_dir, database_url=""))
    assert [p.name for p in key_dir.iterdir()] == [f"{kid}.key"]
    assert crypto.cipher().active_key_id == kid


def test_a_given_key_becomes_a_new_databases_key_without_a_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    open_db(Settings(database_url=url, key_dir=tmp_path / "keys", data_key=b64(WRONG_KEY)))
    assert not (tmp_path / "keys").exists()
    with pytest.raises(WrongDataKey):
        open_db(Settings(database_url=url, key_dir=tmp_path / "keys", data_key=b64(TEST_KEY)))


def test_values_name_their_key_and_an_unknown_key_is_one_line() -> None:
    sealed = crypto.FieldCipher(WRONG_KEY).encrypt("王芳")
    assert sealed[0] == 1
    assert sealed[1:5].hex() == key_id(WRONG_KEY)
    with pytest.raises(DataKeyError, match=f"no data key with id {key_id(WRONG_KEY)}"):
        crypto.FieldCipher(TEST_KEY).decrypt(sealed)


def test_a_key_added_while_running_is_loaded_from_its_file(tmp_path: Path) -> None:
    keyfiles.write_key(tmp_path, WRONG_KEY)
    reader = crypto.FieldCipher(TEST_KEY, resolve=lambda kid: keyfiles.find_key(tmp_path, kid))
    assert reader.decrypt(crypto.FieldCipher(WRONG_KEY).encrypt("李雷")) == "李雷"
    assert key_id(WRONG_KEY) in reader.known_key_ids()


def test_key_ids_are_stable_per_key_and_reveal_nothing_of_it() -> None:
    assert key_id(TEST_KEY) == key_id(bytes(range(32)))
    assert key_id(TEST_KEY) != key_id(WRONG_KEY)
    assert key_id(TEST_KEY) != TEST_KEY[:4].hex()
    assert crypto.check_value(TEST_KEY)[:8] != key_id(TEST_KEY)  # another label, another value


def test_an_altered_value_is_one_line_not_a_traceback(with_debtors: TestDatabase) -> None:
    with with_debtors.engine.begin() as conn:
        sealed = conn.execute(text("SELECT name FROM debtor ORDER BY id LIMIT 1")).scalar_one()
        altered = bytes(sealed)[:-1] + bytes([bytes(sealed)[-1] ^ 1])
        conn.execute(text("UPDATE debtor SET name = :v WHERE name = :old"), {"v": altered, "old": sealed})
    with (
        with_debtors.session() as session,
        pytest.raises(DataKeyError, match=f"under key {key_id(TEST_KEY)} was altered"),
    ):
        session.scalars(select(Debtor.name)).all()
