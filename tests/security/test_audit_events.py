"""Each security- or compliance-relevant action writes its audit event (ids only), and the
chain those actions build stays intact."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from huikuan.desk import service as desk
from huikuan.errors import PermissionDenied
from huikuan.security.audit import verify
from huikuan.security.models import AuditEvent
from huikuan.security.users import Role, create_user, disable_user, find_user, reset_password
from huikuan.sim.portfolio import generate_rows, to_csv
from tests import factories
from tests.conftest import TestDatabase
from tests.invoke import Ran, huikuan
from tests.operators import operator_env

AS_OF = date(2026, 3, 10)
PASSWORD = "correct horse battery"  # noqa: S105  # a test user's password
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _events(db: TestDatabase, prefix: str) -> list[AuditEvent]:
    with db.session() as s:
        return list(
            s.scalars(select(AuditEvent).where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.seq))
        )


_OPERATORS: dict[tuple[str, Role], dict[str, str]] = {}


def _operator(db: TestDatabase, role: Role = Role.SUPERVISOR) -> dict[str, str]:
    """The env of a `cli-<role>` user acting through a token (one per test database)."""
    key = (db.url, role)
    return _OPERATORS.get(key) or _OPERATORS.setdefault(key, operator_env(db, role))


def _actor(db: TestDatabase, role: Role = Role.SUPERVISOR) -> str:
    _operator(db, role)
    with db.session() as s:
        return f"user:{find_user(s, f'cli-{role.value}').id}"


def _run(db: TestDatabase, *args: str, stdin: str = "", role: Role | None = Role.SUPERVISOR) -> Ran:
    """`huikuan *args` acting as a `cli-<role>` user by token (None: nobody, a password prompt)."""
    env = db.env() if role is None else _operator(db, role)
    return huikuan(args, env={**env, "COLUMNS": "200"}, stdin=stdin)


def _intact(db: TestDatabase) -> None:
    with db.session() as s:
        assert verify(s).intact


def test_an_import_is_audited_with_its_batch_and_counts(db: TestDatabase, tmp_path: Path) -> None:
    rows = [r.cells for r in generate_rows(6, 3, AS_OF)]
    path = tmp_path / "accounts.csv"
    path.write_text(to_csv(rows), encoding="utf-8")
    ran = _run(db, "import", "accounts", str(path), "--batch", "b1", "--as-of", AS_OF.isoformat())
    assert ran.returncode == 0, ran.stderr
    [event] = _events(db, "portfolio.import")
    assert (event.actor, event.entity) == (_actor(db), "batch")
    assert event.details["rows_imported"] == 6
    assert event.details["rows_rejected"] == 0
    raw = json.dumps(event.details, ensure_ascii=False)
    assert not any(rows[0][k] in raw for k in ("name", "phone", "id_number"))
    _intact(db)


def test_an_export_is_audited_with_its_count(db: TestDatabase, tmp_path: Path) -> None:
    out = tmp_path / "attempts.jsonl"
    ran = _run(db, "export", "attempts", "--since", "2026-03-01", "-o", str(out))
    assert ran.returncode == 0, ran.stderr
    [event] = _events(db, "export.")
    assert event.action == "export.attempts"
    assert event.details["records"] == 0
    assert event.details["since"] == "2026-03-01T00:00:00+00:00"
    _intact(db)


def test_every_campaign_action_is_audited(db: TestDatabase) -> None:
    with db.session() as s:
        batch_id = factories.portfolio(s, accounts=4, seed=1, as_of=AS_OF).id
        s.commit()
    created = _run(db, "campaign", "create", "--name", "c", "--batch", str(batch_id))
    assert created.returncode == 0, created.stderr
    campaign_id = created.stdout.strip().rsplit(" ", 1)[-1]
    for action in ("start", "pause", "resume", "stop"):
        ran = _run(db, "campaign", action, campaign_id)
        assert ran.returncode == 0, ran.stderr
    events = _events(db, "campaign.")
    assert [e.action for e in events] == [
        "campaign.create",
        "campaign.start",
        "campaign.pause",
        "campaign.resume",
        "campaign.stop",
    ]
    assert {(e.entity, e.entity_id, e.actor) for e in events} == {("campaign", campaign_id, _actor(db))}
    assert events[1].details["queued"] == 4
    _intact(db)


def test_user_creation_disable_and_reset_are_audited(db: TestDatabase) -> None:
    admin = _actor(db, Role.ADMIN)
    ran = _run(db, "desk", "add-agent", "agent-x", "--password-stdin", stdin=f"{PASSWORD}\n", role=Role.ADMIN)
    assert ran.returncode == 0, ran.stderr
    with db.session() as s:
        other = create_user(s, "officer-y", "", PASSWORD, Role.COMPLIANCE_OFFICER, actor="user:1", at=T0)
        reset_password(s, other.id, "another long password", actor="user:1", at=T0)
        disable_user(s, other.id, actor="user:1", at=T0)
        s.commit()
        other_id = other.id
    events = _events(db, "user.")[1:]  # after the acting admin's own creation
    assert [(e.action, e.actor) for e in events] == [
        ("user.create", admin),
        ("user.create", "user:1"),
        ("user.reset_password", "user:1"),
        ("user.disable", "user:1"),
    ]
    assert events[1].entity_id == str(other_id)
    assert events[1].details == {"role": "compliance_officer"}
    assert all("agent-x" not in json.dumps(e.details) and "officer-y" not in str(e.entity_id) for e in events)
    _intact(db)


def test_a_failed_desk_log_in_is_audited_even_though_the_caller_rolls_back(db: TestDatabase) -> None:
    with db.session() as s:
        user_id = create_user(s, "agent-f", "", PASSWORD, Role.AGENT).id
        s.commit()
    for name in ("agent-f", "nobody-by-this-name"):
        with db.session() as s:
            with pytest.raises(PermissionDenied):
                desk.log_in(s, name, "wrong password!!", T0)
            s.rollback()
    failed = _events(db, "user.login_failed")
    assert [(e.entity_id, e.details) for e in failed] == [
        (str(user_id), {"reason": "wrong_password", "channel": "desk"}),
        (None, {"reason": "unknown_user", "channel": "desk"}),
    ]
    assert {e.actor for e in failed} == {"anonymous"}
    assert all("nobody" not in json.dumps(e.details) for e in failed)
    _intact(db)


def test_a_wrong_password_at_a_cli_prompt_is_audited(db: TestDatabase) -> None:
    with db.session() as s:
        officer_id = create_user(s, "officer-z", "", PASSWORD, Role.COMPLIANCE_OFFICER).id
        s.commit()
    ran = _run(
        db,
        "compliance",
        "settings",
        "set",
        "CN",
        "CN.TIME.start=09:00",
        "--user",
        "officer-z",
        stdin="nope\n",
        role=None,
    )
    assert ran.returncode == 2
    assert "wrong username or password" in ran.stderr
    [event] = _events(db, "user.login_failed")
    assert (event.entity_id, event.details) == (
        str(officer_id),
        {"reason": "wrong_password", "channel": "cli"},
    )
    _intact(db)
