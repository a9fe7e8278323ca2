"""`huikuan report --from --to --format html|xlsx|csv`: the KPI report of local days from..to
(both included) as one self-contained HTML file, a workbook or a long CSV (docs/reports.md).
Aggregates and codes only, no personal data; read-only, so no acting user is asked for."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from sqlalchemy.orm import Session

from huikuan.analytics.kpi_report import KpiReport, build
from huikuan.analytics.service import day_range
from huikuan.errors import InvalidInput

FORMATS = ("html", "xlsx", "csv")
DEFAULT_ZONE = "Asia/Shanghai"


def parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{option} 不是日期 YYYY-MM-DD / {option} is not a date YYYY-MM-DD: {text[:32]!r}"
        ) from None


def kpi_report(session: Session, first: date, last: date, zone: str) -> KpiReport:
    """The report of local days first..last in `zone`, agents' calls from the desk."""
    from huikuan.desk.report import agents_by_attempt

    since, until = day_range(first, last, zone)
    return build(session, since, until, zone, last, agents=agents_by_attempt(session, since, until))


def report_bytes(report: KpiReport, fmt: str) -> bytes:
    from huikuan.analytics.report_files import long_rows, sheets
    from huikuan.analytics.report_html import render_html
    from huikuan.security.spreadsheet import csv_bytes, xlsx_bytes

    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "xlsx":
        return xlsx_bytes(sheets(report))
    return csv_bytes(long_rows(report))


def report(
    from_: str = typer.Option(..., "--from", help="first local day / 开始日期 YYYY-MM-DD"),
    to: str = typer.Option(..., "--to", help="last local day, included / 结束日期 YYYY-MM-DD"),
    format: str = typer.Option("html", "--format", help="html | xlsx | csv"),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="file to write (default: standard output)"
    ),
    timezone: str = typer.Option(DEFAULT_ZONE, "--timezone", help="the floor's time zone / 时区"),
) -> None:
    """KPI 报表（定义、分维度、图表、公平性）/ the KPI report: definitions, cuts, charts, fairness."""
    fmt = format.strip().lower()
    if fmt not in FORMATS:
        raise InvalidInput(
            f"格式须为 html、xlsx 或 csv / --format must be html, xlsx or csv: {format[:16]!r}"
        )
    first, last = parse_day(from_, "--from"), parse_day(to, "--to")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"未知时区 / unknown time zone: {timezone[:64]!r}") from None
    day_range(first, last, timezone)  # a reversed or too long period: refused before the database opens
    from huikuan.config import get_settings
    from huikuan.db import session_scope
    from huikuan.runtime import open_database

    engine = open_database(get_settings())
    with session_scope(engine) as session:
        body = report_bytes(kpi_report(session, first, last, timezone), fmt)
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        output.write_bytes(body)
        typer.echo(
            f"已写入 / written: {output} ({len(body):,} bytes, {datetime.now(UTC):%H:%M:%S} UTC)", err=True
        )


def register(app: typer.Typer) -> None:
    app.command("report")(report)
