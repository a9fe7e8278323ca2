"""`huikuan data retention|purge|export-debtor|erase-debtor`: the data lifecycle."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.errors import InvalidInput
from huikuan.runtime import open_database
from huikuan.security import audit
from huikuan.security.operator import ACTING, PASSWORD_STDIN, operator
from huikuan.security.permissions import Permission, require

app = typer.Typer(help="数据生命周期 / data lifecycle", no_args_is_help=True)
REASON = typer.Option(..., "--reason", help="why, 5-200 characters (recorded in the audit log) / 理由")


def _reason(text: str) -> str:
    reason = text.strip()
    if not 5 <= len(reason) <= 200:
        raise InvalidInput("--reason 须为5到200个字符 / --reason must be 5 to 200 characters")
    return reason


def _audit(session: Session, user_id: int, action: str, debtor_id: int, reason: str, at: datetime) -> None:
    """Who acted on which debtor and why; never the data itself."""
    audit.append(
        session,
        at=at,
        actor=f"user:{user_id}",
        action=action,
        entity="debtor",
        entity_id=debtor_id,
        details={"reason": reason},
    )


@app.command("retention")
def retention() -> None:
    """How long each kind of data is kept, and why (保存期限)."""
    from huikuan.lifecycle.retention import POLICY

    table = Table("kind", "keep", "规则", "rule")
    for r in POLICY:
        keep = "—" if r.keep is None else f"{r.keep.days} days"
        table.add_row(r.kind, keep, r.rule_zh, r.rule_en)
    Console(width=200).print(table)


@app.command("purge")
def purge_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="count only / 只统计"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Delete what is past its retention period; run it daily (清理过期数据)."""
    from huikuan.lifecycle.purge import purge

    settings = get_settings()
    now = datetime.now(UTC)
    with session_scope(open_database(settings)) as session:
        operator(session, acting, Permission.RUN_RETENTION, now, password_stdin=password_stdin)
        counts = purge(session, settings.data_dir, now, dry_run=dry_run)
    verb = "将删除 / would delete" if dry_run else "已删除 / deleted"
    typer.echo(f"{verb}: " + ", ".join(f"{kind} {n}" for kind, n in counts.items()))


@app.command("export-debtor")
def export_debtor_command(
    debtor_id: int = typer.Argument(..., help="debtor id"),
    reason: str = REASON,
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Everything held on one debtor, in full, as JSON (个人信息查阅/复制请求); audited."""
    from huikuan.lifecycle.subject import export_debtor

    reason = _reason(reason)
    now = datetime.now(UTC)
    with session_scope(open_database(get_settings())) as session:
        user = operator(session, acting, Permission.VIEW_FULL, now, password_stdin=password_stdin)
        require(user, Permission.EXPORT)
        data = export_debtor(session, debtor_id)
        _audit(session, user.id, "personal_data.export", debtor_id, reason, now)
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@app.command("erase-debtor")
def erase_debtor_command(
    debtor_id: int = typer.Argument(..., help="debtor id"),
    reason: str = REASON,
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Erase a debtor's personal data where the law allows it (删除个人信息); audited."""
    from huikuan.lifecycle.subject import erase_debtor

    reason = _reason(reason)
    now = datetime.now(UTC)
    with session_scope(open_database(get_settings())) as session:
        user = operator(session, acting, Permission.ERASE_DATA, now, password_stdin=password_stdin)
        erase_debtor(session, debtor_id, now)
        _audit(session, user.id, "personal_data.erase", debtor_id, reason, now)
    typer.echo(f"已删除个人信息 / personal data of debtor {debtor_id} erased")
