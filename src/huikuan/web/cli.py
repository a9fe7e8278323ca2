"""`huikuan serve`: the console and API on one port."""

from __future__ import annotations

import typer
from sqlalchemy import Engine

from huikuan.config import get_settings
from huikuan.runtime import open_database


def serve_engine(engine: Engine, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the console on an open database until interrupted."""
    import uvicorn

    from huikuan.web.app import create_app

    typer.echo(f"控制台 / console: http://{host}:{port}/  (Ctrl+C 停止 / to stop)")
    uvicorn.run(create_app(engine), host=host, port=port, log_level="warning")


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the console on the configured database until interrupted."""
    serve_engine(open_database(get_settings()), host, port)


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        host: str = typer.Option("127.0.0.1", help="Address to listen on"),
        port: int = typer.Option(8000, help="Port to listen on"),
    ) -> None:
        """Serve the web console and JSON API (启动控制台)."""
        serve(host, port)
