"""Regenerate the initial migration from the models (pre-release only: no deployed databases yet)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from huikuan.db import make_engine
from huikuan.db.migrate import MIGRATIONS, alembic_config

versions = MIGRATIONS / "versions"
for old in versions.glob("0001_*.py"):
    old.unlink()
with tempfile.TemporaryDirectory() as tmp:
    engine = make_engine(f"sqlite:///{Path(tmp) / 'empty.db'}")
    command.revision(alembic_config(engine), message="initial schema", autogenerate=True, rev_id="0001")
print(sorted(p.name for p in versions.glob("0001_*.py")))
