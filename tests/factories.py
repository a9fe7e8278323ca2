"""Small factories: each test builds exactly the rows it needs (no shared fixtures data)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from huikuan.dialer.models import Campaign
from huikuan.portfolio.models import Account, Batch, Contact, Creditor, Debtor
from huikuan.security.crypto import cipher
from huikuan.sim.models import SimLine, SimPersona
from huikuan.sim.personas import LineTruth, Persona
from huikuan.types import ContactStatus, Relation

_seq = iter(range(1, 10**9))


def creditor_and_batch(session: Session) -> Batch:
    n = next(_seq)
    creditor = Creditor(code=f"C{n}", name=f"测试债权人{n}")
    session.add(creditor)
    session.flush()
    batch = Batch(creditor_id=creditor.id, name=f"batch-{n}", created_at=datetime.now(UTC))
    session.add(batch)
    session.flush()
    return batch


def debtor(session: Session, *, tz: str = "Asia/Shanghai", name: str = "张三") -> Debtor:
    n = next(_seq)
    d = Debtor(
        name=name,
        national_id=None,
        identity_key=cipher().blind_index(f"debtor-{n}", "identity"),
        jurisdiction="CN",
        region="上海",
        timezone=tz,
    )
    session.add(d)
    session.flush()
    return d


def contact(
    session: Session,
    d: Debtor,
    *,
    relation: Relation = Relation.SELF,
    status: ContactStatus = ContactStatus.UNKNOWN,
    number: str | None = None,
) -> Contact:
    n = next(_seq)
    number = number or f"+86139{n:08d}"
    c = Contact(
        debtor_id=d.id,
        number=number,
        number_key=cipher().blind_index(number, "phone"),
        relation=relation.value,
        name=None if relation == Relation.SELF else "李四",
        status=status.value,
    )
    session.add(c)
    session.flush()
    return c


def account(session: Session, d: Debtor, batch: Batch, *, overdue: int = 350_000, as_of: date) -> Account:
    n = next(_seq)
    a = Account(
        creditor_id=batch.creditor_id,
        batch_id=batch.id,
        debtor_id=d.id,
        loan_ref=f"L{n}",
        product="安心借",
        principal=overdue * 2,
        outstanding=overdue * 2,
        overdue=overdue,
        due_date=as_of - timedelta(days=20),
        days_past_due=20,
        as_of=as_of,
        bucket="M1",
    )
    session.add(a)
    session.flush()
    return a


def approved_scripts(session: Session) -> dict[str, int]:
    """The shipped scripts approved as the demo does it: a day runs only approved versions."""
    from huikuan.cli.demo import approve_shipped_scripts

    return approve_shipped_scripts(session, datetime.now(UTC))


def campaign(session: Session, batch: Batch, *, robots: int = 2) -> Campaign:
    c = Campaign(
        name="测试活动", jurisdiction="CN", batch_id=batch.id, robots=robots, created_at=datetime.now(UTC)
    )
    session.add(c)
    session.flush()
    return c


PERSONA_WEIGHTS = {
    Persona.FORGETFUL: 30,
    Persona.HARDSHIP: 15,
    Persona.UNWILLING: 15,
    Persona.DISPUTING: 8,
    Persona.ABUSIVE: 7,
    Persona.THIRD_PARTY_ANSWERS: 10,
    Persona.UNREACHABLE: 15,
}


def portfolio(session: Session, *, accounts: int, seed: int, as_of: date) -> Batch:
    """A small synthetic portfolio with hidden personas and line truths (for dialer tests)."""
    rng = random.Random(seed)
    batch = creditor_and_batch(session)
    personas = list(PERSONA_WEIGHTS)
    weights = list(PERSONA_WEIGHTS.values())
    for _ in range(accounts):
        persona = rng.choices(personas, weights)[0]
        d = debtor(session, name=rng.choice(["王芳", "李伟", "张敏", "刘洋", "陈静"]))
        session.add(
            SimPersona(
                debtor_id=d.id, persona=persona.value, temper=rng.randint(0, 3), seed=rng.randint(0, 10**6)
            )
        )
        account(session, d, batch, overdue=rng.randint(50, 2000) * 100, as_of=as_of)
        lines = [(Relation.SELF, _truth(rng, persona))]
        if rng.random() < 0.5:
            lines.append((Relation.SELF, _truth(rng, persona)))
        lines.append((Relation.EMERGENCY_CONTACT, LineTruth.ACTIVE))
        if rng.random() < 0.3:
            lines.append((Relation.EMPLOYER, LineTruth.ACTIVE))
        for relation, truth in lines:
            c = contact(session, d, relation=relation)
            session.add(SimLine(contact_id=c.id, truth=truth.value))
    session.flush()
    return batch


def _truth(rng: random.Random, persona: Persona) -> LineTruth:
    if persona == Persona.UNREACHABLE:
        return rng.choice([LineTruth.INVALID, LineTruth.POWERED_OFF, LineTruth.NEVER_ANSWERS])
    return LineTruth.ACTIVE if rng.random() < 0.9 else LineTruth.INVALID
