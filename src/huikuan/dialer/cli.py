"""`huikuan campaign …` (create, start, pause, resume, stop, status) and `huikuan worker`."""

from __future__ import annotations

import asyncio
import json
import signal
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import typer

from huikuan import logs
from huikuan.errors import InvalidInput
from huikuan.security.operator import ACTING, PASSWORD_STDIN, operator
from huikuan.security.permissions import Permission
from huikuan.telephony.trunk_options import (
    ASSERTED_IDENTITY,
    COMEDIA,
    CREDENTIALS_FILE,
    FROM_DOMAIN,
    LOCAL_ADDRESS,
    NUMBER_FORMAT,
    PUBLIC_ADDRESS,
    RTP_PORTS,
    SRTP,
    TLS_CA,
    TLS_CERT,
    TLS_KEY,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from huikuan.dialogue.llm import LlmConfig
    from huikuan.telephony.sip.call import Trunk

campaign_app = typer.Typer(help="活动 / campaigns", no_args_is_help=True)


def _engine() -> Engine:
    from huikuan.config import get_settings
    from huikuan.runtime import open_database

    return open_database(get_settings())


def _llm_config() -> LlmConfig | None:
    from huikuan.config import get_settings
    from huikuan.dialogue.llm import LlmConfig

    return LlmConfig.from_settings(get_settings())


def _instant(text: str, option: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(f"{option} 须为 ISO 8601 时间 / {option} must be an ISO 8601 instant") from exc
    if value.tzinfo is None:
        raise InvalidInput(f"{option} 须带时区 / {option} needs a UTC offset, e.g. 2026-03-10T09:00+08:00")
    return value


@campaign_app.callback()
def _group() -> None:
    """活动 / campaigns."""


@campaign_app.command("create")
def create(
    name: str = typer.Option(..., "--name", help="活动名称 / campaign name"),
    batch: int | None = typer.Option(None, "--batch", help="委案批次 / batch id"),
    creditor: int | None = typer.Option(None, "--creditor", help="委托方 / creditor id"),
    bucket: list[str] = typer.Option([], "--bucket", help="账龄段，可多次 / bucket (M1…), repeatable"),
    segment: list[str] = typer.Option([], "--segment", help="客群，可多次 / segment, repeatable"),
    dpd_min: int | None = typer.Option(None, "--dpd-min", help="最小逾期天数 / min days past due"),
    dpd_max: int | None = typer.Option(None, "--dpd-max", help="最大逾期天数 / max days past due"),
    script: str | None = typer.Option(
        None, "--script", help="话术名（默认按策略）/ script name (default: strategy)"
    ),
    lang: str = typer.Option("zh-CN", "--lang", help="语言 / language"),
    voice: str | None = typer.Option(None, "--voice", help="音色/方言 / voice or dialect"),
    robots: int = typer.Option(1, "--robots", help="机器人数（并发线路）/ robots (concurrent lines)"),
    priority: int = typer.Option(0, "--priority", help="优先级 / priority (higher first)"),
    window_start: str = typer.Option(
        "", "--window-start", help="呼叫开始（默认规则包）/ window start HH:MM (default: the rule pack's)"
    ),
    window_end: str = typer.Option(
        "", "--window-end", help="呼叫结束（默认规则包）/ window end HH:MM (default: the rule pack's)"
    ),
    caller_id: list[str] = typer.Option([], "--caller-id", help="主叫号码:每日上限 / NUMBER:DAILY_LIMIT"),
    callback_number: str = typer.Option(
        "", "--callback-number", help="语音留言的回电号码 / the number a voicemail asks to call back"
    ),
    contact_name: str = typer.Option(
        "", "--contact-name", help="语音留言的联系人 / the person a voicemail names"
    ),
    retry: str = typer.Option("", "--retry", help='重试参数 JSON / retry settings, e.g. {"busy_delay": 600}'),
    jurisdiction: str = typer.Option("CN", "--jurisdiction", help="司法辖区 / CN or US"),
    mode: str = typer.Option("robot", "--mode", help="robot | predictive | progressive"),
    robot_overflow: bool = typer.Option(
        True,
        "--robot-overflow/--no-robot-overflow",
        help="坐席活动：无空闲坐席时由机器人接听（否则记为放弃）/ agent modes: a robot takes an answered "
        "call no agent is free for (else it is abandoned)",
    ),
    amd: bool = typer.Option(
        True,
        "--amd/--no-amd",
        help="答录机检测：答录机只听到语音留言 / answering-machine detection: a machine hears only "
        "the voicemail message",
    ),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """创建活动（草稿）/ Create a campaign (draft)."""
    from huikuan.db import session_scope
    from huikuan.dialer.campaign_input import CampaignText, campaign_spec
    from huikuan.dialer.campaigns import create_campaign

    # The same reading and checks as the console's form and POST /api/campaigns.
    spec = campaign_spec(
        CampaignText(
            name=name,
            jurisdiction=jurisdiction,
            mode=mode,
            batch_id=batch,
            creditor_id=creditor,
            buckets=tuple(bucket),
            segments=tuple(segment),
            dpd_min=dpd_min,
            dpd_max=dpd_max,
            script_name=script,
            lang=lang,
            voice=voice,
            robots=robots,
            priority=priority,
            window_start=window_start,
            window_end=window_end,
            caller_ids=tuple(caller_id),
            callback_number=callback_number,
            contact_name=contact_name,
            retry=retry,
            robot_overflow=robot_overflow,
            amd=amd,
        )
    )
    engine = _engine()
    try:
        with session_scope(engine) as s:
            now = datetime.now(UTC)
            actor = operator(s, acting, Permission.RUN_CAMPAIGNS, now, password_stdin=password_stdin)
            campaign = create_campaign(s, spec, now=now, actor=f"user:{actor.id}")
            campaign_id = campaign.id
    finally:
        engine.dispose()
    typer.echo(f"已创建活动 / campaign created: {campaign_id}")


def _transition(campaign_id: int, action: str, acting: str | None, password_stdin: bool) -> str:
    from huikuan.db import session_scope
    from huikuan.dialer import campaigns as svc

    engine = _engine()
    try:
        with session_scope(engine) as s:
            now = datetime.now(UTC)
            actor = (
                f"user:{operator(s, acting, Permission.RUN_CAMPAIGNS, now, password_stdin=password_stdin).id}"
            )
            if action == "start":
                n = svc.start_campaign(s, campaign_id, now=now, actor=actor)
                return f"活动已开始 / campaign started: {campaign_id}, {n} 个任务 / tasks queued"
            if action == "pause":
                svc.pause_campaign(s, campaign_id, now=now, actor=actor)
                return f"活动已暂停 / campaign paused: {campaign_id}"
            if action == "resume":
                svc.resume_campaign(s, campaign_id, now=now, actor=actor)
                return f"活动已恢复 / campaign resumed: {campaign_id}"
            svc.stop_campaign(s, campaign_id, now=now, actor=actor)
            return f"活动已停止 / campaign stopped: {campaign_id}"
    finally:
        engine.dispose()


@campaign_app.command("start")
def start(
    campaign_id: int = typer.Argument(..., help="活动编号 / campaign id"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """开始活动：为目标债务人排队 / Start: queue a task per targeted debtor."""
    typer.echo(_transition(campaign_id, "start", acting, password_stdin))


@campaign_app.command("pause")
def pause(
    campaign_id: int = typer.Argument(..., help="活动编号 / campaign id"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """暂停活动（进行中的通话会结束）/ Pause (calls in progress finish)."""
    typer.echo(_transition(campaign_id, "pause", acting, password_stdin))


@campaign_app.command("resume")
def resume(
    campaign_id: int = typer.Argument(..., help="活动编号 / campaign id"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """恢复活动 / Resume a paused campaign."""
    typer.echo(_transition(campaign_id, "resume", acting, password_stdin))


@campaign_app.command("stop")
def stop(
    campaign_id: int = typer.Argument(..., help="活动编号 / campaign id"),
    acting: str | None = ACTING,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """停止活动（不可恢复）/ Stop for good."""
    typer.echo(_transition(campaign_id, "stop", acting, password_stdin))


@campaign_app.command("status")
def status(
    campaign_id: int = typer.Argument(..., help="活动编号 / campaign id"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON / one JSON object"),
) -> None:
    """活动进度 / Campaign progress: tasks, attempts, connects, promises, denials by rule."""
    from huikuan.db import session_scope
    from huikuan.dialer.campaigns import progress

    engine = _engine()
    try:
        with session_scope(engine) as s:
            p = progress(s, campaign_id)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(p.as_json(), ensure_ascii=False))
        return
    t = p.tasks
    typer.echo(f"活动 / campaign {p.campaign_id} «{p.name}»: {p.status}")
    typer.echo(f"任务 / tasks: 排队 queued {t['queued']} · 租用 leased {t['leased']} · 完成 done {t['done']}")
    typer.echo(
        f"拨打 / attempts {p.attempts} · 接通 / connects {p.connects} · "
        f"本人 / right-party {p.right_party_contacts} · 承诺 / promises {p.promises}"
    )
    if p.denials_by_rule:
        denials = ", ".join(f"{k} {v}" for k, v in p.denials_by_rule.items())
        typer.echo(f"合规拒绝 / denials: {denials}")


def worker(
    campaign: int | None = typer.Option(None, "--campaign", help="只做该活动 / only this campaign"),
    lines: int = typer.Option(5, "--lines", help="线路数（机器人）/ robot lines"),
    carrier: str = typer.Option("simulated", "--carrier", help="运营商 / carrier: simulated | sip"),
    trunk: list[str] = typer.Option(
        [],
        "--trunk",
        help="SIP 中继，可多个，依次重试 / sip: or sips:host:port[;transport=tcp|tls], repeat for failover",
    ),
    clock_start: str = typer.Option("", "--clock-start", help="模拟时钟起点 / simulation clock start (ISO)"),
    clock_speed: float = typer.Option(
        0.0, "--clock-speed", help="时钟倍速（多进程共享）/ scaled clock speed"
    ),
    clock_anchor: float = typer.Option(
        0.0, "--clock-anchor", help="倍速时钟锚点（Unix 秒）/ anchor, epoch s"
    ),
    lease_seconds: float = typer.Option(90.0, "--lease-seconds", help="租约时长 / lease length (clock s)"),
    exit_when_done: bool = typer.Option(False, "--exit-when-done", help="活动完成即退出 / exit when done"),
    until: str = typer.Option("", "--until", help="到此时刻停止 / stop leasing at (ISO)"),
    worker_id: str = typer.Option(
        "", "--worker-id", help="工作进程标识 / worker id (default: host-pid-xxxx)"
    ),
    sip_user: str = typer.Option(
        "", "--user", help="中继认证用户名 / trunk digest user (password: HUIKUAN_SIP_PASSWORD)"
    ),
    credentials_file: str = CREDENTIALS_FILE,
    local: str = LOCAL_ADDRESS,
    public: str = PUBLIC_ADDRESS,
    rtp_ports: str = RTP_PORTS,
    comedia: bool = COMEDIA,
    media_core: int | None = typer.Option(
        None, "--media-cpu", help="RTP 发送线程绑定的 CPU / pin the RTP pacer thread to this CPU (Linux)"
    ),
    srtp: str = SRTP,
    tls_ca: str = TLS_CA,
    tls_cert: str = TLS_CERT,
    tls_key: str = TLS_KEY,
    from_domain: str = FROM_DOMAIN,
    asserted_identity: str = ASSERTED_IDENTITY,
    number_format: str = NUMBER_FORMAT,
    trunk_refer: bool = typer.Option(
        False, "--trunk-refer", help="中继支持REFER转接 / the trunks carry REFER: transfers go to them"
    ),
    attended_transfer: bool = typer.Option(
        False, "--attended-transfer", help="转接前向坐席播报案件 / announce the case to the agent first"
    ),
    transfer_ring_seconds: float = typer.Option(
        20.0, "--transfer-ring-seconds", help="坐席话机振铃时长 / how long an agent's phone rings"
    ),
    transfer_caller_id: str = typer.Option(
        "huikuan", "--transfer-caller-id", help="坐席话机来电显示 / the caller ID agents' phones show"
    ),
) -> None:
    """运行外呼工作进程 / Run a dialer worker: lease due work, call, record; SIGTERM ends it cleanly."""
    from huikuan.clock import AsyncClock, ScaledClock, SystemClock, VirtualClock
    from huikuan.db import make_sessionmaker, session_scope
    from huikuan.dialer.handoff import agent_free, queue_transfer
    from huikuan.dialer.paced import PacedCarrier
    from huikuan.dialer.worker import Worker, WorkerConfig
    from huikuan.flows.handoff import AgentLine
    from huikuan.telephony import SimulatedCarrier, load_directory
    from huikuan.telephony.carrier import Carrier
    from huikuan.telephony.health import TrunkHealth
    from huikuan.telephony.sip import (
        apply_trunk_settings,
        load_credentials,
        media_cpu,
        public_address,
        rtp_port_range,
        tls_context,
    )
    from huikuan.telephony.sip.carrier import SipCarrier
    from huikuan.telephony.srtp import SrtpPolicy

    if lines < 1:
        raise InvalidInput("--lines 至少为 1 / --lines must be at least 1")
    if carrier not in ("simulated", "sip"):
        raise InvalidInput("--carrier 须为 simulated 或 sip / --carrier must be simulated or sip")
    if carrier == "sip" and not trunk:
        raise InvalidInput("--carrier sip 需要 --trunk / --carrier sip needs at least one --trunk")
    if exit_when_done and campaign is None:
        raise InvalidInput("--exit-when-done 需要 --campaign / --exit-when-done needs --campaign")
    clock: AsyncClock
    if clock_speed > 0:
        start = _instant(clock_start, "--clock-start") if clock_start else datetime.now(UTC)
        clock = ScaledClock(start, clock_speed, clock_anchor or None)
    elif clock_start:
        clock = VirtualClock(_instant(clock_start, "--clock-start"))
    else:
        clock = SystemClock()
    logs.configure(default="INFO")  # a worker reports its progress unless told otherwise
    engine = _engine()
    try:
        trunks = apply_trunk_settings(
            [_trunk(t) for t in trunk], from_domain, asserted_identity, number_format, trunk_refer
        )
        if transfer_ring_seconds <= 0:
            raise InvalidInput("--transfer-ring-seconds 须大于0 / --transfer-ring-seconds must be positive")
        credentials = load_credentials(sip_user, credentials_file)
        ports = rtp_port_range(rtp_ports)
        pinned = media_cpu(media_core)
        if pinned is not None and not trunk:
            raise InvalidInput("--media-cpu 需要 --carrier sip / --media-cpu needs --carrier sip")
        try:
            srtp_policy = SrtpPolicy.parse(srtp)
        except ValueError as exc:
            raise InvalidInput(f"--srtp 须为 off、optional 或 mandatory / {exc}") from exc
        tls = tls_context(tls_ca, tls_cert, tls_key)
        advertised = public_address(public, local)
        config = WorkerConfig(
            lines=lines,
            campaign_id=campaign,
            lease=timedelta(seconds=lease_seconds),
            idle_poll=timedelta(seconds=max(1.0, lease_seconds / 6)),
            exit_when_done=exit_when_done,
            until=_instant(until, "--until") if until else None,
        )
        if worker_id:
            if len(worker_id) > 24:
                raise InvalidInput("--worker-id 最长 24 字符 / --worker-id is at most 24 characters")
            config.worker_id = worker_id
        sessions = make_sessionmaker(engine)
        available = agent_free(sessions, campaign)  # the human desk: transfers pop an agent's screen
        llm = _llm_config()  # HUIKUAN_LLM_BASE_URL set: the worker keeps one LLM client for its lines

        async def main() -> Worker:
            line: Carrier
            if trunks:  # a real trunk: the robot speaks and listens over SIP/RTP
                from huikuan.voice.attach import warm_up_voice

                line = SipCarrier(
                    trunks,
                    local_host=local,
                    credentials=credentials,
                    rtp_ports=ports,
                    public_address=advertised,
                    comedia=comedia,
                    media_cpu=pinned,
                    srtp=srtp_policy,
                    tls_context=tls,
                )
                await line.start()  # a trunk that does not resolve is one clear line, now
                warm_up_voice()  # speech models load now, not inside the first live call
            else:
                with session_scope(engine) as s:
                    directory = load_directory(s)
                line = PacedCarrier(SimulatedCarrier(directory, clock), clock)
            health = probe = None
            agent_line = None
            if isinstance(line, SipCarrier):  # a dead trunk pauses the lines until it answers OPTIONS
                health, probe = TrunkHealth(), line.probe
                # Transfers ring the assigned agent's phone from the same user agent.
                agent_line = AgentLine(line, transfer_caller_id, transfer_ring_seconds, attended_transfer)
            w = Worker(
                engine,
                line,
                clock,
                config,
                on_transfer=queue_transfer,
                agent_available=available,
                trunk_health=health,
                probe=probe,
                llm=llm,
                agent_line=agent_line,
            )
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGTERM, w.stop)
            loop.add_signal_handler(signal.SIGINT, w.stop)
            try:
                await w.run()
            finally:
                if isinstance(line, SipCarrier):
                    await line.close()
            return w

        w = asyncio.run(main())
        typer.echo(
            f"工作进程已退出 / worker {w.id} stopped: {w.stats.attempts} attempts, "
            f"{w.stats.crashed_calls} crashed calls"
        )
    finally:
        engine.dispose()


def _trunk(uri: str) -> Trunk:
    from huikuan.telephony.sip.call import Trunk

    try:
        return Trunk.parse(uri)
    except ValueError as exc:
        raise InvalidInput(
            f"中继地址无效 / --trunk is not a usable SIP URI ({exc}); "
            "e.g. sip:[user@]host[:port][;transport=tcp|tls] or sips:host, IPv6 as sip:[::1]:5060"
        ) from exc


def register(app: typer.Typer) -> None:
    app.add_typer(campaign_app, name="campaign")
    app.command("worker")(worker)
