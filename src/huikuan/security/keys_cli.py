"""`huikuan keys status|rotate`: the data keys of this database (docs/security.md, "Keys")."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from huikuan.config import get_settings
from huikuan.runtime import open_database
from huikuan.security import crypto, keyfiles, keys, rotation
from huikuan.security.operator import ACTING, PASSWORD_STDIN, operator
from huikuan.security.permissions import Permission

app = typer.Typer(help="数据密钥 / data keys", no_args_is_help=True)


@app.command()
def status() -> None:
    """Key ids, their state and how many values each still encrypts (密钥状态)."""
    engine = open_database(get_settings())
    with Session(engine) as session:
        rows = keys.status(session)
    table = Table("key id", "状态 state", "created (UTC)", "retired (UTC)", "values 加密值")
    for row in rows:
        table.add_row(
            row.key_id,
            row.state,
            "" if row.created_at is None else f"{row.created_at:%Y-%m-%d %H:%M}",
            "" if row.retired_at is None else f"{row.retired_at:%Y-%m-%d %H:%M}",
            str(row.values),
        )
    Console().print(table)


@app.command()
def rotate(
    key_file: Path | None = typer.Option(
        None, "--key-file", help="the new key (a 0600 file, base64); default: a new random key"
    ),
    batch_size: int = typer.Option(rotation.BATCH_SIZE, "--batch-size", min=1, help="rows per commit"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Re-encrypt every value under a new key, in batches, while workers run (轮换数据密钥).

    Run again to resume an interrupted rotation, or to finish one that values written by
    workers started before it kept open.
    """
    settings = get_settings()
    engine = open_database(settings)
    with Session(engine) as session:
        now = datetime.now(UTC)
        user_id = operator(session, acting, Permission.MANAGE_KEYS, now, password_stdin=password_stdin).id
        session.commit()
    key = keyfiles.read_key_file(key_file) if key_file is not None else None
    report = rotation.rotate(
        engine,
        crypto.cipher(),
        keys.KeySource.from_settings(settings),
        datetime.now(UTC),
        key=key,
        actor=f"user:{user_id}",
        batch_size=batch_size,
        after_batch=lambda n: typer.echo(f"  batch {n} committed", err=True) if n % 20 == 0 else None,
    )
    verb = "继续 / resumed" if report.resumed else "开始 / began"
    typer.echo(f"{verb} rotation to key {report.key_id}: {report.resealed} values re-encrypted")
    if report.finished:
        typer.echo(
            f"已完成 / finished: retired key(s) {', '.join(report.retired)} "
            "(keep their files: older recordings are sealed under them)"
        )
    elif report.remaining == 0:
        typer.echo("已完成 / finished: another run retired the old key")
    else:
        typer.echo(
            f"未完成 / not finished: {report.remaining} values still under an old key "
            "(workers started before the rotation?): restart them and run `huikuan keys rotate` again"
        )
