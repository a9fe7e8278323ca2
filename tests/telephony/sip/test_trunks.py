"""Trunk addresses as operators write them, and trunks that fail: against real peers on loopback.

A trunk URI with a user part and an IPv6 trunk reach SIPp and are answered; a name that does not
resolve is refused at start; a closed port fails the call by the ICMP error, not by a timer, and
that failure is the trunk's (`trunk_failed`), so the next trunk is tried.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import Callable

import pytest

from huikuan.telephony.sip import SipCall, SipCarrier, Trunk
from huikuan.telephony.sip.carrier import TrunkConfigError
from huikuan.telephony.sip.transaction import Timers
from huikuan.types import CallOutcome
from tests.conftest import TestDatabase
from tests.telephony.sip.callers import caller_env
from tests.telephony.sip.sipp import Sipp
from tests.telephony.sip.test_sipp_calls import echoed_frames, frames_as_sent, tone

StartSipp = Callable[..., Sipp]
NUMBER, CALLER = "13800000000", "4001234567"
# A slow Timer B (the default 32 s): a call that ends quickly ended by the transport error.
SLOW = Timers(t1=2.0)


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


needs_ipv6 = pytest.mark.skipif(not has_ipv6_loopback(), reason="no IPv6 loopback (::1) here")


def closed_port(host: str = "127.0.0.1") -> int:
    """A UDP port nobody listens on: bound, read, closed."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


async def answered_with_echo(carrier: SipCarrier) -> tuple[SipCall, int]:
    call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
    got = 0
    if call.result.outcome == CallOutcome.ANSWERED:
        pcm = tone(0.6)
        await call.send_audio(pcm)
        got = await echoed_frames(call, frames_as_sent(pcm), 25)
    await call.hangup()
    await carrier.close()
    return call, got


def test_a_trunk_with_a_user_part_is_dialled_with_the_number_as_user(sipp: StartSipp) -> None:
    far = sipp("uas_echo_any_ip.xml", keys={"number": NUMBER})
    trunk = Trunk.parse(f"sip:10086@127.0.0.1:{far.port}")

    call, echoed = asyncio.run(answered_with_echo(SipCarrier([trunk])))
    assert call.result.outcome == CallOutcome.ANSWERED
    assert echoed >= 25
    assert far.finish() == 0  # SIPp checked the Request-URI began "sip:13800000000@"


@needs_ipv6
def test_an_ipv6_trunk_is_answered_with_ipv6_sip_and_rtp(sipp: StartSipp) -> None:
    far = sipp("uas_echo_any_ip.xml", keys={"number": NUMBER}, host="::1")
    assert far.trunk == f"sip:[::1]:{far.port}"

    call, echoed = asyncio.run(answered_with_echo(SipCarrier([Trunk.parse(far.trunk)], local_host="::1")))
    assert call.result.outcome == CallOutcome.ANSWERED
    assert echoed >= 25  # RTP both ways over ::1, from an `IN IP6` offer
    assert far.finish() == 0


def test_an_unresolvable_trunk_is_a_configuration_error_at_start() -> None:
    async def go() -> None:
        carrier = SipCarrier([Trunk.parse("sip:10086@no-such-host.invalid")])
        try:
            await carrier.start()
        finally:
            await carrier.close()

    with pytest.raises(TrunkConfigError, match=r"no-such-host\.invalid cannot be resolved"):
        asyncio.run(go())


def test_an_ipv6_only_trunk_with_an_ipv4_local_address_is_refused_at_start() -> None:
    async def go() -> None:
        await SipCarrier([Trunk.parse("sip:[::1]:5060")], local_host="127.0.0.1").start()

    with pytest.raises(TrunkConfigError, match="has no IPv4 address"):
        asyncio.run(go())


