"""SIP over TCP (`sip:host:port;transport=tcp`) against SIPp `-t t1`, and a hostile TCP far end."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from huikuan.telephony.sip import Credentials, SipCall, SipCarrier, Trunk
from huikuan.telephony.sip.message import parse, response_to
from huikuan.telephony.sip.stream import StreamFramer
from huikuan.telephony.sip.transaction import Timers
from huikuan.types import CallOutcome
from tests.telephony.sip.sipp import Sipp
from tests.telephony.sip.test_sipp_calls import CALLER, NUMBER, echoed_frames, frames_as_sent, tone

StartSipp = Callable[..., Sipp]


def test_trunk_uri_selects_tcp() -> None:
    assert Trunk.parse("sip:10.0.0.1:5070;transport=TCP") == Trunk("10.0.0.1", 5070, "tcp")
    assert Trunk.parse("sip:10.0.0.1").transport == "udp"
    assert str(Trunk("h", 5080, "tcp")) == "sip:h:5080;transport=tcp"
    with pytest.raises(ValueError, match="udp, tcp or tls"):
        Trunk.parse("sip:h:5060;transport=sctp")


def test_two_answered_calls_share_one_connection_with_audio_and_bye(sipp: StartSipp) -> None:
    far = sipp("uas_echo.xml", calls=2, tcp=True)
    pcm = tone(0.6)
    sent = frames_as_sent(pcm)

    async def one(c: SipCarrier, i: int) -> tuple[SipCall, int]:
        call = await c.dial(f"{NUMBER[:-1]}{i}", CALLER, ring_timeout=10)
        await call.send_audio(pcm)
        got = await echoed_frames(call, sent, 25)
        await call.hangup()
        return call, got

    async def go() -> tuple[list[tuple[SipCall, int]], int, int]:
        c = SipCarrier([Trunk.parse(far.trunk)])
        results = await asyncio.gather(one(c, 1), one(c, 2))
        opened, errors = c.ua.tcp.connections_opened, c.ua.parse_errors
        await c.close()
        return list(results), opened, errors

    results, opened, errors = asyncio.run(go())
    for call, got in results:
        assert call.result.outcome == CallOutcome.ANSWERED
        assert got >= 25
        assert call.hangup_cause == "local_bye"
    assert opened == 1  # both dialogs over the one connection to the trunk
    assert errors == 0
    assert far.finish() == 0  # SIPp saw INVITE, ACK and BYE over TCP


def test_far_end_bye_over_our_connection_is_answered(sipp: StartSipp) -> None:
    far = sipp("uas_remote_bye.xml", tcp=True)

    async def go() -> tuple[SipCall, bool]:
        c = SipCarrier([Trunk.parse(far.trunk)])
        call = await c.dial(NUMBER, CALLER, ring_timeout=10)
        ended = await call.wait_ended(15)
        await call.hangup()
        await c.close()
        return call, ended

    call, ended = asyncio.run(go())
    assert ended
    assert call.remote_hung_up
    assert far.finish() == 0  # OPTIONS, re-INVITE and BYE each got their 200 on the connection


def test_486_over_tcp_is_busy_and_acked(sipp: StartSipp) -> None:
    far = sipp("uas_reject.xml", keys={"status": "486", "reason": "Busy Here"}, tcp=True)

    async def go() -> SipCall:
        c = SipCarrier([Trunk.parse(far.trunk)])
        call = await c.dial(NUMBER, CALLER, ring_timeout=10)
        await c.close()
        return call

    call = asyncio.run(go())
    assert call.result.outcome == CallOutcome.BUSY
    assert call.result.sip_status == 486
    assert far.finish() == 0


@pytest.mark.parametrize(
    ("password", "outcome"), [("s3cret", CallOutcome.ANSWERED), ("x", CallOutcome.REJECTED)]
)
def test_digest_challenge_over_tcp(sipp: StartSipp, password: str, outcome: CallOutcome) -> None:
    far = sipp("uas_auth.xml", tcp=True)

    async def go() -> SipCall:
        c = SipCarrier([Trunk.parse(far.trunk)], credentials=Credentials("robot", password))
        call = await c.dial(NUMBER, CALLER, ring_timeout=10)
        await call.hangup()
        await c.close()
        return call

    call = asyncio.run(go())
    assert call.result.outcome == outcome
    assert far.finish() == 0


# --- a hostile far end ------------------------------------------------------------------------
BAD_STREAMS = {
    "bad length": b"SIP/2.0 180 Ringing\r\nContent-Length: lots\r\n\r\n",
    "no length": b"SIP/2.0 180 Ringing\r\nCSeq: 1 INVITE\r\n\r\n",
    "truncated then closed": b"SIP/2.0 486 Busy Here\r\nContent-Length: 40\r\n\r\nv=0",
    "endless headers": b"SIP/2.0 180 Ringing\r\nX: " + b"a" * 70_000,
}


async def hostile_server(stream: bytes) -> tuple[asyncio.Server, int, asyncio.Event]:
    """Answers the first INVITE with an unparseable but framed message, then with `stream`."""
    got_invite = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        framer = StreamFramer()
        while not got_invite.is_set():
            data = await reader.read(4096)
            if not data:
                return
            for raw in framer.feed(data):
                if parse(raw).method == "INVITE":
                    got_invite.set()
        writer.write(b"SIP/2.0 999 Nope\r\nContent-Length: 0\r\n\r\n")  # frames, does not parse
        writer.write(stream)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, int(server.sockets[0].getsockname()[1]), got_invite


@pytest.mark.parametrize("name", list(BAD_STREAMS))
def test_malformed_or_truncated_tcp_stream_fails_the_call_not_the_process(name: str) -> None:
    async def go() -> tuple[SipCall, int, int, int]:
        server, port, got_invite = await hostile_server(BAD_STREAMS[name])
        c = SipCarrier([Trunk("127.0.0.1", port, "tcp")], timers=Timers(t1=0.05))
        call = await c.dial(NUMBER, CALLER, ring_timeout=5)
        assert got_invite.is_set()
        counts = c.ua.parse_errors, c.ua.tcp.framing_errors, c.ua.handler_errors
        await c.close()
        server.close()
        return call, *counts

    call, parse_errors, framing_errors, handler_errors = asyncio.run(go())
    # The lost connection is a transport error (RFC 3261 §8.1.3.1): the trunk failed, not the
    # number, so the outcome never counts against a debtor.
    assert call.result.outcome == CallOutcome.TRUNK_FAILED
    assert call.result.cause == "trunk:transport"
    assert call.result.sip_status == 503
    assert parse_errors == 1  # the 999 was dropped and the stream stayed in step
    assert framing_errors == 1  # counted once, whether the frame broke or the peer closed mid-message
    assert handler_errors == 0


def test_framer_splits_pipelined_messages_and_skips_keepalives() -> None:
    invite = parse(
        b"INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nFrom: <sip:x@h>;tag=1\r\n"
        b"To: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
    )
    invite_ok = response_to(invite, 200, "OK", "t")
    invite_ok.body = b"v=0\r\n"
    wire = invite_ok.to_bytes()
    framer = StreamFramer()
    stream = b"\r\n\r\n" + wire + wire
    pieces = [framer.feed(stream[i : i + 7]) for i in range(0, len(stream), 7)]
    messages = [m for piece in pieces for m in piece]
    assert messages == [wire, wire]
    assert parse(messages[1]).body == b"v=0\r\n"
    assert framer.pending == 0
    assert framer.feed(b"SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n") == []
    assert framer.error is not None


def test_ring_timeout_cancel_over_tcp(sipp: StartSipp) -> None:
    far = sipp("uas_cancel.xml", tcp=True)

    async def go() -> SipCall:
        c = SipCarrier([Trunk.parse(far.trunk)])
        call = await c.dial(NUMBER, CALLER, ring_timeout=0.5)
        await c.close()
        return call

    call = asyncio.run(go())
    assert call.result.outcome == CallOutcome.NO_ANSWER
    assert call.result.sip_status == 487
    assert far.finish() == 0  # SIPp got the CANCEL and the ACK for its 487 on the connection
