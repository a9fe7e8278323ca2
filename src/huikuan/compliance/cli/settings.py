"""`huikuan compliance settings show|set`: the operator's tightening of the rule packs."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table

from huikuan.compliance.rule_settings import changes_from, set_rule_settings, show
from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.runtime import open_database
from huikuan.security.operator import operator
from huikuan.security.permissions import Permission

settings_app = typer.Typer(help="运营方规则设置 / operator rule settings", no_args_is_help=True)


@settings_app.command("show")
def show_command(
    jurisdiction: str = typer.Argument("CN", help="CN | US"),
) -> None:
    """Each settable parameter: the regulation's value and the one in force (规则设置)."""
    table = Table("rule", "setting", "regulation 法规", "in force 生效")
    for v in show(jurisdiction):
        mark = "" if v.regulation == v.effective else " *"
        table.add_row(v.rule_id, v.name, str(v.regulation), f"{v.effective}{mark}")
    Console().print(table)
    path = get_settings().rule_settings
    typer.echo(f"HUIKUAN_RULE_SETTINGS={path}" if path else "HUIKUAN_RULE_SETTINGS not set: the regulation")


@settings_app.command("set")
def set_command(
    jurisdiction: str = typer.Argument(..., help="CN | US"),
    assignments: list[str] = typer.Argument(..., help="RULE.NAME=VALUE, e.g. CN.TIME.start=09:00"),
    user: str | None = typer.Option(
        None, "--as", "--user", help="a compliance officer or admin, password asked / 合规专员或管理员"
    ),
    reason: str | None = typer.Option(
        None, "--reason", help="loosening below the regulation: the officer's reason / 放宽理由"
    ),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
) -> None:
    """Tighten (or, as an officer with a reason, loosen) rule settings; audited (修改规则设置)."""
    changes = changes_from(assignments)
    with session_scope(open_database(get_settings())) as session:
        now = datetime.now(UTC)
        actor = operator(session, user, Permission.RULE_SETTINGS, now, password_stdin=password_stdin)
        change = set_rule_settings(session, jurisdiction, changes, actor_id=actor.id, at=now, reason=reason)
    change.write()  # after the audit record is committed
    typer.echo(f"已更新 / updated {jurisdiction} rule settings")


def register(app: typer.Typer) -> None:
    app.add_typer(settings_app, name="settings")
