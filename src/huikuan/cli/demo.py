"""`huikuan demo`: simulated collection days (3 by default, the debtors paying overnight) on a
fresh SQLite database, then the console."""

from __future__ import annotations

import secrets
import sqlite3
import sys
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from huikuan.analytics.render import kpi_table
from huikuan.analytics.service import compute_kpis
from huikuan.cli.options import parse_day
from huikuan.compliance import calling_window
from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.dialer.campaigns import CampaignCreate, create_campaign
from huikuan.dialer.handoff import queue_transfer
from huikuan.dialer.simulate import DayResult, VirtualDay, simulate_day, simulate_payments
from huikuan.dialer.simulate_desk import DeskDay, DeskDayStats, callback_campaign, run_desk_day
from huikuan.dialogue.approval import approve_builtin_scripts
from huikuan.errors import InvalidInput, NotFound
from huikuan.outcomes.settle import Settled
from huikuan.runtime import open_database
from huikuan.security import audit
from huikuan.security.users import Role, create_user, find_user
from huikuan.sim.service import create_portfolio

DEMO_ZONE = ZoneInfo("Asia/Shanghai")
DAY_SECONDS = 14 * 3600  # 08:00-22:00, the CN calling window
MAX_DAYS = 14


# The audit action the demo writes first into a database it creates: the mark that lets a later
# demo delete that file again, and nothing else.
DEMO_MARK = "demo.database_created"


def demo_database_path(url: str) -> Path:
    """The file of an SQLite URL; anything else is refused (the demo never deletes a server db)."""
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        raise InvalidInput("--fresh works only on an SQLite file database; refusing to delete it")
    return Path(url.split("///", 1)[1])


def demo_database_url() -> str:
    """The same database every other command uses, so what the demo suggests next works on it."""
    return get_settings().resolved_database_url()


def made_by_demo(path: Path) -> bool:
    """Whether the SQLite file at `path` carries the demo's mark (read-only, nothing migrated)."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            row = conn.execute("SELECT 1 FROM audit_event WHERE action = ? LIMIT 1", (DEMO_MARK,)).fetchone()
    except sqlite3.Error:
        return False  # not a database, or not ours: never deleted without --reset
    return row is not None


def clear_demo_database(url: str, *, reset: bool, confirm: Callable[[Path], bool] | None = None) -> None:
    """Delete the demo's previous SQLite file before a fresh day; a file the demo did not make
    is deleted only with `reset` (or when `confirm` says yes), otherwise the demo refuses."""
    path = demo_database_path(url)
    ours = not path.exists() or reset or made_by_demo(path)
    if not ours and (confirm is None or not confirm(path)):
        raise InvalidInput(
            f"{path} exists and was not made by the demo; refusing to delete it "
            "(--reset deletes it, --no-fresh adds the demo to it)"
        )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# One user per role, so every part of the console can be tried; passwords are generated and
# printed once on the terminal at the end of the demo (never logged).
DEMO_USERS = (
    ("demo-supervisor", "演示主管 / demo supervisor", Role.SUPERVISOR),
    ("demo-agent", "演示坐席 / demo agent", Role.AGENT),
    ("demo-compliance-officer", "演示合规专员 / demo compliance officer", Role.COMPLIANCE_OFFICER),
    ("demo-auditor", "演示审计员 / demo auditor", Role.AUDITOR),
    ("demo-admin", "演示管理员 / demo administrator", Role.ADMIN),
)


def demo_users(session: Session, at: datetime) -> dict[str, str | None]:
    """Create the demo's users (audited); username → new password, None for one that existed."""
    created: dict[str, str | None] = {}
    for username, display, role in DEMO_USERS:
        try:
            find_user(session, username)
            created[username] = None
        except NotFound:
            password = secrets.token_urlsafe(12)
            create_user(session, username, display, password, role, actor="system", at=at)
            created[username] = password
    return created


