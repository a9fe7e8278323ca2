"""`huikuan call NUMBER --trunk sip:host:port[;transport=tcp]`: one real call, for operators."""

from __future__ import annotations

import asyncio

import typer

from huikuan.errors import InvalidInput
from huikuan.telephony.rtp import PortRange
from huikuan.telephony.sip import (
    Credentials,
    SipCarrier,
    Trunk,
    apply_trunk_settings,
    load_credentials,
    public_address,
    rtp_port_range,
)


async def _call(
    number: str,
    trunk: Trunk,
    caller_id: str,
    creds: Credentials | None,
    local: str,
    ports: PortRange | None,
    public: str | None,
) -> str:
    carrier = SipCarrier([trunk], local_host=local, credentials=creds, rtp_ports=ports, public_address=public)
    try:
        await carrier.start()  # TrunkConfigError (one line) when the trunk does not resolve
        call = await carrier.dial(number, caller_id, ring_timeout=45)
        line = f"call {call.call_id}: {call.result.outcome} (SIP {call.result.sip_status})"
        if call.result.early_media:
            line += f", early media: {call.result.early_media}"
        if call.result.outcome == "answered":
            await call.say("您好，这里是回款语音助手的测试呼叫。 Hello, this is a Huikuan test call.")
            await call.hangup()
            line += f", talk {call.talk_seconds:.1f}s, ended: {call.hangup_cause}"
        return line
    finally:
        await carrier.close()


def register(app: typer.Typer) -> None:
    @app.command("call")
    def call_command(
        number: str = typer.Argument(..., help="Number to dial (never logged)"),
        trunk: str = typer.Option(
            ..., "--trunk", help="中继地址 / sip:[user@]host[:port][;transport=tcp] of the trunk or PBX"
        ),
        caller_id: str = typer.Option("huikuan", "--caller-id", help="Caller id (From user part)"),
        user: str = typer.Option(
            "", "--user", help="认证用户名 / digest user (password: HUIKUAN_SIP_PASSWORD)"
        ),
        credentials_file: str = typer.Option(
            "", "--credentials-file", help="凭据文件 / file with user:password (chmod 600)"
        ),
        local: str = typer.Option("127.0.0.1", "--local", help="Local address for SIP and RTP"),
        public: str = typer.Option(
            "",
            "--public-address",
            help="对外地址（NAT）/ address the far end reaches us at (Via, Contact, SDP)",
        ),
        rtp_ports: str = typer.Option(
            "", "--rtp-ports", help="RTP 端口范围 / RTP port range, e.g. 20000-29999"
        ),
        from_domain: str = typer.Option("", "--from-domain", help="From 域名 / From header domain"),
        asserted_identity: str = typer.Option(
            "", "--asserted-identity", help="P-Asserted-Identity URI, e.g. sip:4001234567@carrier.cn"
        ),
        number_format: str = typer.Option(
            "", "--number-format", help="号码格式 / e164 | national (optionally :REGION, default CN)"
        ),
    ) -> None:
        """拨打一通测试电话 / Place one real call through a trunk and print the outcome."""
        try:
            parsed = Trunk.parse(trunk)
        except ValueError as exc:
            raise InvalidInput(
                f"中继地址无效 / --trunk is not a usable SIP URI ({exc}); "
                "e.g. sip:[user@]host[:port][;transport=tcp], IPv6 as sip:[::1]:5060"
            ) from exc
        creds = load_credentials(user, credentials_file)
        ports = rtp_port_range(rtp_ports)
        (parsed,) = apply_trunk_settings([parsed], from_domain, asserted_identity, number_format)
        advertised = public_address(public, local)
        typer.echo(asyncio.run(_call(number, parsed, caller_id, creds, local, ports, advertised)))
