"""Who is acting on the command line: every CLI command that changes state names its user
(`--as USERNAME`) and proves it with the password, asked on the terminal (or the first line of
stdin with `--password-stdin`, for scripts), or with an API token in `HUIKUAN_API_TOKEN`.
Never a password on the command line: it would sit in the shell history and the process list.
The same log-in throttle and lockout as the console, and the same permission matrix.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime

import typer
from sqlalchemy.orm import Session

from huikuan.errors import InvalidInput
from huikuan.security import auth
from huikuan.security.models import User
from huikuan.security.permissions import Permission, require

TOKEN_ENV = "HUIKUAN_API_TOKEN"  # noqa: S105 - the variable's name, not a secret
# The two options every state-changing command takes (typer reads these as defaults).
ACTING = typer.Option(None, "--as", help="who is acting (password asked) / 操作人")
PASSWORD_STDIN = typer.Option(
    False, "--password-stdin", help="read the password from stdin / 从标准输入读取密码"
)


def read_secret(prompt: str, *, from_stdin: bool, confirm: bool = False) -> str:
    """A secret from stdin's next line (`--password-stdin`) or a hidden prompt."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InvalidInput("标准输入中缺少密码 / no password on stdin")
        return line.rstrip("\r\n")
    # On standard error, so a command's output redirected to a file (an export) stays clean.
    value: str = typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)
    return value


def operator(
    session: Session,
    username: str | None,
    permission: Permission | None,
    at: datetime,
    *,
    password_stdin: bool = False,
) -> User:
    """The authenticated user acting, checked against `permission` (None: any logged-in user)."""
    token = os.environ.get(TOKEN_ENV)
    if token:
        user = auth.user_for_token(session, token.strip(), at)
        if username and username.strip() != user.username:
            raise InvalidInput(
                f"令牌不属于 --as 用户 / the token is not the --as user's (token user {user.id})"
            )
    else:
        if not username:
            raise InvalidInput(
                f"请用 --as 指明操作人 / say who is acting with --as USERNAME (or set {TOKEN_ENV})"
            )
        password = read_secret("密码 / password", from_stdin=password_stdin)
        user = auth.log_in(session, username, password, at, channel="cli")
    if permission is not None:
        require(user, permission)
    return user
