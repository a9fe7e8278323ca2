"""US debtors end to end: import gives every candidate zone and the consent flag, `reserve`
holds the time in all of them and asks consent before a robot calls."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from huikuan import compliance
from huikuan.portfolio.models import Contact, Debtor
from huikuan.portfolio.service import import_bytes
from tests.conftest import TestDatabase

BOISE, LA = ZoneInfo("America/Boise"), ZoneInfo("America/Los_Angeles")
HEADER = "loan_id,name,phone,phone2,jurisdiction,outstanding,overdue_amount,due_date,ai_voice_consent\n"


def _import(db: TestDatabase, rows: str) -> None:
    with db.session() as s:
        result = import_bytes(
            s, (HEADER + rows).encode(), label="us.csv", batch_name="us", as_of=date(2026, 6, 1)
        )
        assert result.rows_rejected == 0, result.errors
        s.commit()


def test_idaho_area_code_gives_two_zones_and_both_must_allow(db: TestDatabase) -> None:
    # Area code 208 spans Mountain (Boise) and Pacific time.
    _import(db, "L1,Pat Doe,+12085550123,,US,100.00,50.00,2026-05-01,yes\n")
    with db.session() as s:
        debtor = s.scalars(select(Debtor)).one()
        assert debtor.timezone == "America/Boise"
        assert debtor.other_timezones == "America/Los_Angeles"
        assert debtor.ai_voice_consent is True
        own = s.scalars(select(Contact)).one()
        boise_8am = datetime(2026, 6, 10, 8, 30, tzinfo=BOISE)  # 07:30 in Los Angeles
        early = compliance.reserve(s, own, boise_8am, artificial_voice=True)
        assert early.rule == "US.TIME"
        assert early.next_allowed_at == datetime(2026, 6, 10, 8, 0, tzinfo=LA)
        assert compliance.reserve(
            s, own, datetime(2026, 6, 10, 9, 0, tzinfo=BOISE), artificial_voice=True
        ).allowed
        s.commit()


def test_numbers_in_different_zones_add_up(db: TestDatabase) -> None:
    # A New York mobile and a Los Angeles second number: 11:00-21:00 Eastern is what is left.
    _import(db, "L2,Sam Roe,+12125550123,+14155550123,US,100.00,50.00,2026-05-01,no\n")
    with db.session() as s:
        debtor = s.scalars(select(Debtor)).one()
        assert {debtor.timezone, *debtor.other_timezones.split()} == {
            "America/New_York",
            "America/Los_Angeles",
        }
        own = s.scalars(select(Contact).order_by(Contact.id)).first()
        assert own is not None
        ny = ZoneInfo("America/New_York")
        assert compliance.reserve(s, own, datetime(2026, 6, 10, 10, 30, tzinfo=ny)).rule == "US.TIME"
        assert compliance.reserve(s, own, datetime(2026, 6, 10, 11, 0, tzinfo=ny)).allowed
        s.commit()


def test_a_robot_may_not_call_without_consent_but_a_person_may(db: TestDatabase) -> None:
    _import(db, "L3,Kim Poe,+12125550199,,US,100.00,50.00,2026-05-01,\n")
    with db.session() as s:
        own = s.scalars(select(Contact)).one()
        at = datetime(2026, 6, 10, 12, 0, tzinfo=ZoneInfo("America/New_York"))
        assert compliance.reserve(s, own, at, artificial_voice=True).rule == "US.AI_VOICE"
        assert compliance.reserve(s, own, at, artificial_voice=False).allowed
        s.commit()


def test_a_bad_consent_value_is_a_row_error(db: TestDatabase) -> None:
    with db.session() as s:
        result = import_bytes(
            s,
            (HEADER + "L4,Lee Moe,+12125550111,,US,100.00,50.00,2026-05-01,maybe\n").encode(),
            label="us.csv",
            batch_name="us",
            as_of=date(2026, 6, 1),
        )
        assert result.rows_rejected == 1
        assert [e.column for e in result.errors] == ["ai_voice_consent"]
