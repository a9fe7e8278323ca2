"""Rows a desk test needs: desk users, and an attempt with a transcript, promise and plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from huikuan.outcomes.models import CallAttempt, InstallmentPlan, Promise, Turn
from huikuan.security.users import Role, create_user
from tests import factories

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
PASSWORD = "correct-horse-battery"  # noqa: S105  # a test user's password
DEBTOR_NAME = "赵敏华"
PHONE = "+8613987654321"


@dataclass
class Call:
    attempt_id: int
    account_id: int
    debtor_id: int


def desk_user(session: Session, username: str, role: Role = Role.AGENT) -> int:
    return create_user(session, username, f"坐席 {username}", PASSWORD, role).id


def robot_call(session: Session, *, bucket: str = "M1", turns: bool = True) -> Call:
    """A finished robot attempt whose debtor asked for a person."""
    batch = factories.creditor_and_batch(session)
    debtor = factories.debtor(session, name=DEBTOR_NAME)
    debtor.national_id = "110105199001011234"
    contact = factories.contact(session, debtor, number=PHONE)
    account = factories.account(session, debtor, batch, as_of=date(2026, 3, 1))
    account.bucket = bucket
    attempt = CallAttempt(
        account_id=account.id,
        debtor_id=debtor.id,
        contact_id=contact.id,
        status="completed",
        started_at=T0 - timedelta(minutes=2),
        outcome="answered",
        robot_id="R01",
    )
    session.add(attempt)
    session.flush()
    if turns:
        session.add_all(
            [
                Turn(attempt_id=attempt.id, seq=1, speaker="robot", text="您好，这里是安心借。", at=T0),
                Turn(
                    attempt_id=attempt.id, seq=2, speaker="debtor", text="我要找人工", intent="human", at=T0
                ),
            ]
        )
        session.add(
            Promise(
                account_id=account.id,
                attempt_id=attempt.id,
                amount=50_000,
                due_date=date(2026, 3, 9),
                created_at=T0,
            )
        )
        session.add(
            InstallmentPlan(
                account_id=account.id,
                attempt_id=attempt.id,
                terms=3,
                amount_per_term=100_000,
                waiver=0,
                first_due=date(2026, 3, 15),
                created_at=T0,
            )
        )
    session.flush()
    return Call(attempt.id, account.id, debtor.id)
