"""`huikuan --help` lists every command without importing the packages behind them."""

from __future__ import annotations

import json
import subprocess
import sys

import typer
from typer.testing import CliRunner

from huikuan.cli.main import COMMANDS, app, load

# Each of these costs from tens of milliseconds (cn2an, FastAPI) to seconds (scikit-learn).
HEAVY = [
    "sklearn",
    "scipy",
    "numpy",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "uvicorn",
    "pydantic",
    "pocketsphinx",
    "webrtcvad",
    "cn2an",
    "openpyxl",
    "cryptography",
    "huikuan.db",
    "huikuan.dialogue",
    "huikuan.compliance",
]

_PROBE = """
import json, sys
from huikuan.cli.main import main
try:
    main(["--help"])
except SystemExit as exit:
    code = exit.code
heavy = tuple(json.loads(sys.argv[1]))
loaded = sorted(m for m in sys.modules if m in heavy or m.startswith(tuple(h + "." for h in heavy)))
print(json.dumps({"code": code, "loaded": loaded}))
"""


def test_help_imports_no_heavy_package() -> None:
    # A fresh interpreter: this test process has imported everything already.
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"code": 0, "loaded": []}


def test_the_listing_is_the_real_commands_and_their_help() -> None:
    eager = typer.Typer(name="huikuan", help=app.info.help, no_args_is_help=True, add_completion=False)
    eager.callback()(lambda: None)
    loaded: dict[str, object] = {}
    names = list(COMMANDS)
    # typer lists commands before groups, each in registration order; a module adding both
    # (`worker`, `campaign`) comes where its last one is listed
    last = {entry.module: i for i, entry in enumerate(COMMANDS.values())}
    for module in sorted(last, key=last.__getitem__):
        entry = COMMANDS[names[last[module]]]
        commands = load(entry)
        loaded.update(commands)
        if entry.group is None:
            sys.modules[entry.module].register(eager)
        else:
            eager.add_typer(sys.modules[entry.module].app, name=entry.group)
    assert sorted(loaded) == sorted(COMMANDS)
    runner = CliRunner()
    lazy_help = runner.invoke(app, ["--help"], prog_name="huikuan")
    eager_help = runner.invoke(eager, ["--help"], prog_name="huikuan")
    assert lazy_help.exit_code == eager_help.exit_code == 0
    assert lazy_help.output == eager_help.output
    assert all(name in lazy_help.output for name in COMMANDS)


def test_a_domain_error_in_process_is_one_line_and_exit_2() -> None:
    result = CliRunner().invoke(app, ["call", "13800000000", "--trunk", "sip:127.0.0.1:5060;transport=sctp"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    assert "--trunk is not a usable SIP URI" in result.stderr


def test_a_mistyped_command_suggests_the_nearest_one() -> None:
    result = CliRunner().invoke(app, ["nlo"])
    assert result.exit_code == 2
    assert "Did you mean 'nlu'?" in result.output + result.stderr
