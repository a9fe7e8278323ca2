"""`huikuan compliance stops list|clear`: contact stops (cease, complaint, dispute) for officers."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from huikuan.compliance.service import clear_stop, list_stops
from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.runtime import open_database
from huikuan.security.operator import operator
from huikuan.security.permissions import Permission

stops_app = typer.Typer(help="停止联系记录 / contact stops", no_args_is_help=True)


@stops_app.command("list")
def list_command(
    all_stops: bool = typer.Option(False, "--all", help="include cleared stops / 包括已解除"),
    debtor: int | None = typer.Option(None, "--debtor", help="only this debtor id"),
) -> None:
    """List open stops (or all) by id (停止联系列表)."""
    with session_scope(open_database(get_settings())) as session:
        rows = list_stops(session, open_only=not all_stops, debtor_id=debtor)
    table = Table("id", "debtor", "类型 kind", "状态 status", "opened (UTC)", "cleared by", "reason")
    for s in rows:
        table.add_row(
            str(s.id),
            str(s.debtor_id),
            s.kind.value,
            s.status,
            f"{s.opened_at:%Y-%m-%d %H:%M}",
            "" if s.cleared_by is None else f"user:{s.cleared_by}",
            s.cleared_reason or "",
        )
    Console().print(table)
    typer.echo(f"{len(rows)} 条 / stop(s)")


@stops_app.command("clear")
def clear_command(
    stop_id: int = typer.Argument(..., help="stop id"),
    officer: str | None = typer.Option(
        None, "--as", "--officer", help="the compliance officer acting (password asked) / 合规专员"
    ),
    reason: str = typer.Option(..., "--reason", help="why the stop is lifted / 解除理由"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
) -> None:
    """Lift a stop as a compliance officer, with a reason (解除停止联系)."""
    now = datetime.now(UTC)
    with session_scope(open_database(get_settings())) as session:
        user = operator(session, officer, Permission.CLEAR_STOPS, now, password_stdin=password_stdin)
        clear_stop(session, stop_id, officer_id=user.id, reason=reason, at=now)
    typer.echo(f"已解除 / cleared stop {stop_id}")


def register(app: typer.Typer) -> None:
    app.add_typer(stops_app, name="stops")
