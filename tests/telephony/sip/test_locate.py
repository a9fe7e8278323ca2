"""Trunks named by DNS (RFC 3263): SRV servers and ports, NAPTR transports, served by dnsmasq.

dnsmasq (a Debian package) answers on loopback with the records each test gives; SIPp is the
server the records point to.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator

import pytest

from huikuan.telephony.sip import SipCall, SipCarrier, Trunk
from huikuan.telephony.sip.carrier import TrunkConfigError
from huikuan.telephony.sip.locate import locate, resolver_for
from huikuan.telephony.sip.transaction import Timers
from huikuan.types import CallOutcome
from tests.telephony.sip.dnsmasq import Dnsmasq
from tests.telephony.sip.sipp import Sipp
from tests.telephony.sip.test_trunks import CALLER, NUMBER, answered_with_echo, closed_port

StartSipp = Callable[..., Sipp]
StartDns = Callable[[list[str]], Dnsmasq]


@pytest.fixture
def dnsmasq() -> Iterator[StartDns]:
    started: list[Dnsmasq] = []

    def start(records: list[str]) -> Dnsmasq:
        server = Dnsmasq(records)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


def test_a_trunk_name_without_port_is_located_by_dns_and_keeps_its_name() -> None:
    named = Trunk.parse("sip:10086@carrier.example")
    assert named.locate
    assert named.transport_from_dns
    assert named.request_uri(NUMBER) == f"sip:{NUMBER}@carrier.example"  # no port: DNS gives it
    assert not Trunk.parse("sip:carrier.example;transport=tcp").transport_from_dns
    for fixed in ("sip:carrier.example:5070", "sip:10.0.0.1", "sip:[::1]"):
        assert not Trunk.parse(fixed).locate  # an explicit port or an address: no DNS (RFC 3263 §4.2)


def test_the_srv_record_with_the_lowest_priority_is_dialled(sipp: StartSipp, dnsmasq: StartDns) -> None:
    far = sipp("uas_echo_any_ip.xml", keys={"number": NUMBER})
    dns = dnsmasq(
        [
            f"--srv-host=_sip._udp.carrier.huikuan.test,sip1.huikuan.test,{far.port},10,5",
            f"--srv-host=_sip._udp.carrier.huikuan.test,sip2.huikuan.test,{closed_port()},20,5",
            "--host-record=sip1.huikuan.test,127.0.0.1",
            "--host-record=sip2.huikuan.test,127.0.0.1",
        ]
    )
    carrier = SipCarrier([Trunk.parse("sip:10086@carrier.huikuan.test")], dns_server=dns.server)

    call, echoed = asyncio.run(answered_with_echo(carrier))
    assert call.result.outcome == CallOutcome.ANSWERED
    assert echoed >= 25
    assert far.finish() == 0  # the Request-URI carried the dialled number


def test_naptr_chooses_tcp_and_its_srv_record(sipp: StartSipp, dnsmasq: StartDns) -> None:
    far = sipp("uas_echo.xml", tcp=True)
    dns = dnsmasq(
        [
            "--naptr-record=carrier.huikuan.test,10,50,s,SIP+D2T,,_sip._tcp.carrier.huikuan.test",
            "--naptr-record=carrier.huikuan.test,20,50,s,SIP+D2U,,_sip._udp.carrier.huikuan.test",
            f"--srv-host=_sip._tcp.carrier.huikuan.test,sip1.huikuan.test,{far.port},10,5",
            "--host-record=sip1.huikuan.test,127.0.0.1",
        ]
    )
    carrier = SipCarrier([Trunk.parse("sip:carrier.huikuan.test")], dns_server=dns.server)

    async def go() -> tuple[CallOutcome, int, str]:
        call = await carrier.dial(NUMBER, "4001234567", ring_timeout=10)
        outcome, opened = call.result.outcome, carrier.ua.tcp.connections_opened
        await call.hangup()
        await carrier.close()
        return outcome, opened, carrier.trunks[0].transport

    outcome, opened, transport = asyncio.run(go())
    assert outcome == CallOutcome.ANSWERED
    assert (opened, transport) == (1, "tcp")
    assert far.finish() == 0


def test_a_name_without_srv_records_falls_back_to_its_address(dnsmasq: StartDns) -> None:
    dns = dnsmasq(["--host-record=plain.huikuan.test,127.0.0.1"])
    found = asyncio.run(locate("plain.huikuan.test", None, socket.AF_INET, resolver_for(dns.server)))
    assert found is None  # the carrier then resolves the name itself, on port 5060


def test_an_srv_target_without_an_address_is_a_configuration_error(dnsmasq: StartDns) -> None:
    dns = dnsmasq([f"--srv-host=_sip._udp.broken.huikuan.test,nowhere.huikuan.test,{closed_port()},10,5"])
    carrier = SipCarrier([Trunk.parse("sip:broken.huikuan.test")], dns_server=dns.server)
    with pytest.raises(TrunkConfigError, match=r"broken\.huikuan\.test cannot be resolved"):
        asyncio.run(carrier.start())


# --- failover down the SRV list (RFC 3263 §4.3) ------------------------------------------------


def _srv(port_by_priority: list[int]) -> list[str]:
    """An SRV record for carrier.huikuan.test with one server per port, in that priority order."""
    records = []
    for i, port in enumerate(port_by_priority):
        records.append(
            f"--srv-host=_sip._udp.carrier.huikuan.test,sip{i}.huikuan.test,{port},{10 * (i + 1)},5"
        )
        records.append(f"--host-record=sip{i}.huikuan.test,127.0.0.1")
    return records


async def _black_hole() -> tuple[asyncio.DatagramTransport, int]:
    """A server that takes INVITEs and never answers, not even 100 Trying."""
    loop = asyncio.get_running_loop()
    hole, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0))
    return hole, int(hole.get_extra_info("sockname")[1])


def test_a_dead_first_srv_server_hands_the_call_to_the_next(sipp: StartSipp, dnsmasq: StartDns) -> None:
    live = sipp("uas_echo_any_ip.xml", keys={"number": NUMBER})
    dns = dnsmasq(_srv([closed_port(), live.port]))
    carrier = SipCarrier([Trunk.parse("sip:10086@carrier.huikuan.test")], dns_server=dns.server)

    call, echoed = asyncio.run(answered_with_echo(carrier))
    assert call.result.outcome == CallOutcome.ANSWERED
    assert call.server == ("127.0.0.1", live.port)
    assert echoed >= 25
    assert live.finish() == 0


def test_503_from_the_first_srv_server_tries_the_next(sipp: StartSipp, dnsmasq: StartDns) -> None:
    busy = sipp("uas_reject.xml", keys={"status": "503", "reason": "Service Unavailable"})
    live = sipp("uas_echo_any_ip.xml", keys={"number": NUMBER})
    dns = dnsmasq(_srv([busy.port, live.port]))
    carrier = SipCarrier([Trunk.parse("sip:carrier.huikuan.test")], dns_server=dns.server)

    call, echoed = asyncio.run(answered_with_echo(carrier))
    assert call.result.outcome == CallOutcome.ANSWERED
    assert call.server == ("127.0.0.1", live.port)
    assert echoed >= 25
    assert busy.finish() == 0  # it got its ACK for the 503
    assert live.finish() == 0


def test_a_silent_first_srv_server_times_out_and_the_next_answers(sipp: StartSipp, dnsmasq: StartDns) -> None:
    live = sipp("uas_echo_any_ip.xml", keys={"number": NUMBER})

    async def go() -> tuple[SipCall, float]:
        hole, hole_port = await _black_hole()
        dns = dnsmasq(_srv([hole_port, live.port]))
        carrier = SipCarrier(
            [Trunk.parse("sip:carrier.huikuan.test")], dns_server=dns.server, timers=Timers(t1=0.02)
        )
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=20)
            took = loop.time() - started
            await call.hangup()
        finally:
            await carrier.close()
            hole.close()
        return call, took

    call, took = asyncio.run(go())
    assert call.result.outcome == CallOutcome.ANSWERED
    assert call.server == ("127.0.0.1", live.port)
    assert took < 10  # Timer B (64·T1 = 1.3 s) on the silent one, then an answer
    assert live.finish() == 0


def test_every_srv_server_down_is_a_trunk_failure_within_the_ring_time(dnsmasq: StartDns) -> None:
    async def go() -> tuple[SipCall, float, int]:
        hole, hole_port = await _black_hole()
        dns = dnsmasq(_srv([closed_port(), hole_port, closed_port()]))
        carrier = SipCarrier([Trunk.parse("sip:carrier.huikuan.test")], dns_server=dns.server)
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:  # default timers: Timer B (32 s) is longer than the call's ring time
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=1.5)
        finally:
            await carrier.close()
            hole.close()
        return call, loop.time() - started, hole_port

    call, took, silent = asyncio.run(go())
    assert call.result.outcome == CallOutcome.TRUNK_FAILED  # not counted as a contact
    assert call.result.cause == "trunk:timeout"  # the silent one used up the ring time
    assert call.server == ("127.0.0.1", silent)  # so the third server was never tried
    assert 1.4 < took < 5  # the ring time bounds the whole call, not each server
