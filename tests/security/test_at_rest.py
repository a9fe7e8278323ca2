"""Personal data at rest: after a simulated day, neither the raw SQLite file (with its WAL) nor a
`pg_dump` of the PostgreSQL schema holds any name, phone number or ID number of the portfolio
in plain text."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from huikuan.dialer.simulate import VirtualDay, run_virtual_day
from huikuan.outcomes.models import CallAttempt
from huikuan.portfolio.models import Contact, Debtor
from tests import factories
from tests.conftest import TestDatabase

DAY = date(2026, 3, 10)
ACCOUNTS, SEED = 30, 11


def _personal_values(db: TestDatabase) -> set[str]:
    """Every name, ID number and phone number stored (read decrypted), and each number's digits
    without the country code."""
    with db.session() as s:
        values = set(s.scalars(select(Debtor.name))) | {v for v in s.scalars(select(Debtor.national_id)) if v}
        for number, name in s.execute(select(Contact.number, Contact.name)):
            values |= {number, number.removeprefix("+86").removeprefix("+1")}
            if name:
                values.add(name)
    return values


def _raw(db: TestDatabase) -> str:
    if db.backend == "sqlite":
        path = urlsplit(db.url).path
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        files = [Path(path), Path(path + "-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists()).decode("utf-8", errors="ignore")
    url = urlsplit(db.url.replace("postgresql+psycopg", "postgresql"))
    schema = unquote(url.query).split("search_path=")[1].split("&")[0]
    base = f"{url.scheme}://{url.netloc}{url.path}"
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "--schema", schema, base], capture_output=True, check=True, timeout=120
    )
    return dump.stdout.decode("utf-8", errors="ignore")


def test_no_personal_data_in_plain_text_at_rest(db: TestDatabase) -> None:
    with db.session() as s:
        batch = factories.portfolio(s, accounts=ACCOUNTS, seed=SEED, as_of=DAY)
        campaign_id = factories.campaign(s, batch, robots=2).id
        factories.approved_scripts(s)
        s.commit()
    run_virtual_day(db.engine, VirtualDay(campaign_id, DAY, lines=2, seed=SEED))
    with db.session() as s:
        assert len(s.scalars(select(CallAttempt.id)).all()) > ACCOUNTS  # a real day was stored
    raw = _raw(db)
    assert "debtor" in raw  # the dump/file really holds the tables
    values = _personal_values(db)
    assert len(values) > ACCOUNTS
    found = [v for v in values if v in raw]
    assert found == [], f"{len(found)} personal values in plain text"
