"""Users: creation with Argon2id password hashes, log-in, look-ups, roles.

Errors name user ids, never usernames or display names (a username is often a person's name).
"""

from __future__ import annotations

import contextlib
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.errors import Conflict, InvalidInput, NotFound, one_of
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


def create_user(session: Session, username: str, display_name: str, password: str, role: Role | str) -> User:
    """Add an active user with a hashed password (the caller commits)."""
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
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None; upgrades an outdated hash."""
    user = session.scalars(select(User).where(User.username == username.strip())).first()
    if user is None or not user.active:
        with contextlib.suppress(VerificationError):
            _HASHER.verify(_DUMMY_HASH, password)
        return None
    try:
        _HASHER.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
        session.flush()
    return user


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
