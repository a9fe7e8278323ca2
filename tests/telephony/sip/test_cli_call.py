from __future__ import annotations

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
