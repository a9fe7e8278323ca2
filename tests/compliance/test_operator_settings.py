"""The operator's rule settings (HUIKUAN_RULE_SETTINGS) reach `pack_for`, `calling_window` and
`reserve`; tightening needs no override, loosening needs a compliance officer's recorded one."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan import compliance
from huikuan.compliance.packs import LooseningRefused, pack_for
from huikuan.compliance.rule_settings import changes_from, set_rule_settings, show
from huikuan.errors import InvalidInput, PermissionDenied
from huikuan.portfolio.models import Contact
from huikuan.security.models import AuditEvent
from huikuan.security.users import Role, create_user
from huikuan.types import CallingWindow, CallOutcome, Relation
from tests import factories
from tests.conftest import RuleSettings, TestDatabase

SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 3, 10)
TIGHT = {"CN": {"settings": {"CN.TIME": {"start": "09:00", "end": "20:00"}}}}


def sh(h: int, m: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, h, m, tzinfo=SH)


def _own_number(session: Session) -> Contact:
    d = factories.debtor(session)
    own = factories.contact(session, d, relation=Relation.SELF)
    session.commit()
    return own


def test_without_settings_the_window_is_the_regulations(rule_settings: RuleSettings) -> None:
    # The fixture names a file that does not exist yet: pack_for says so rather than guess.
    with pytest.raises(InvalidInput, match="not found"):
        compliance.calling_window("CN")
    rule_settings({})
    assert compliance.calling_window("CN") == CallingWindow(time(8), time(22))
    assert compliance.calling_window("US") == CallingWindow(time(8), time(21))


def test_a_tightened_window_is_what_reserve_allows(session: Session, rule_settings: RuleSettings) -> None:
    rule_settings({})
    own = _own_number(session)
    assert compliance.reserve(session, own, sh(8, 30)).allowed  # the regulation allows 08:30
    session.commit()
    rule_settings(TIGHT)
    assert compliance.calling_window("CN") == CallingWindow(time(9), time(20))
    early = compliance.reserve(session, own, sh(8, 30))
    late = compliance.reserve(session, own, sh(20, 30))
    ok = compliance.reserve(session, own, sh(10))
    session.commit()
    assert (early.allowed, early.rule) == (False, "CN.TIME")
    assert early.next_allowed_at == sh(9)
    assert "09:00–20:00" in early.reason_en
    assert (late.allowed, late.rule) == (False, "CN.TIME")
    assert late.next_allowed_at == sh(9, day=date(2026, 3, 11))
    assert ok.allowed


def test_a_tightened_dial_cap_is_honoured_by_reserve(session: Session, rule_settings: RuleSettings) -> None:
    rule_settings({"CN": {"settings": {"CN.DIALS_PER_NUMBER": {"max_dials": 4}}}})
    own = _own_number(session)
    decisions = []
    for k in range(6):
        d = compliance.reserve(session, own, sh(9 + k))
        if d.ledger_entry_id is not None:
            compliance.record_outcome(session, d.ledger_entry_id, CallOutcome.NO_ANSWER, conversation=False)
        session.commit()
        decisions.append(d)
    assert [d.allowed for d in decisions] == [True] * 4 + [False] * 2
    assert {d.rule for d in decisions[4:]} == {"CN.DIALS_PER_NUMBER"}
    assert "cap 4" in decisions[4].reason_en


def test_holidays_switched_on_deny_calls_on_a_public_holiday(
    session: Session, rule_settings: RuleSettings
) -> None:
    own = _own_number(session)
    national_day = date(2026, 10, 1)
    rule_settings({"CN": {"settings": {"CN.HOLIDAY": {"enabled": True}}}})
    assert compliance.reserve(session, own, sh(10, day=national_day)).rule == "CN.HOLIDAY"
    assert compliance.reserve(session, own, sh(10)).allowed
    session.commit()


def test_loosening_in_the_file_without_an_override_is_refused(rule_settings: RuleSettings) -> None:
    rule_settings({"CN": {"settings": {"CN.TIME": {"start": "07:00"}}}})
    with pytest.raises(LooseningRefused, match=r"CN\.TIME"):
        pack_for("CN")
    rule_settings(
        {
            "CN": {
                "settings": {"CN.TIME": {"start": "07:00"}},
                "override": {"officer_id": 7, "reason": "pilot agreed with the regulator"},
            }
        }
    )
    pack = pack_for("CN")
    assert pack.calling_window() == CallingWindow(time(7), time(22))
    assert [(r, n, o.officer_id, o.reason) for r, n, o in pack.overrides] == [
        ("CN.TIME", "start", 7, "pilot agreed with the regulator")
    ]


@pytest.mark.parametrize(
    "settings",
    [
        {"CN.TIME": {"end": 1200}},  # YAML's reading of an unquoted 20:00
        {"CN.TIME": {"start": "20:00", "end": "09:00"}},  # no window left
        {"CN.DIALS_PER_NUMBER": {"max_dials": "four"}},
        {"CN.DIALS_PER_NUMBER": {"max_calls": 4}},  # no such setting
    ],
)
def test_bad_values_are_refused_not_read_loosely(rule_settings: RuleSettings, settings: dict) -> None:  # type: ignore[type-arg]
    rule_settings({"CN": {"settings": settings}})
    with pytest.raises(InvalidInput):
        pack_for("CN")


def _users(session: Session) -> tuple[int, int, int]:
    officer = create_user(session, "officer-1", "合规专员", "correct-horse-battery", Role.COMPLIANCE_OFFICER)
    admin = create_user(session, "admin-1", "管理员", "correct-horse-battery", Role.ADMIN)
    agent = create_user(session, "agent-1", "坐席", "correct-horse-battery", Role.AGENT)
    session.flush()
    return officer.id, admin.id, agent.id


def _audit(session: Session) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == "compliance.settings.set").order_by(AuditEvent.id)
        )
    )


def test_setting_tightens_for_an_admin_and_is_audited(session: Session, rule_settings: RuleSettings) -> None:
    path = rule_settings({})
    officer, admin, agent = _users(session)
    at = sh(9)
    with pytest.raises(PermissionDenied):
        set_rule_settings(session, "CN", changes_from(["CN.TIME.start=09:00"]), actor_id=agent, at=at)
    window = changes_from(["CN.TIME.start=09:00", "CN.TIME.end=20:00"])
    set_rule_settings(session, "CN", window, actor_id=admin, at=at).write()
    assert compliance.calling_window("CN") == CallingWindow(time(9), time(20))
    cap = changes_from(["CN.DIALS_PER_NUMBER.max_dials=4"])
    change = set_rule_settings(session, "CN", cap, actor_id=officer, at=at)
    assert pack_for("CN").param("CN.DIALS_PER_NUMBER", "max_dials") == 6  # not before write()
    session.commit()
    change.write()
    assert pack_for("CN").param("CN.DIALS_PER_NUMBER", "max_dials") == 4
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["CN"]["settings"]["CN.TIME"] == {
        "start": "09:00",
        "end": "20:00",
    }
    events = _audit(session)
    assert [(e.actor, e.entity_id) for e in events] == [(f"user:{admin}", "CN"), (f"user:{officer}", "CN")]
    assert events[0].details["changes"] == {"CN.TIME": {"start": "09:00", "end": "20:00"}}
    assert events[0].details["override"] is None
    shown = {(v.rule_id, v.name): (v.regulation, v.effective) for v in show("CN")}
    assert shown[("CN.TIME", "end")] == ("22:00", "20:00")
    assert shown[("CN.HOLIDAY", "enabled")] == (False, False)


def test_loosening_needs_an_officer_and_a_reason_and_is_recorded(
    session: Session, rule_settings: RuleSettings
) -> None:
    path = rule_settings({})
    officer, admin, _agent = _users(session)
    loosen = changes_from(["CN.DIALS_PER_NUMBER.max_dials=8"])
    with pytest.raises(LooseningRefused):
        set_rule_settings(session, "CN", loosen, actor_id=officer, at=sh(9))
    with pytest.raises(PermissionDenied, match="compliance officer"):
        set_rule_settings(session, "CN", loosen, actor_id=admin, at=sh(9), reason="busy month")
    assert _audit(session) == []
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == {}
    assert pack_for("CN").param("CN.DIALS_PER_NUMBER", "max_dials") == 6

    change = set_rule_settings(
        session, "CN", loosen, actor_id=officer, at=sh(9), reason="regulator letter 2026-17"
    )
    session.commit()
    change.write()
    pack = pack_for("CN")
    assert pack.param("CN.DIALS_PER_NUMBER", "max_dials") == 8
    assert [(r, n, o.officer_id, o.reason, o.at) for r, n, o in pack.overrides] == [
        ("CN.DIALS_PER_NUMBER", "max_dials", officer, "regulator letter 2026-17", sh(9))
    ]
    (event,) = _audit(session)
    assert event.actor == f"user:{officer}"
    assert event.details["override"] == {
        "officer_id": officer,
        "reason": "regulator letter 2026-17",
        "at": sh(9).isoformat(),
    }

    # Tightening back drops the override: nothing is looser than the regulation any more.
    tighter = changes_from(["CN.DIALS_PER_NUMBER.max_dials=5"])
    change = set_rule_settings(session, "CN", tighter, actor_id=admin, at=sh(10))
    session.commit()
    change.write()
    assert pack_for("CN").param("CN.DIALS_PER_NUMBER", "max_dials") == 5
    assert "override" not in yaml.safe_load(path.read_text(encoding="utf-8"))["CN"]
    assert pack_for("CN").overrides == ()


def test_the_cli_sets_and_shows_settings_and_refuses_loosening_in_one_line(
    db: TestDatabase, tmp_path: Path
) -> None:
    with db.session() as s:
        create_user(s, "officer-9", "合规专员", "correct-horse-battery", Role.COMPLIANCE_OFFICER)
        s.commit()
    path = tmp_path / "rules.yaml"
    env = {**os.environ, **db.env(), "HUIKUAN_RULE_SETTINGS": str(path), "COLUMNS": "200"}

    def run(*args: str, stdin: str = "correct-horse-battery\n") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "huikuan", "compliance", "settings", *args],
            input=stdin,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    done = run("set", "CN", "CN.TIME.start=09:00", "CN.TIME.end=20:00", "--user", "officer-9")
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["CN"]["settings"]["CN.TIME"]["end"] == "20:00"
    loose = run("set", "CN", "CN.DIALS_PER_NUMBER.max_dials=9", "--user", "officer-9")
    assert loose.returncode == 2
    assert "would loosen CN.DIALS_PER_NUMBER" in loose.stderr.strip().splitlines()[-1]
    shown = run("show", "CN", stdin="")
    assert shown.returncode == 0, shown.stderr
    assert "20:00 *" in shown.stdout
    with db.session() as s:
        events = _audit(s)
    assert [e.details["changes"] for e in events] == [{"CN.TIME": {"start": "09:00", "end": "20:00"}}]
