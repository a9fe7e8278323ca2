"""`huikuan compliance test-numbers list|add|remove`: the numbers `huikuan call` may dial without a
debtor's contact (the floor's own test phones), kept by administrators and compliance officers."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from huikuan.compliance.test_numbers import (
    add_test_number,
    canonical_number,
    list_test_numbers,
    remove_test_number,
)
from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.runtime import open_database
from huikuan.security.operator import ACTING, PASSWORD_STDIN, operator
from huikuan.security.permissions import Permission

numbers_app = typer.Typer(help="测试号码白名单 / test numbers `huikuan call` may dial", no_args_is_help=True)


@numbers_app.command("list")
def list_command() -> None:
    """List the test numbers, masked (测试号码列表)."""
    with session_scope(open_database(get_settings())) as session:
        rows = list_test_numbers(session)
    table = Table("id", "号码 number", "标签 label", "added by", "added (UTC)")
    for r in rows:
        table.add_row(str(r.id), r.masked, r.label, f"user:{r.added_by}", f"{r.added_at:%Y-%m-%d %H:%M}")
    Console().print(table)
    typer.echo(f"{len(rows)} 个 / test number(s)")


@numbers_app.command("add")
def add_command(
    number: str = typer.Argument(..., help="the test phone or extension (never logged)"),
    label: str = typer.Option(..., "--label", help="whose phone, what for / 标签"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Allow `huikuan call` to dial a test number (添加测试号码)."""
    now = datetime.now(UTC)
    canonical = canonical_number(number)
    with session_scope(open_database(get_settings())) as session:
        user = operator(session, acting, Permission.RULE_SETTINGS, now, password_stdin=password_stdin)
        added = add_test_number(session, canonical, label, by=user.id, at=now)
    typer.echo(f"已添加 / added test number {added.id} ({added.masked})")


@numbers_app.command("remove")
def remove_command(
    test_number_id: int = typer.Argument(..., help="test number id"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Take a number off the test list (移除测试号码)."""
    now = datetime.now(UTC)
    with session_scope(open_database(get_settings())) as session:
        user = operator(session, acting, Permission.RULE_SETTINGS, now, password_stdin=password_stdin)
        remove_test_number(session, test_number_id, by=user.id, at=now)
    typer.echo(f"已移除 / removed test number {test_number_id}")


def register(app: typer.Typer) -> None:
    app.add_typer(numbers_app, name="test-numbers")
