"""A small hand-made history of attempts for export, KPI and console tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from huikuan.compliance.models import Decision
from huikuan.dialer.models import Campaign
from huikuan.dialogue.models import Script, ScriptVersion
from huikuan.outcomes.models import CallAttempt, Promise
from huikuan.portfolio.models import Account, Batch, Contact, Creditor, Debtor
from huikuan.security.crypto import cipher

PHONE = "+8613912345678"
NAME = "王小明"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Beijing


@dataclass
class Seeded:
    campaign_id: int
    other_campaign_id: int
    attempt_ids: list[int]
    debtor_id: int = 0


def seed_history(session: Session) -> Seeded:
    """Three attempts in one campaign (one PTP), one in another, two denials."""
    creditor = Creditor(code="c1", name="Creditor One")
    session.add(creditor)
    session.flush()
    batch = Batch(creditor_id=creditor.id, name="b1", created_at=T0)
    debtor = Debtor(
        name=NAME,
        national_id="11010519491231002X",
        identity_key=cipher().blind_index("11010519491231002X", "national_id"),
        jurisdiction="CN",
        timezone="Asia/Shanghai",
    )
    session.add_all([batch, debtor])
    session.flush()
    contact = Contact(
        debtor_id=debtor.id, number=PHONE, number_key=cipher().blind_index(PHONE, "phone"), relation="self"
    )
    account = Account(
        creditor_id=creditor.id,
        batch_id=batch.id,
        debtor_id=debtor.id,
        loan_ref="L1",
        principal=500_000,
        outstanding=300_000,
        overdue=120_050,
        due_date=date(2026, 2, 1),
        days_past_due=29,
        as_of=date(2026, 3, 2),
        bucket="M1",
    )
    script = Script(code="reminder", name="Reminder", treatment="friendly_reminder")
    session.add_all([contact, account, script])
    session.flush()
    version = ScriptVersion(script_id=script.id, version=3, status="approved", content="{}", created_at=T0)
    campaigns = [Campaign(name=n, jurisdiction="CN", robots=1, created_at=T0) for n in ("day", "other")]
    session.add_all([version, *campaigns])
    session.flush()

    def attempt(campaign: Campaign, minutes: int, outcome: str, **kw: object) -> CallAttempt:
        started = T0 + timedelta(minutes=minutes)
        row = CallAttempt(
            campaign_id=campaign.id,
            account_id=account.id,
            debtor_id=debtor.id,
            contact_id=contact.id,
            status="completed",
            started_at=started,
            ended_at=started + timedelta(seconds=40),
            outcome=outcome,
            script_version_id=version.id,
            robot_id="R01",
            **kw,
        )
        session.add(row)
        return row

    attempts = [
        attempt(campaigns[0], 0, "no_answer"),
        attempt(campaigns[0], 120, "answered", conversation=True, talk_seconds=95, disposition="ptp"),
        attempt(
            campaigns[0],
            240,
            "answered",
            conversation=True,
            talk_seconds=30,
            disposition="abusive_hangup",
            transfer_requested=True,
        ),
        attempt(campaigns[1], 300, "busy"),
    ]
    session.flush()
    session.add(
        Promise(
            account_id=account.id,
            attempt_id=attempts[1].id,
            amount=120_050,
            due_date=date(2026, 3, 6),
            created_at=attempts[1].started_at,
        )
    )
    for rule in ("CN.TIME", "CN.TIME", "CN.CONV_PER_DAY"):
        session.add(
            Decision(
                at=T0,
                debtor_id=debtor.id,
                contact_id=contact.id,
                jurisdiction="CN",
                channel="voice",
                allowed=False,
                rule=rule,
                reason="denied / 拒绝",
            )
        )
    session.flush()
    return Seeded(campaigns[0].id, campaigns[1].id, [a.id for a in attempts], debtor.id)
