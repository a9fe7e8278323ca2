"""`huikuan call NUMBER --trunk sip:host:port[;transport=tcp]`: one real call, for operators."""

from __future__ import annotations

import asyncio

import typer

from huikuan.errors import InvalidInput
from huikuan.telephony.sip import Credentials, SipCarrier, Trunk


async def _call(number: str, trunk: Trunk, caller_id: str, creds: Credentials | None, local: str) -> str:
    carrier = SipCarrier([trunk], local_host=local, credentials=creds)
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
        user: str = typer.Option("", "--user", help="Digest username"),
        password: str = typer.Option("", "--password", help="Digest password"),
        local: str = typer.Option("127.0.0.1", "--local", help="Local address for SIP and RTP"),
    ) -> None:
        """拨打一通测试电话 / Place one real call through a trunk and print the outcome."""
        try:
            parsed = Trunk.parse(trunk)
        except ValueError as exc:
            raise InvalidInput(
                f"中继地址无效 / --trunk is not a usable SIP URI ({exc}); "
                "e.g. sip:[user@]host[:port][;transport=tcp], IPv6 as sip:[::1]:5060"
            ) from exc
        creds = Credentials(user, password) if user else None
        typer.echo(asyncio.run(_call(number, parsed, caller_id, creds, local)))
