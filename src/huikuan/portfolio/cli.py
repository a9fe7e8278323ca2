"""`huikuan import accounts FILE --batch NAME`: import a creditor's accounts file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from huikuan.cli.options import parse_day
from huikuan.errors import InvalidInput
from huikuan.portfolio.quality import CHECKS
from huikuan.portfolio.schemas import COLUMN_BY_KEY, ImportResult
from huikuan.security.operator import ACTING, PASSWORD_STDIN, operator
from huikuan.security.permissions import Permission

app = typer.Typer(help="Import data / 导入数据", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Import data / 导入数据."""


@app.command()
def accounts(
    file: Path = typer.Argument(..., help="CSV (UTF-8, UTF-8 BOM or GBK) or XLSX file"),
    batch: str = typer.Option(..., "--batch", help="batch name 委案批次名"),
    creditor: str = typer.Option("default", "--creditor", help="creditor code 债权人代码"),
    as_of: str = typer.Option("", "--as-of", help="day the file describes, YYYY-MM-DD (default: today)"),
    errors: Path | None = typer.Option(None, "--errors", help="error report CSV (default: FILE.errors.csv)"),
    knowledge_check: str = typer.Option(
        "",
        "--knowledge-check",
        help="what the robot asks this creditor's debtors before any disclosure 核身问题: "
        "none | id_last4 | birth_year | product (default: leave as set)",
    ),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Import accounts, debtors and contacts / 导入借据、债务人和联系人。"""
    from huikuan.config import get_settings
    from huikuan.db import session_scope
    from huikuan.portfolio.importer import write_error_report
    from huikuan.portfolio.service import import_file, set_knowledge_check
    from huikuan.runtime import open_database
    from huikuan.types import KnowledgeCheck

    day = parse_day(as_of, "--as-of")
    if not batch.strip():
        raise InvalidInput("--batch must not be empty")
    check = None
    if knowledge_check:
        try:
            check = KnowledgeCheck(knowledge_check)
        except ValueError:
            choices = ", ".join(k.value for k in KnowledgeCheck)
            raise InvalidInput(f"--knowledge-check must be one of {choices}") from None
    engine = open_database(get_settings())
    try:
        with session_scope(engine) as session:
            user_id = operator(
                session, acting, Permission.IMPORT, datetime.now(UTC), password_stdin=password_stdin
            ).id
        with session_scope(engine) as session:
            result = import_file(
                session, file, batch_name=batch.strip(), creditor=creditor, as_of=day, actor=f"user:{user_id}"
            )
            if check is not None:
                set_knowledge_check(session, creditor, check)
    finally:
        engine.dispose()
    report_path = errors or file.with_name(file.name + ".errors.csv")
    if result.errors:
        write_error_report(report_path, result.errors)
    print_summary(Console(), result, report_path if result.errors else None)


@app.command()
def payments(
    file: Path = typer.Argument(
        ..., help="CSV (UTF-8, UTF-8 BOM or GBK) or XLSX: loan_id, reference, amount, paid_at"
    ),
    creditor: str = typer.Option("default", "--creditor", help="creditor code 债权人代码"),
    timezone: str = typer.Option(
        "Asia/Shanghai", "--timezone", help="zone of paid times written without one 还款时间所在时区"
    ),
    errors: Path | None = typer.Option(None, "--errors", help="error report CSV (default: FILE.errors.csv)"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Import the creditor's payments; settle promises / 导入还款记录并核销承诺还款。"""
    from huikuan.clock import is_known_zone
    from huikuan.config import get_settings
    from huikuan.db import session_scope
    from huikuan.outcomes.settle import PlanStatus, settle_plans, settle_promises
    from huikuan.portfolio.importer import write_error_report
    from huikuan.portfolio.payments import PAYMENT_COLUMNS
    from huikuan.portfolio.service import import_payments_file
    from huikuan.runtime import open_database

    if not is_known_zone(timezone):
        raise InvalidInput(f"--timezone: unknown zone {timezone[:40]!r}")
    now = datetime.now(UTC)
    engine = open_database(get_settings())
    try:
        with session_scope(engine) as session:
            user_id = operator(session, acting, Permission.IMPORT, now, password_stdin=password_stdin).id
        with session_scope(engine) as session:
            result = import_payments_file(
                session, file, creditor=creditor, at=now, actor=f"user:{user_id}", zone=timezone
            )
            today = now.astimezone(ZoneInfo(timezone)).date()
            settled = settle_promises(session, today, result.account_ids, timezone)
            plans = settle_plans(session, today, result.account_ids)
    finally:
        engine.dispose()
    report_path = errors or file.with_name(file.name + ".errors.csv")
    if result.errors:
        write_error_report(report_path, result.errors, PAYMENT_COLUMNS)
    console = Console()
    summary = Table(title="还款导入 / payments import")
    summary.add_column("项目 / item")
    summary.add_column("数量 / count", justify="right")
    for label, value in (
        ("读取行数 / rows read", str(result.rows_read)),
        ("已入账 / recorded", str(result.payments_recorded)),
        ("已存在 / already present", str(result.rows_already_present)),
        ("已拒绝 / rejected", str(result.rows_rejected)),
        ("入账金额 / amount recorded", f"{result.amount_recorded / 100:,.2f}"),
        ("结清账户 / accounts paid off", str(result.accounts_paid_off)),
        ("承诺已履约 / promises kept", str(settled.kept)),
        ("承诺已违约 / promises broken", str(settled.broken)),
        ("分期已结清 / plans kept", str(sum(p.status == PlanStatus.KEPT for p in plans))),
        ("分期已违约 / plans broken", str(sum(p.status == PlanStatus.BROKEN for p in plans))),
    ):
        summary.add_row(label, value)
    console.print(summary)
    if result.errors:
        console.print(f"错误报告 / error report: {report_path}", markup=False)


def print_summary(console: Console, result: ImportResult, report_path: Path | None) -> None:
    """The import summary and data-quality report, for a person to read."""
    if result.already_imported:
        console.print(
            f"批次 {result.batch_name} 已导入，未新增数据 / batch already imported, nothing added",
            markup=False,
        )
    else:
        console.print(f"导入完成 / imported: batch {result.batch_name} (id {result.batch_id})", markup=False)
    summary = Table(title="导入汇总 / import summary")
    summary.add_column("项目 / item")
    summary.add_column("数量 / count", justify="right")
    for label, value in (
        ("读取行数 / rows read", result.rows_read),
        ("已导入 / imported", result.rows_imported),
        ("已拒绝 / rejected", result.rows_rejected),
        ("已存在 / already present", result.rows_already_present),
        ("新债务人 / new debtors", result.debtors_created),
        ("新联系电话 / new contacts", result.contacts_created),
    ):
        summary.add_row(label, str(value))
    console.print(summary)
    if result.rejected_by_reason:
        reasons = Table(title="拒绝原因 / rejected by reason")
        reasons.add_column("原因 / reason")
        reasons.add_column("数量 / count", justify="right")
        for reason, count in sorted(result.rejected_by_reason.items(), key=lambda item: -item[1]):
            reasons.add_row(reason, str(count))
        console.print(reasons)
    if report_path is not None:
        console.print(f"错误报告 / error report: {report_path}", markup=False)
    if result.extra_columns:
        console.print(
            f"已忽略的列 / ignored columns: {', '.join(result.extra_columns)}", markup=False, highlight=False
        )
    q = result.quality
    checks = Table(title="数据质量 / data quality")
    checks.add_column("检查 / check")
    checks.add_column("行数 / rows", justify="right")
    for column, count in sorted(q.missing.items()):
        label = COLUMN_BY_KEY[column].label if column in COLUMN_BY_KEY else column
        checks.add_row(f"缺少 / missing {label}", str(count))
    for check, count in q.suspicious.items():
        checks.add_row(CHECKS.get(check, check), str(count))
    checks.add_row("多个债务人共用本人号码 / own number shared by debtors", str(q.shared_phone_numbers))
    checks.add_row("同一身份证不同姓名 / one ID, several names", str(q.ids_with_different_names))
    console.print(checks)