def approve_shipped_scripts(session: Session, at: datetime) -> dict[str, int]:
    """The demo supervisor wrote and the demo compliance officer approves the shipped scripts
    (the demo users are created first if missing); returns the approved version id per code."""
    demo_users(session, at)
    author = find_user(session, "demo-supervisor").id
    officer = find_user(session, "demo-compliance-officer").id
    return approve_builtin_scripts(session, author_id=author, officer_id=officer, at=at)


def run_demo(
    *,
    accounts: int,
    robots: int,
    seed: int,
    day: date,
    fresh: bool,
    database_url: str,
    reset: bool = False,
    confirm: Callable[[Path], bool] | None = None,
    progress: Callable[[int, datetime], None] | None = None,
    users: dict[str, str | None] | None = None,
    days: int = 1,
    day_done: Callable[[DayResult, Settled], None] | None = None,
    agents: int = 2,
    desk_done: Callable[[DeskDayStats], None] | None = None,
) -> tuple[list[DayResult], Engine, int]:
    """Create the users, the portfolio and a campaign, run `days` days ending on `day` (the
    debtors pay, or not, the promises that fell due each night, so the next day's treatments and
    the reports have a history); returns (each day's result, engine, campaign id). The demo
    users' passwords go into `users` when given. `agents` simulated desk agents work the robots'
    hand-offs after each day (dialer/simulate_desk.py), so the KPIs have human rows."""
    first = day - timedelta(days=days - 1)
    if fresh or reset:
        clear_demo_database(database_url, reset=reset, confirm=confirm)
    engine = open_database(get_settings().model_copy(update={"database_url": database_url}))
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        if fresh or reset:
            audit.append(
                session,
                at=now,
                actor="system",
                action=DEMO_MARK,
                entity="database",
                entity_id=None,
                details={},
            )
        created = demo_users(session, now)
        if users is not None:
            users.update(created)
        batch_id = create_portfolio(session, accounts=accounts, seed=seed, as_of=first, jurisdiction="CN")
        scripts = approve_shipped_scripts(session, now)
        campaign = create_campaign(
            session,
            CampaignCreate(
                name=f"演示 {first.isoformat()}" + (f" – {day.isoformat()}" if days > 1 else ""),
                batch_id=batch_id,
                robots=robots,
                ends_at=datetime.combine(day, calling_window("CN").end, tzinfo=DEMO_ZONE),
            ),
            now=now,
        )
        campaign.script_version_id = scripts["reminder.zh-CN"]
        campaign_id = campaign.id
        desk_campaign = callback_campaign(session, batch_id, now) if agents else None
        audit.append(
            session,
            at=now,
            actor="system",
            action="campaign.start",
            entity="campaign",
            entity_id=campaign_id,
            details={"robots": robots, "day": first.isoformat(), "days": days, "simulated": True},
        )
    results = []
    for n in range(days):
        today = first + timedelta(days=n)
        result = simulate_day(
            engine,
            VirtualDay(campaign_id, today, lines=robots, seed=seed + n),
            progress=progress,
            on_transfer=queue_transfer if desk_campaign is not None else None,
        )
        worked = None
        if desk_campaign is not None:
            worked = run_desk_day(engine, DeskDay(campaign_id, desk_campaign, today, agents, seed=seed + n))
        with session_scope(engine) as session:  # the night: promises due by tomorrow are paid or broken
            settled = simulate_payments(session, today + timedelta(days=1), seed=seed + n)
        results.append(result)
        if day_done is not None:
            day_done(result, settled)
        if desk_done is not None and worked is not None:
            desk_done(worked)
    return results, engine, campaign_id


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        accounts: int = typer.Option(2000, help="accounts in the synthetic portfolio"),
        robots: int = typer.Option(5, help="concurrent robot lines"),
        agents: int = typer.Option(
            2, help="simulated desk agents who work the robots' hand-offs after each day (0: none)"
        ),
        seed: int = typer.Option(7, help="seed of the portfolio and the simulated day"),
        day: str = typer.Option(
            "", "--date", help="the last collection day, YYYY-MM-DD (default: today in Beijing)"
        ),
        days: int = typer.Option(3, "--days", help="collection days ending on --date (1–14)"),
        fresh: bool = typer.Option(
            True, "--fresh/--no-fresh", help="start over: delete the database a previous demo made"
        ),
        reset: bool = typer.Option(
            False, "--reset", help="delete the SQLite database even if not the demo's"
        ),
        serve: bool = typer.Option(True, "--serve/--no-serve", help="serve the console afterwards"),
        port: int = typer.Option(8000, help="console port"),
    ) -> None:
        """Run simulated collection days and serve the console / 运行模拟催收日并启动控制台。"""
        the_day = parse_day(day, "--date", default=lambda: datetime.now(DEMO_ZONE).date())
        if accounts < 1 or robots < 1 or agents < 0:
            raise InvalidInput("--accounts and --robots must be at least 1, --agents at least 0")
        if not 1 <= days <= MAX_DAYS:
            raise InvalidInput(f"--days must be 1 to {MAX_DAYS}")
        url = demo_database_url()
        console = Console()
        columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[info]}"))
        first = the_day - timedelta(days=days - 1)
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("模拟催收日 / simulated days", total=DAY_SECONDS * days, info="")

            def progress(attempts: int, now: datetime) -> None:
                local = now.astimezone(DEMO_ZONE)
                within = min(max((local.hour - 8) * 3600 + local.minute * 60 + local.second, 0), DAY_SECONDS)
                done = (local.date() - first).days * DAY_SECONDS + within
                bar.update(task, completed=done, info=f"{local:%m-%d %H:%M} · {attempts} calls")

            calls_before = 0

            def day_done(result: DayResult, settled: Settled) -> None:
                nonlocal calls_before
                console.print(
                    f"{result.day.isoformat()}: 拨打 / calls {result.attempts - calls_before}, "
                    f"每个机器人 / per robot {result.attempts_per_robot}; 夜间结算承诺 / promises settled "
                    f"overnight: 兑现 / kept {settled.kept}, 违约 / broken {settled.broken}, "
                    f"未到期 / pending {settled.pending}"
                )
                calls_before = result.attempts

            def desk_done(worked: DeskDayStats) -> None:
                console.print(
                    f"  坐席 / agents: 转接 / hand-offs {worked.hand_offs}, 回拨 / calls {worked.calls}, "
                    f"接通 / answered {worked.answered}, 承诺 / promises {worked.promises}, "
                    f"合规拒绝 / denied {sum(worked.denials.values())}"
                )

            users: dict[str, str | None] = {}
            _, engine, campaign_id = run_demo(
                accounts=accounts,
                robots=robots,
                seed=seed,
                day=the_day,
                fresh=fresh,
                database_url=url,
                reset=reset,
                confirm=ask_to_delete if sys.stdin.isatty() else None,
                progress=progress,
                users=users,
                days=days,
                day_done=day_done,
                agents=agents,
                desk_done=desk_done,
            )
            bar.update(task, completed=DAY_SECONDS * days)
        with session_scope(engine) as session:
            console.print(kpi_table(compute_kpis(session, campaign_id)))
        print_log_ins(users, port if serve else None)
        typer.echo(f"数据库 / database: {url}  (其他命令使用同一数据库 / every other command uses it too)")
        if serve:
            from huikuan.web.cli import serve_engine

            # Campaigns created and started from the console are dialled by a simulated worker.
            serve_engine(engine, "127.0.0.1", port, simulated_lines=robots)


def ask_to_delete(path: Path) -> bool:
    return typer.confirm(f"{path} 不是演示创建的数据库，删除？ / was not made by the demo; delete it?")


def print_log_ins(users: dict[str, str | None], port: int | None = None) -> None:
    """The console's address and the demo users with their passwords, once, on the terminal."""
    if port is not None:
        typer.echo(f"控制台 / console: http://127.0.0.1:{port}/")
    typer.echo("控制台登录 / console log-ins (只显示一次 / shown once):")
    roles = {username: (role.value, display) for username, display, role in DEMO_USERS}
    for username, password in users.items():
        shown = password if password is not None else "（未变 / unchanged）"
        role, display = roles[username]
        typer.echo(f"  {role:<20} {username:<26} {shown:<20} {display}")
