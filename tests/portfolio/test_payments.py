"""Payments from the creditor's file: recorded once, matched to loans, balances lowered,
promises settled, bad rows reported by row and column and losing no good row."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select

from huikuan.outcomes.models import InstallmentPlan, Promise
from huikuan.outcomes.settle import PlanStatus, settle_plans, settle_promises
from huikuan.portfolio.models import Account, Creditor, Payment
from huikuan.portfolio.payments import NOT_POSITIVE, REPEATED_IN_FILE, UNKNOWN_LOAN, paid_instant
from huikuan.portfolio.service import import_payments_bytes
from huikuan.portfolio.validation import BAD_DATE, MISSING
from huikuan.security.users import Role
from huikuan.types import PromiseStatus
from tests import factories
from tests.conftest import TestDatabase
from tests.invoke import huikuan
from tests.operators import operator_env

AS_OF = date(2026, 11, 20)
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)


def _two_accounts(db: TestDatabase) -> tuple[str, str, str, int]:
    """(creditor code, loan ref 1, loan ref 2, account id 1): 7,000.00 owed, 3,500.00 overdue each."""
    with db.session() as s:
        batch = factories.creditor_and_batch(s)
        one = factories.account(s, factories.debtor(s), batch, as_of=AS_OF)
        two = factories.account(s, factories.debtor(s), batch, as_of=AS_OF)
        code = s.get_one(Creditor, batch.creditor_id).code
        s.commit()
        return code, one.loan_ref, two.loan_ref, one.id


def _csv(rows: list[str]) -> bytes:
    return ("借据号,还款流水号,还款金额,还款时间\n" + "\n".join(rows) + "\n").encode()


def test_payments_are_recorded_once_and_lower_the_balance(db: TestDatabase) -> None:
    code, loan1, loan2, account1 = _two_accounts(db)
    data = _csv(
        [
            f"{loan1},T001,1000.00,2026-11-21",
            f"{loan1},T002,500,2026-11-22 09:30",
            f"{loan2},T003,7000,2026-11-23",  # pays loan 2 off
        ]
    )
    with db.session() as s:
        first = import_payments_bytes(s, data, label="pay.csv", creditor=code, at=NOW)
        s.commit()
    assert (first.payments_recorded, first.rows_already_present, first.rows_rejected) == (3, 0, 0)
    assert first.amount_recorded == 850_000
    assert first.accounts_paid_off == 1
    with db.session() as s:
        again = import_payments_bytes(s, data, label="pay.csv", creditor=code, at=NOW)
        s.commit()
        assert (again.payments_recorded, again.rows_already_present) == (0, 3)
        assert s.scalar(select(func.count()).select_from(Payment)) == 3
        account = s.get_one(Account, account1)
        assert account.outstanding == 700_000 - 150_000
        assert account.overdue == 350_000 - 150_000
        assert account.status == "open"
        paid_off = s.scalars(select(Account).where(Account.loan_ref == loan2)).one()
        assert (paid_off.outstanding, paid_off.overdue, paid_off.status) == (0, 0, "paid")


def test_bad_rows_are_reported_and_good_rows_kept(db: TestDatabase) -> None:
    code, loan1, _loan2, _ = _two_accounts(db)
    data = _csv(
        [
            f"{loan1},T010,100,2026-11-21",  # good
            "NO-SUCH-LOAN,T011,100,2026-11-21",
            f"{loan1},T012,0,2026-11-21",
            f"{loan1},T013,100,2026-13-40",
            f"{loan1},,100,2026-11-21",
            f"{loan1},T010,100,2026-11-21",  # the same reference twice in one file
        ]
    )
    with db.session() as s:
        result = import_payments_bytes(s, data, label="pay.csv", creditor=code, at=NOW)
        s.commit()
    assert result.payments_recorded == 1
    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (3, "loan_id", UNKNOWN_LOAN),
        (4, "amount", NOT_POSITIVE),
        (5, "paid_at", BAD_DATE),
        (6, "reference", MISSING),
        (7, "reference", REPEATED_IN_FILE),
    ]
    assert "NO-SUCH-LOAN" not in str(result.model_dump())  # errors never echo a cell


def test_an_xlsx_payments_file_reads_like_csv(db: TestDatabase) -> None:
    code, loan1, _loan2, account1 = _two_accounts(db)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["loan_id", "reference", "amount", "paid_at"])
    sheet.append([loan1, "X1", 123.45, datetime(2026, 11, 21)])
    buffer = io.BytesIO()
    book.save(buffer)
    with db.session() as s:
        result = import_payments_bytes(s, buffer.getvalue(), label="pay.xlsx", creditor=code, at=NOW)
        s.commit()
        assert result.payments_recorded == 1
        assert s.get_one(Account, account1).outstanding == 700_000 - 12_345


def test_a_day_alone_is_noon_in_the_creditor_zone() -> None:
    assert paid_instant("2026-11-21", "Asia/Shanghai") == datetime(2026, 11, 21, 4, 0, tzinfo=UTC)
    assert paid_instant("2026-11-21 23:59", "Asia/Shanghai") == datetime(2026, 11, 21, 15, 59, tzinfo=UTC)
    assert paid_instant("2026-11-21 24:00", "Asia/Shanghai") is None


def _promise(db: TestDatabase, account_id: int, amount: int, due: date, made: datetime) -> int:
    with db.session() as s:
        promise = Promise(
            account_id=account_id, amount=amount, due_date=due, status="pending", created_at=made
        )
        s.add(promise)
        s.commit()
        return promise.id


def test_promises_are_kept_by_payments_in_time_and_broken_after_the_grace_day(db: TestDatabase) -> None:
    code, loan1, _loan2, account1 = _two_accounts(db)
    made = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    early = _promise(db, account1, 100_000, date(2026, 11, 22), made)
    late = _promise(db, account1, 100_000, date(2026, 11, 24), made)
    never = _promise(db, account1, 100_000, date(2026, 12, 10), made)
    before_promise = f"{loan1},T100,1000,2026-11-19"  # paid before anything was promised
    in_time = f"{loan1},T101,1000,2026-11-23"  # one day late: inside the grace day
    with db.session() as s:
        import_payments_bytes(s, _csv([before_promise, in_time]), label="p.csv", creditor=code, at=NOW)
        settled = settle_promises(s, date(2026, 11, 26))
        s.commit()
        statuses = {p.id: p.status for p in s.scalars(select(Promise))}
    assert statuses[early] == PromiseStatus.KEPT
    assert statuses[late] == PromiseStatus.BROKEN  # the one payment counted once, for the first
    assert statuses[never] == PromiseStatus.PENDING
    assert (settled.kept, settled.broken, settled.pending) == (1, 1, 1)


def test_the_cli_imports_payments_as_a_user_and_writes_the_error_report(
    db: TestDatabase, tmp_path: Path
) -> None:
    code, loan1, _loan2, _ = _two_accounts(db)
    file = tmp_path / "payments.csv"
    file.write_bytes(_csv([f"{loan1},T200,100,2026-11-21", "NOPE,T201,100,2026-11-21"]))
    ran = huikuan(
        ["import", "payments", str(file), "--creditor", code], env=operator_env(db, Role.SUPERVISOR)
    )
    assert ran.returncode == 0, ran.stderr
    assert "已入账 / recorded" in ran.stdout
    report = (tmp_path / "payments.csv.errors.csv").read_text(encoding="utf-8-sig")
    assert "loan_id/借据号" in report
    assert "NOPE" not in report
    denied = huikuan(
        ["import", "payments", str(file), "--creditor", code], env=operator_env(db, Role.AUDITOR)
    )
    assert denied.returncode != 0


def _plan(db: TestDatabase, account_id: int, first_due: date, made: datetime) -> int:
    with db.session() as s:
        plan = InstallmentPlan(
            account_id=account_id,
            terms=3,
            amount_per_term=100_000,
            first_amount=100_001,
            waiver=0,
            first_due=first_due,
            status="agreed",
            created_at=made,
        )
        s.add(plan)
        s.commit()
        return plan.id


def test_installments_are_paid_in_order_and_a_late_one_breaks_the_plan(db: TestDatabase) -> None:
    code, loan1, loan2, account1 = _two_accounts(db)
    made = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    with db.session() as s:
        account2 = s.scalars(select(Account.id).where(Account.loan_ref == loan2)).one()
    on_track = _plan(db, account1, date(2026, 11, 10), made)
    late = _plan(db, account2, date(2026, 11, 10), made)
    rows = [f"{loan1},P1,1000.01,2026-11-09", f"{loan1},P2,1000,2026-12-08", f"{loan2},P3,1000.01,2026-11-10"]
    with db.session() as s:
        import_payments_bytes(s, _csv(rows), label="p.csv", creditor=code, at=NOW)
        progress = {p.plan_id: p for p in settle_plans(s, date(2026, 12, 20))}
        s.commit()
    assert (progress[on_track].status, progress[on_track].installments_paid) == (PlanStatus.CURRENT, 2)
    assert progress[on_track].next_due == date(2027, 1, 10)
    assert (progress[late].status, progress[late].installments_paid) == (PlanStatus.BROKEN, 1)
    with db.session() as s:
        import_payments_bytes(s, _csv([f"{loan1},P4,1000,2027-01-10"]), label="q.csv", creditor=code, at=NOW)
        final = {p.plan_id: p for p in settle_plans(s, date(2027, 1, 11))}
        s.commit()
    assert final[on_track].status == PlanStatus.KEPT
    assert late not in final  # a broken plan is settled for good
