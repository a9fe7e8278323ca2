"""`huikuan demo`: a full simulated collection day on a fresh SQLite database, then the console."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from huikuan.errors import HuikuanError, InvalidInput

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from huikuan.dialer import DayResult


def demo_database_path(url: str) -> Path:
    """The file of an SQLite URL; anything else is refused (the demo never deletes a server db)."""
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        raise InvalidInput("--fresh works only on an SQLite file database; refusing to delete it")
    return Path(url.split("///", 1)[1])


def run_demo(
    *, accounts: int, robots: int, seed: int, day: date, fresh: bool, database_url: str | None = None
) -> tuple[DayResult, Engine, int, str]:
    """Create the portfolio and a campaign, run the day; returns (result, engine, campaign id, url)."""
    from rich.progress import BarColumn, Progress, TextColumn

    from huikuan.config import get_settings
    from huikuan.db import session_scope
    from huikuan.dialer import run_day
    from huikuan.dialer.models import Campaign
    from huikuan.runtime import open_database
    from huikuan.telephony import SimulatedCarrier, load_directory

    settings = get_settings()
    url = database_url or settings.database_url or f"sqlite:///{settings.data_dir / 'demo.db'}"
    if fresh:
        path = demo_database_path(url)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = open_database(settings.model_copy(update={"database_url": url}))
    try:
        from huikuan.sim.service import create_portfolio
    except ModuleNotFoundError as exc:
        raise HuikuanError("the portfolio generator (huikuan.sim.service) is not installed yet") from exc
    with session_scope(engine) as session:
        batch_id = create_portfolio(session, accounts=accounts, seed=seed, as_of=day, jurisdiction="CN")
        campaign = Campaign(
            name=f"演示 {day.isoformat()}",
            jurisdiction="CN",
            batch_id=batch_id,
            robots=robots,
            status="draft",
            created_at=datetime.now(UTC),
        )
        session.add(campaign)
        session.flush()
        campaign_id = campaign.id
        directory = load_directory(session)
    total_seconds = 14 * 3600
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[info]}")) as bar:
        task = bar.add_task("模拟催收日 / simulated day", total=total_seconds, info="")

        def progress(attempts: int, now: datetime) -> None:
            local = now.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
            done = (local.hour - 8) * 3600 + local.minute * 60 + local.second
            bar.update(task, completed=min(done, total_seconds), info=f"{local:%H:%M} · {attempts} calls")

        result = run_day(
            engine,
            campaign_id=campaign_id,
            day=day,
            robots=robots,
            carrier=lambda clock: SimulatedCarrier(directory, clock, seed=seed),
            seed=seed,
            progress=progress,
        )
        bar.update(task, completed=total_seconds)
    return result, engine, campaign_id, url


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        accounts: int = typer.Option(2000, help="accounts in the synthetic portfolio"),
        robots: int = typer.Option(5, help="concurrent robot lines"),
        seed: int = typer.Option(7, help="seed of the portfolio and the simulated day"),
        day: str = typer.Option("", "--date", help="the collection day, YYYY-MM-DD (default: today)"),
        fresh: bool = typer.Option(True, "--fresh/--no-fresh", help="delete the demo SQLite file first"),
        serve: bool = typer.Option(True, "--serve/--no-serve", help="serve the console afterwards"),
        port: int = typer.Option(8000, help="console port"),
    ) -> None:
        """Run a full simulated collection day and serve the console / 运行一个模拟催收日。"""
        from rich.console import Console

        try:
            the_day = date.fromisoformat(day) if day else date.today()
        except ValueError as exc:
            raise InvalidInput("--date must be YYYY-MM-DD") from exc
        if accounts < 1 or robots < 1:
            raise InvalidInput("--accounts and --robots must be at least 1")
        result, engine, campaign_id, url = run_demo(
            accounts=accounts, robots=robots, seed=seed, day=the_day, fresh=fresh
        )
        console = Console()
        console.print(
            f"attempts {result.attempts} · per robot {result.attempts_per_robot} · "
            f"denials {result.denials_by_rule}"
        )
        try:
            from huikuan.analytics.render import kpi_table
            from huikuan.analytics.service import compute_kpis
            from huikuan.db import session_scope

            with session_scope(engine) as session:
                console.print(kpi_table(compute_kpis(session, campaign_id)))
        except ModuleNotFoundError:
            console.print("(analytics not installed: no KPI table)")
        if serve:
            import os

            from huikuan.config import get_settings
            from huikuan.web.cli import serve as serve_console

            os.environ["HUIKUAN_DATABASE_URL"] = url  # the console must show the demo database
            get_settings.cache_clear()

            serve_console("127.0.0.1", port)
