from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import typer
from typer.testing import CliRunner

from huikuan.telephony.cli import register
from tests.telephony.sip.sipp import Sipp


def test_huikuan_call_places_one_call_and_prints_the_outcome(sipp: Callable[..., Sipp]) -> None:
    far = sipp("uas_reject.xml", keys={"status": "486", "reason": "Busy Here"})
    app = typer.Typer()
    register(app)
    app.command("noop")(lambda: None)  # two commands so `call` is a sub-command
    result = CliRunner().invoke(app, ["call", "13800000000", "--trunk", far.trunk])
    assert result.exit_code == 0, result.output
    assert "busy (SIP 486)" in result.output
    assert "13800000000" not in result.output
    assert far.finish() == 0


def test_cli_refuses_a_bad_trunk_transport_in_one_line() -> None:
    cmd = [sys.executable, "-c", "from huikuan.cli.main import main; main()", "call", "13800000000"]
    done = subprocess.run(
        [*cmd, "--trunk", "sip:127.0.0.1:5060;transport=sctp"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "transport=tcp" in lines[0]
    assert "13800000000" not in done.stderr
