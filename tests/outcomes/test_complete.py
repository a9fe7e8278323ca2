"""complete_attempt keeps what the call came to: an agreed plan and a booked callback."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from huikuan.outcomes.models import CallAttempt, InstallmentPlan
from huikuan.outcomes.service import AttemptCompletion, PlanIn, complete_attempt, start_attempt
from huikuan.types import CallOutcome, Disposition
from tests import factories
from tests.conftest import TestDatabase

AT = datetime(2026, 3, 10, 2, tzinfo=UTC)


def test_an_agreed_plan_and_a_callback_are_recorded(db: TestDatabase) -> None:
    with db.session() as s:
        batch = factories.creditor_and_batch(s)
        d = factories.debtor(s)
        acct = factories.account(s, d, batch, as_of=date(2026, 3, 10))
        c = factories.contact(s, d)
        attempt_id = start_attempt(
            s, account_id=acct.id, debtor_id=d.id, contact_id=c.id, started_at=AT, robot_id="R01"
        )
        callback = datetime(2026, 3, 11, 7, tzinfo=UTC)
        complete_attempt(
            s,
            attempt_id,
            account_id=acct.id,
            debtor_id=d.id,
            completion=AttemptCompletion(
                ended_at=AT,
                outcome=CallOutcome.ANSWERED,
                conversation=True,
                talk_seconds=90,
                disposition=Disposition.INSTALLMENT,
                callback_at=callback,
            ),
            plan=PlanIn(terms=3, amount_per_term=100_000, waiver=0, first_due=date(2026, 3, 17)),
        )
        s.commit()
        attempt = s.get(CallAttempt, attempt_id)
        assert attempt is not None
        assert attempt.callback_at == callback
        plan = s.scalars(select(InstallmentPlan)).one()
        assert (plan.attempt_id, plan.terms, plan.amount_per_term, plan.status) == (
            attempt_id,
            3,
            100_000,
            "agreed",
        )
        assert plan.first_due == date(2026, 3, 17)
