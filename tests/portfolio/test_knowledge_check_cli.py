"""`huikuan import accounts --knowledge-check`: the creditor's knowledge check set at import."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from huikuan.portfolio.models import Creditor
from huikuan.sim.portfolio import to_csv
from tests.conftest import TestDatabase
from tests.invoke import huikuan
from tests.operators import operator_env
from tests.portfolio.test_import import AS_OF, cells


def test_the_import_sets_the_creditors_knowledge_check(db: TestDatabase, tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(to_csv(cells(5, seed=4)), encoding="utf-8")
    args = [
        "import",
        "accounts",
        str(path),
        "--batch",
        "k",
        "--creditor",
        "bank",
        "--as-of",
        AS_OF.isoformat(),
    ]
    done = huikuan([*args, "--knowledge-check", "id_last4"], env=operator_env(db))
    assert done.returncode == 0, done.stderr
    with db.session() as s:
        assert s.scalar(select(Creditor.knowledge_check).where(Creditor.code == "bank")) == "id_last4"


def test_an_unknown_knowledge_check_is_one_clear_line(db: TestDatabase, tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text(to_csv(cells(3, seed=5)), encoding="utf-8")
    done = huikuan(
        ["import", "accounts", str(path), "--batch", "k", "--knowledge-check", "shoe_size"],
        env=operator_env(db),
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines == ["error: --knowledge-check must be one of none, id_last4, birth_year, product"]
    with db.session() as s:
        assert s.scalars(select(Creditor)).first() is None  # nothing imported
