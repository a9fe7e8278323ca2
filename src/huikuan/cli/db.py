"""`huikuan db upgrade`: bring the configured database to the latest schema."""

from __future__ import annotations

import typer

from huikuan.config import get_settings
from huikuan.runtime import open_database

app = typer.Typer(help="Database schema / 数据库结构", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Apply all migrations to HUIKUAN_DATABASE_URL (default: SQLite in ./var)."""
    open_database(get_settings(), migrate=True)
    typer.echo("database is at the latest schema")
