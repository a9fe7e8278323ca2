"""`huikuan call (NUMBER | --contact ID) --trunk sip:host:port --as USER`: one real call, for operators.

Never a way around the compliance engine: a debtor's number is dialled only as `--contact ID`,
reserved by `compliance.reserve` exactly as a robot call is (denied at 23:00, over a cap, under a
stop…), its outcome recorded in the ledger; a bare NUMBER only when an administrator listed it
as a test number (`huikuan compliance test-numbers`). Either way the call is audited with the
acting user, and the robot speaks with the real voice of the call's language.
"""

from __future__ import annotations

import asyncio
import ssl
from datetime import UTC, datetime

import typer
from sqlalchemy import Engine

from huikuan.compliance import record_outcome
from huikuan.compliance.test_numbers import CallPermit, dialled_form, permit_test_call
from huikuan.config import get_settings
from huikuan.db import session_scope
from huikuan.errors import InvalidInput
from huikuan.runtime import open_database
from huikuan.security.operator import ACTING, PASSWORD_STDIN, operator
from huikuan.security.permissions import Permission
from huikuan.telephony.rtp import PortRange
from huikuan.telephony.sip import (
    Credentials,
    SipCarrier,
    Trunk,
    apply_trunk_settings,
    load_credentials,
    public_address,
    rtp_port_range,
    tls_context,
)
from huikuan.telephony.srtp import SrtpPolicy
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
from huikuan.types import CallOutcome
from huikuan.voice.attach import voice_for
from huikuan.voice.tts import tts_engine

TEST_LINES = {
    "zh-CN": "您好，这里是回款智能语音助手的测试呼叫，本次通话由机器人拨打，无需回复。再见。",
    "en-US": "Hello, this is a test call from the Huikuan automated voice assistant. Goodbye.",
}


async def _call(
    number: str,
    lang: str,
    trunk: Trunk,
    caller_id: str,
    creds: Credentials | None,
    local: str,
    ports: PortRange | None,
    public: str | None,
    comedia: bool = False,
    srtp: SrtpPolicy = SrtpPolicy.OFF,
    tls: ssl.SSLContext | None = None,
) -> tuple[str, CallOutcome]:
    """Dial, speak the test line with the call's real voice, hang up; (summary line, outcome)."""
    carrier = SipCarrier(
        [trunk],
        local_host=local,
        credentials=creds,
        rtp_ports=ports,
        public_address=public,
        comedia=comedia,
        srtp=srtp,
        tls_context=tls,
    )
    try:
        await carrier.start()  # TrunkConfigError (one line) when the trunk does not resolve
        call = await carrier.dial(number, caller_id, ring_timeout=45)
        outcome = CallOutcome(call.result.outcome)
        line = f"call {call.call_id}: {outcome} (SIP {call.result.sip_status})"
        if call.result.cause:
            line += f", cause: {call.result.cause}"
        if call.result.early_media:
            line += f", early media: {call.result.early_media}"
        if outcome == CallOutcome.ANSWERED:
            # The line as a call speaks it (the configured engine and the language's voice), played
            # to the end: no ear, so nothing heard on the line cuts it short as barge-in would.
            settings = get_settings()
            tts = tts_engine(settings.tts_engine, settings)
            await call.send_audio(
                await asyncio.to_thread(tts.synthesize, TEST_LINES[lang], voice_for(lang, None))
            )
            await call.hangup()
            line += f", talk {call.talk_seconds:.1f}s, ended: {call.hangup_cause}"
        return line, outcome
    finally:
        await carrier.close()


def _record(engine: Engine, permit: CallPermit, outcome: CallOutcome) -> None:
    """The reserved contact's outcome into the ledger (a trunk failure counts against no cap)."""
    if permit.ledger_entry_id is None:
        return
    with session_scope(engine) as session:
        record_outcome(session, permit.ledger_entry_id, outcome, conversation=outcome == CallOutcome.ANSWERED)


def register(app: typer.Typer) -> None:
    @app.command("call")
    def call_command(
        number: str | None = typer.Argument(
            None, help="测试号码 / a listed test number to dial (never logged)", show_default=False
        ),
        contact: int | None = typer.Option(
            None, "--contact", help="债务人联系方式 id / a debtor's contact, reserved through compliance"
        ),
        lang: str = typer.Option(
            "", "--lang", help="zh-CN | en-US (default: the debtor's jurisdiction's, else zh-CN)"
        ),
        acting: str | None = ACTING,
        password_stdin: bool = PASSWORD_STDIN,
        trunk: str = typer.Option(
            ...,
            "--trunk",
            help="中继地址 / sip: or sips:[user@]host[:port][;transport=tcp|tls] of the trunk or PBX",
        ),
        caller_id: str = typer.Option("huikuan", "--caller-id", help="Caller id (From user part)"),
        user: str = typer.Option(
            "", "--user", help="认证用户名 / digest user (password: HUIKUAN_SIP_PASSWORD)"
        ),
        credentials_file: str = CREDENTIALS_FILE,
        local: str = LOCAL_ADDRESS,
        public: str = PUBLIC_ADDRESS,
        rtp_ports: str = RTP_PORTS,
        comedia: bool = COMEDIA,
        srtp: str = SRTP,
        from_domain: str = FROM_DOMAIN,
        asserted_identity: str = ASSERTED_IDENTITY,
        number_format: str = NUMBER_FORMAT,
        tls_ca: str = TLS_CA,
        tls_cert: str = TLS_CERT,
        tls_key: str = TLS_KEY,
    ) -> None:
        """拨打一通测试电话 / Place one real call through a trunk and print the outcome."""
        if lang and lang not in TEST_LINES:
            raise InvalidInput(f"--lang 须为 / must be one of {', '.join(TEST_LINES)}")
        try:
            parsed = Trunk.parse(trunk)
        except ValueError as exc:
            raise InvalidInput(
                f"中继地址无效 / --trunk is not a usable SIP URI ({exc}); "
                "e.g. sip:[user@]host[:port][;transport=tcp|tls] or sips:host, IPv6 as sip:[::1]:5060"
            ) from exc
        try:
            srtp_policy = SrtpPolicy.parse(srtp)
        except ValueError as exc:
            raise InvalidInput(f"--srtp 须为 off、optional 或 mandatory / {exc}") from exc
        creds = load_credentials(user, credentials_file)
        ports = rtp_port_range(rtp_ports)
        tls = tls_context(tls_ca, tls_cert, tls_key)
        (parsed,) = apply_trunk_settings([parsed], from_domain, asserted_identity, number_format)
        advertised = public_address(public, local)
        typed = None if number is None else dialled_form(number)  # a typo fails before the password
        now = datetime.now(UTC)
        engine = open_database(get_settings())  # once: it checks keys and migrates
        try:
            with session_scope(engine) as session:
                operator_user = operator(
                    session, acting, Permission.RUN_CAMPAIGNS, now, password_stdin=password_stdin
                )
                permit = permit_test_call(
                    session, by=operator_user.id, at=now, number=typed, contact_id=contact
                )
            spoken = lang or ("en-US" if permit.jurisdiction == "US" else "zh-CN")
            # Until the call says otherwise: a crash of ours counts against no cap.
            outcome = CallOutcome.TRUNK_FAILED
            try:
                summary, outcome = asyncio.run(
                    _call(
                        permit.dial,
                        spoken,
                        parsed,
                        caller_id,
                        creds,
                        local,
                        ports,
                        advertised,
                        comedia,
                        srtp_policy,
                        tls,
                    )
                )
            finally:
                _record(engine, permit, outcome)
        finally:
            engine.dispose()
        typer.echo(summary)
