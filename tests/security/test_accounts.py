"""Log-in throttling and lockout, API tokens, console sessions, and `huikuan user`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from huikuan.errors import PermissionDenied
from huikuan.security import auth
from huikuan.security.models import AuditEvent, User
from huikuan.security.permissions import MATRIX, Permission, allowed, require
from huikuan.security.users import Role, create_user
from tests.conftest import TestDatabase
from tests.invoke import huikuan

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
PASSWORD = "correct-horse-battery"  # noqa: S105 - a test user's


def _user(db: TestDatabase, name: str, role: Role = Role.SUPERVISOR) -> int:
    with db.session() as s:
        user = create_user(s, name, name, PASSWORD, role)
        s.commit()
        return user.id


def _actions(db: TestDatabase) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_five_failures_lock_the_user_even_with_the_right_password_then_it_expires(db: TestDatabase) -> None:
    user_id = _user(db, "sam")
    for i in range(auth.MAX_FAILURES):
        with db.session() as s, pytest.raises(auth.LogInRefused) as refused:
            auth.log_in(s, "sam", "wrong-password", T0 + timedelta(seconds=i), channel="cli")
        s.rollback()  # the caller's transaction is lost; the failures were counted anyway
    assert refused.value.message == auth.LOCKED
    with db.session() as s, pytest.raises(auth.LogInRefused, match="too many"):
        auth.log_in(s, "sam", PASSWORD, T0 + timedelta(minutes=1), channel="cli")
    later = T0 + auth.LOCKOUT + timedelta(minutes=1)
    with db.session() as s:
        assert auth.log_in(s, "sam", PASSWORD, later, channel="cli").id == user_id
        s.commit()
    actions = _actions(db)
    assert actions.count("auth.log_in_failed") == auth.MAX_FAILURES + 1
    assert actions.count("auth.locked") == 1
    assert actions[-1] == "auth.log_in"


def test_failures_spread_beyond_the_window_do_not_lock(db: TestDatabase) -> None:
    _user(db, "kim")
    for i in range(auth.MAX_FAILURES + 2):
        with db.session() as s, pytest.raises(auth.LogInRefused, match="wrong username"):
            auth.log_in(s, "kim", "nope-nope-nope", T0 + i * (auth.FAILURE_WINDOW / 2), channel="console")
    with db.session() as s:
        assert (
            auth.log_in(s, "kim", PASSWORD, T0 + 10 * auth.FAILURE_WINDOW, channel="console").username
            == "kim"
        )


def test_unknown_users_and_system_accounts_are_refused_alike(db: TestDatabase) -> None:
    _user(db, "worker-1", Role.SYSTEM)
    for name in ("nobody", "worker-1"):
        with db.session() as s, pytest.raises(auth.LogInRefused) as refused:
            auth.log_in(s, name, PASSWORD, T0, channel="console")
        assert refused.value.message == auth.WRONG


def test_tokens_are_stored_hashed_expire_and_revoke(db: TestDatabase) -> None:
    user_id = _user(db, "integration")
    with db.session() as s:
        user = s.get(User, user_id)
        assert user is not None
        row, secret = auth.issue_token(s, user, "crm sync", T0, timedelta(days=1))
        s.commit()
        assert row.token_hash != secret
        assert secret not in str(s.execute(select(AuditEvent.details)).all())
        assert auth.user_for_token(s, secret, T0 + timedelta(hours=1)).id == user_id
        with pytest.raises(auth.LogInRefused):
            auth.user_for_token(s, secret, T0 + timedelta(days=2))
        auth.revoke_tokens(s, user_id, T0)
        with pytest.raises(auth.LogInRefused):
            auth.user_for_token(s, secret, T0 + timedelta(hours=1))


def test_console_sessions_end_when_idle_or_too_old(db: TestDatabase) -> None:
    user_id = _user(db, "lee")
    with db.session() as s:
        user = s.get(User, user_id)
        assert user is not None
        started = auth.start_session(s, user, T0)
        at = T0
        while at - T0 < auth.SESSION_ABSOLUTE - auth.SESSION_IDLE:  # active all day
            at += auth.SESSION_IDLE - timedelta(minutes=1)
            assert auth.session_user(s, started.secret, at)[0].id == user_id
        with pytest.raises(auth.LogInRefused):
            auth.session_user(s, started.secret, T0 + auth.SESSION_ABSOLUTE + timedelta(minutes=1))
        idle = auth.start_session(s, user, T0)
        with pytest.raises(auth.LogInRefused):
            auth.session_user(s, idle.secret, T0 + auth.SESSION_IDLE + timedelta(seconds=1))


def test_the_address_throttle_blocks_after_its_limit() -> None:
    throttle = auth.AddressThrottle(limit=3, window=60)
    for _ in range(3):
        assert not throttle.blocked("10.0.0.1")
        throttle.failed("10.0.0.1")
    assert throttle.blocked("10.0.0.1")
    assert not throttle.blocked("10.0.0.2")


def test_every_role_is_in_the_matrix_and_nobody_holds_every_power() -> None:
    assert set(MATRIX) == set(Role)
    everything = set(Permission)
    assert all(perms != everything for perms in MATRIX.values())
    assert MATRIX[Role.SYSTEM] == {Permission.RUN_RETENTION}  # the daily purge, nothing else
    assert allowed("compliance_officer", Permission.APPROVE_SCRIPTS)
    assert not allowed("supervisor", Permission.APPROVE_SCRIPTS)  # separation of duties
    assert not allowed("admin", Permission.VIEW_FULL)  # running the system is not reading the data
    assert not allowed("no-such-role", Permission.VIEW_REPORTS)


def test_require_names_only_ids(db: TestDatabase) -> None:
    user_id = _user(db, "Zhang Wei", Role.AGENT)
    with db.session() as s:
        user = s.get(User, user_id)
        assert user is not None
        with pytest.raises(PermissionDenied) as denied:
            require(user, Permission.EXPORT)
        assert "Zhang" not in denied.value.message
        assert str(user_id) in denied.value.message


# --- huikuan user -----------------------------------------------------------------------------


def test_the_first_admin_bootstraps_then_everything_needs_an_admin(db: TestDatabase) -> None:
    env = db.env()
    first = huikuan(
        ["user", "add", "root", "--role", "admin", "--password-stdin"],
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
        env=env,
    )
    assert first.returncode == 0, first.stderr
    # Now an admin exists: a second admin needs one acting.
    anon = huikuan(
        ["user", "add", "root2", "--role", "admin", "--password-stdin"],
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
        env=env,
    )
    assert anon.returncode == 2
    assert "--as" in anon.stderr
    sup = huikuan(
        ["user", "add", "alice", "--role", "compliance_officer", "--as", "root", "--password-stdin"],
        stdin=f"{PASSWORD}\nalice-password-1\n",
        env=env,
    )
    assert sup.returncode == 0, sup.stderr
    listed = huikuan(["user", "list", "--as", "root", "--password-stdin"], stdin=f"{PASSWORD}\n", env=env)
    assert "alice" in listed.stdout
    assert "compliance_officer" in listed.stdout
    # alice may not manage users.
    denied = huikuan(
        ["user", "list", "--as", "alice", "--password-stdin"], stdin="alice-password-1\n", env=env
    )
    assert denied.returncode == 2
    assert "manage_users" in denied.stderr
    assert "user.created" in _actions(db)


def test_disable_reset_and_tokens(db: TestDatabase) -> None:
    env = db.env()
    _user(db, "root", Role.ADMIN)
    bob = _user(db, "bob", Role.AGENT)
    token = huikuan(
        ["user", "token", "bob", "--label", "desk", "--as", "bob", "--password-stdin"],
        stdin=f"{PASSWORD}\n",
        env=env,
    )
    assert token.returncode == 0, token.stderr
    secret = token.stdout.strip().splitlines()[-1]
    # A token acts for its user: bob's token cannot list users.
    as_token = huikuan(["user", "list"], env={**env, "HUIKUAN_API_TOKEN": secret})
    assert as_token.returncode == 2
    assert "manage_users" in as_token.stderr
    reset = huikuan(
        ["user", "reset", "bob", "--as", "root", "--password-stdin"],
        stdin=f"{PASSWORD}\nnew-password-22\n",
        env=env,
    )
    assert reset.returncode == 0, reset.stderr
    with db.session() as s:
        with pytest.raises(auth.LogInRefused):
            auth.user_for_token(s, secret, datetime.now(UTC))  # a reset revokes tokens
        assert auth.log_in(s, "bob", "new-password-22", datetime.now(UTC), channel="cli").id == bob
        s.commit()
    off = huikuan(
        ["user", "disable", "bob", "--as", "root", "--password-stdin"], stdin=f"{PASSWORD}\n", env=env
    )
    assert off.returncode == 0, off.stderr
    with db.session() as s, pytest.raises(auth.LogInRefused):
        auth.log_in(s, "bob", "new-password-22", datetime.now(UTC), channel="cli")
    self_off = huikuan(
        ["user", "disable", "root", "--as", "root", "--password-stdin"], stdin=f"{PASSWORD}\n", env=env
    )
    assert self_off.returncode == 2


def test_a_wrong_password_on_the_cli_is_one_line_and_counted(db: TestDatabase) -> None:
    _user(db, "root", Role.ADMIN)
    done = huikuan(
        ["user", "list", "--as", "root", "--password-stdin"], stdin="wrong-password\n", env=db.env()
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"error: {auth.WRONG}"]
    assert "auth.log_in_failed" in _actions(db)
