"""Debtor speech is personal data: the transcript is encrypted at rest and still reads back."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from huikuan.clock import VirtualClock
from huikuan.flows import CallWork, place_call
from huikuan.outcomes.models import Turn
from huikuan.security.crypto import key_id
from huikuan.sim.personas import LineTruth, Persona
from huikuan.telephony import SimulatedCarrier, Subscriber
from huikuan.types import CallOutcome
from tests import factories
from tests.conftest import TEST_KEY, TestDatabase

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)


def _answered_call(session: Session) -> int:
    """A simulated call the debtor answered and spoke in; its attempt id."""
    batch = factories.creditor_and_batch(session)
    for seed in range(20):
        debtor = factories.debtor(session, name="王芳")
        account = factories.account(session, debtor, batch, as_of=DAY)
        contact = factories.contact(session, debtor)
        session.commit()
        at = datetime(2026, 3, 10, 10, tzinfo=SH)
        carrier = SimulatedCarrier(
            {contact.number: Subscriber(LineTruth.ACTIVE, Persona.FORGETFUL, 0, True)},
            VirtualClock(at),
            seed=seed,
        )
        work = CallWork(
            account_id=account.id,
            contact=contact,
            number=contact.number,
            debtor_name="王芳",
            platform="安心借",
            amount_fen=account.overdue,
            due_date=account.due_date,
            today=DAY,
        )
        result = asyncio.run(place_call(session, work, carrier, VirtualClock(at), "R01"))
        session.commit()
        if result.outcome == CallOutcome.ANSWERED and result.attempt_id is not None:
            return result.attempt_id
    raise AssertionError("no answered call in 20 tries")


def test_debtor_speech_is_stored_encrypted_and_reads_back(db: TestDatabase, session: Session) -> None:
    attempt_id = _answered_call(session)
    turns = session.scalars(select(Turn).where(Turn.attempt_id == attempt_id).order_by(Turn.seq)).all()
    said = [t.text for t in turns if t.speaker == "debtor"]
    assert said, turns
    assert all(said)  # read back decrypted, through the model
    assert any(t.speaker == "robot" for t in turns)

    with db.engine.connect() as conn:
        stored = [
            bytes(v)
            for (v,) in conn.execute(text("SELECT text FROM turn WHERE attempt_id = :a"), {"a": attempt_id})
        ]
    assert len(stored) == len(turns)
    assert all(v[0] == 1 and v[1:5].hex() == key_id(TEST_KEY) for v in stored)  # sealed, naming its key
    for line in said:
        assert all(line.encode() not in v for v in stored)


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # reads SQLite's file; the test above covers both
def test_the_raw_sqlite_file_holds_no_debtor_speech(
    tmp_path: Path, db: TestDatabase, session: Session
) -> None:
    attempt_id = _answered_call(session)
    said = {
        t.text
        for t in session.scalars(select(Turn).where(Turn.attempt_id == attempt_id, Turn.speaker == "debtor"))
        if len(t.text) >= 3  # long enough never to occur by chance in other plain columns
    }
    assert said
    session.close()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("huikuan.db*"))
    assert len(raw) > 100_000
    leaked = [line for line in said if line.encode() in raw]
    assert leaked == []
