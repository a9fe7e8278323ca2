"""Users: Argon2id hashes, log-in, roles, look-ups."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from huikuan.errors import Conflict, InvalidInput, NotFound
from huikuan.security.users import Role, authenticate, create_user, find_user, get_user, has_role

PASSWORD = "correct horse battery"  # noqa: S105 - a test fixture, not a secret


def test_create_user_stores_an_argon2id_hash_not_the_password(session: Session) -> None:
    user = create_user(session, "officer1", "合规专员一", PASSWORD, Role.COMPLIANCE_OFFICER)
    session.commit()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert user.role == "compliance_officer"
    assert user.active
    assert get_user(session, user.id) is user
    assert find_user(session, "officer1") is user
    assert has_role(user, Role.COMPLIANCE_OFFICER)
    assert not has_role(user, Role.ADMIN)


def test_authenticate_accepts_the_right_password_only(session: Session) -> None:
    user = create_user(session, "agent7", "坐席七", PASSWORD, "agent")
    session.commit()
    assert authenticate(session, "agent7", PASSWORD) is user
    assert authenticate(session, " agent7 ", PASSWORD) is user
    assert authenticate(session, "agent7", PASSWORD + "x") is None
    assert authenticate(session, "agent7", "") is None
    assert authenticate(session, "nobody", PASSWORD) is None


def test_an_inactive_user_cannot_log_in(session: Session) -> None:
    user = create_user(session, "gone", "离职员工", PASSWORD, Role.SUPERVISOR)
    user.active = False
    session.commit()
    assert authenticate(session, "gone", PASSWORD) is None
    assert not has_role(user, Role.SUPERVISOR)


def test_same_password_gives_different_hashes(session: Session) -> None:
    a = create_user(session, "a_user", "A", PASSWORD, Role.AGENT)
    b = create_user(session, "b_user", "B", PASSWORD, Role.AGENT)
    assert a.password_hash != b.password_hash  # random salt per hash


def test_duplicate_username_is_a_conflict(session: Session) -> None:
    create_user(session, "dup", "一", PASSWORD, Role.AGENT)
    with pytest.raises(Conflict, match="username already taken"):
        create_user(session, "dup", "二", PASSWORD, Role.ADMIN)


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("", PASSWORD, "agent", "username must be 1 to 64 characters"),
        ("x" * 65, PASSWORD, "agent", "username must be 1 to 64 characters"),
        ("ok", PASSWORD, "root", "unknown role"),
        ("ok", "short", "agent", "at least 10 characters"),
    ],
)
def test_bad_input_is_refused_with_a_bilingual_message(
    session: Session, username: str, password: str, role: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as info:
        create_user(session, username, "名", password, role)
    assert " / " in info.value.message  # Chinese first, then English


def test_unknown_ids_and_names_are_not_found_without_echoing_the_name(session: Session) -> None:
    with pytest.raises(NotFound, match="user 999 not found"):
        get_user(session, 999)
    with pytest.raises(NotFound) as info:
        find_user(session, "zhang.wei")
    assert "zhang.wei" not in info.value.message
