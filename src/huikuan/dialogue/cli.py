"""`huikuan script …`: script versions (话术版本) from draft to approval and retirement.

Users are named by username; the CLI trusts the operator who has database access (the web
console authenticates its users). Approval, rejection, retirement and the lint are
`dialogue.approval` (a compliance officer's decision); storing and reading versions is
`dialogue.versions`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.dialogue import approval, versions
from huikuan.errors import InvalidInput, UnreadableFile
from huikuan.runtime import open_database
from huikuan.security.users import find_user

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


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="script YAML"),
    author: str = typer.Option(..., "--author", help="username of the author"),
) -> None:
    """Store a script file as a new draft version (导入为草稿)."""
    content = _read(file)
    with session_scope(open_database(get_settings())) as session:
        user = find_user(session, author)
        v = versions.create_draft(session, content, author_id=user.id, at=datetime.now(UTC))
    typer.echo(f"草稿 / draft {v.id}: {v.code} v{v.version}")


@app.command()
def submit(
    version_id: int = typer.Argument(..., help="version id"),
    by: str = typer.Option("", "--by", help="username (default: the version's author)"),
) -> None:
    """Submit a draft for compliance approval (提交审批)."""
    with session_scope(open_database(get_settings())) as session:
        if by:
            actor = find_user(session, by).id
        else:
            author = versions.get_version(session, version_id).author_id
            if author is None:
                raise InvalidInput("此版本没有作者，请用 --by / this version has no author: use --by")
            actor = author
        v = versions.submit(session, version_id, by=actor, at=datetime.now(UTC))
    typer.echo(f"已提交 / submitted {v.id}: {v.code} v{v.version}")


@app.command()
def approve(
    version_id: int = typer.Argument(..., help="version id"),
    officer: str = typer.Option(..., "--officer", help="username of the compliance officer"),
) -> None:
    """Approve a submitted version; it replaces the running one (审批通过)."""
    with session_scope(open_database(get_settings())) as session:
        result = approval.approve(session, version_id, find_user(session, officer).id, datetime.now(UTC))
    v = result.version
    typer.echo(f"已审批 / approved {v.id}: {v.code} v{v.version}")
    if result.retired is not None:
        typer.echo(f"已停用 / retired {result.retired.id}: {v.code} v{result.retired.version}")


@app.command()
def reject(
    version_id: int = typer.Argument(..., help="version id"),
    officer: str = typer.Option(..., "--officer", help="username of the compliance officer"),
    reason: str = typer.Option(..., "--reason", help="why (the author reads it)"),
) -> None:
    """Send a submitted version back to draft with a reason (驳回)."""
    with session_scope(open_database(get_settings())) as session:
        v = approval.reject(session, version_id, find_user(session, officer).id, reason, datetime.now(UTC))
    typer.echo(f"已驳回 / rejected {v.id}: {v.code} v{v.version} (back to draft)")


@app.command()
def retire(
    version_id: int = typer.Argument(..., help="version id"),
    officer: str = typer.Option(..., "--officer", help="username of a compliance officer or admin"),
    reason: str = typer.Option("", "--reason", help="why"),
) -> None:
    """Stop an approved version from running (停用)."""
    with session_scope(open_database(get_settings())) as session:
        v = approval.retire(session, version_id, find_user(session, officer).id, datetime.now(UTC), reason)
    typer.echo(f"已停用 / retired {v.id}: {v.code} v{v.version}")
