"""`huikuan export attempts`: the attempts export as JSON Lines, CSV or XLSX."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import typer

from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.errors import InvalidInput
from huikuan.outcomes.export import iter_attempt_records, write_csv, write_jsonl, write_xlsx
from huikuan.runtime import open_database
from huikuan.security import audit
from huikuan.security.operator import ACTING, PASSWORD_STDIN, operator
from huikuan.security.permissions import Permission

app = typer.Typer(help="Export data / 导出数据", no_args_is_help=True)


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"
    XLSX = "xlsx"


def parse_instant(text: str, option: str) -> datetime:
    """An ISO 8601 date or date-time; one without an offset is taken as UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"{option} is not an ISO 8601 date or date-time: {text!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@app.command()
def attempts(
    since: str = typer.Option(None, help="Start (inclusive), ISO 8601; no offset means UTC"),
    until: str = typer.Option(None, help="End (exclusive), ISO 8601; no offset means UTC"),
    format: ExportFormat = typer.Option(ExportFormat.JSONL, "--format", help="Output format"),
    output: Path = typer.Option(None, "--output", "-o", help="File to write (default: standard output)"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """One record per call attempt, ids only (导出拨打记录): JSON Lines, or CSV/XLSX for a
    spreadsheet (texts that would run as formulas are written as text); needs the export
    permission."""
    start = parse_instant(since, "--since") if since else None
    end = parse_instant(until, "--until") if until else None
    engine = open_database(get_settings())
    with session_scope(engine) as session:
        user_id = operator(
            session, acting, Permission.EXPORT, datetime.now(UTC), password_stdin=password_stdin
        ).id
    with session_scope(engine) as session:
        records = iter_attempt_records(session, start, end)
        if format is ExportFormat.XLSX:
            if output is None:
                count = write_xlsx(records, sys.stdout.buffer)
            else:
                with output.open("wb") as binary:
                    count = write_xlsx(records, binary)
        else:
            write = write_csv if format is ExportFormat.CSV else write_jsonl
            if output is None:
                count = write(records, sys.stdout)
            else:
                with output.open("w", encoding="utf-8", newline="") as out:
                    count = write(records, out)
        audit.append(
            session,
            at=datetime.now(UTC),
            actor=f"user:{user_id}",
            action="export.attempts",
            entity="attempt",
            details={
                "records": count,
                "since": None if start is None else start.isoformat(),
                "until": None if end is None else end.isoformat(),
                "format": format.value,
            },
        )
    typer.echo(f"导出 {count} 条拨打记录 / exported {count} attempts", err=True)