def test_huikuan_call_refuses_an_unresolvable_trunk_in_one_line(db: TestDatabase) -> None:
    cmd = [sys.executable, "-c", "from huikuan.cli.main import main; main()", "call", NUMBER]
    done = subprocess.run(
        [*cmd, "--trunk", "sip:no-such-host.invalid:5060"],
        capture_output=True,
        text=True,
        env=caller_env(db, NUMBER),
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "cannot be resolved" in lines[0]
    assert NUMBER not in done.stderr + done.stdout


@pytest.mark.parametrize("host", ["127.0.0.1", pytest.param("::1", marks=needs_ipv6)])
def test_a_closed_port_fails_the_call_by_transport_error_as_a_trunk_failure(host: str) -> None:
    async def go() -> tuple[SipCall, int, float]:
        uri_host = f"[{host}]" if ":" in host else host
        carrier = SipCarrier(
            [Trunk.parse(f"sip:{uri_host}:{closed_port(host)}")], local_host=host, timers=SLOW
        )
        call = await carrier.dial(NUMBER, CALLER, ring_timeout=60)
        errors = carrier.ua.transport_errors
        await carrier.close()
        return call, errors, carrier.ua.timers.b

    call, errors, timer_b = asyncio.run(go())
    assert call.result.outcome == CallOutcome.TRUNK_FAILED
    assert call.result.cause == "trunk:transport"  # the ICMP port-unreachable, not Timer B
    assert errors == 1
    assert call.result.setup_seconds < timer_b  # the 64*T1 timer cannot have fired
    assert call.hangup_cause == "trunk_failed"


def test_a_dead_trunk_moves_the_call_to_the_next_one_at_once(sipp: StartSipp) -> None:
    good = sipp("uas_echo.xml")
    dead = Trunk.parse(f"sip:127.0.0.1:{closed_port()}")

    call, echoed = asyncio.run(answered_with_echo(SipCarrier([dead, Trunk.parse(good.trunk)], timers=SLOW)))
    assert call.result.outcome == CallOutcome.ANSWERED
    assert call.result.trunk == good.trunk
    assert echoed >= 25
    assert good.finish() == 0


def test_503_from_every_trunk_is_a_trunk_failure(sipp: StartSipp) -> None:
    first = sipp("uas_reject.xml", keys={"status": "503", "reason": "Service Unavailable"})
    second = sipp("uas_reject.xml", keys={"status": "503", "reason": "Service Unavailable"})

    async def go() -> SipCall:
        carrier = SipCarrier([Trunk.parse(first.trunk), Trunk.parse(second.trunk)])
        call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
        await carrier.close()
        return call

    call = asyncio.run(go())
    assert call.result.outcome == CallOutcome.TRUNK_FAILED
    assert call.result.cause == "trunk:503"
    assert call.result.trunk == second.trunk
    assert first.finish() == 0
    assert second.finish() == 0


def test_a_500_is_the_networks_answer_and_still_counts(sipp: StartSipp) -> None:
    far = sipp("uas_reject.xml", keys={"status": "500", "reason": "Server Internal Error"})

    async def go() -> SipCall:
        carrier = SipCarrier([Trunk.parse(far.trunk)])
        call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
        await carrier.close()
        return call

    call = asyncio.run(go())
    assert call.result.outcome == CallOutcome.FAILED
    assert call.result.cause is None
    assert far.finish() == 0


def test_a_silent_trunk_is_a_trunk_failure_by_timer_b() -> None:
    """A trunk that takes the INVITE and never says anything, not even 100 Trying."""

    async def go() -> tuple[SipCall, int]:
        loop = asyncio.get_running_loop()
        got: list[bytes] = []

        class BlackHole(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                got.append(data)

        hole, _ = await loop.create_datagram_endpoint(BlackHole, local_addr=("127.0.0.1", 0))
        port = hole.get_extra_info("sockname")[1]
        carrier = SipCarrier([Trunk.parse(f"sip:127.0.0.1:{port}")], timers=Timers(t1=0.02))
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=60)
        finally:
            await carrier.close()
            hole.close()
        return call, sum(d.startswith(b"INVITE ") for d in got)

    call, invites = asyncio.run(go())
    assert call.result.outcome == CallOutcome.TRUNK_FAILED
    assert call.result.cause == "trunk:timeout"
    assert call.result.sip_status == 408
    assert invites > 1  # the INVITE reached it and was retransmitted (Timer A) until Timer B
