"""`huikuan compliance …`: the compliance engine for auditors, other dialers and officers.

Each sub-command lives in its own module: `check` (decide JSON Lines cases), `audit` (replay an
attempts export), `guard` (the content guard over sentences), `stops` (list and clear stops), `settings`
(the operator's tightening of the rule packs), `test-numbers` (what `huikuan call` may dial freely).
"""

from __future__ import annotations

import typer

app = typer.Typer(help="合规引擎 / compliance engine", no_args_is_help=True)


def _register() -> None:
    for module_name in (
        "huikuan.compliance.cli.check",
        "huikuan.compliance.cli.audit",
        "huikuan.compliance.cli.guard",
        "huikuan.compliance.cli.stops",
        "huikuan.compliance.cli.settings",
        "huikuan.compliance.cli.test_numbers",
    ):
        try:
            module = __import__(module_name, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        module.register(app)


_register()
