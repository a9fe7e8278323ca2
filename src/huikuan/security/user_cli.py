"""`huikuan user add|list|disable|reset|token`: accounts for the floor.

Every command acts as a user with the manage_users permission (`--as`, password prompted),
except the very first administrator of a database, which `user add --role admin` creates
without one (there is nobody to ask yet). A user may issue a token for themselves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.errors import InvalidInput, one_of
from huikuan.runtime import open_database
from huikuan.security import auth
from huikuan.security.models import User
from huikuan.security.operator import ACTING, PASSWORD_STDIN, operator, read_secret
from huikuan.security.permissions import Permission, require
from huikuan.security.users import Role, create_user, disable_user, find_user, reset_password

app = typer.Typer(help="用户与角色 / users and roles", no_args_is_help=True)


def _now() -> datetime:
    return datetime.now(UTC)


def _has_admin(session: Session) -> bool:
    stmt = select(User.id).where(User.role == Role.ADMIN.value, User.active.is_(True))
    return session.scalars(stmt).first() is not None


@app.command("add")
def add(
    username: str = typer.Argument(..., help="log-in name / 用户名"),
    role: str = typer.Option(..., "--role", help=f"one of: {', '.join(r.value for r in Role)}"),
    display_name: str = typer.Option("", "--name", help="shown on screens / 显示名"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Create a user; their password is asked twice (新增用户)."""
    the_role = one_of(Role, role, "角色", "role")
    now = _now()
    with session_scope(open_database(get_settings())) as session:
        bootstrap = the_role == Role.ADMIN and not _has_admin(session)
        actor = (
            None
            if bootstrap
            else operator(session, acting, Permission.MANAGE_USERS, now, password_stdin=password_stdin)
        )
        if the_role == Role.SYSTEM:
            # A system account never logs in: its password is random and never shown.
            password = auth.new_secret()
        else:
            password = read_secret(
                "新用户密码 / new user's password", from_stdin=password_stdin, confirm=True
            )
        who = f"user:{actor.id}" if actor else "bootstrap"
        user_id = create_user(session, username, display_name, password, the_role, actor=who, at=now).id
    typer.echo(f"已新增用户 / user {user_id} added ({the_role.value})")


@app.command("list")
def list_users(acting: str | None = ACTING, password_stdin: bool = PASSWORD_STDIN) -> None:
    """Users, roles and whether they are active or locked (用户列表)."""
    now = _now()
    with session_scope(open_database(get_settings())) as session:
        operator(session, acting, Permission.MANAGE_USERS, now, password_stdin=password_stdin)
        users = list(session.scalars(select(User).order_by(User.id)))
        table = Table("id", "用户名 username", "角色 role", "状态 state")
        for u in users:
            state = (
                "disabled"
                if not u.active
                else "locked"
                if u.locked_until and u.locked_until > now
                else "active"
            )
            table.add_row(str(u.id), u.username, u.role, state)
    Console().print(table)


def _target(session: Session, username: str) -> User:
    return find_user(session, username)


def _sign_out(session: Session, user: User, now: datetime) -> int:
    """End the user's console sessions and revoke their tokens; returns their id."""
    auth.end_sessions_of(session, user.id, now)
    auth.revoke_tokens(session, user.id, now)
    return user.id


@app.command("disable")
def disable(
    username: str = typer.Argument(..., help="the user to disable / 要停用的用户"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Disable a user: log-ins refused, sessions ended, tokens revoked (停用用户)."""
    now = _now()
    with session_scope(open_database(get_settings())) as session:
        actor = operator(session, acting, Permission.MANAGE_USERS, now, password_stdin=password_stdin)
        user = _target(session, username)
        if user.id == actor.id:
            raise InvalidInput("不能停用自己 / you cannot disable yourself")
        disable_user(session, user.id, actor=f"user:{actor.id}", at=now)
        user_id = _sign_out(session, user, now)
    typer.echo(f"已停用 / user {user_id} disabled")


@app.command("reset")
def reset(
    username: str = typer.Argument(..., help="whose password / 重置谁的密码"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Set a new password (asked twice); unlocks, ends sessions, revokes tokens (重置密码)."""
    now = _now()
    with session_scope(open_database(get_settings())) as session:
        actor = operator(session, acting, Permission.MANAGE_USERS, now, password_stdin=password_stdin)
        user = _target(session, username)
        password = read_secret("新密码 / new password", from_stdin=password_stdin, confirm=True)
        reset_password(session, user.id, password, actor=f"user:{actor.id}", at=now)
        user.failed_logins, user.first_failed_at, user.locked_until = 0, None, None
        user_id = _sign_out(session, user, now)
    typer.echo(f"已重置 / password of user {user_id} reset")


@app.command("token")
def token(
    username: str = typer.Argument(..., help="whose token (acting with that user's role) / 令牌所属用户"),
    label: str = typer.Option(..., "--label", help="what uses it / 用途"),
    days: int = typer.Option(90, "--days", min=1, max=366, help="lifetime in days"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Issue an API token; it is printed once and stored only as a hash (签发令牌)."""
    now = _now()
    with session_scope(open_database(get_settings())) as session:
        actor = operator(session, acting, None, now, password_stdin=password_stdin)
        user = _target(session, username)
        if user.id != actor.id:  # one's own token needs no permission; another's does
            require(actor, Permission.MANAGE_USERS)
        row, secret = auth.issue_token(session, user, label, now, timedelta(days=days))
        token_id = row.id
    typer.echo(f"令牌 / token {token_id} (只显示一次 / shown once):")
    typer.echo(secret)
