"""Entry point of the `huikuan` command; each package contributes its own sub-commands.

Sub-commands are imported when one is run, never to list them: the packages behind them pull in
SQLAlchemy, scikit-learn, FastAPI and the voice engines, seconds of start-up that `huikuan --help`
and a mistyped command should not pay. `COMMANDS` names each command's module and the one-line
help the listing shows; tests/cli/test_startup.py proves it matches the real commands.

Domain errors are printed as one line (`error: …`) with exit status 2, never a traceback.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_group

from huikuan.errors import HuikuanError

try:  # typer vendors click since 0.2x; its groups take and raise its own classes, not the click package's
    from typer._click.core import Command, Context
    from typer._click.exceptions import UsageError
    from typer._click.formatting import HelpFormatter
except ImportError:  # an older typer runs on the click package: the same API under its public name
    from click import Command, Context, HelpFormatter, UsageError  # type: ignore[assignment]  # same API


@dataclass(frozen=True, slots=True)
class Entry:
    module: str
    group: str | None  # `app.add_typer(module.app, name=group)`; None: `module.register(app)`
    help: str  # the line `huikuan --help` shows


# In the order `huikuan --help` lists them: single commands first, then groups.
COMMANDS: dict[str, Entry] = {
    "demo": Entry(
        "huikuan.cli.demo",
        None,
        "Run simulated collection days and serve the console / 运行模拟催收日并启动控制台。",
    ),
    "chat": Entry(
        "huikuan.dialogue.chat",
        None,
        "与机器人对话（你扮演债务人，同真实通话）/ talk to the robot as the debtor, on the production path.",
    ),
    "serve": Entry("huikuan.web.cli", None, "Serve the web console and JSON API (启动控制台)."),
    "call": Entry(
        "huikuan.cli.call",
        None,
        "拨打一通测试电话 / Place one real call through a trunk and print the outcome.",
    ),
    "report": Entry(
        "huikuan.cli.report",
        None,
        "KPI 报表（定义、分维度、图表、公平性）/ the KPI report: definitions, cuts, charts, fairness.",
    ),
    "worker": Entry(
        "huikuan.dialer.cli",
        None,
        "运行外呼工作进程 / Run a dialer worker: lease due work, call, record; SIGTERM ends it cleanly.",
    ),
    "db": Entry("huikuan.cli.db", "db", "Database schema / 数据库结构"),
    "import": Entry("huikuan.portfolio.cli", "import", "Import data / 导入数据"),
    "sim": Entry("huikuan.sim.cli", "sim", "Simulation / 模拟"),
    "export": Entry("huikuan.outcomes.cli", "export", "Export data / 导出数据"),
    "audit": Entry("huikuan.security.cli", "audit", "Audit log / 审计日志"),
    "user": Entry("huikuan.security.user_cli", "user", "用户与角色 / users and roles"),
    "data": Entry("huikuan.lifecycle.cli", "data", "数据生命周期 / data lifecycle"),
    "keys": Entry("huikuan.security.keys_cli", "keys", "数据密钥 / data keys"),
    "compliance": Entry("huikuan.compliance.cli", "compliance", "合规引擎 / compliance engine"),
    "script": Entry("huikuan.dialogue.cli", "script", "话术版本与审批 / script versions and approval"),
    "nlu": Entry(
        "huikuan.dialogue.nlu.cli",
        "nlu",
        "话术理解（意图、金额、日期、情绪）/ NLU: intent, amount, date, emotion",
    ),
    "campaign": Entry("huikuan.dialer.cli", None, "活动 / campaigns"),  # with `worker`
    "desk": Entry("huikuan.desk.cli", "desk", "坐席 / human agents at the desk"),
    "profile": Entry("huikuan.profiling.cli", "profile", "客户画像 / debtor profiles"),
    "strategy": Entry("huikuan.strategy.cli", "strategy", "催收策略 / collection strategy"),
    "voice": Entry("huikuan.voice.cli", "voice", "语音 / voice"),
}


def load(entry: Entry) -> dict[str, Command]:
    """The click commands `entry`'s module contributes (a module may add several: `worker`, `campaign`)."""
    module: Any = importlib.import_module(entry.module)
    sub = typer.Typer()
    sub.callback()(lambda: None)  # a callback makes typer build a group even for one command
    if entry.group is None:
        module.register(sub)
    else:
        sub.add_typer(module.app, name=entry.group)
    return dict(get_group(sub).commands)


class LazyGroup(TyperGroup):
    """The top-level group: lists `COMMANDS` from the table, imports a command's module to run it."""

    _listing = False

    def list_commands(self, ctx: Context) -> list[str]:
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return self.commands.get(cmd_name)
        entry = COMMANDS[cmd_name]
        if self._listing:  # the help listing needs a name and a line, not the module
            return TyperCommand(cmd_name, short_help=entry.help)
        self.commands.update(load(entry))
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: Context, args: list[str]) -> tuple[str | None, Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            # typer suggests from the commands loaded so far, which here is none of them
            matches = get_close_matches(args[0], list(COMMANDS)) if args else []
            if matches and "Did you mean" not in exc.message:
                suggestions = ", ".join(map(repr, matches))
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {suggestions}?"
            raise

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except HuikuanError as exc:
            # Plain write, not Rich: Rich wraps at 80 columns off a terminal, and the contract is one line.
            sys.stderr.write(f"error: {' '.join(exc.message.split())}\n")
            ctx.exit(2)
        finally:
            _anchor_audit_log()


def _anchor_audit_log() -> None:
    """At a command's end (a worker's, the server's too), sign the audit log's head for every
    database it added events to. Only if the command loaded the audit log at all."""
    audit = sys.modules.get("huikuan.security.audit")
    if audit is not None:
        audit.flush_checkpoints()


app = typer.Typer(
    name="huikuan",
    cls=LazyGroup,
    help="Huikuan (回款): compliant AI-assisted collection of overdue consumer loans.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Huikuan (回款): compliant AI-assisted collection of overdue consumer loans."""
    from huikuan import logs

    logs.configure()


def main(args: list[str] | None = None) -> None:
    """Run the CLI (on `args`, default the command line); domain errors become one line and exit 2."""
    app(args)
