from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from huikuan.compliance.models import Complaint, LedgerEntry
from huikuan.dialer import run_day
from huikuan.outcomes.models import CallAttempt
from huikuan.portfolio.models import Contact
from huikuan.telephony import SimulatedCarrier, load_directory
from huikuan.types import Relation
from tests import factories
from tests.conftest import TestDatabase

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)


def test_small_simulated_day_breaks_no_rule(db: TestDatabase) -> None:
    with db.session() as s:
        batch = factories.portfolio(s, accounts=60, seed=11, as_of=DAY)
        campaign = factories.campaign(s, batch, robots=2)
        factories.approved_scripts(s)
        s.commit()
        directory = load_directory(s)
        campaign_id = campaign.id
    result = run_day(
        db.engine,
        campaign_id=campaign_id,
        day=DAY,
        robots=2,
        carrier=lambda clock: SimulatedCarrier(directory, clock, seed=11),
        seed=11,
    )
    assert result.attempts > 60
    assert sum(result.attempts_per_robot) == result.attempts
    assert all(n > 0 for n in result.attempts_per_robot)
    with db.session() as s:
        attempts = s.scalars(select(CallAttempt).order_by(CallAttempt.started_at)).all()
        contacts = {c.id: c for c in s.scalars(select(Contact))}
        stops = {c.debtor_id: c.opened_at for c in s.scalars(select(Complaint))}
        ledger = s.scalars(select(LedgerEntry)).all()
    assert len(attempts) == result.attempts
    assert len(ledger) == result.attempts
    assert all(e.outcome is not None and e.attempt_id is not None for e in ledger)
    dials: Counter[int] = Counter()
    conversations: Counter[int] = Counter()
    history: dict[int, list[CallAttempt]] = defaultdict(list)
    for a in attempts:
        assert a.status == "completed"
        assert a.outcome is not None
        assert a.ended_at is not None
        local = a.started_at.astimezone(SH)
        assert time(8) <= local.time() < time(22)
        relation = Relation(contacts[a.contact_id].relation)
        assert relation != Relation.EMPLOYER
        if a.debtor_id in stops:
            assert a.started_at <= stops[a.debtor_id]
        if relation != Relation.SELF:
            own = [
                h for h in history[a.debtor_id] if Relation(contacts[h.contact_id].relation) == Relation.SELF
            ]
            own_contacts = [
                c for c in contacts.values() if c.debtor_id == a.debtor_id and c.relation == "self"
            ]
            all_invalid = all(c.status == "invalid" for c in own_contacts)
            last3_failed = len(own) >= 3 and all(h.outcome != "answered" for h in own[-3:])
            assert all_invalid or last3_failed
        dials[a.contact_id] += 1
        conversations[a.debtor_id] += int(a.conversation)
        assert dials[a.contact_id] <= 6
        assert conversations[a.debtor_id] <= 3
        history[a.debtor_id].append(a)


def test_the_treatment_picks_the_script_and_third_parties_hear_only_theirs(db: TestDatabase) -> None:
    from huikuan.dialogue.models import Script, ScriptVersion
    from huikuan.portfolio.models import Account
    from huikuan.strategy import script_for, treatment_for

    with db.session() as s:
        batch = factories.portfolio(s, accounts=80, seed=5, as_of=DAY)
        factories.approved_scripts(s)
        campaign = factories.campaign(s, batch, robots=2)
        s.commit()
        directory = load_directory(s)
        campaign_id = campaign.id
    run_day(
        db.engine,
        campaign_id=campaign_id,
        day=DAY,
        robots=2,
        carrier=lambda clock: SimulatedCarrier(directory, clock, seed=5),
        seed=5,
    )
    with db.session() as s:
        rows = s.execute(
            select(CallAttempt.contact_id, Account.bucket, Script.code)
            .join(Account, Account.id == CallAttempt.account_id)
            .join(ScriptVersion, ScriptVersion.id == CallAttempt.script_version_id)
            .join(Script, Script.id == ScriptVersion.script_id)
        ).all()
        relation = {c.id: Relation(c.relation) for c in s.scalars(select(Contact))}
    assert rows
    for contact_id, bucket, code in rows:
        third_party = relation[contact_id] != Relation.SELF
        assert code == f"{script_for(treatment_for(bucket), third_party=third_party)}.zh-CN"
    assert len({code for _, _, code in rows}) >= 2
