"""`huikuan script …`: script versions (话术版本) from draft to approval and retirement.

Every change is made as a user (`--as`, password asked; security/operator.py) holding the
matrix's permission: edit_scripts to import and submit, approve_scripts (compliance officers)
to approve, reject or retire, and never one's own script. Approval, rejection, retirement and
the lint are
`dialogue.approval` (a compliance officer's decision); storing and reading versions is
`dialogue.versions`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from sqlalchemy.orm import Session

from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.dialogue import approval, versions
from huikuan.errors import InvalidInput, UnreadableFile
from huikuan.runtime import open_database
from huikuan.security.operator import ACTING, PASSWORD_STDIN, operator
from huikuan.security.permissions import Permission

app = typer.Typer(help="话术版本与审批 / script versions and approval", no_args_is_help=True)


def _read(file: Path) -> str:
    if not file.is_file():
        raise InvalidInput(f"文件不存在 / no such file: {file}")
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{file} 不是UTF-8文本 / is not UTF-8 text (byte offset {exc.start})") from None


def _fmt(at: datetime | None) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if at else "-"


def _line(v: versions.VersionInfo) -> str:
    return (
        f"{v.id}\t{v.code}\tv{v.version}\t{v.status.value}\tauthor={v.author_id or '-'}\t"
        f"approved_by={v.approved_by or '-'}\tapproved_at={_fmt(v.approved_at)}"
    )


@app.command("list")
def list_(
    script: str = typer.Option("", "--script", help="only this script code, e.g. reminder.zh-CN"),
) -> None:
    """List script versions (列出话术版本)."""
    with session_scope(open_database(get_settings())) as session:
        rows = versions.list_versions(session, script or None)
    typer.echo("id\tscript\tversion\tstatus\tauthor\tapproved_by\tapproved_at")
    for v in rows:
        typer.echo(_line(v))


@app.command()
def show(version_id: int = typer.Argument(..., help="version id")) -> None:
    """Show one version and its YAML (查看话术版本)."""
    with session_scope(open_database(get_settings())) as session:
        v = versions.get_version(session, version_id)
    typer.echo(_line(v))
    typer.echo(
        f"created_at={_fmt(v.created_at)}\tsubmitted_at={_fmt(v.submitted_at)}\t"
        f"retired_at={_fmt(v.retired_at)}"
    )
    if v.rejected_reason:
        typer.echo(f"驳回理由 / rejected: {v.rejected_reason}")
    typer.echo("---")
    typer.echo(v.content.rstrip("\n"))


@app.command()
def lint(file: Path = typer.Argument(..., help="script YAML")) -> None:
    """Check a script file with the content guard and the disclosure rules (话术检查)."""
    findings = approval.lint(_read(file))
    for f in findings:
        typer.echo(f.describe())
    if findings:
        raise InvalidInput(f"{file}: 检查发现{len(findings)}个问题 / the lint found {len(findings)} problems")
    typer.echo(f"{file}: 检查通过 / lint passed")


def _acting(session: Session, acting: str | None, permission: Permission, password_stdin: bool) -> int:
    return operator(session, acting, permission, datetime.now(UTC), password_stdin=password_stdin).id


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="script YAML"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Store a script file as a new draft version, authored by the acting user (导入为草稿)."""
    content = _read(file)
    with session_scope(open_database(get_settings())) as session:
        author = _acting(session, acting, Permission.EDIT_SCRIPTS, password_stdin)
        v = versions.create_draft(session, content, author_id=author, at=datetime.now(UTC))
    typer.echo(f"草稿 / draft {v.id}: {v.code} v{v.version}")


@app.command()
def submit(
    version_id: int = typer.Argument(..., help="version id"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Submit a draft for compliance approval (提交审批)."""
    with session_scope(open_database(get_settings())) as session:
        actor = _acting(session, acting, Permission.EDIT_SCRIPTS, password_stdin)
        v = versions.submit(session, version_id, by=actor, at=datetime.now(UTC))
    typer.echo(f"已提交 / submitted {v.id}: {v.code} v{v.version}")


@app.command()
def approve(
    version_id: int = typer.Argument(..., help="version id"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Approve a submitted version as a compliance officer who did not write it (审批通过)."""
    with session_scope(open_database(get_settings())) as session:
        officer = _acting(session, acting, Permission.APPROVE_SCRIPTS, password_stdin)
        result = approval.approve(session, version_id, officer, datetime.now(UTC))
    v = result.version
    typer.echo(f"已审批 / approved {v.id}: {v.code} v{v.version}")
    if result.retired is not None:
        typer.echo(f"已停用 / retired {result.retired.id}: {v.code} v{result.retired.version}")


@app.command()
def reject(
    version_id: int = typer.Argument(..., help="version id"),
    reason: str = typer.Option(..., "--reason", help="why (the author reads it)"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Send a submitted version back to draft with a reason (驳回)."""
    with session_scope(open_database(get_settings())) as session:
        officer = _acting(session, acting, Permission.APPROVE_SCRIPTS, password_stdin)
        v = approval.reject(session, version_id, officer, reason, datetime.now(UTC))
    typer.echo(f"已驳回 / rejected {v.id}: {v.code} v{v.version} (back to draft)")


@app.command()
def retire(
    version_id: int = typer.Argument(..., help="version id"),
    reason: str = typer.Option("", "--reason", help="why"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Stop an approved version from running, as a compliance officer (停用)."""
    with session_scope(open_database(get_settings())) as session:
        officer = _acting(session, acting, Permission.APPROVE_SCRIPTS, password_stdin)
        v = approval.retire(session, version_id, officer, datetime.now(UTC), reason)
    typer.echo(f"已停用 / retired {v.id}: {v.code} v{v.version}")
