"""Stops: a cease request, complaint or dispute stops contact until an officer clears it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from huikuan import compliance
from huikuan.compliance.schemas import StopKind
from huikuan.compliance.service import clear_stop, list_stops
from huikuan.errors import Conflict, InvalidInput, PermissionDenied
from huikuan.security.audit import verify
from huikuan.security.models import AuditEvent
from huikuan.security.users import Role, create_user
from tests import factories
from tests.conftest import TestDatabase
from tests.invoke import Ran, huikuan

SH = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 3, 10, 10, tzinfo=SH)


def _stopped(db: TestDatabase, kind: StopKind) -> tuple[int, int, int, int]:
    """A debtor with an open stop; returns (contact id, stop id, officer id, agent id)."""
    with db.session() as s:
        d = factories.debtor(s)
        c = factories.contact(s, d)
        stop_id = compliance.open_stop(s, d.id, kind, AT)
        officer = create_user(s, "officer1", "合规专员", "correct horse battery", Role.COMPLIANCE_OFFICER)
        agent = create_user(s, "agent1", "坐席", "another long phrase", Role.AGENT)
        s.commit()
        return c.id, stop_id, officer.id, agent.id


@pytest.mark.parametrize("kind", list(StopKind))
def test_a_stop_holds_until_an_officer_clears_it_with_a_reason(db: TestDatabase, kind: StopKind) -> None:
    contact_id, stop_id, officer_id, agent_id = _stopped(db, kind)
    with db.session() as s:
        contact = s.get(factories.Contact, contact_id)
        assert contact is not None
        assert compliance.reserve(s, contact, AT).rule == "CN.STOP"
        with pytest.raises(PermissionDenied):
            clear_stop(s, stop_id, officer_id=agent_id, reason="客户已还款", at=AT)
        with pytest.raises(InvalidInput):
            clear_stop(s, stop_id, officer_id=officer_id, reason="   ", at=AT)
        assert compliance.reserve(s, contact, AT).rule == "CN.STOP"
        clear_stop(s, stop_id, officer_id=officer_id, reason="投诉已处理，客户同意继续联系", at=AT)
        with pytest.raises(Conflict):
            clear_stop(s, stop_id, officer_id=officer_id, reason="again", at=AT)
        assert compliance.reserve(s, contact, AT).allowed
        s.commit()
    with db.session() as s:
        [view] = list_stops(s, open_only=False)
        assert view.status == "cleared"
        assert view.cleared_by == officer_id
        assert view.cleared_reason == "投诉已处理，客户同意继续联系"
        assert list_stops(s, open_only=True) == []
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "compliance.stop.clear")).one()
        assert event.actor == f"user:{officer_id}"
        assert event.entity_id == str(stop_id)
        assert verify(s).intact


def test_cli_lists_and_clears_with_the_officers_password(db: TestDatabase) -> None:
    _, stop_id, _, _ = _stopped(db, StopKind.CEASE)
    env = {**db.env(), "COLUMNS": "200"}

    def run(*args: str, stdin: str = "") -> Ran:
        return huikuan(["compliance", "stops", *args], stdin=stdin, env=env)

    listed = run("list")
    assert listed.returncode == 0, listed.stderr
    assert "cease" in listed.stdout
    assert "1 条" in listed.stdout
    wrong = run("clear", str(stop_id), "--officer", "officer1", "--reason", "ok", stdin="nope\n")
    assert wrong.returncode == 2
    # The hidden prompt (on standard error, no newline without a terminal) comes first.
    assert wrong.stderr.strip().endswith("error: 用户名或密码错误 / wrong username or password")
    done = run(
        "clear",
        str(stop_id),
        "--officer",
        "officer1",
        "--reason",
        "客户撤回停止联系请求",
        stdin="correct horse battery\n",
    )
    assert done.returncode == 0, done.stderr
    assert run("list").stdout.count("cease") == 0
