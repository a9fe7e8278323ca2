"""`huikuan strategy experiment …`: champion/challenger experiments, from proposal to report.

`start` (edit_strategy) proposes the challenger against the strategy driving calls now; `approve`
(approve_scripts, neither the proposer nor the challenger's author) makes it run; `stop` (either
role) ends it; `show` and `report` (view_reports) read it.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime

import typer

from huikuan.analytics.experiment import ExperimentReport, report
from huikuan.analytics.intervals import Interval
from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.errors import PermissionDenied
from huikuan.runtime import open_database
from huikuan.security.operator import ACTING, PASSWORD_STDIN, operator
from huikuan.security.permissions import Permission, allowed
from huikuan.strategy import experiments

app = typer.Typer(help="冠军/挑战者实验 / champion-challenger experiments", no_args_is_help=True)


def _line(e: experiments.ExperimentInfo) -> str:
    champion = e.champion_version_id or "shipped"
    return (
        f"{e.id}\t{e.name}\t{e.status.value}\tchampion={champion}\tchallenger={e.challenger_version_id}\t"
        f"challenger_share={e.challenger_share:g}\tholdout_share={e.holdout_share:g}\t"
        f"proposed_by={e.proposed_by}\tapproved_by={e.reviewed_by or '-'}"
    )


@app.command()
def start(
    challenger: int = typer.Option(..., "--challenger", help="challenger strategy version id"),
    share: float = typer.Option(0.5, "--share", help="challenger share of accounts, (0, 0.9]"),
    holdout: float = typer.Option(0.0, "--holdout", help="holdout share (no robot calls), [0, 0.2]"),
    name: str = typer.Option(..., "--name", help="a name for the experiment"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Propose an experiment; it runs once a compliance officer approves it (提出实验)."""
    now = datetime.now(UTC)
    with session_scope(open_database(get_settings())) as session:
        user = operator(session, acting, Permission.EDIT_STRATEGY, now, password_stdin=password_stdin).id
        e = experiments.propose(
            session,
            name=name,
            challenger_version_id=challenger,
            challenger_share=share,
            holdout_share=holdout,
            by=user,
            at=now,
        )
    typer.echo(f"已提出，待合规审批 / proposed, awaiting a compliance officer: experiment {e.id}")


@app.command()
def approve(
    experiment_id: int = typer.Argument(..., help="experiment id"),
    reason: str = typer.Option(..., "--reason", help="why the challenger may drive its share (5–500)"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Approve a proposed experiment: it runs from now on (审批实验)."""
    now = datetime.now(UTC)
    with session_scope(open_database(get_settings())) as session:
        officer = operator(session, acting, Permission.APPROVE_SCRIPTS, now, password_stdin=password_stdin).id
        e = experiments.approve(session, experiment_id, officer_id=officer, reason=reason, at=now)
    typer.echo(f"实验运行中 / experiment {e.id} running")


@app.command()
def stop(
    experiment_id: int = typer.Argument(..., help="experiment id"),
    reason: str = typer.Option(..., "--reason", help="why (5–500 characters)"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Stop a running experiment (every account back to the champion) or withdraw a proposal (停止实验)."""
    now = datetime.now(UTC)
    with session_scope(open_database(get_settings())) as session:
        user = operator(session, acting, None, now, password_stdin=password_stdin)
        if not (
            allowed(user.role, Permission.EDIT_STRATEGY) or allowed(user.role, Permission.APPROVE_SCRIPTS)
        ):
            raise PermissionDenied("无权停止实验 / your role cannot stop an experiment")
        e = experiments.stop(session, experiment_id, by=user.id, reason=reason, at=now)
    typer.echo(f"实验已结束 / experiment {e.id} {e.status.value}")


@app.command()
def show(experiment_id: int = typer.Argument(0, help="experiment id (default: all)")) -> None:
    """One experiment, or every experiment (显示实验)."""
    with session_scope(open_database(get_settings())) as session:
        rows = (
            [experiments.get(session, experiment_id)]
            if experiment_id
            else experiments.list_experiments(session)
        )
    for e in rows:
        typer.echo(_line(e))
    if not rows:
        typer.echo("尚无实验 / no experiments")


def _ci(i: Interval | None, percent: bool = True) -> str:
    if i is None:
        return "-"
    k = 100 if percent else 1
    return f"{i.estimate * k:.2f} [{i.low * k:.2f}, {i.high * k:.2f}]"


def _table(r: ExperimentReport) -> list[str]:
    lines = [
        f"experiment {r.experiment.id} {r.experiment.name} ({r.experiment.status.value}) until "
        f"{r.until.astimezone(UTC):%Y-%m-%d %H:%M} UTC; percent with 95% CI",
        "cut\tvalue\tarm\taccounts\trecovery%\tptp%\tkept%",
    ]
    for c in r.rows:
        for arm, f in c.arms.items():
            lines.append(
                f"{c.cut}\t{c.value}\t{arm}\t{f.accounts}\t{_ci(f.recovery)}\t{_ci(f.ptp_rate)}\t{_ci(f.kept_rate)}"
            )
        lines.append(
            f"{c.cut}\t{c.value}\tchallenger-champion\t-\t{_ci(c.recovery_difference)}\t"
            f"{_ci(c.ptp_difference)}\t{_ci(c.kept_difference)}"
        )
    return lines


@app.command("report")
def report_(
    experiment_id: int = typer.Argument(..., help="experiment id"),
    as_json: bool = typer.Option(False, "--json", help="one JSON document"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Each arm's recovery, PTP and kept rates with 95% intervals, per segment, bucket, channel (实验报告)."""
    now = datetime.now(UTC)
    with session_scope(open_database(get_settings())) as session:
        operator(session, acting, Permission.VIEW_REPORTS, now, password_stdin=password_stdin)
        r = report(session, experiment_id, now=now)
    if as_json:
        typer.echo(json.dumps(asdict(r), default=str, ensure_ascii=False))
        return
    for line in _table(r):
        typer.echo(line)
