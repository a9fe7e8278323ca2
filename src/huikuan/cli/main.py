"""Entry point of the `huikuan` command; each package contributes its own sub-commands.

Domain errors are printed as one line (`error: …`) with exit status 2, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from huikuan.errors import HuikuanError

app = typer.Typer(
    name="huikuan",
    help="Huikuan (回款): compliant AI-assisted collection of overdue consumer loans.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _register() -> None:
    # Imported here so `huikuan --help` stays the only cost of a mistyped command.
    from huikuan.cli import db as db_cli
    from huikuan.cli import demo as demo_cli

    app.add_typer(db_cli.app, name="db")
    demo_cli.register(app)
    for module_name, group in (
        ("huikuan.portfolio.cli", "import"),
        ("huikuan.sim.cli", "sim"),
        ("huikuan.outcomes.cli", "export"),
        ("huikuan.security.cli", "audit"),
        ("huikuan.compliance.cli", "compliance"),
        ("huikuan.dialogue.cli", "script"),
        ("huikuan.dialogue.nlu.cli", "nlu"),
        ("huikuan.dialogue.chat", None),
        ("huikuan.web.cli", None),
        ("huikuan.telephony.cli", None),
        ("huikuan.dialer.cli", None),  # `campaign …` and `worker`
        ("huikuan.desk.cli", "desk"),
    ):
        try:
            module = __import__(module_name, fromlist=["app"])
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        if group is None:
            module.register(app)
        else:
            app.add_typer(module.app, name=group)


def main() -> None:
    """Run the CLI; domain errors become one clear line and a non-zero exit."""
    _register()
    try:
        app()
    except HuikuanError as exc:
        # Plain write, not Rich: Rich wraps at 80 columns off a terminal, and the contract is one line.
        sys.stderr.write(f"error: {' '.join(exc.message.split())}\n")
        sys.exit(2)
