"""Users: creation with Argon2id password hashes, log-in, look-ups, roles.

Errors name user ids, never usernames or display names (a username is often a person's name).
Creating, disabling and resetting a user, and every failed log-in, are audit events (ids only:
an unknown username typed at a log-in is not recorded, it may be someone's name).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.errors import Conflict, InvalidInput, NotFound, one_of
from huikuan.security import audit
from huikuan.security.models import User

MIN_PASSWORD_LENGTH = 10
_HASHER = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile
# Verified when the username is unknown, so a failed log-in costs the same either way.
_DUMMY_HASH = _HASHER.hash("huikuan-no-such-user")


class Role(StrEnum):
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    COMPLIANCE_OFFICER = "compliance_officer"
    ADMIN = "admin"
    AUDITOR = "auditor"  # reads the audit log and reports; changes nothing
    SYSTEM = "system"  # workers and jobs; never logs in with a password


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        n = MIN_PASSWORD_LENGTH
        raise InvalidInput(f"密码至少{n}个字符 / password must have at least {n} characters")


def set_password(user: User, password: str) -> None:
    """Replace the user's password hash (the caller commits)."""
    _check_password(password)
    user.password_hash = _HASHER.hash(password)


def create_user(
    session: Session,
    username: str,
    display_name: str,
    password: str,
    role: Role | str,
    *,
    actor: str = "system",
    at: datetime | None = None,
) -> User:
    """Add an active user with a hashed password, audited (the caller commits)."""
    name = username.strip()
    if not name or len(name) > 64:
        raise InvalidInput("用户名须为1到64个字符 / username must be 1 to 64 characters")
    the_role = one_of(Role, role, "角色", "role")
    _check_password(password)
    if session.scalars(select(User.id).where(User.username == name)).first() is not None:
        raise Conflict("用户名已被使用 / username already taken")
    user = User(
        username=name,
        display_name=display_name.strip() or name,
        password_hash=_HASHER.hash(password),
        role=the_role.value,
        active=True,
    )
    session.add(user)
    session.flush()
    _audit(session, user.id, "user.create", actor, at, role=user.role)
    return user


def disable_user(session: Session, user_id: int, *, actor: str, at: datetime | None = None) -> User:
    """The user can no longer log in; audited (the caller commits)."""
    user = get_user(session, user_id)
    user.active = False
    session.flush()
    _audit(session, user.id, "user.disable", actor, at)
    return user


def reset_password(
    session: Session, user_id: int, password: str, *, actor: str, at: datetime | None = None
) -> User:
    """Give the user a new password; audited (the caller commits)."""
    user = get_user(session, user_id)
    set_password(user, password)
    session.flush()
    _audit(session, user.id, "user.reset_password", actor, at)
    return user


def _audit(
    session: Session, user_id: int, action: str, actor: str, at: datetime | None, **details: str
) -> None:
    audit.append(
        session,
        at=at or datetime.now(UTC),
        actor=actor,
        action=action,
        entity="app_user",
        entity_id=user_id,
        details=details,
    )


def authenticate(
    session: Session, username: str, password: str, *, at: datetime | None = None, channel: str = "cli"
) -> User | None:
    """The active user with this username and password, or None; upgrades an outdated hash.

    A failure is audited in a transaction of its own (`channel` says where: cli, desk, web), so
    the caller's rollback on refusing the log-in cannot erase it (unless the caller's transaction
    has already written: then the event joins it, see `audit.append_alone`).
    """
    user = session.scalars(select(User).where(User.username == username.strip())).first()
    if user is None or not user.active:
        with contextlib.suppress(VerificationError):
            _HASHER.verify(_DUMMY_HASH, password)
        reason = "unknown_user" if user is None else "disabled"
        _failed(session, None if user is None else user.id, reason, channel, at)
        return None
    try:
        _HASHER.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        _failed(session, user.id, "wrong_password", channel, at)
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
        session.flush()
    return user


def _failed(session: Session, user_id: int | None, reason: str, channel: str, at: datetime | None) -> None:
    audit.append_alone(
        session,
        at=at or datetime.now(UTC),
        actor="anonymous",
        action="user.login_failed",
        entity="app_user",
        entity_id=user_id,
        details={"reason": reason, "channel": channel},
    )


def get_user(session: Session, user_id: int) -> User:
    """The user with this id; NotFound otherwise."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在 / user {user_id} not found")
    return user


def find_user(session: Session, username: str) -> User:
    """The user with this username; NotFound (without echoing the name) otherwise."""
    user = session.scalars(select(User).where(User.username == username.strip())).first()
    if user is None:
        raise NotFound("用户名不存在 / no user with that username")
    return user


def has_role(user: User, role: Role) -> bool:
    """Whether an active user holds `role`."""
    return user.active and user.role == role.value
