"""`huikuan serve`: the console and API on one port."""

from __future__ import annotations

import typer

from huikuan.config import get_settings
from huikuan.runtime import open_database


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the console until interrupted."""
    import uvicorn

    from huikuan.web.app import create_app

    app = create_app(open_database(get_settings()))
    typer.echo(f"控制台 / console: http://{host}:{port}/")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        host: str = typer.Option("127.0.0.1", help="Address to listen on"),
        port: int = typer.Option(8000, help="Port to listen on"),
    ) -> None:
        """Serve the web console and JSON API (启动控制台)."""
        serve(host, port)
