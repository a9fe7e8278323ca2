"""The data lifecycle: the retention table, the purge job, a debtor's export and erasure."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from huikuan.dialogue.models import LlmExchange
from huikuan.errors import Conflict
from huikuan.lifecycle.purge import purge
from huikuan.lifecycle.retention import POLICY, RECORDS_PERIOD
from huikuan.lifecycle.subject import erasable, erase_debtor, export_debtor
from huikuan.outcomes.models import Turn
from huikuan.portfolio.models import Account, Contact, Debtor
from huikuan.security import auth
from huikuan.security.models import ApiToken, AuditEvent, WebSession
from huikuan.security.users import Role, create_user
from tests.conftest import TestDatabase
from tests.invoke import huikuan
from tests.operators import operator_env
from tests.outcomes.seed import NAME, PHONE, T0, seed_history


def test_every_kind_has_a_rule_in_both_languages() -> None:
    assert {r.kind for r in POLICY} >= {"recording", "llm_exchange", "debtor", "audit_event"}
    assert all(r.rule_zh and r.rule_en for r in POLICY)
    assert RECORDS_PERIOD["CN"] >= timedelta(days=5 * 365)


def test_the_purge_deletes_only_what_is_past_its_time_and_audits_it(db: TestDatabase, tmp_path) -> None:  # type: ignore[no-untyped-def]
    now = datetime(2027, 1, 1, tzinfo=UTC)
    with db.session() as s:
        seeded = seed_history(s)
        user = create_user(s, "purge-user", "p", "purge-password-1", Role.SUPERVISOR)
        old_token, _ = auth.issue_token(s, user, "old", now - timedelta(days=400), timedelta(days=30))
        new_token, _ = auth.issue_token(s, user, "new", now - timedelta(days=1))
        old_session = auth.start_session(s, user, now - timedelta(days=90))
        auth.start_session(s, user, now - timedelta(minutes=5))
        for age in (timedelta(days=400), timedelta(days=10)):
            s.add(
                LlmExchange(
                    attempt_id=seeded.attempt_ids[0],
                    at=now - age,
                    purpose="classify",
                    model="m",
                    prompt="p",
                    reply="r",
                    outcome="ok",
                    latency_ms=1,
                )
            )
        s.commit()
        old_token_id, new_token_id = old_token.id, new_token.id
        dry = purge(s, tmp_path, now, dry_run=True)
        assert dry == {"recording": 0, "llm_exchange": 1, "web_session": 1, "api_token": 1}
        s.rollback()
        done = purge(s, tmp_path, now)
        s.commit()
        assert done == dry
        assert s.scalars(select(ApiToken.id)).all() == [new_token_id]
        assert len(s.scalars(select(WebSession.id)).all()) == 1
        assert auth.secret_hash(old_session.secret) not in s.scalars(select(WebSession.session_hash)).all()
        assert len(s.scalars(select(LlmExchange.id)).all()) == 1
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purge")).one()
        assert event.details == done
        assert purge(s, tmp_path, now) == dict.fromkeys(done, 0)  # idempotent
        assert old_token_id not in s.scalars(select(ApiToken.id)).all()


def test_a_debtor_export_holds_everything_and_an_erasure_waits_for_the_law(db: TestDatabase) -> None:
    with db.session() as s:
        seeded = seed_history(s)
        debtor_id = seeded.debtor_id
        for seq, (speaker, text) in enumerate([("robot", "请问是**本人吗？"), ("debtor", "是我，我下周还")]):
            s.add(Turn(attempt_id=seeded.attempt_ids[1], seq=seq, speaker=speaker, text=text, at=T0))
        s.commit()
        data = json.dumps(export_debtor(s, debtor_id), ensure_ascii=False)
        assert "我下周还" in data
        assert NAME in data
        assert PHONE in data
        assert '"transcript"' in data
        soon = T0 + timedelta(days=30)
        assert "still open" in (erasable(s, debtor_id, soon) or "")
        s.execute(update(Account).where(Account.debtor_id == debtor_id).values(status="closed"))
        assert "records period" in (erasable(s, debtor_id, soon) or "")
        with pytest.raises(Conflict, match="cannot be erased yet"):
            erase_debtor(s, debtor_id, soon)
        later = T0 + RECORDS_PERIOD["CN"] + timedelta(days=30)
        assert erasable(s, debtor_id, later) is None
        erase_debtor(s, debtor_id, later)
        s.commit()
        debtor = s.get(Debtor, debtor_id)
        assert debtor is not None
        assert NAME not in debtor.name
        assert debtor.national_id is None
        numbers = s.scalars(select(Contact.number).where(Contact.debtor_id == debtor_id)).all()
        assert PHONE not in numbers
        said = s.scalars(select(Turn.text).where(Turn.speaker == "debtor")).all()
        assert said
        assert all("erased" in t for t in said)


def test_the_cli_exports_with_a_reason_and_the_right_role(db: TestDatabase) -> None:
    with db.session() as s:
        debtor_id = seed_history(s).debtor_id
        s.commit()
    officer = operator_env(db, Role.COMPLIANCE_OFFICER)
    no_reason = huikuan(["data", "export-debtor", str(debtor_id), "--reason", "x"], env=officer)
    assert no_reason.returncode == 2
    assert "--reason" in no_reason.stderr
    supervisor = huikuan(
        ["data", "export-debtor", str(debtor_id), "--reason", "客户申请查阅"],
        env=operator_env(db, Role.SUPERVISOR),
    )
    assert supervisor.returncode == 2
    assert "view_full" in supervisor.stderr
    done = huikuan(["data", "export-debtor", str(debtor_id), "--reason", "客户申请查阅"], env=officer)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["debtor"]["name"] == NAME
    with db.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.export")).one()
        assert event.details == {"reason": "客户申请查阅"}
    erase = huikuan(["data", "erase-debtor", str(debtor_id), "--reason", "客户申请删除"], env=officer)
    assert erase.returncode == 2
    assert "still open" in erase.stderr
    listing = huikuan(["data", "retention"], env=db.env())
    assert "recording" in listing.stdout
