"""`huikuan desk …`: enrol agents, see who is in which state, desk occupancy."""

from __future__ import annotations

from datetime import datetime, timedelta

import typer
from rich.console import Console
from rich.table import Table

from huikuan.clock import SystemClock
from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.desk import service
from huikuan.errors import InvalidInput
from huikuan.runtime import open_database
from huikuan.security.operator import ACTING, PASSWORD_STDIN, operator, read_secret
from huikuan.security.permissions import Permission
from huikuan.security.users import Role, create_user

app = typer.Typer(help="坐席 / human agents at the desk", no_args_is_help=True)


@app.command("add-agent")
def add_agent(
    username: str = typer.Argument(..., help="the agent's log-in name / 用户名"),
    display_name: str = typer.Option("", "--name", help="shown on screens / 显示名"),
    campaign: int | None = typer.Option(None, "--campaign", help="serve only this campaign / 仅服务该活动"),
    phone: str | None = typer.Option(
        None, "--phone", help="the agent's SIP phone, e.g. sip:8001@pbx.example / 坐席话机SIP地址"
    ),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Create a user with the agent role and enrol them at the desk; the agent's password is
    asked twice (新增坐席)."""
    now = SystemClock().now()
    with session_scope(open_database(get_settings())) as session:
        actor = operator(session, acting, Permission.MANAGE_USERS, now, password_stdin=password_stdin)
        password = read_secret("坐席密码 / agent's password", from_stdin=password_stdin, confirm=True)
        user = create_user(
            session, username, display_name, password, Role.AGENT, actor=f"user:{actor.id}", at=now
        )
        agent = service.enroll_agent(session, user, now, campaign)
        if phone is not None:
            service.set_phone(session, agent.id, phone, now, actor=f"user:{actor.id}")
        agent_id, user_id = agent.id, user.id
    typer.echo(f"已新增坐席 / agent {agent_id} added (user {user_id})")


@app.command("set-phone")
def set_phone(
    agent_id: int = typer.Argument(..., help="the agent's id / 坐席编号"),
    phone: str | None = typer.Argument(None, help="sip:… URI; left out: no phone / 省略则清除"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Where an agent's live transfers ring: their SIP phone or softphone (坐席话机)."""
    now = SystemClock().now()
    with session_scope(open_database(get_settings())) as session:
        actor = operator(session, acting, Permission.MANAGE_USERS, now, password_stdin=password_stdin)
        view = service.set_phone(session, agent_id, phone, now, actor=f"user:{actor.id}")
    typer.echo(f"坐席 / agent {view.agent_id}: {view.phone_uri or '无话机 / no phone'}")


@app.command("agents")
def agents() -> None:
    """Every agent's state and since when (坐席状态)."""
    with session_scope(open_database(get_settings())) as session:
        rows = service.list_agents(session)
    table = Table("agent", "user", "状态 state", "since (UTC)", "campaign")
    table.add_column("话机 phone", overflow="fold")
    for a in rows:
        table.add_row(
            str(a.agent_id),
            str(a.user_id),
            a.state_label,
            f"{a.state_since:%Y-%m-%d %H:%M:%S}",
            "*" if a.campaign_id is None else str(a.campaign_id),
            a.phone_uri or "",
        )
    Console().print(table)
    typer.echo(f"{len(rows)} 名坐席 / agent(s)")


@app.command("occupancy")
def occupancy_command(
    hours: float = typer.Option(8.0, "--hours", help="the last N hours / 最近N小时"),
    until: str | None = typer.Option(None, "--until", help="end instant, ISO 8601 with offset"),
) -> None:
    """Desk occupancy: (on call + wrap-up) / (logged in − break) (坐席占用率)."""
    if hours <= 0:
        raise InvalidInput("--hours 须大于0 / --hours must be positive")
    end = SystemClock().now()
    if until is not None:
        try:
            end = datetime.fromisoformat(until)
        except ValueError:
            raise InvalidInput("--until 不是ISO 8601时间 / --until is not an ISO 8601 instant") from None
        if end.tzinfo is None:
            raise InvalidInput("--until 须带时区 / --until needs an offset, e.g. +08:00")
    with session_scope(open_database(get_settings())) as session:
        occ = service.desk_occupancy(session, end - timedelta(hours=hours), end)
    typer.echo(
        f"占用率 / occupancy {occ.ratio:.1%}  "
        f"(登录 / logged in {occ.logged_in}, 休息 / break {occ.on_break}, 忙 / busy {occ.busy})"
    )
