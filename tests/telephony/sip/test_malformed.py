"""A fake far end that answers INVITE with broken and truncated responses before a real one."""

from __future__ import annotations

import asyncio
import contextlib
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huikuan.telephony.sip import SipCarrier, Trunk
from huikuan.telephony.sip.message import SipParseError, parse, response_to
from huikuan.telephony.sip.transaction import Timers
from huikuan.types import CallOutcome

GARBAGE = [
    b"\x00\xff\xfe garbage",
    b"SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP x;branch=z9hG4bK1\r\n",  # no end of headers
    b"SIP/2.0 999 Nope\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n\r\n",
    b"SIP/2.0 200 OK\r\nCSeq: banana\r\n\r\n",
]


class FakeUas(asyncio.DatagramProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        request = parse(data)
        if request.method != "INVITE":
            return
        good = response_to(request, 486, "Busy Here", "faketag").to_bytes()
        for junk in GARBAGE:
            self.transport.sendto(junk, addr)
        self.transport.sendto(good[: len(good) // 2], addr)  # truncated in the headers
        broken_length = response_to(request, 180, "Ringing", "faketag")
        broken_length.body = b"v=0"
        self.transport.sendto(
            broken_length.to_bytes().replace(b"Content-Length: 3", b"Content-Length: 99"), addr
        )
        self.transport.sendto(good, addr)


def test_malformed_and_truncated_responses_do_not_crash_the_carrier() -> None:
    async def go() -> tuple[CallOutcome, int, int]:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(FakeUas, local_addr=("127.0.0.1", 0))
        port = transport.get_extra_info("sockname")[1]
        carrier = SipCarrier([Trunk("127.0.0.1", port)], timers=Timers(t1=0.05))
        call = await carrier.dial("13800000000", "4000", ring_timeout=5)
        errors = carrier.ua.parse_errors, carrier.ua.handler_errors
        await carrier.close()
        transport.close()
        return call.result.outcome, *errors

    outcome, parse_errors, handler_errors = asyncio.run(go())
    assert outcome == CallOutcome.BUSY
    assert parse_errors >= len(GARBAGE) + 2
    assert handler_errors == 0


@given(st.binary(max_size=600))
@settings(max_examples=300, deadline=None)
def test_parse_raises_only_sip_parse_error(data: bytes) -> None:
    with contextlib.suppress(SipParseError):
        parse(data)


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_parse_of_text_after_a_valid_start_raises_only_sip_parse_error(tail: str) -> None:
    with contextlib.suppress(SipParseError):
        parse(("SIP/2.0 200 OK\r\n" + tail).encode("utf-8", "surrogatepass"))


def test_compact_and_folded_headers_parse() -> None:
    msg = parse(
        b"SIP/2.0 180 Ringing\r\nv: SIP/2.0/UDP h:5060;branch=z9hG4bKab\r\nf: <sip:a@b>;tag=1\r\n"
        b"t: <sip:c@d>\r\n ;tag=2\r\ni: abc\r\nCSeq: 7 INVITE\r\nl: 0\r\n\r\n"
    )
    assert msg.status == 180
    assert msg.branch == "z9hG4bKab"
    assert msg.get("To") == "<sip:c@d> ;tag=2"
    assert msg.cseq == (7, "INVITE")
    with pytest.raises(SipParseError):
        parse(b"SIP/2.0 180 Ringing\r\nCall-ID: x\r\n\r\n")
