"""Run `huikuan …` inside the test process: the same command tree, options, output and exit codes
as the installed command, without paying a fresh interpreter (and a fresh NLU model) per call.

Keep a subprocess where the process itself is under test: the `python -m huikuan` entry point,
exit statuses seen by a shell, start-up imports (tests/cli/test_startup.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, event
from typer.testing import CliRunner

from huikuan.cli.main import app
from huikuan.config import get_settings


@dataclass(frozen=True, slots=True)
class Ran:
    """What `subprocess.run(..., capture_output=True)` would have given: status and output."""

    returncode: int
    stdout_bytes: bytes
    stderr_bytes: bytes

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode("utf-8")

    @property
    def stderr(self) -> str:
        return self.stderr_bytes.decode("utf-8")


def huikuan(
    args: Sequence[str], *, stdin: str | bytes = "", env: Mapping[str, str | None] | None = None
) -> Ran:
    """`huikuan *args` with `env` on top of this process's environment (None unsets a variable)."""
    opened: list[Engine] = []

    def record(connection: Connection) -> None:
        if connection.engine not in opened:
            opened.append(connection.engine)

    get_settings.cache_clear()  # settings are read once per process; each call is a new "process"
    event.listen(Engine, "engine_connect", record)
    try:
        result = CliRunner().invoke(app, list(args), input=stdin, env=env, catch_exceptions=False)
    finally:
        event.remove(Engine, "engine_connect", record)
        get_settings.cache_clear()
        # A process's exit closes the engines a command opened; here they are closed by hand, or
        # their connections would be closed by the garbage collector, with a ResourceWarning.
        for engine in opened:
            engine.dispose()
    return Ran(result.exit_code, result.stdout_bytes, result.stderr_bytes or b"")
