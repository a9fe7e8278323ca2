"""RTCP with baresip (separate port and rtcp-mux), and comedia for a far end behind NAT (SIPp)."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from huikuan.telephony import rtcp
from huikuan.telephony.sip import SipCall, SipCarrier, Trunk
from huikuan.telephony.srtp import SrtpPolicy
from huikuan.types import CallOutcome
from tests.telephony.sip.peers import Baresip
from tests.telephony.sip.sipp import Sipp
from tests.telephony.sip.test_sipp_calls import echoed_frames, frames_as_sent, tone

NUMBER, CALLER = "13800000000", "4001234567"
StartSipp = Callable[..., Sipp]


@pytest.fixture
def phones() -> Iterator[list[Baresip]]:
    started: list[Baresip] = []
    yield started
    for phone in started:
        phone.stop()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mux", "srtp"), [(False, False), (True, False), (False, True)], ids=["rtcp-port", "rtcp-mux", "srtcp"]
)
def test_baresip_and_we_exchange_reports_and_it_answers_our_sender_report(
    mux: bool, srtp: bool, tmp_path: Path, phones: list[Baresip], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With SRTP both directions' reports are SRTCP: baresip's round trip can only come back if it
    authenticated and decrypted our Sender Report, and we count it only after authenticating its."""
    monkeypatch.setattr(rtcp, "REPORT_INTERVAL", 0.5)  # ours often; baresip keeps its own 5 s
    play = tmp_path / "tone.wav"
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "8000",
            "-c",
            "1",
            "-b",
            "16",
            "-e",
            "signed",
            str(play),
            "synth",
            "20",
            "sine",
            "300",
        ],
        check=True,
    )
    phone = Baresip(
        tmp_path / "phone",
        NUMBER,
        play,
        config=("rtcp_mux yes",) if mux else (),
        mediaenc="srtp-mand" if srtp else None,
    )
    phones.append(phone)

    async def go() -> SipCall:
        carrier = SipCarrier(
            [Trunk.parse(phone.trunk)], srtp=SrtpPolicy.MANDATORY if srtp else SrtpPolicy.OFF
        )
        await carrier.start()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
            assert call.result.outcome == CallOutcome.ANSWERED
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 18  # baresip reports every ~5 s
            # Listen (the jitter buffer is drained) until baresip's report carries our SR's time.
            while call.rtp.stats.rtt_ms is None and not call.ended and loop.time() < deadline:
                await call.receive_audio(0.2)
            await call.hangup()
            return call
        finally:
            await carrier.close()

    call = asyncio.run(go())
    stats = call.rtp.stats
    assert call.rtp.rtcp_mux is mux
    assert (call.rtp.srtp is not None) is srtp
    assert stats.rtcp_dropped_auth == 0  # every SRTCP packet of baresip's authenticated
    assert ("RTP/RTCP multiplexing enabled" in phone.output()) is mux
    assert stats.rtcp_sent >= 2
    assert stats.rtcp_received >= 1
    # baresip sends an APP packet ("PINGPONG", to open NATs) as it answers: it arrives before
    # its 200 OK has told us who the far end is, so it is refused (on the RTP port when muxed).
    # With SRTP it sends that packet twice, plain and as SRTCP. Nothing after that is refused.
    assert stats.rtcp_dropped + stats.dropped_address <= (2 if srtp else 1)
    # baresip's block about our stream: no loss on loopback, and its LSR is our SR's NTP time,
    # i.e. it parsed our Sender Report; the round trip on loopback is milliseconds.
    assert stats.remote_lost == 0
    assert stats.remote_fraction_lost == 0.0
    assert stats.rtt_ms is not None
    assert 0 <= stats.rtt_ms < 200
    assert stats.received > 100
    assert stats.jitter_ms < 20  # loopback: its 20 ms pacing, give or take a scheduler tick
    assert stats.dropped_ssrc == stats.malformed == stats.dropped_payload == 0


@pytest.mark.parametrize("comedia", [False, True], ids=["sdp-address", "comedia"])
def test_a_far_end_behind_nat_hears_us_only_with_comedia(comedia: bool, sipp: StartSipp) -> None:
    # Its SDP says 192.0.2.1 (unreachable); it sends a telephone-event from its real media port
    # and echoes whatever reaches that port.
    far = sipp("uas_nat.xml")

    async def go() -> tuple[SipCall, int]:
        carrier = SipCarrier([Trunk.parse(far.trunk)], comedia=comedia)
        await carrier.start()
        try:
            call = await carrier.dial(NUMBER, CALLER, ring_timeout=10)
            assert call.result.outcome == CallOutcome.ANSWERED
            pcm = tone(1.0)
            await call.send_audio(pcm)
            got = await echoed_frames(call, frames_as_sent(pcm), 10, timeout=3)
            await call.hangup()
            return call, got
        finally:
            await carrier.close()

    call, echoed = asyncio.run(go())
    assert far.finish() == 0
    stats = call.rtp.stats
    if comedia:
        assert stats.latched == ("127.0.0.1", far.media_port)
        assert call.dtmf_received == "1"
        assert echoed >= 10  # our tone reached its real port and came back
    else:
        assert stats.latched is None
        assert stats.dropped_address > 0  # its packets are not from the SDP's host
        assert call.dtmf_received == ""
        assert echoed == 0  # we spoke to 192.0.2.1: nothing reached it
