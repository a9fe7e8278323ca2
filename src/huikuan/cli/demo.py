"""`huikuan demo`: a full simulated collection day on a fresh SQLite database, then the console."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime
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
from huikuan.dialer.simulate import DayResult, VirtualDay, simulate_day
from huikuan.dialogue.approval import approve_builtin_scripts
from huikuan.errors import InvalidInput, NotFound
from huikuan.runtime import open_database
from huikuan.security import audit
from huikuan.security.users import Role, create_user, find_user
from huikuan.sim.service import create_portfolio

DEMO_ZONE = ZoneInfo("Asia/Shanghai")
DAY_SECONDS = 14 * 3600  # 08:00-22:00, the CN calling window


def demo_database_path(url: str) -> Path:
    """The file of an SQLite URL; anything else is refused (the demo never deletes a server db)."""
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        raise InvalidInput("--fresh works only on an SQLite file database; refusing to delete it")
    return Path(url.split("///", 1)[1])


def demo_database_url() -> str:
    settings = get_settings()
    return settings.database_url or f"sqlite:///{settings.data_dir / 'demo.db'}"


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
    progress: Callable[[int, datetime], None] | None = None,
    users: dict[str, str | None] | None = None,
) -> tuple[DayResult, Engine, int]:
    """Create the users, the portfolio and a campaign, run the day; returns (result, engine,
    campaign id). The demo users' passwords go into `users` when given."""
    if fresh:
        path = demo_database_path(database_url)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = open_database(get_settings().model_copy(update={"database_url": database_url}))
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        created = demo_users(session, now)
        if users is not None:
            users.update(created)
        batch_id = create_portfolio(session, accounts=accounts, seed=seed, as_of=day, jurisdiction="CN")
        scripts = approve_shipped_scripts(session, now)
        campaign = create_campaign(
            session,
            CampaignCreate(
                name=f"演示 {day.isoformat()}",
                batch_id=batch_id,
                robots=robots,
                ends_at=datetime.combine(day, calling_window("CN").end, tzinfo=DEMO_ZONE),
            ),
            now=now,
        )
        campaign.script_version_id = scripts["reminder.zh-CN"]
        campaign_id = campaign.id
        audit.append(
            session,
            at=now,
            actor="system",
            action="campaign.start",
            entity="campaign",
            entity_id=campaign_id,
            details={"robots": robots, "day": day.isoformat(), "simulated": True},
        )
    result = simulate_day(engine, VirtualDay(campaign_id, day, lines=robots, seed=seed), progress=progress)
    return result, engine, campaign_id


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        accounts: int = typer.Option(2000, help="accounts in the synthetic portfolio"),
        robots: int = typer.Option(5, help="concurrent robot lines"),
        seed: int = typer.Option(7, help="seed of the portfolio and the simulated day"),
        day: str = typer.Option(
            "", "--date", help="the collection day, YYYY-MM-DD (default: today in Beijing)"
        ),
        fresh: bool = typer.Option(True, "--fresh/--no-fresh", help="delete the demo SQLite file first"),
        serve: bool = typer.Option(True, "--serve/--no-serve", help="serve the console afterwards"),
        port: int = typer.Option(8000, help="console port"),
    ) -> None:
        """Run a full simulated collection day and serve the console / 运行一个模拟催收日。"""
        the_day = parse_day(day, "--date", default=lambda: datetime.now(DEMO_ZONE).date())
        if accounts < 1 or robots < 1:
            raise InvalidInput("--accounts and --robots must be at least 1")
        url = demo_database_url()
        console = Console()
        columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[info]}"))
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("模拟催收日 / simulated day", total=DAY_SECONDS, info="")

            def progress(attempts: int, now: datetime) -> None:
                local = now.astimezone(DEMO_ZONE)
                done = (local.hour - 8) * 3600 + local.minute * 60 + local.second
                bar.update(
                    task, completed=min(max(done, 0), DAY_SECONDS), info=f"{local:%H:%M} · {attempts} calls"
                )

            users: dict[str, str | None] = {}
            result, engine, campaign_id = run_demo(
                accounts=accounts,
                robots=robots,
                seed=seed,
                day=the_day,
                fresh=fresh,
                database_url=url,
                progress=progress,
                users=users,
            )
            bar.update(task, completed=DAY_SECONDS)
        console.print(f"每个机器人拨打 / attempts per robot: {result.attempts_per_robot}")
        with session_scope(engine) as session:
            console.print(kpi_table(compute_kpis(session, campaign_id)))
        print_log_ins(users)
        if serve:
            from huikuan.web.cli import serve_engine

            # Campaigns created and started from the console are dialled by a simulated worker.
            serve_engine(engine, "127.0.0.1", port, simulated_lines=robots)


def print_log_ins(users: dict[str, str | None]) -> None:
    """The demo users and their passwords, once, on the terminal."""
    typer.echo("控制台登录 / console log-ins (只显示一次 / shown once):")
    roles = {username: role.value for username, _, role in DEMO_USERS}
    for username, password in users.items():
        shown = password if password is not None else "（未变 / unchanged）"
        typer.echo(f"  {roles[username]:<20} {username:<26} {shown}")
