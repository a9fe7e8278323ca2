"""A small hand-built history for the KPI report: 2 March 2026 (Beijing) is the period.

Creditor c1: account A1 (debtor in 广东, yue, born 1990), bucket M1, nothing overdue now.
Creditor c2: account A2 (debtor in 北京, cmn, born 1949), bucket M2, ¥500 overdue now.

In the period: a1 A1 no answer · a2 A1 PTP (kept) · a3 A2 transferred, agent 7 held it 600 s,
PTP broken, a complaint · a4 A2 PTP pending, decided in M3 · a5 A1 spoke, no decision.
Outside: one attempt the day before (with a promise), payments before and after the period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from huikuan.compliance.models import Complaint
from huikuan.dialer.models import Campaign
from huikuan.outcomes.models import CallAttempt, Promise
from huikuan.portfolio.models import Account, Batch, Contact, Creditor, Debtor, Payment
from huikuan.profiling.models import TreatmentDecision
from huikuan.security.crypto import cipher

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Beijing, 2 March
DAY = date(2026, 3, 2)


@dataclass
class KpiSeed:
    attempt_ids: list[int]  # a1..a5
    campaigns: dict[str, int]  # "X", "Y" → id
    agents: dict[int, tuple[str, int]]  # what the desk would report: a3 → agent:7, 600 s


def seed_kpis(session: Session) -> KpiSeed:
    c1, c2 = Creditor(code="c1", name="One"), Creditor(code="c2", name="Two")
    session.add_all([c1, c2])
    session.flush()
    batch = Batch(creditor_id=c1.id, name="b", created_at=T0)
    d1 = Debtor(
        name="甲",
        national_id="440101199001011234",
        identity_key=cipher().blind_index("440101199001011234", "national_id"),
        jurisdiction="CN",
        region="广东",
        dialect="yue",
        timezone="Asia/Shanghai",
    )
    d2 = Debtor(
        name="乙",
        national_id="11010519491231002X",
        identity_key=cipher().blind_index("11010519491231002X", "national_id"),
        jurisdiction="CN",
        region="北京",
        dialect="cmn",
        timezone="Asia/Shanghai",
    )
    session.add_all([batch, d1, d2])
    session.flush()
    k1 = Contact(debtor_id=d1.id, number="+8613900000001", number_key="k1", relation="self")
    k2 = Contact(debtor_id=d2.id, number="+8613900000002", number_key="k2", relation="self")

    def account(
        creditor: Creditor, debtor: Debtor, ref: str, outstanding: int, overdue: int, bucket: str
    ) -> Account:
        return Account(
            creditor_id=creditor.id,
            batch_id=batch.id,
            debtor_id=debtor.id,
            loan_ref=ref,
            principal=500_000,
            outstanding=outstanding,
            overdue=overdue,
            due_date=date(2026, 2, 1),
            days_past_due=29,
            as_of=DAY,
            bucket=bucket,
        )

    a_1 = account(c1, d1, "A1", 100_000, 0, "M1")
    a_2 = account(c2, d2, "A2", 200_000, 50_000, "M2")
    x = Campaign(name="X", jurisdiction="CN", robots=1, created_at=T0)
    y = Campaign(name="Y", jurisdiction="CN", robots=1, created_at=T0)
    session.add_all([k1, k2, a_1, a_2, x, y])
    session.flush()

    def attempt(
        acct: Account, contact: Contact, camp: Campaign, robot: str, hours: float, **kw: object
    ) -> CallAttempt:
        started = T0 + timedelta(hours=hours)
        row = CallAttempt(
            campaign_id=camp.id,
            account_id=acct.id,
            debtor_id=acct.debtor_id,
            contact_id=contact.id,
            status="completed",
            started_at=started,
            ended_at=started + timedelta(minutes=2),
            robot_id=robot,
            **kw,
        )
        session.add(row)
        return row

    a0 = attempt(a_1, k1, x, "R1", -24, outcome="answered", conversation=True, talk_seconds=50)
    a1 = attempt(a_1, k1, x, "R1", 0, outcome="no_answer")
    a2 = attempt(
        a_1, k1, x, "R1", 1, outcome="answered", conversation=True, talk_seconds=120, disposition="ptp"
    )
    a3 = attempt(
        a_2, k2, y, "R2", 2, outcome="answered", conversation=True, talk_seconds=60, transfer_requested=True
    )
    a4 = attempt(
        a_2, k2, y, "R2", 3, outcome="answered", conversation=True, talk_seconds=10, disposition="ptp"
    )
    a5 = attempt(a_1, k1, x, "R1", 4, outcome="answered", conversation=True, talk_seconds=30)
    session.flush()

    def decide(a: CallAttempt, bucket: str, segment: str, treatment: str, script: str) -> None:
        session.add(
            TreatmentDecision(
                attempt_id=a.id,
                account_id=a.account_id,
                decided_at=a.started_at,
                bucket=bucket,
                segment=segment,
                treatment=treatment,
                script=script,
            )
        )

    decide(a0, "M1", "willing", "friendly_reminder", "reminder")
    decide(a1, "M1", "willing", "friendly_reminder", "reminder")
    decide(a2, "M1", "willing", "friendly_reminder", "reminder")
    decide(a3, "M2", "hardship", "hardship_installment", "hardship")
    decide(a4, "M3", "hardship", "unwilling_notice", "notice")

    def promise(a: CallAttempt, amount: int, status: str) -> None:
        session.add(
            Promise(
                account_id=a.account_id,
                attempt_id=a.id,
                amount=amount,
                due_date=DAY + timedelta(days=3),
                status=status,
                created_at=a.started_at,
            )
        )

    promise(a0, 10_000, "kept")  # outside the period
    promise(a2, 30_000, "kept")
    promise(a3, 20_000, "broken")
    promise(a4, 10_000, "pending")
    session.add(Complaint(debtor_id=d2.id, attempt_id=a3.id, kind="complaint", opened_at=a3.started_at))
    session.add_all(
        [
            Payment(account_id=a_1.id, amount=30_000, paid_at=T0 + timedelta(hours=5), reference="p1"),
            Payment(account_id=a_1.id, amount=10_000, paid_at=T0 + timedelta(days=1), reference="p2"),
            Payment(account_id=a_2.id, amount=5_000, paid_at=T0 - timedelta(days=1), reference="p3"),
        ]
    )
    session.flush()
    return KpiSeed(
        attempt_ids=[a.id for a in (a1, a2, a3, a4, a5)],
        campaigns={"X": x.id, "Y": y.id},
        agents={a3.id: ("agent:7", 600)},
    )
