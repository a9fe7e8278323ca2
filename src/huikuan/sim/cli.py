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
