"""`huikuan sim …`: synthetic data for demos, tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

import typer

from huikuan.cli.options import parse_day
from huikuan.errors import InvalidInput

app = typer.Typer(help="Simulation / 模拟", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Simulation / 模拟."""


@app.command()
def portfolio(
    accounts: int = typer.Option(..., "--accounts", help="number of accounts 借据数"),
    seed: int = typer.Option(..., "--seed", help="seed: the same seed gives the same portfolio"),
    as_of: str = typer.Option("", "--as-of", help="YYYY-MM-DD (default: today)"),
    jurisdiction: str = typer.Option("CN", "--jurisdiction", help="CN or US"),
    csv_out: Path | None = typer.Option(None, "--csv", help="write the CSV here instead of importing"),
) -> None:
    """Create a synthetic portfolio / 生成模拟资产包。"""
    from rich.console import Console

    day = parse_day(as_of, "--as-of")
    if jurisdiction not in ("CN", "US"):
        raise InvalidInput("--jurisdiction must be CN or US")
    if accounts < 1:
        raise InvalidInput("--accounts must be at least 1")
    console = Console()
    if csv_out is not None:
        from huikuan.sim.portfolio import generate_rows, to_csv

        text = to_csv(r.cells for r in generate_rows(accounts, seed, day, jurisdiction))
        csv_out.write_text(text, encoding="utf-8")
        console.print(f"已写入 / written: {accounts} rows → {csv_out}", markup=False)
        return
    from huikuan.config import get_settings
    from huikuan.db import session_scope
    from huikuan.runtime import open_database
    from huikuan.sim.service import create_portfolio

    engine = open_database(get_settings())
    try:
        with session_scope(engine) as session:
            batch_id = create_portfolio(
                session, accounts=accounts, seed=seed, as_of=day, jurisdiction=jurisdiction
            )
    finally:
        engine.dispose()
    console.print(
        f"已生成模拟资产包 / portfolio created: batch {batch_id}, {accounts} accounts", markup=False
    )


@app.command()
def day(
    accounts: int = typer.Option(5000, "--accounts", help="新资产包的借据数 / accounts in a fresh portfolio"),
    robots: int = typer.Option(5, "--robots", help="机器人数 / robots (concurrent lines)"),
    seed: int = typer.Option(7, "--seed", help="种子 / seed of the portfolio and the day"),
    the_day: str = typer.Option("", "--date", help="YYYY-MM-DD (default: today in Beijing)"),
    window_start: str = typer.Option(
        "", "--window-start", help="呼叫开始（默认规则包）/ window start HH:MM (default: the rule pack's)"
    ),
    window_end: str = typer.Option(
        "", "--window-end", help="呼叫结束（默认规则包）/ window end HH:MM (default: the rule pack's)"
    ),
) -> None:
    """在虚拟时间里运行一个外呼日 / Run a campaign over a virtual day (simulated carrier and debtors).

    The day's attempts stay in the database for `huikuan export attempts`.
    """
    import time as walltime
    from datetime import UTC, datetime, time
    from zoneinfo import ZoneInfo

    from huikuan.cli.demo import approve_shipped_scripts
    from huikuan.config import get_settings
    from huikuan.db import session_scope
    from huikuan.dialer.campaigns import CampaignCreate, create_campaign, progress
    from huikuan.dialer.simulate import VirtualDay, run_virtual_day
    from huikuan.runtime import open_database
    from huikuan.sim.service import create_portfolio

    zone = ZoneInfo("Asia/Shanghai")
    when = parse_day(the_day, "--date", default=lambda: datetime.now(zone).date())
    if accounts < 1 or robots < 1:
        raise InvalidInput("--accounts 与 --robots 至少为 1 / --accounts and --robots must be at least 1")
    try:  # unset: the rule pack's window, which create_campaign fills in
        start = time.fromisoformat(window_start) if window_start else None
        end = time.fromisoformat(window_end) if window_end else None
    except ValueError as exc:
        raise InvalidInput("--window-start/--window-end 须为 HH:MM / must be HH:MM") from exc
    engine = open_database(get_settings())
    try:
        now = datetime.now(UTC)
        with session_scope(engine) as session:
            batch_id = create_portfolio(session, accounts=accounts, seed=seed, as_of=when, jurisdiction="CN")
            approve_shipped_scripts(session, now)
            campaign = create_campaign(
                session,
                CampaignCreate(
                    name=f"模拟外呼日 / simulated day {when.isoformat()}",
                    batch_id=batch_id,
                    robots=robots,
                    window_start=start,
                    window_end=end,
                ),
                now=now,
            )
            campaign.ends_at = datetime.combine(when, campaign.window_end, tzinfo=zone)
            campaign_id = campaign.id
        began = walltime.monotonic()
        stats = run_virtual_day(
            engine, VirtualDay(campaign_id, when, lines=robots, seed=seed, start=start, end=end)
        )
        wall = walltime.monotonic() - began
        with session_scope(engine) as session:
            p = progress(session, campaign_id)
    finally:
        engine.dispose()
    # One line whatever the terminal width (scripts grep it).
    typer.echo(
        f"模拟外呼日完成 / simulated day done: campaign {campaign_id}, batch {batch_id}, "
        f"{p.attempts} attempts ({stats.attempts_per_line} per robot), {p.connects} connects, "
        f"{p.right_party_contacts} right-party, {p.promises} promises, {wall:.0f} s"
    )


@app.command()
def pay(
    through: str = typer.Option(..., "--through", help="YYYY-MM-DD: decide the promises due before it"),
    seed: int = typer.Option(7, "--seed", help="种子 / seed of the debtors' choices"),
) -> None:
    """模拟债务人按承诺还款 / Simulated debtors pay (or not) the promises due before a day."""
    from huikuan.config import get_settings
    from huikuan.db import session_scope
    from huikuan.dialer.simulate import simulate_payments
    from huikuan.runtime import open_database

    day = parse_day(through, "--through")
    engine = open_database(get_settings())
    try:
        with session_scope(engine) as session:
            settled = simulate_payments(session, day, seed=seed)
    finally:
        engine.dispose()
    typer.echo(
        f"模拟还款完成 / simulated payments done: {settled.kept} promises kept, "
        f"{settled.broken} broken, {settled.pending} still pending"
    )
