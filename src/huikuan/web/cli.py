"""`huikuan serve`: the console and API on one port.

Loopback by default. On any other address the console carries personal data over the network,
so the server refuses to start without TLS (`--tls-cert`/`--tls-key`) unless the operator says
`--insecure-http` (e.g. behind a TLS-terminating proxy on the same host), and the address's
names must be listed with `--allowed-host` for the Host check to let requests in.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import typer
from sqlalchemy import Engine

from huikuan.config import get_settings
from huikuan.errors import InvalidInput
from huikuan.runtime import open_database
from huikuan.web.hardening import LOOPBACK_HOSTS


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, tls: bool, insecure_http: bool) -> None:
    """Refuse plain HTTP on a non-loopback address unless the operator asked for it."""
    if not is_loopback(host) and not tls and not insecure_http:
        raise InvalidInput(
            f"拒绝在非本机地址 {host} 上以明文 HTTP 提供服务：请提供 --tls-cert/--tls-key，"
            f"或明确使用 --insecure-http / refusing plain HTTP on non-loopback address {host}: "
            "give --tls-cert and --tls-key, or say --insecure-http"
        )


def serve_engine(
    engine: Engine,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
    allowed_hosts: tuple[str, ...] = (),
    simulated_lines: int = 0,
) -> None:
    """Serve the console on an open database until interrupted; with `simulated_lines`, a worker
    on the simulated carrier dials every running campaign in this process (no real call is made),
    so a campaign started from the console is dialled."""
    import uvicorn

    from huikuan.clock import SystemClock
    from huikuan.dialer.simulate import BackgroundWorker
    from huikuan.web.app import create_app

    scheme = "https" if tls_cert else "http"
    hosts = (*LOOPBACK_HOSTS, *allowed_hosts) if is_loopback(host) else (host, *allowed_hosts)
    typer.echo(f"控制台 / console: {scheme}://{host}:{port}/  (Ctrl+C 停止 / to stop)")
    worker = None
    if simulated_lines > 0:
        worker = BackgroundWorker(engine, simulated_lines, SystemClock()).start()
        typer.echo(f"模拟外呼工作进程 / simulated worker: {simulated_lines} lines, no real calls")
    try:
        uvicorn.run(
            create_app(engine, allowed_hosts=hosts),
            host=host,
            port=port,
            log_level="warning",
            ssl_certfile=str(tls_cert) if tls_cert else None,
            ssl_keyfile=str(tls_key) if tls_key else None,
        )
    finally:
        if worker is not None:
            worker.stop()


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        host: str = typer.Option("127.0.0.1", help="Address to listen on"),
        port: int = typer.Option(8000, help="Port to listen on"),
        tls_cert: Path | None = typer.Option(None, help="TLS certificate (PEM); required off loopback"),
        tls_key: Path | None = typer.Option(None, help="TLS private key (PEM)"),
        insecure_http: bool = typer.Option(False, help="Allow plain HTTP on a non-loopback address"),
        allowed_host: list[str] = typer.Option([], help="Host names clients use (repeatable)"),
        simulated_worker: int = typer.Option(
            0,
            help="Lines of a worker on the simulated carrier in this process, dialling every running "
            "campaign (no real calls; 0: none)",
        ),
    ) -> None:
        """Serve the web console and JSON API (启动控制台)."""
        if (tls_cert is None) != (tls_key is None):
            raise InvalidInput("--tls-cert 与 --tls-key 须同时提供 / give both --tls-cert and --tls-key")
        for path in (tls_cert, tls_key):
            if path is not None and not path.is_file():
                raise InvalidInput(f"找不到文件 / no such file: {path}")
        check_exposure(host, tls_cert is not None, insecure_http)
        if not 0 <= simulated_worker <= 1000:
            raise InvalidInput("--simulated-worker 须在 0–1000 之间 / --simulated-worker must be 0-1000")
        serve_engine(
            open_database(get_settings()),
            host,
            port,
            tls_cert=tls_cert,
            tls_key=tls_key,
            allowed_hosts=tuple(allowed_host),
            simulated_lines=simulated_worker,
        )
