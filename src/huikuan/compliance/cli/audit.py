"""`huikuan compliance audit FILE`: list every violation found in an attempts export."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from huikuan.compliance.replay import AuditReport, audit
from huikuan.errors import UnreadableFile


def audit_command(
    file: Path = typer.Argument(..., help="attempts export (JSON Lines) / 通话记录导出文件"),
    as_json: bool = typer.Option(False, "--json", help="one JSON line per violation, then a summary line"),
) -> None:
    """Replay an attempts export through the rule packs (合规审计)."""
    report = audit(_records(file))
    _print(report, as_json)
    if report.bad_lines:
        sys.stderr.write(
            f"error: {len(report.bad_lines)} 行无法读取 / {len(report.bad_lines)} line(s) unreadable: "
            f"{report.bad_lines[0]}\n"
        )
        raise typer.Exit(code=2)
    if report.violations:
        raise typer.Exit(code=1)


def _records(file: Path) -> Iterator[tuple[int, Any]]:
    try:
        handle = file.open(encoding="utf-8")
    except OSError as exc:
        raise UnreadableFile(f"无法打开文件 / cannot open {file.name}: {exc.strerror}") from None
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError:
                    yield number, None
        except UnicodeDecodeError:
            raise UnreadableFile(f"文件不是 UTF-8 文本 / {file.name} is not UTF-8 text") from None


def _print(report: AuditReport, as_json: bool) -> None:
    if as_json:
        for v in report.violations:
            typer.echo(
                json.dumps(
                    {
                        "attempt_id": v.attempt_id,
                        "debtor_id": v.debtor_id,
                        "at": v.at,
                        "rule": v.rule,
                        "reason": v.reason,
                    },
                    ensure_ascii=False,
                )
            )
        typer.echo(
            json.dumps(
                {
                    "attempts": report.attempts,
                    "debtors": report.debtors,
                    "violations": len(report.violations),
                    "not_checked": list(report.not_checked),
                },
                ensure_ascii=False,
            )
        )
        return
    for v in report.violations:
        typer.echo(f"attempt {v.attempt_id} debtor {v.debtor_id} {v.at} {v.rule}: {v.reason}")
    if report.violations:
        typer.echo(
            f"发现 {len(report.violations)} 处违规 / {len(report.violations)} violation(s) "
            f"in {report.attempts} attempts of {report.debtors} debtors"
        )
    else:
        typer.echo(
            f"未发现违规 / no violations: {report.attempts} attempts of {report.debtors} debtors checked"
        )
    typer.echo(f"导出中无法核查的规则 / not checkable from an export: {', '.join(report.not_checked)}")


def register(app: typer.Typer) -> None:
    app.command("audit")(audit_command)
