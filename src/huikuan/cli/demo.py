"""`huikuan demo`: placeholder until the simulated day lands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def demo() -> None:
        """Run a full simulated collection day and serve the console."""
        raise typer.Exit(1)
