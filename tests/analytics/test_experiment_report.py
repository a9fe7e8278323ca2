"""The experiment report on a hand-built history: figures per arm, cuts, the windows counted."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from huikuan.analytics.experiment import report
from huikuan.analytics.intervals import newcombe_difference
from huikuan.outcomes.models import CallAttempt, Promise
from huikuan.portfolio.payments import record_payment
from huikuan.profiling.models import TreatmentDecision
from huikuan.strategy import experiments
from huikuan.strategy.models import StrategyAssignment
from tests import factories
from tests.conftest import TestDatabase
from tests.strategy.experiment_helpers import AT, running_experiment

ASSIGNED = AT + timedelta(hours=1)
# account key → (arm, segment, bucket, payments (hours after assignment, amount), promises, call)
# A negative hour is a payment before the assignment (not counted); amounts over what is owed
# (1000) are capped; "agent" means a call reached a desk agent.
HISTORY = {
    "a1": ("champion", "hardship", "M1", [(5, 500)], ["kept"], "agent"),
    "a2": ("champion", "hardship", "M2", [(-1, 300)], ["broken"], "robot"),
    "a3": ("champion", "forgetful", "M1", [(24 * 40, 1000)], [], None),  # paid after the stop
    "a4": ("champion", "forgetful", "M2", [], [], None),
    "b1": ("challenger", "hardship", "M1", [(5, 2000)], ["kept"], "robot"),
    "b2": ("challenger", "forgetful", "M1", [(6, 1000)], ["kept"], "robot"),
    "b3": ("challenger", "forgetful", "M2", [], ["pending"], "robot"),
    "b4": ("challenger", "forgetful", "M2", [], [], None),
    "h1": ("holdout", "forgetful", "M1", [], [], None),
}


def test_the_report_counts_each_arm_from_assignment_to_the_stop(db: TestDatabase) -> None:
    with db.session() as s:
        run = running_experiment(s, share=0.5, holdout=0.1)
        batch = factories.creditor_and_batch(s)
        for key, (arm, segment, bucket, payments, promises, call) in HISTORY.items():
            d = factories.debtor(s)
            contact = factories.contact(s, d)
            account = factories.account(s, d, batch, overdue=1000, as_of=date(2026, 3, 1)).id
            s.add(
                StrategyAssignment(
                    experiment_id=run.experiment_id,
                    account_id=account,
                    arm=arm,
                    assigned_at=ASSIGNED,
                    bucket=bucket,
                    segment=segment,
                    owed=1000,
                )
            )
            for n, (hours, amount) in enumerate(payments):
                record_payment(
                    s,
                    account,
                    amount,
                    ASSIGNED + timedelta(hours=hours),
                    source="test",
                    reference=f"{key}-{n}",
                )
            for status in promises:
                s.add(
                    Promise(
                        account_id=account,
                        amount=500,
                        due_date=date(2026, 3, 15),
                        status=status,
                        created_at=ASSIGNED + timedelta(hours=2),
                    )
                )
            if call is not None:
                attempt = CallAttempt(
                    account_id=account,
                    debtor_id=d.id,
                    contact_id=contact.id,
                    status="completed",
                    started_at=ASSIGNED + timedelta(hours=1),
                    agent_id="agent-7" if call == "agent" else None,
                )
                s.add(attempt)
                s.flush()
                if key == "b3":  # profiling learned a segment later: the cut uses the last decided one
                    s.add(
                        TreatmentDecision(
                            attempt_id=attempt.id,
                            account_id=account,
                            decided_at=ASSIGNED + timedelta(days=2),
                            bucket=bucket,
                            segment="unwilling",
                            treatment="friendly_reminder",
                            script="reminder",
                        )
                    )
        experiments.stop(
            s, run.experiment_id, by=run.author, reason="a month is over", at=AT + timedelta(days=30)
        )
        s.commit()
        r = report(s, run.experiment_id, now=AT + timedelta(days=60))
    rows = {(c.cut, c.value): c for c in r.rows}
    overall = rows["all", "all"]
    champion, challenger, holdout = (overall.arms[a] for a in ("champion", "challenger", "holdout"))
    assert (champion.accounts, champion.owed, champion.paid) == (4, 4000, 500)  # a2 early, a3 late
    assert (challenger.accounts, challenger.paid) == (4, 2000)  # b1's 2000 capped at 1000
    assert champion.recovery is not None
    assert champion.recovery.estimate == pytest.approx(0.125)
    assert (champion.with_ptp, champion.kept, champion.settled) == (2, 1, 2)
    assert (challenger.with_ptp, challenger.kept, challenger.settled) == (3, 2, 2)  # pending: not settled
    assert holdout.paid == 0
    assert holdout.ptp_rate is not None
    assert holdout.ptp_rate.estimate == 0
    assert overall.recovery_difference is not None
    assert overall.recovery_difference.estimate == pytest.approx(0.375)
    assert overall.recovery_difference.low <= 0.375 <= overall.recovery_difference.high
    assert overall.ptp_difference == newcombe_difference(3, 4, 2, 4)
    assert overall.kept_difference == newcombe_difference(2, 2, 1, 2)
    assert rows["segment", "hardship"].arms["champion"].accounts == 2
    assert rows["segment", "unwilling"].arms["challenger"].accounts == 1
    assert rows["segment", "forgetful"].arms["challenger"].accounts == 2
    assert rows["bucket", "M2"].arms["challenger"].accounts == 2
    human = rows["channel", "human"]  # only a1 reached a person
    assert list(human.arms) == ["champion"]
    assert human.recovery_difference is None
    assert rows["channel", "robot"].arms["challenger"].accounts == 3
    assert rows["channel", "none"].arms["holdout"].accounts == 1
