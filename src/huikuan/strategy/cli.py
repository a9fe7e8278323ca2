"""`huikuan strategy …`: the collection strategy as data, from draft to approval.

`edit_strategy` (supervisors, administrators) imports and submits a strategy YAML; a person
with `approve_scripts` (compliance officers) who did not write it approves or rejects it with a
reason. The newest approved strategy drives every call; `show` prints it (or the shipped one).
`experiment …` runs a challenger against it (`experiment_cli.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.errors import InvalidInput, UnreadableFile
from huikuan.runtime import open_database
from huikuan.security.operator import ACTING, PASSWORD_STDIN, operator
from huikuan.security.permissions import Permission
from huikuan.strategy import experiment_cli, versions
from huikuan.strategy.document import DEFAULT_PATH, parse_strategy

app = typer.Typer(help="催收策略 / collection strategy", no_args_is_help=True)
app.add_typer(experiment_cli.app, name="experiment")


def _read(file: Path) -> str:
    if not file.is_file():
        raise InvalidInput(f"文件不存在 / no such file: {file}")
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"{file} 不是UTF-8文本 / is not UTF-8 text (byte offset {exc.start})") from None


def _line(v: versions.StrategyInfo) -> str:
    reviewed = v.reviewed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if v.reviewed_at else "-"
    return (
        f"{v.id}\t{v.name}\tv{v.version}\t{v.status.value}\tauthor={v.author_id or '-'}\t"
        f"reviewed_by={v.reviewed_by or '-'}\treviewed_at={reviewed}"
    )


@app.command("list")
def list_() -> None:
    """Every stored version (列出策略版本)."""
    with session_scope(open_database(get_settings())) as session:
        rows = versions.list_versions(session)
    for v in rows:
        typer.echo(_line(v))
    if not rows:
        typer.echo("尚无策略版本，使用内置策略 / no stored versions: the shipped strategy applies")


@app.command()
def show(version_id: int = typer.Argument(0, help="version id (default: the active strategy)")) -> None:
    """Print a version's YAML, or the strategy driving calls now (显示策略)."""
    with session_scope(open_database(get_settings())) as session:
        if version_id:
            text = versions.content_of(session, version_id)
        else:
            active = versions.active_version_id(session)
            text = (
                versions.content_of(session, active) if active else DEFAULT_PATH.read_text(encoding="utf-8")
            )
    typer.echo(text.rstrip("\n"))


@app.command()
def check(file: Path = typer.Argument(..., help="strategy YAML")) -> None:
    """Validate a strategy file without storing it (校验策略文件)."""
    strategy = parse_strategy(_read(file))
    typer.echo(f"策略有效 / valid strategy: {strategy.name}, {len(strategy.doc.rules)} rules")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="strategy YAML"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Store a strategy file as a new draft version (导入策略草稿)."""
    content = _read(file)
    now = datetime.now(UTC)
    with session_scope(open_database(get_settings())) as session:
        author = operator(session, acting, Permission.EDIT_STRATEGY, now, password_stdin=password_stdin).id
        v = versions.create_draft(session, content, author_id=author, at=now)
    typer.echo(f"已导入草稿 / draft stored {v.id}: {v.name} v{v.version}")


@app.command()
def submit(
    version_id: int = typer.Argument(..., help="version id"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Submit a draft for approval (提交审批)."""
    now = datetime.now(UTC)
    with session_scope(open_database(get_settings())) as session:
        user = operator(session, acting, Permission.EDIT_STRATEGY, now, password_stdin=password_stdin).id
        v = versions.submit(session, version_id, by=user, at=now)
    typer.echo(f"已提交 / submitted {v.id}: {v.name} v{v.version}")


@app.command()
def approve(
    version_id: int = typer.Argument(..., help="version id"),
    reason: str = typer.Option(..., "--reason", help="why it may drive calls (5–500 characters)"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Approve a submitted version: it drives every call from now on (审批通过)."""
    now = datetime.now(UTC)
    with session_scope(open_database(get_settings())) as session:
        officer = operator(session, acting, Permission.APPROVE_SCRIPTS, now, password_stdin=password_stdin).id
        v = versions.approve(session, version_id, officer_id=officer, reason=reason, at=now)
    typer.echo(f"已审批，现行策略 / approved, now active {v.id}: {v.name} v{v.version}")


@app.command()
def reject(
    version_id: int = typer.Argument(..., help="version id"),
    reason: str = typer.Option(..., "--reason", help="why (the author reads it)"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Reject a submitted version with a reason (驳回)."""
    now = datetime.now(UTC)
    with session_scope(open_database(get_settings())) as session:
        officer = operator(session, acting, Permission.APPROVE_SCRIPTS, now, password_stdin=password_stdin).id
        v = versions.reject(session, version_id, officer_id=officer, reason=reason, at=now)
    typer.echo(f"已驳回 / rejected {v.id}: {v.name} v{v.version}")
