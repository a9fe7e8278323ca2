"""The simulator closes the loop: simulated debtors keep or break promises as their hidden
persona says, the same way every time, and each promise is paid at most once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from huikuan.dialer.simulate import simulate_payments
from huikuan.outcomes.models import Promise
from huikuan.portfolio.models import Account, Payment
from huikuan.sim.models import SimPersona
from huikuan.sim.personas import Persona
from huikuan.types import PromiseStatus
from tests import factories
from tests.conftest import TestDatabase
from tests.invoke import huikuan

AS_OF = date(2026, 11, 1)
MADE = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
DUE = date(2026, 11, 5)


def _promises(db: TestDatabase, persona: Persona, count: int) -> list[int]:
    ids = []
    with db.session() as s:
        batch = factories.creditor_and_batch(s)
        for n in range(count):
            debtor = factories.debtor(s)
            s.add(SimPersona(debtor_id=debtor.id, persona=persona.value, temper=0, seed=n))
            account = factories.account(s, debtor, batch, as_of=AS_OF)
            promise = Promise(
                account_id=account.id, amount=100_000, due_date=DUE, status="pending", created_at=MADE
            )
            s.add(promise)
            s.flush()
            ids.append(promise.id)
        s.commit()
    return ids


def _kept_share(db: TestDatabase, ids: list[int]) -> float:
    with db.session() as s:
        statuses = list(s.scalars(select(Promise.status).where(Promise.id.in_(ids))))
    return statuses.count(PromiseStatus.KEPT.value) / len(statuses)


def test_forgetful_debtors_mostly_pay_and_the_unwilling_mostly_do_not(db: TestDatabase) -> None:
    forgetful = _promises(db, Persona.FORGETFUL, 150)
    unwilling = _promises(db, Persona.UNWILLING, 150)
    with db.session() as s:
        settled = simulate_payments(s, date(2026, 11, 10), seed=3)
        s.commit()
    assert settled.pending == 0
    assert settled.kept + settled.broken == 300
    assert _kept_share(db, forgetful) > 0.7
    assert _kept_share(db, unwilling) < 0.35
    with db.session() as s:
        paid = s.scalar(select(func.sum(Payment.amount)))
        owed_before = 300 * 700_000
        owed_now = s.scalar(select(func.sum(Account.outstanding)))
        assert paid is not None
        assert owed_now == owed_before - paid


def test_a_promise_not_yet_due_waits_and_a_second_run_pays_nothing_twice(db: TestDatabase) -> None:
    ids = _promises(db, Persona.FORGETFUL, 20)
    with db.session() as s:
        early = simulate_payments(s, DUE, seed=3)  # due on the 5th: not before the 5th
        s.commit()
    assert (early.kept, early.broken) == (0, 0)
    with db.session() as s:
        simulate_payments(s, date(2026, 11, 10), seed=3)
        s.commit()
        payments = s.scalar(select(func.count()).select_from(Payment))
    ran = huikuan(["sim", "pay", "--through", "2026-11-10"], env=db.env())
    assert ran.returncode == 0, ran.stderr
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == payments
    assert _kept_share(db, ids) > 0.5
